// Revocation over the derivation tree, as a bounded model: capabilities
// derived, moved between processes, closed and revoked in any order. The
// tree's rule for a capability that leaves it (closed, or its process ended)
// is the kernel's own, kernel/rules/tree.ts adoptiveParent (Cap.detachFromTree);
// revoke removes every capability below the revoked one in the tree
// (HandleTable.revokeDescendants). Derivation history is tracked separately:
// the property is about every capability ever derived from the revoked one,
// however the tree was reshaped since.

import * as T from "../../kernel/rules/tree.ts";
import { type AnyInvariant, invariant } from "./invariant.ts";
import { type Bool, type Kit, prove } from "./z3.ts";

type Rules = typeof T;
const CAPS = 4;
const PROCS = 3;
const STEPS = 4;
const OPS = ["derive", "move", "close", "revoke"] as const;

async function revocationModel(k: Kit, rules: Rules) {
  const { Z } = k;
  const I = (n: number) => Z.Int.val(n);
  const NONE = I(-1);
  const facts: Bool[] = [];
  const par = Array.from({ length: STEPS + 1 }, (_, i) => Array.from({ length: CAPS }, (_, c) => Z.Int.const(`par_${i}_${c}`)));
  const live = Array.from({ length: STEPS + 1 }, (_, i) => Array.from({ length: CAPS }, (_, c) => Z.Bool.const(`live_${i}_${c}`)));
  const used = Array.from({ length: STEPS + 1 }, (_, i) => Array.from({ length: CAPS }, (_, c) => Z.Bool.const(`used_${i}_${c}`)));
  const proc = Array.from({ length: STEPS + 1 }, (_, i) => Array.from({ length: CAPS }, (_, c) => Z.Int.const(`proc_${i}_${c}`)));
  // hist[i][c][a]: c was derived, directly or through others, from a.
  const hist = Array.from({ length: STEPS + 1 }, (_, i) =>
    Array.from({ length: CAPS }, (_, c) => Array.from({ length: CAPS }, (_, a) => Z.Bool.const(`hist_${i}_${c}_${a}`))),
  );
  const op = Array.from({ length: STEPS }, (_, i) => Z.Int.const(`op_${i}`));
  const x = Array.from({ length: STEPS }, (_, i) => Z.Int.const(`x_${i}`));
  const y = Array.from({ length: STEPS }, (_, i) => Z.Int.const(`y_${i}`));
  const q = Array.from({ length: STEPS }, (_, i) => Z.Int.const(`q_${i}`));
  const sel = <X>(row: X[], v: any, dflt: any) => row.reduceRight((acc: any, val, c) => Z.If(v.eq(c), val as any, acc), dflt);

  // Initially: cap 0 is a root in process 0; nothing else exists.
  for (let c = 0; c < CAPS; c++) {
    facts.push(par[0][c].eq(-1), live[0][c].eq(Z.Bool.val(c === 0)), used[0][c].eq(Z.Bool.val(c === 0)), proc[0][c].eq(0));
    for (let a = 0; a < CAPS; a++) facts.push(hist[0][c][a].eq(Z.Bool.val(false)));
  }
  const revokes: Bool[] = [];
  for (let i = 0; i < STEPS; i++) {
    const is = (name: (typeof OPS)[number]) => op[i].eq(OPS.indexOf(name));
    facts.push(op[i].ge(0), op[i].lt(OPS.length), x[i].ge(0), x[i].lt(CAPS), y[i].ge(0), y[i].lt(CAPS), q[i].ge(0), q[i].lt(PROCS));
    facts.push(sel(live[i], x[i], Z.Bool.val(false)) as Bool);
    facts.push(Z.Implies(is("derive"), Z.Not(sel(used[i], y[i], Z.Bool.val(true)) as Bool)) as Bool);
    // Strict descendants of x in the tree now (chains up to CAPS long).
    const parentOf = (v: any) => sel(par[i], v, NONE);
    const below = (c: number) => {
      const hits: Bool[] = [];
      let anc: any = par[i][c];
      for (let d = 0; d < CAPS; d++) {
        hits.push(anc.eq(x[i]) as Bool);
        anc = parentOf(anc);
      }
      return Z.Or(...hits) as Bool;
    };
    const leavingParent = parentOf(x[i]);
    const adopter = rules.adoptiveParent(leavingParent, NONE);
    for (let c = 0; c < CAPS; c++) {
      const isX = x[i].eq(c);
      const isY = y[i].eq(c);
      const derived = Z.And(is("derive"), isY);
      const closed = Z.And(is("close"), isX);
      const revoked = Z.And(is("revoke"), below(c));
      facts.push(
        par[i + 1][c].eq(
          Z.If(derived, x[i], Z.If(Z.Or(closed, revoked), NONE, Z.If(Z.And(is("close"), par[i][c].eq(x[i])), adopter, par[i][c]))),
        ),
        live[i + 1][c].eq(Z.If(derived, Z.Bool.val(true), Z.If(Z.Or(closed, revoked), Z.Bool.val(false), live[i][c]))),
        used[i + 1][c].eq(Z.Or(used[i][c], derived)),
        proc[i + 1][c].eq(Z.If(Z.Or(derived, Z.And(is("move"), isX)), q[i], proc[i][c])),
      );
      for (let a = 0; a < CAPS; a++) {
        facts.push(
          hist[i + 1][c][a].eq(
            Z.If(
              derived,
              Z.Or(
                x[i].eq(a),
                sel(
                  hist[i].map((h) => h[a]),
                  x[i],
                  Z.Bool.val(false),
                ),
              ),
              hist[i][c][a],
            ),
          ),
        );
        // The property: a revoke of a ends every live capability ever derived from a, in any process.
        revokes.push(Z.Implies(Z.And(is("revoke"), x[i].eq(a), hist[i][c][a], live[i][c]), Z.Not(live[i + 1][c])) as Bool);
      }
    }
  }
  return prove(k, facts, Z.And(...revokes) as Bool, (m) => {
    const v = (t: any) => Number((m.eval(t, true) as any).value());
    const steps: string[] = [];
    for (let i = 0; i < STEPS; i++) {
      const o = OPS[v(op[i])];
      steps.push(
        o === "derive"
          ? `derive cap ${v(y[i])} from cap ${v(x[i])} into process ${v(q[i])}`
          : o === "move"
            ? `move cap ${v(x[i])} to process ${v(q[i])}`
            : `${o} cap ${v(x[i])}`,
      );
    }
    const survivor = Array.from({ length: STEPS }, (_, i) => i).flatMap((i) =>
      OPS[v(op[i])] === "revoke"
        ? Array.from({ length: CAPS }, (_, c) => c).filter(
            (c) => String(m.eval(hist[i][c][v(x[i])], true)) === "true" && String(m.eval(live[i + 1][c], true)) === "true",
          )
        : [],
    );
    return `${steps.join("; ")}: cap ${survivor[0]} was derived from the revoked cap and still resolves`;
  });
}

export const REVOCATION_INVARIANTS: AnyInvariant[] = [
  invariant<Rules>({
    id: "revocation.reaches-every-descendant",
    means:
      "After handle_revoke, no handle ever derived from the revoked one resolves in any process, even if handles in between were closed or moved since.",
    reads: "kernel/rules/tree.ts adoptiveParent (Cap.detachFromTree); revoke's reach is HandleTable.revokeDescendants (strict descendants)",
    bounds: `${CAPS} capabilities, ${PROCS} processes, ${STEPS} operations (derive, move, close, revoke) in any order`,
    subject: T,
    check: revocationModel,
    mutation: {
      what: "adoptiveParent orphans the children of a closed handle (they become roots)",
      subject: { adoptiveParent: <C>(_p: C, none: C) => none },
      names: /close cap \d.*revoke cap \d.*still resolves/,
    },
  }),
];
