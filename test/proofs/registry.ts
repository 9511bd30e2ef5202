// Every invariant the proofs establish, by area.

import { GRANT_INVARIANTS } from "./grants.ts";
import { HANDLE_INVARIANTS } from "./handles.ts";
import type { AnyInvariant } from "./invariant.ts";
import { IPC_INVARIANTS } from "./ipc-table.ts";
import { PLEDGE_INVARIANTS } from "./pledge.ts";
import { REVOCATION_INVARIANTS } from "./revocation.ts";
import { RIGHTS_INVARIANTS } from "./rights.ts";
import { SCHED_INVARIANTS } from "./sched.ts";
import { UNVEIL_INVARIANTS } from "./unveil.ts";

export const INVARIANTS: readonly AnyInvariant[] = [
  ...IPC_INVARIANTS,
  ...RIGHTS_INVARIANTS,
  ...HANDLE_INVARIANTS,
  ...REVOCATION_INVARIANTS,
  ...GRANT_INVARIANTS,
  ...PLEDGE_INVARIANTS,
  ...UNVEIL_INVARIANTS,
  ...SCHED_INVARIANTS,
];
