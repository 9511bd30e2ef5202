// ring_msgs_per_s: 64-byte slots through a ring (guests/sdk/ring.ts) on a
// memory object both processes hold as the bound grant "ring". The data
// moves by loads and stores on the shared memory; the kernel is called only
// to sleep the side that cannot go on (futex_wait) and to wake it.
//   ring-pair producer <count> <capacity>   push count 56-byte messages (64-byte slots)
//   ring-pair consumer <batch> <batches>    pop them, checking each carries the next number
// Spawn the consumer first: it waits in attach() until the producer initialises the ring.

import { handle } from "@wasmos/sdk";
import { Ring } from "@wasmos/sdk/ring";
import * as ring from "@wasmos/sdk/grants/ring";
import { fail, intArg, runBatches, strArg } from "./lib/marks";

const SLOT = 64;
const PAYLOAD = SLOT - 8;
const r = new Ring<ring.Memory>(handle(ring.NAME), 0);
const buf = new ArrayBuffer(PAYLOAD);
const at = changetype<usize>(buf);
let next: u64 = 0;

function pops(n: i32): void {
  for (let i = 0; i < n; i++) {
    const len = r.pop(at, PAYLOAD);
    if (len != PAYLOAD) fail("pop", len, 3);
    if (load<u64>(at) != next) fail("pop: out of order, message", <i64>next, 4);
    next++;
  }
}

if (strArg(1) == "producer") {
  const count = intArg(2);
  const e = r.init(<u32>intArg(3), SLOT);
  if (e < 0) fail("ring init", e, 2);
  for (let i = 0; i < count; i++) {
    store<u64>(at, next++);
    const p = r.push(at, PAYLOAD);
    if (p < 0) fail("push", p, 3);
  }
} else {
  const e = r.attach();
  if (e < 0) fail("ring attach", e, 2);
  runBatches(intArg(3), intArg(2), pops);
}
