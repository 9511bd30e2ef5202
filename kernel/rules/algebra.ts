// The algebra the kernel's pure rules are written against. A rule is a small
// function over an algebra instead of over JavaScript operators, so that one
// definition runs in two places: the kernel calls it with plain numbers
// (WORDS, NUMBERS below), and the proofs (test/proofs/) call the very same
// function with Z3 terms and ask the solver whether a property can fail. The
// proofs never re-type a rule; a change here changes what they prove.
//
// Words are 32-bit values (rights, handles, pledge masks); numbers are exact
// quantities (priorities, counts, utilisations). Truth values are `B`.

/** Operations on 32-bit words. */
export interface WordAlgebra<W, B> extends Logic<B> {
  word(n: number): W;
  and(a: W, b: W): W;
  or(a: W, b: W): W;
  not(a: W): W;
  /** Wrapping 32-bit addition. */
  add(a: W, b: W): W;
  shl(a: W, bits: number): W;
  /** Logical (unsigned) right shift. */
  shr(a: W, bits: number): W;
  eq(a: W, b: W): B;
  /** Unsigned a < b. */
  ltu(a: W, b: W): B;
  /** Signed (i32) a < b. */
  lts(a: W, b: W): B;
  pick(c: B, a: W, b: W): W;
}

/** Operations on exact numbers. */
export interface NumberAlgebra<N, B> extends Logic<B> {
  num(n: number): N;
  add(a: N, b: N): N;
  sub(a: N, b: N): N;
  div(a: N, b: N): N;
  le(a: N, b: N): B;
  lt(a: N, b: N): B;
  eqn(a: N, b: N): B;
  pickn(c: B, a: N, b: N): N;
}

export interface Logic<B> {
  readonly yes: B;
  readonly no: B;
  all(a: B, b: B): B;
  any(a: B, b: B): B;
  neg(a: B): B;
}

const logic: Logic<boolean> = { yes: true, no: false, all: (a, b) => a && b, any: (a, b) => a || b, neg: (a) => !a };

/** The kernel's instance for words: JavaScript's 32-bit operators. */
export const WORDS: WordAlgebra<number, boolean> = {
  ...logic,
  word: (n) => n | 0,
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  not: (a) => ~a,
  add: (a, b) => (a + b) | 0,
  shl: (a, bits) => a << bits,
  shr: (a, bits) => a >>> bits,
  eq: (a, b) => (a | 0) === (b | 0),
  ltu: (a, b) => a >>> 0 < b >>> 0,
  lts: (a, b) => (a | 0) < (b | 0),
  pick: (c, a, b) => (c ? a : b),
};

/** The kernel's instance for numbers. */
export const NUMBERS: NumberAlgebra<number, boolean> = {
  ...logic,
  num: (n) => n,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  div: (a, b) => a / b,
  le: (a, b) => a <= b,
  lt: (a, b) => a < b,
  eqn: (a, b) => a === b,
  pickn: (c, a, b) => (c ? a : b),
};
