// One invariant: what it means for a user, which of the kernel's own
// definitions it reads, the bounds of its model, the proof, and a mutation of
// what it reads under which the proof must fail with a counterexample that
// names the culprit. docs/invariants.md is generated from these
// (node test/proofs/docs.ts) and checked against them by proofs.test.ts.

import type { Kit, Verdict } from "./z3.ts";

export interface Invariant<S> {
  /** Stable id: area.name. */
  readonly id: string;
  /** One sentence of what it means for a user. */
  readonly means: string;
  /** The file and definition it reads. */
  readonly reads: string;
  /** The model's bounds ("none" when the proof covers every value). */
  readonly bounds: string;
  /** The kernel's own definition. */
  readonly subject: S;
  /** Prove it of a subject (the kernel's, or a mutated copy). */
  check(k: Kit, subject: S): Promise<Verdict>;
  readonly mutation: {
    /** What is changed in the copy. */
    readonly what: string;
    readonly subject: S;
    /** The counterexample must match this (it names the culprit). */
    readonly names: RegExp;
  };
}

// Erased subject type for the registry (each invariant is type-checked where it is defined).
export type AnyInvariant = Invariant<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const invariant = <S>(i: Invariant<S>): AnyInvariant => i;
