// How a handle encodes its slot and the slot's generation (the ABI's
// convention: bits 0-15 the slot, bits 16-30 the generation; a handle is a
// positive i32). Executed by kernel/handles.ts (HandleTable); proved in
// test/proofs/handles.test.ts (round trip, positivity, no stale handle
// accepted while the slot's generations last, no wrap-around).

import { WORDS, type WordAlgebra } from "./algebra.ts";

export const SLOT_BITS = 16;
export const SLOT_MASK = (1 << SLOT_BITS) - 1;
/** The last generation a slot may carry; a slot that reaches it is retired for good. */
export const MAX_GENERATION = 0x7fff;

/** The handle for generation gen of slot. */
export function encodeHandle<W, B>(A: WordAlgebra<W, B>, gen: W, slot: W): W {
  return A.or(A.shl(gen, SLOT_BITS), slot);
}

/** The slot a handle names. */
export function handleSlot<W, B>(A: WordAlgebra<W, B>, h: W): W {
  return A.and(h, A.word(SLOT_MASK));
}

/** The generation a handle carries. */
export function handleGeneration<W, B>(A: WordAlgebra<W, B>, h: W): W {
  return A.shr(h, SLOT_BITS);
}

/** The generation a slot's next handle gets. */
export function nextGeneration<W, B>(A: WordAlgebra<W, B>, gen: W): W {
  return A.add(gen, A.word(1));
}

/** Whether a freed slot whose last generation is gen may be issued again (else it is retired). */
export function slotReusable<W, B>(A: WordAlgebra<W, B>, gen: W): B {
  return A.ltu(gen, A.word(MAX_GENERATION));
}

/** Whether handle h is the live handle of a slot whose current generation is current. */
export function handleMatches<W, B>(A: WordAlgebra<W, B>, h: W, current: W): B {
  return A.all(A.lts(A.word(0), h), A.eq(handleGeneration(A, h), current));
}

export const encodeHandleN = (gen: number, slot: number): number => encodeHandle(WORDS, gen, slot);
