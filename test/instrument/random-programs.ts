// Random structured wasm programs for checking that fuel metering does not
// change what a program computes. Every program terminates: loops count
// down a counter re-initialised before each entry, calls go only to
// higher-numbered functions (directly or through the table), and the one
// recursive call is bounded by a depth parameter. The generated code mixes
// nested blocks and loops (some with results), br / br_if / br_table to any
// enclosing label, early returns, tail calls, direct and indirect calls, and
// memory traffic; every function logs its path into memory.

import { prng } from "../wasm/helpers.ts";

interface Label {
  /** 1 if a branch to it carries an i32 (a block with a result), else 0. */
  arity: number;
}

class Gen {
  private readonly rnd: () => number;
  private readonly funcs: number;
  private fn = 0;
  private budget = 0;

  constructor(seed: number, funcs: number) {
    this.rnd = prng(seed);
    this.funcs = funcs;
  }

  private pick(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  /** An i32 expression with no side effects on control. */
  private value(): string {
    switch (this.pick(5)) {
      case 0:
        return `(i32.const ${this.pick(1000) - 500})`;
      case 1:
        return "(local.get $acc)";
      case 2:
        return "(local.get $x)";
      case 3:
        return `(i32.load (i32.and (i32.add (local.get $acc) (i32.const ${this.pick(64) * 4})) (i32.const 1020)))`;
      default:
        return `(i32.add (local.get $acc) (local.get $depth))`;
    }
  }

  private op(): string {
    return ["i32.add", "i32.sub", "i32.mul", "i32.xor", "i32.rotl", "i32.and", "i32.or"][this.pick(7)];
  }

  /** A call to a later function (or the bounded self-recursion), as an i32 expression. */
  private call(): string {
    const later = this.funcs - this.fn - 1;
    if (later > 0 && this.pick(3) !== 0) {
      const target = this.fn + 1 + this.pick(later);
      if (this.pick(2) === 0) return `(call $f${target} ${this.value()} (local.get $depth))`;
      return `(call_indirect (type $sig) ${this.value()} (local.get $depth) (i32.const ${target}))`;
    }
    return `(if (result i32) (i32.gt_s (local.get $depth) (i32.const 0))
      (then (call $f${this.fn} ${this.value()} (i32.sub (local.get $depth) (i32.const 1))))
      (else ${this.value()}))`;
  }

  /** A branch to one of `labels` (innermost last), stack-neutral when not taken. */
  private branch(labels: readonly Label[]): string {
    const n = labels.length;
    const depthOf = (i: number) => n - 1 - i;
    const i = this.pick(n);
    const l = labels[i];
    const carry = l.arity === 1 ? "(local.get $acc)" : "";
    const cond = `(i32.and ${this.value()} (i32.const ${1 + this.pick(3)}))`;
    switch (this.pick(3)) {
      case 0:
        return `(if ${cond} (then (br ${depthOf(i) + 1} ${carry})))`; // +1: the if's own label
      case 1:
        return l.arity === 1 ? `(drop (br_if ${depthOf(i)} ${carry} ${cond}))` : `(br_if ${depthOf(i)} ${cond})`;
      default: {
        const same = labels
          .map((x, j) => [x, j] as const)
          .filter(([x]) => x.arity === l.arity)
          .map(([, j]) => depthOf(j) + 1);
        const targets = Array.from({ length: 1 + this.pick(3) }, () => same[this.pick(same.length)]);
        return `(if ${cond} (then (br_table ${targets.join(" ")} ${depthOf(i) + 1} ${carry} (i32.and ${this.value()} (i32.const 3)))))`;
      }
    }
  }

  /** Statements (stack-neutral), nesting at most `nest` more blocks. */
  private stmts(labels: Label[], nest: number, loops: number): string {
    const out: string[] = [];
    const count = 1 + this.pick(4);
    for (let s = 0; s < count && this.budget > 0; s++) {
      this.budget--;
      const kind = this.pick(nest > 0 ? 12 : 6);
      switch (kind) {
        case 0:
        case 1:
          out.push(`(local.set $acc (${this.op()} (local.get $acc) ${this.value()}))`);
          break;
        case 2:
          out.push(`(i32.store (i32.and (local.get $acc) (i32.const 1020)) ${this.value()})`);
          break;
        case 3:
          out.push(`(local.set $acc (i32.add (local.get $acc) ${this.call()}))`);
          break;
        case 4:
          out.push(`(call $log (local.get $acc))`);
          break;
        case 5:
          if (labels.length > 0) out.push(this.branch(labels));
          break;
        case 6:
          out.push(
            `(if ${this.value()} (then ${this.stmts([...labels, { arity: 0 }], nest - 1, loops)}) (else ${this.stmts([...labels, { arity: 0 }], nest - 1, loops)}))`,
          );
          break;
        case 7:
          out.push(`(block ${this.stmts([...labels, { arity: 0 }], nest - 1, loops)})`);
          break;
        case 8:
          out.push(
            `(local.set $acc (i32.add (local.get $acc) (block (result i32) ${this.stmts([...labels, { arity: 1 }], nest - 1, loops)} (local.get $acc))))`,
          );
          break;
        case 9:
        case 10: {
          if (loops >= 3) break;
          // block $exit (loop $top (br_if $exit (counter == 0)) (counter--) body (br $top))
          const c = `$c${loops}`;
          const inner: Label[] = [...labels, { arity: 0 }, { arity: 0 }];
          out.push(`(local.set ${c} (i32.const ${1 + this.pick(4)}))
            (block (loop
              (br_if 1 (i32.eqz (local.get ${c})))
              (local.set ${c} (i32.sub (local.get ${c}) (i32.const 1)))
              ${this.stmts(inner, nest - 1, loops + 1)}
              (br 0)))`);
          break;
        }
        default: {
          if (loops >= 3) break;
          // A loop with a result: (loop (result i32) (if counter (then counter--; body; br top)) acc)
          const c = `$c${loops}`;
          out.push(`(local.set ${c} (i32.const ${1 + this.pick(3)}))
            (local.set $acc (i32.xor (local.get $acc) (loop (result i32)
              (if (local.get ${c}) (then
                (local.set ${c} (i32.sub (local.get ${c}) (i32.const 1)))
                ${this.stmts([...labels, { arity: 0 }, { arity: 0 }], nest - 1, loops + 1)}
                (br 1)))
              (local.get $acc))))`);
        }
      }
    }
    if (this.pick(12) === 0) out.push("(if (i32.and (local.get $acc) (i32.const 1)) (then (return (local.get $acc))))");
    return out.join("\n");
  }

  function(index: number): string {
    this.fn = index;
    this.budget = 40;
    const tail =
      index + 1 < this.funcs && this.pick(4) === 0
        ? `(if (i32.and (local.get $acc) (i32.const 2)) (then (return_call $f${index + 1} (local.get $acc) (local.get $depth))))`
        : "";
    return `(func $f${index} (type $sig) (param $x i32) (param $depth i32) (result i32)
      (local $acc i32) (local $c0 i32) (local $c1 i32) (local $c2 i32)
      (local.set $acc (i32.add (local.get $x) (i32.const ${index})))
      (call $log (i32.const ${index * 1000}))
      ${this.stmts([], 3, 0)}
      ${tail}
      (local.get $acc))`;
  }
}

/** A random terminating program: export "run" (i32) -> i32, and its memory. */
export function randomProgram(seed: number): string {
  const funcs = 3 + (seed % 4);
  const g = new Gen(seed, funcs);
  const bodies = Array.from({ length: funcs }, (_, i) => g.function(i));
  return `(module
    (type $sig (func (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $tp (mut i32) (i32.const 4096))
    (table ${funcs} funcref)
    (elem (i32.const 0) ${Array.from({ length: funcs }, (_, i) => `$f${i}`).join(" ")})
    (func $log (param i32)
      (if (i32.lt_u (global.get $tp) (i32.const 65532)) (then
        (i32.store (global.get $tp) (local.get 0))
        (global.set $tp (i32.add (global.get $tp) (i32.const 4))))))
    ${bodies.join("\n")}
    (func (export "run") (param i32) (result i32) (call $f0 (local.get 0) (i32.const 2))))`;
}
