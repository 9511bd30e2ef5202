// The rights algebra: how rights shrink when a capability is derived, copied
// or moved, and how a syscall's need is checked. Executed by kernel/handles.ts
// (Cap.derive, HandleTable.get), kernel/syscalls/handles.ts (handle_dup) and
// kernel/ipc/transfer.ts (handles in messages); proved in
// test/proofs/rights.test.ts against the rights each syscall needs in
// abi/wasmos.abi.json.

import { Errno, Rights } from "../../abi/gen/abi.ts";
import { WORDS, type WordAlgebra } from "./algebra.ts";

/** Rights of a capability derived from one holding `held`, asked for `asked`: never more than held. */
export function derivedRights<W, B>(A: WordAlgebra<W, B>, held: W, asked: W): W {
  return A.and(asked, held);
}

/** Whether `held` has every right in `need` (else EACCES). */
export function hasRights<W, B>(A: WordAlgebra<W, B>, held: W, need: W): B {
  return A.eq(A.and(held, need), need);
}

/** Whether every bit of a is in b. */
export function isSubset<W, B>(A: WordAlgebra<W, B>, a: W, b: W): B {
  return A.eq(A.and(a, A.not(b)), A.word(0));
}

/** handle_dup's checks, in order: 0 if the duplicate may be made, else the errno (EACCES without DUPLICATE, EINVAL for a right not held). */
export function dupCheck<W, B>(A: WordAlgebra<W, B>, held: W, asked: W): W {
  return A.pick(
    hasRights(A, held, A.word(Rights.DUPLICATE)),
    A.pick(isSubset(A, asked, held), A.word(0), A.word(Errno.EINVAL)),
    A.word(Errno.EACCES),
  );
}

/**
 * What a handle must hold to travel in a message: TRANSFER, and DUPLICATE too
 * when the sender keeps its own (a copy makes a second capability).
 */
export function transferNeed<W, B>(A: WordAlgebra<W, B>, move: B): W {
  return A.pick(move, A.word(Rights.TRANSFER), A.word(Rights.TRANSFER | Rights.DUPLICATE));
}

/** Rights the receiver's capability gets: a moved cap keeps its rights, a copy is derived with the sender's. */
export function transferredRights<W, B>(A: WordAlgebra<W, B>, held: W, move: B): W {
  return A.pick(move, held, derivedRights(A, held, held));
}

// Plain-number forms for the kernel's hot paths (same definitions).
export const derivedRightsN = (held: number, asked: number): number => derivedRights(WORDS, held, asked);
export const hasRightsN = (held: number, need: number): boolean => hasRights(WORDS, held, need);
