// Runs in every test worker before its tests: every kernel a test boots
// checks each syscall result against the ABI (kernel/syscalls/contract.ts),
// so a handler returning an undocumented errno fails the test that hit it.
import { KERNEL_DEFAULTS } from "../../kernel/core.ts";

KERNEL_DEFAULTS.checkContracts = true;
