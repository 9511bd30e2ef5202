// Priority inheritance's step: a server's effective priority is its base
// priority raised by each live client whose message it holds and by each
// sender queued on an endpoint it serves. kernel/ipc/priority.ts folds this
// step over those candidates and propagates a change along a chain of at most
// MAX_CHAIN servers; test/proofs/priority.test.ts folds the same step over a
// bounded model.

import type { NumberAlgebra } from "./algebra.ts";

/** How deep a priority change propagates along servers waiting on servers. */
export const MAX_CHAIN = 64;

/** prio raised by a candidate priority, if the candidate counts (a client still waiting; -1 means no queued sender). */
export function raisedPriority<N, B>(A: NumberAlgebra<N, B>, prio: N, candidate: N, counts: B): N {
  return A.pickn(A.all(counts, A.lt(prio, candidate)), candidate, prio);
}
