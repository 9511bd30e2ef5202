// unveil only narrows (kernel/rules/unveil.ts unveilPerms, executed by
// kernel/ns/state.ts permsAt). Whether a path is under a rule's path is left
// free (any combination), which covers every configuration of paths.

import { Constants } from "../../abi/gen/abi.ts";
import type { WordAlgebra } from "../../kernel/rules/algebra.ts";
import * as U from "../../kernel/rules/unveil.ts";
import { type AnyInvariant, invariant } from "./invariant.ts";
import { type Bool, type Kit, type Model, prove, type Word, wordIn } from "./z3.ts";

type Rules = typeof U;
const CALLS = 2;
const RULES = 2;
const NAMES: [number, string][] = [
  [Constants.UNVEIL_READ, "r"],
  [Constants.UNVEIL_WRITE, "w"],
  [Constants.UNVEIL_CREATE, "c"],
  [Constants.UNVEIL_EXEC, "x"],
];
const perms = (p: number) =>
  NAMES.filter(([b]) => p & b)
    .map(([, n]) => n)
    .join("") || "none";

/** A view of `calls` unveil calls, as seen from one path: free rule permissions (within UNVEIL_ALL) and free coverage. */
function view(k: Kit, tag: string, calls: number) {
  const facts: Bool[] = [];
  const v = Array.from({ length: calls }, (_, c) =>
    Array.from({ length: RULES }, (_, r) => {
      const p = k.word(`${tag}_perms_${c}_${r}`);
      facts.push(p.and(k.words.word(~U.UNVEIL_ALL)).eq(k.words.word(0)) as Bool);
      return { under: k.bool(`${tag}_under_${c}_${r}`), perms: p };
    }),
  );
  return { v, facts };
}

const describe = (m: Model, calls: { under: Bool; perms: Word }[][]) =>
  calls
    .map(
      (c, i) =>
        `call ${i + 1}: ${c.map((r) => `${String(m.eval(r.under, true)) === "true" ? "covers" : "misses"} the path with ${perms(wordIn(m, r.perms))}`).join(", ")}`,
    )
    .join("; ");

export const UNVEIL_INVARIANTS: AnyInvariant[] = [
  invariant<Rules>({
    id: "unveil.only-narrows",
    means: "A later unveil can only take permissions away: after it, a process can do on no path anything it could not do before.",
    reads: "kernel/rules/unveil.ts unveilPerms (kernel/ns/state.ts permsAt, checked by open, mount and the namespace calls)",
    bounds: `views of up to ${CALLS} earlier calls plus one more, ${RULES} rules each; coverage of the path by each rule left free (every arrangement of paths)`,
    subject: U,
    async check(k, r) {
      const before = view(k, "v", CALLS);
      const more = view(k, "n", 1);
      const p0 = r.unveilPerms(k.words, before.v);
      const p1 = r.unveilPerms(k.words, [...before.v, ...more.v]);
      return prove(
        k,
        [...before.facts, ...more.facts],
        p1.and(p0.not()).eq(k.words.word(0)) as Bool,
        (m) => `${describe(m, [...before.v, ...more.v])}: permissions go from ${perms(wordIn(m, p0))} to ${perms(wordIn(m, p1))}`,
      );
    },
    mutation: {
      what: "a later unveil call replaces the view instead of narrowing it",
      subject: {
        ...U,
        unveilPerms: <W, B>(A: WordAlgebra<W, B>, v: readonly (readonly U.RuleAt<W, B>[])[]) =>
          v.length === 0 ? A.word(U.UNVEIL_ALL) : U.unveilPerms(A, [v[v.length - 1]]),
      },
      names: /permissions go from \w+ to \w+/,
    },
  }),
  invariant<Rules>({
    id: "unveil.deny-by-default",
    means: "Once a process has unveiled anything, a path that no rule of some call covers gives it no permission at all.",
    reads: "kernel/rules/unveil.ts unveilPerms",
    bounds: `views of up to ${CALLS} calls, ${RULES} rules each; coverage left free`,
    subject: U,
    async check(k, r) {
      const { v, facts } = view(k, "v", CALLS);
      const missedByOne = k.Z.Or(...v.map((call) => k.Z.And(...call.map((x) => k.Z.Not(x.under))))) as Bool;
      return prove(
        k,
        [...facts, missedByOne],
        r.unveilPerms(k.words, v).eq(k.words.word(0)) as Bool,
        (m) => `${describe(m, v)}: the path still gets ${perms(wordIn(m, r.unveilPerms(k.words, v)))}`,
      );
    },
    mutation: {
      what: "a call with no rule covering the path leaves the permissions as they were",
      subject: {
        ...U,
        unveilPerms: <W, B>(A: WordAlgebra<W, B>, v: readonly (readonly U.RuleAt<W, B>[])[]) => {
          let p = A.word(U.UNVEIL_ALL);
          for (const call of v) {
            let here = A.word(U.UNVEIL_ALL);
            for (let i = call.length - 1; i >= 0; i--) here = A.pick(call[i].under, call[i].perms, here);
            p = A.and(p, here);
          }
          return p;
        },
      },
      names: /misses the path.*misses the path.*still gets/,
    },
  }),
];
