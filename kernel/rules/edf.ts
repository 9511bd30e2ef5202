// EDF admission: a reservation (runtime C, period P, relative deadline D)
// counts C / min(D, P) against its class's capacity (at most 1: EDF on one CPU
// meets every deadline of a set whose density sum is at most 1). Executed by
// kernel/sched/edf.ts (EdfReservation, admits) and kernel/sched/cpu.ts;
// proved in test/proofs/edf.test.ts.

import type { NumberAlgebra } from "./algebra.ts";

/** Tolerance for comparing sums of utilisations (floating point). */
export const EDF_EPSILON = 1e-9;

/** What admission control counts for a reservation: its density C / min(D, P). */
export function reservationLoad<N, B>(A: NumberAlgebra<N, B>, runtime: N, period: N, deadline: N): N {
  return A.div(runtime, A.pickn(A.le(deadline, period), deadline, period));
}

/** Whether adding `load` (after removing `replacing`, the caller's current one) keeps `total` within `capacity`. */
export function admitsLoad<N, B>(A: NumberAlgebra<N, B>, total: N, replacing: N, load: N, capacity: N): B {
  return A.le(A.add(A.sub(total, replacing), load), A.add(capacity, A.num(EDF_EPSILON)));
}
