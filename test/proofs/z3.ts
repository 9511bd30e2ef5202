// Z3 (z3-solver, compiled to wasm) for the proofs: one context per test file,
// the kernel's rule algebras over Z3 terms, and `prove`, which asks the solver
// for a counterexample to a claim and turns the model into words.
//
// A rule in kernel/rules/ is written against WordAlgebra / NumberAlgebra; here
// the same function is called with Z3 bit-vectors (words: 32 bits, exactly as
// the kernel's i32s) and Z3 reals (numbers: exact, no rounding), so what is
// proved is the kernel's own definition.

import { type Arith, type BitVec, type Bool as ZBool, type Context, init, type Model as ZModel } from "z3-solver";
import type { NumberAlgebra, WordAlgebra } from "../../kernel/rules/algebra.ts";

type Ctx = Context<"main">;
export type Bool = ZBool<"main">;
export type Word = BitVec<32, "main">;
export type Real = Arith<"main">;
export type Model = ZModel<"main">;

export interface Kit {
  readonly Z: Ctx;
  readonly words: WordAlgebra<Word, Bool>;
  readonly reals: NumberAlgebra<Real, Bool>;
  /** Integers: for counts (an integer model solves much faster than reals). */
  readonly ints: NumberAlgebra<Real, Bool>;
  word(name: string): Word;
  real(name: string): Real;
  bool(name: string): Bool;
}

/** The result of a proof: it holds, or the solver's counterexample in words. */
export type Verdict = { holds: true } | { holds: false; counterexample: string };
export const HOLDS: Verdict = { holds: true };

let kit: Promise<Kit> | null = null;

/** The one Z3 context of this test file (initialising Z3 costs ~0.2 s). */
export function z3(): Promise<Kit> {
  kit ??= (async (): Promise<Kit> => {
    const { Context } = await init();
    const Z = Context("main");
    const words: WordAlgebra<Word, Bool> = {
      yes: Z.Bool.val(true),
      no: Z.Bool.val(false),
      all: (a, b) => Z.And(a, b) as Bool,
      any: (a, b) => Z.Or(a, b) as Bool,
      neg: (a) => Z.Not(a),
      word: (n) => Z.BitVec.val(BigInt(n >>> 0), 32) as Word,
      and: (a, b) => a.and(b),
      or: (a, b) => a.or(b),
      not: (a) => a.not(),
      add: (a, b) => a.add(b),
      shl: (a, bits) => a.shl(bits),
      shr: (a, bits) => a.lshr(bits),
      eq: (a, b) => a.eq(b),
      ltu: (a, b) => a.ult(b),
      lts: (a, b) => a.slt(b),
      pick: (c, a, b) => Z.If(c, a, b) as unknown as Word,
    };
    const reals: NumberAlgebra<Real, Bool> = {
      yes: words.yes,
      no: words.no,
      all: words.all,
      any: words.any,
      neg: words.neg,
      num: (n) => Z.Real.val(String(n)) as unknown as Real,
      add: (a, b) => a.add(b),
      sub: (a, b) => a.sub(b),
      div: (a, b) => a.div(b),
      le: (a, b) => a.le(b),
      lt: (a, b) => a.lt(b),
      eqn: (a, b) => a.eq(b),
      pickn: (c, a, b) => Z.If(c, a, b) as unknown as Real,
    };
    const ints: NumberAlgebra<Real, Bool> = {
      ...reals,
      num: (n) => Z.Int.val(n) as unknown as Real,
      div: () => {
        throw new Error("no division on integers");
      },
    };
    return {
      Z,
      words,
      reals,
      ints,
      word: (name) => Z.BitVec.const(name, 32) as Word,
      real: (name) => Z.Real.const(name),
      bool: (name) => Z.Bool.const(name),
    };
  })();
  return kit!;
}

/**
 * Prove `claim` under `assumptions`: ask Z3 for a model of the assumptions
 * where the claim is false. None (unsat): it holds. One: `explain` turns the
 * model into the counterexample's words.
 */
export async function prove(k: Kit, assumptions: Bool[], claim: Bool, explain: (m: Model) => string): Promise<Verdict> {
  const s = new k.Z.Solver();
  for (const a of assumptions) s.add(a);
  s.add(k.Z.Not(claim));
  const r = await s.check();
  if (r === "unsat") return HOLDS;
  if (r === "unknown") return { holds: false, counterexample: `Z3 could not decide (${s.reasonUnknown()})` };
  return { holds: false, counterexample: explain(s.model()) };
}

/** A word's value in a model, as an unsigned number. */
export function wordIn(m: Model, w: Word): number {
  return Number((m.eval(w, true) as unknown as { value(): bigint }).value());
}

/** A real's value in a model, as a decimal string. */
export function realIn(m: Model, r: Real): string {
  const v = m.eval(r, true) as unknown as { value(): { numerator: bigint; denominator: bigint } };
  const got = v.value() as unknown;
  if (typeof got === "bigint") return String(got);
  const { numerator, denominator } = got as { numerator: bigint; denominator: bigint };
  return denominator === 1n
    ? String(numerator)
    : `${numerator}/${denominator} (${(Number(numerator) / Number(denominator)).toPrecision(6)})`;
}

/** A real's value in a model, as a JavaScript number. */
export function realNum(m: Model, r: Real): number {
  const v = (m.eval(r, true) as unknown as { value(): { numerator: bigint; denominator: bigint } | bigint }).value();
  return typeof v === "bigint" ? Number(v) : Number(v.numerator) / Number(v.denominator);
}

export function boolIn(m: Model, b: Bool): boolean {
  return String(m.eval(b, true)) === "true";
}
