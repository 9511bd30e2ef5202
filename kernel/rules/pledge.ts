// Pledges only narrow: a process keeps only the syscall classes it promises,
// can never regain one it dropped, and always keeps `core`. Executed by
// kernel/syscalls/handles.ts (pledge); proved in test/proofs/pledge.test.ts
// against the classes of the ABI's syscalls.

import { Errno, PLEDGE_CLASS_NAMES, PledgeClass } from "../../abi/gen/abi.ts";
import type { WordAlgebra } from "./algebra.ts";

/** Every pledge class, as a mask. */
export const ALL_PROMISES = Object.keys(PLEDGE_CLASS_NAMES).reduce((m, bit) => m | (1 << Number(bit)), 0);
export const CORE_PROMISE = 1 << PledgeClass.core;

/** pledge(asked) by a process holding `held`: 0 if accepted, else the errno (EINVAL: no such class; EPLEDGE: a dropped class). */
export function pledgeCheck<W, B>(A: WordAlgebra<W, B>, held: W, asked: W): W {
  const unknown = A.and(asked, A.not(A.word(ALL_PROMISES)));
  const regained = A.and(A.and(asked, A.not(A.word(CORE_PROMISE))), A.not(held));
  return A.pick(A.eq(unknown, A.word(0)), A.pick(A.eq(regained, A.word(0)), A.word(0), A.word(Errno.EPLEDGE)), A.word(Errno.EINVAL));
}

/** The classes kept after an accepted pledge(asked). */
export function pledgeKept<W, B>(A: WordAlgebra<W, B>, held: W, asked: W): W {
  return A.and(A.or(asked, A.word(CORE_PROMISE)), held);
}
