// Invariants of the handle encoding (kernel/rules/handle-codec.ts), which
// HandleTable (kernel/handles.ts) uses to issue and resolve every handle.

import * as C from "../../kernel/rules/handle-codec.ts";
import type { WordAlgebra } from "../../kernel/rules/algebra.ts";
import { type AnyInvariant, invariant } from "./invariant.ts";
import { type Bool, type Kit, prove, type Word, wordIn } from "./z3.ts";

type Codec = Omit<typeof C, "MAX_GENERATION"> & { readonly MAX_GENERATION: number };
const CODEC: Codec = C;
const READS = "kernel/rules/handle-codec.ts";
const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** Assumptions: gen is a generation a slot can carry (1..MAX_GENERATION), slot is in range. */
function issued(k: Kit, c: Codec, gen: Word, slot: Word): Bool[] {
  return [gen.uge(1) as Bool, gen.ule(c.MAX_GENERATION) as Bool, slot.ule(c.SLOT_MASK) as Bool];
}

const mutant = (patch: Partial<Codec>): Codec => ({ ...CODEC, ...patch });

export const HANDLE_INVARIANTS: AnyInvariant[] = [
  invariant<Codec>({
    id: "handles.round-trip",
    means: "Every handle names exactly the slot and generation it was issued for, so two live handles never alias.",
    reads: `${READS} encodeHandle, handleSlot, handleGeneration, SLOT_MASK, MAX_GENERATION`,
    bounds: "none (every slot and generation)",
    subject: CODEC,
    async check(k, c) {
      const gen = k.word("gen");
      const slot = k.word("slot");
      const h = c.encodeHandle(k.words, gen, slot);
      const claim = k.Z.And(c.handleSlot(k.words, h).eq(slot), c.handleGeneration(k.words, h).eq(gen)) as Bool;
      return prove(
        k,
        issued(k, c, gen, slot),
        claim,
        (m) =>
          `generation ${wordIn(m, gen)} of slot ${wordIn(m, slot)} encodes as ${hex(wordIn(m, h))}, which decodes as generation ${wordIn(m, c.handleGeneration(k.words, h))} of slot ${wordIn(m, c.handleSlot(k.words, h))}`,
      );
    },
    mutation: {
      what: "handleGeneration keeps only 8 bits",
      subject: mutant({ handleGeneration: <W, B>(A: WordAlgebra<W, B>, h: W) => A.and(A.shr(h, C.SLOT_BITS), A.word(0xff)) }),
      names: /decodes as generation/,
    },
  }),
  invariant<Codec>({
    id: "handles.positive",
    means:
      "Every handle the kernel issues is a positive i32: never 0 (HANDLE_INVALID), never HANDLE_SELF, never a value a guest could mistake for an errno.",
    reads: `${READS} encodeHandle, MAX_GENERATION`,
    bounds: "none",
    subject: CODEC,
    async check(k, c) {
      const gen = k.word("gen");
      const slot = k.word("slot");
      const h = c.encodeHandle(k.words, gen, slot);
      return prove(
        k,
        issued(k, c, gen, slot),
        h.sgt(0) as Bool,
        (m) => `generation ${wordIn(m, gen)} of slot ${wordIn(m, slot)} is issued as ${hex(wordIn(m, h))} (${wordIn(m, h) | 0})`,
      );
    },
    mutation: { what: "MAX_GENERATION raised to 0xffff (16 bits)", subject: mutant({ MAX_GENERATION: 0xffff }), names: /is issued as 0x8/ },
  }),
  invariant<Codec>({
    id: "handles.no-stale",
    means: "A closed handle is refused (ESTALE) for as long as its slot has generations left, however many times the slot is reused.",
    reads: `${READS} encodeHandle, handleMatches (HandleTable.slotOf)`,
    bounds: "every reuse count within the slot's generations (1..MAX_GENERATION); a slot past them is retired (handles.no-wrap)",
    subject: CODEC,
    async check(k, c) {
      const gen = k.word("gen");
      const now = k.word("current");
      const slot = k.word("slot");
      const old = c.encodeHandle(k.words, gen, slot);
      const facts = [...issued(k, c, gen, slot), gen.ult(now) as Bool, now.ule(c.MAX_GENERATION) as Bool];
      return prove(
        k,
        facts,
        k.Z.Not(c.handleMatches(k.words, old, now)) as Bool,
        (m) =>
          `the handle ${hex(wordIn(m, old))} of generation ${wordIn(m, gen)} is accepted once slot ${wordIn(m, slot)} is at generation ${wordIn(m, now)}`,
      );
    },
    mutation: {
      what: "handleMatches checks that the handle is positive but forgets its generation",
      subject: mutant({ handleMatches: <W, B>(A: WordAlgebra<W, B>, h: W, _current: W) => A.lts(A.word(0), h) }),
      names: /is accepted once slot \d+ is at generation/,
    },
  }),
  invariant<Codec>({
    id: "handles.no-wrap",
    means:
      "A slot's generation only grows and never wraps around to one issued before: a slot that has used up its generations is retired, not reused.",
    reads: `${READS} slotReusable (HandleTable.vacate), nextGeneration (HandleTable.insertCap), MAX_GENERATION`,
    bounds: "none",
    subject: CODEC,
    async check(k, c) {
      const gen = k.word("gen");
      const next = c.nextGeneration(k.words, gen);
      const facts = [gen.uge(1) as Bool, gen.ule(c.MAX_GENERATION) as Bool, c.slotReusable(k.words, gen)];
      return prove(
        k,
        facts,
        k.Z.And(gen.ult(next), next.ule(c.MAX_GENERATION)) as Bool,
        (m) => `a slot at generation ${wordIn(m, gen)} is reused with generation ${wordIn(m, next)}`,
      );
    },
    mutation: {
      what: "slotReusable also reuses a slot at MAX_GENERATION",
      subject: mutant({
        slotReusable: <W, B>(A: WordAlgebra<W, B>, gen: W) =>
          A.any(A.ltu(gen, A.word(C.MAX_GENERATION)), A.eq(gen, A.word(C.MAX_GENERATION))),
      }),
      names: /at generation 32767 is reused with generation 32768/,
    },
  }),
  invariant<Codec>({
    id: "handles.one-live-value",
    means: "Each slot has exactly one valid handle value at a time: no other number, forged or old, resolves to it.",
    reads: `${READS} handleMatches, handleSlot, encodeHandle`,
    bounds: "none",
    subject: CODEC,
    async check(k, c) {
      const h = k.word("h");
      const now = k.word("current");
      const slot = c.handleSlot(k.words, h);
      const facts = [now.uge(1) as Bool, now.ule(c.MAX_GENERATION) as Bool, c.handleMatches(k.words, h, now)];
      return prove(
        k,
        facts,
        h.eq(c.encodeHandle(k.words, now, slot)) as Bool,
        (m) =>
          `${hex(wordIn(m, h))} resolves to slot ${wordIn(m, slot)} at generation ${wordIn(m, now)}, whose handle is ${hex(wordIn(m, c.encodeHandle(k.words, now, slot)))}`,
      );
    },
    mutation: {
      what: "handleMatches compares only the low 8 bits of the generation",
      subject: mutant({
        handleMatches: <W, B>(A: WordAlgebra<W, B>, h: W, current: W) =>
          A.all(A.lts(A.word(0), h), A.eq(A.and(C.handleGeneration(A, h), A.word(0xff)), A.and(current, A.word(0xff)))),
      }),
      names: /resolves to slot \d+ at generation \d+, whose handle is/,
    },
  }),
];
