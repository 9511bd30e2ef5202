// Pulses are bounded per sender: an endpoint keeps at most MAX_PENDING_PULSES
// undelivered pulses from one sender (a process, or the kernel for device
// interrupts); past that pulse returns EAGAIN (an interrupt is dropped and
// counted). Executed by kernel/syscalls/ipc.ts (pulse), kernel/syscalls/fast-ipc.ts
// (pulse_wait), kernel/ipc/exchange.ts (queueing, delivery) and
// kernel/devices/bind.ts (interrupts); proved in test/proofs/sched.ts, and
// compared with the real kernel's pulse and pulse_wait by the reference model
// (test/model/model.ts).

import { Limits } from "../../abi/gen/abi.ts";
import { NUMBERS, type NumberAlgebra } from "./algebra.ts";

/** Whether one more pulse may be queued by a sender that has `pending` undelivered on the endpoint. */
export function pulseAdmitted<N, B>(A: NumberAlgebra<N, B>, pending: N): B {
  return A.lt(pending, A.num(Limits.MAX_PENDING_PULSES));
}

/** A sender's pending count after one of its pulses was queued. */
export function pulseQueued<N, B>(A: NumberAlgebra<N, B>, pending: N): N {
  return A.add(pending, A.num(1));
}

/** A sender's pending count after one of its pulses was delivered (0 means the entry goes). */
export function pulseTaken<N, B>(A: NumberAlgebra<N, B>, pending: N): N {
  return A.pickn(A.le(pending, A.num(1)), A.num(0), A.sub(pending, A.num(1)));
}

export const pulseAdmittedN = (pending: number): boolean => pulseAdmitted(NUMBERS, pending);
