// ctx_switch_ns: one of two processes that yield to each other.
//   yielder <batch> <batches> <marks: 0|1>
// Each yield hands the CPU to the other process (the only other one ready),
// so a batch of n yields by each is 2n context switches.

import { sys_yield } from "@wasmos/sdk";
import { intArg, mark } from "./lib/marks";

const batch = intArg(1);
const batches = intArg(2);
const marks = intArg(3) != 0;

if (marks) mark();
for (let b = 0; b < batches; b++) {
  for (let i = 0; i < batch; i++) sys_yield();
  if (marks) mark();
}
