// Pledges only narrow (kernel/rules/pledge.ts, executed by sysPledge), over
// the pledge classes and syscalls of the ABI.

import type { WordAlgebra } from "../../kernel/rules/algebra.ts";
import * as PL from "../../kernel/rules/pledge.ts";
import { ABI } from "./abi.ts";
import { type AnyInvariant, invariant } from "./invariant.ts";
import { type Bool, type Kit, prove, wordIn } from "./z3.ts";

type Rules = typeof PL;
const CLASSES = ABI.pledge_classes.map((c) => c.name);
const classNames = (mask: number) => CLASSES.filter((_, i) => (mask >>> i) & 1).join("|") || "none";
const SEQUENCE = 3;

/** SEQUENCE pledge calls from a process that holds every class; `held[i]` is what it keeps after call i (unchanged if refused). */
function pledges(k: Kit, r: Rules) {
  const A = k.words;
  const asked = Array.from({ length: SEQUENCE }, (_, i) => k.word(`asked_${i}`));
  const held = [A.word(0xffffffff)];
  for (const a of asked) {
    const h = held[held.length - 1];
    held.push(A.pick(r.pledgeCheck(A, h, a).eq(A.word(0)) as Bool, r.pledgeKept(A, h, a), h));
  }
  const trace = (m: any) => asked.map((a) => `pledge(${classNames(wordIn(m, a))})`).join(", ");
  return { held, trace };
}

const mutant = (patch: Partial<Rules>): Rules => ({ ...PL, ...patch });
// A plausible rewrite bug: pledge replaces the set instead of narrowing it.
const REPLACES = mutant({
  pledgeCheck: <W, B>(A: WordAlgebra<W, B>, _held: W, asked: W) =>
    A.pick(A.eq(A.and(asked, A.not(A.word(PL.ALL_PROMISES))), A.word(0)), A.word(0), A.word(2)),
  pledgeKept: <W, B>(A: WordAlgebra<W, B>, _held: W, asked: W) => A.or(asked, A.word(PL.CORE_PROMISE)),
});

export const PLEDGE_INVARIANTS: AnyInvariant[] = [
  invariant<Rules>({
    id: "pledge.only-narrows",
    means:
      "Once a process pledges a syscall class away, no later pledge gives it back: every syscall of that class keeps returning EPLEDGE.",
    reads: "kernel/rules/pledge.ts pledgeCheck, pledgeKept (sysPledge); the syscalls' pledge classes in abi/wasmos.abi.json",
    bounds: `every sequence of ${SEQUENCE} pledge calls`,
    subject: PL,
    async check(k, r) {
      const { held, trace } = pledges(k, r);
      const claims: Bool[] = [];
      for (let i = 1; i < held.length; i++) {
        for (const s of ABI.syscalls) {
          const bit = k.words.word(1 << CLASSES.indexOf(s.pledge));
          const has = (h: any) => h.and(bit).eq(bit) as Bool;
          claims.push(k.Z.Implies(has(held[i]), has(held[i - 1])) as Bool);
        }
      }
      return prove(k, [], k.Z.And(...claims) as Bool, (m) => {
        const i = held.findIndex((h, j) => j > 0 && (wordIn(m, h) & ~wordIn(m, held[j - 1])) !== 0);
        const regained = wordIn(m, held[i]) & ~wordIn(m, held[i - 1]);
        const s = ABI.syscalls.find((x) => (regained >>> CLASSES.indexOf(x.pledge)) & 1);
        return `after ${trace(m)} the process regained ${classNames(regained)} (so ${s?.name} works again)`;
      });
    },
    mutation: {
      what: "pledge replaces the set (no EPLEDGE check, kept = asked|core)",
      subject: REPLACES,
      names: /regained \w+.* \(so \w+ works again\)/,
    },
  }),
  invariant<Rules>({
    id: "pledge.core-kept",
    means: "The core class (exit, yield, clocks, own handles) can never be pledged away, so a process can always at least exit and report.",
    reads: "kernel/rules/pledge.ts pledgeCheck, pledgeKept, CORE_PROMISE",
    bounds: `every sequence of ${SEQUENCE} pledge calls`,
    subject: PL,
    async check(k, r) {
      const { held, trace } = pledges(k, r);
      const core = k.words.word(1 << CLASSES.indexOf("core"));
      return prove(k, [], k.Z.And(...held.map((h) => h.and(core).eq(core))) as Bool, (m) => `after ${trace(m)} the process lost core`);
    },
    mutation: {
      what: "pledgeKept forgets to add core",
      subject: mutant({ pledgeKept: <W, B>(A: WordAlgebra<W, B>, held: W, asked: W) => A.and(asked, held) }),
      names: /lost core/,
    },
  }),
];
