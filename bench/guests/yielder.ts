// ctx_switch_ns: one of two processes that yield to each other.
//   yielder <batch> <batches> <marks: 0|1>
// Each yield hands the CPU to the other process (the only other one ready),
// so a batch of n yields by each is 2n context switches.

import { sys_yield } from "@wasmos/sdk";
import { intArg, mark, runBatches } from "./lib/marks";

function yields(n: i32): void {
  for (let i = 0; i < n; i++) sys_yield();
}

const batch = intArg(1);
const batches = intArg(2);
if (intArg(3) != 0) runBatches(batches, batch, yields);
else for (let b = 0; b < batches; b++) yields(batch);
