// A read-only grant's holder has no write path. The verifier's rule set is
// the opcode table (wasm/opcodes.ts: OpFlag.STORE on each instruction) read
// through wasm/decode.ts writesMemory, which loader/grant-writes.ts applies to
// every instruction of a module (spawn then refuses a read-only binding of a
// memory the module writes, kernel/mm/grants.ts planGrants). It is checked
// against the WebAssembly instruction set's memory-writing instructions, as
// the spec names them, over modules with up to MEMS memories.

import { Rights } from "../../abi/gen/abi.ts";
import type { WordAlgebra } from "../../kernel/rules/algebra.ts";
import * as G from "../../kernel/rules/grants.ts";
import { derivedRights } from "../../kernel/rules/rights.ts";
import { type Instruction, writesMemory } from "../../wasm/decode.ts";
import { ATOMIC_OPS, GC_OPS, MISC_OPS, type OpInfo, OpFlag, SIMD_OPS, SINGLE_BYTE_OPS } from "../../wasm/opcodes.ts";
import { rightsNames } from "./abi.ts";
import { type AnyInvariant, invariant } from "./invariant.ts";
import { type Bool, type Kit, prove, wordIn } from "./z3.ts";

const MEMS = 3;

/**
 * The instruction set's memory writes, by the spec's names: every store
 * (plain, narrow, SIMD, lane, atomic), every atomic read-modify-write and
 * compare-exchange, memory.fill, memory.copy (its destination), memory.init,
 * and memory.grow (it changes what the holder can address).
 */
const SPEC_WRITES = /\.store|\.atomic\.rmw|^memory\.(fill|copy|init|grow)$/;

interface Verifier {
  readonly ops: readonly OpInfo[];
  readonly writesMemory: (ins: Instruction, memory: number) => boolean;
}

const ALL_OPS: readonly OpInfo[] = [SINGLE_BYTE_OPS, GC_OPS, MISC_OPS, SIMD_OPS, ATOMIC_OPS].flatMap((t) =>
  t.filter((o): o is OpInfo => o !== undefined),
);
const VERIFIER: Verifier = { ops: ALL_OPS, writesMemory };

/** The decoded form of op naming destination memory d and source s (memory.copy), as decode.ts fills it. */
function instruction(op: OpInfo, d: number, s: number): Instruction {
  const names = (op.flags & OpFlag.MEMORY) !== 0;
  return { op, memory: names ? d : -1, memory2: op.name === "memory.copy" ? s : -1 } as Instruction;
}

/**
 * The verifier as a Z3 relation writes(o, d, s, m): opcode o (an index into
 * ops) naming memories d (and s) writes memory m. Ops are grouped by their
 * behaviour over all (d, s, m) so the relation stays small.
 */
function relation(k: Kit, v: Verifier) {
  const { Z } = k;
  const o = Z.Int.const("op");
  const d = Z.Int.const("dest");
  const s = Z.Int.const("src");
  const m = Z.Int.const("mem");
  const groups = new Map<string, number[]>();
  v.ops.forEach((op, i) => {
    let sig = "";
    for (let dd = 0; dd < MEMS; dd++)
      for (let ss = 0; ss < MEMS; ss++) for (let mm = 0; mm < MEMS; mm++) sig += v.writesMemory(instruction(op, dd, ss), mm) ? "1" : "0";
    groups.set(sig, [...(groups.get(sig) ?? []), i]);
  });
  const inGroup = (ids: number[]) => Z.Or(...ids.map((i) => o.eq(i))) as Bool;
  const point = (sig: string) => {
    const hits: Bool[] = [];
    let n = 0;
    for (let dd = 0; dd < MEMS; dd++)
      for (let ss = 0; ss < MEMS; ss++)
        for (let mm = 0; mm < MEMS; mm++) if (sig[n++] === "1") hits.push(Z.And(d.eq(dd), s.eq(ss), m.eq(mm)) as Bool);
    return Z.Or(...hits, Z.Bool.val(false)) as Bool;
  };
  const writes = Z.Or(...[...groups].map(([sig, ids]) => Z.And(inGroup(ids), point(sig)))) as Bool;
  const spec = Z.Or(...v.ops.flatMap((op, i) => (SPEC_WRITES.test(op.name) ? [o.eq(i)] : [])), Z.Bool.val(false)) as Bool;
  const domain = [o.ge(0), o.lt(v.ops.length), d.ge(0), d.lt(MEMS), s.ge(0), s.lt(MEMS), m.ge(0), m.lt(MEMS)] as Bool[];
  const at = (model: any) => {
    const val = (x: any) => Number(model.eval(x, true).value());
    return { op: v.ops[val(o)].name, d: val(d), s: val(s), m: val(m) };
  };
  return { Z, o, d, s, m, writes, spec, domain, at };
}

const withFlags = (v: Verifier, name: string, flags: (f: number) => number): Verifier => ({
  ...v,
  ops: v.ops.map((op) => (op.name === name ? { ...op, flags: flags(op.flags) } : op)),
});

type Rules = { readonly grants: typeof G; readonly derivedRights: typeof derivedRights };
const RULES: Rules = { grants: G, derivedRights };

export const GRANT_INVARIANTS: AnyInvariant[] = [
  invariant<Verifier>({
    id: "grants.every-write-found",
    means:
      "Every instruction that can write a memory (any store, atomic read-modify-write, memory.fill, memory.copy into it, memory.init, memory.grow) counts as a write to it, so a read-only grant is refused to any module that has one.",
    reads:
      "wasm/opcodes.ts opcode tables (OpFlag.STORE) through wasm/decode.ts writesMemory, as loader/grant-writes.ts writeSites applies it",
    bounds: `every opcode in the tables; modules with up to ${MEMS} memories`,
    subject: VERIFIER,
    async check(k, v) {
      const r = relation(k, v);
      return prove(k, [...r.domain, r.spec, r.d.eq(r.m)], r.writes, (model) => {
        const x = r.at(model);
        return `${x.op} writes memory ${x.m} but the verifier does not count it`;
      });
    },
    mutation: {
      what: "STORE cleared on i32.atomic.rmw.add",
      subject: withFlags(VERIFIER, "i32.atomic.rmw.add", (f) => f & ~OpFlag.STORE),
      names: /i32\.atomic\.rmw\.add writes memory/,
    },
  }),
  invariant<Verifier>({
    id: "grants.copy-writes-destination",
    means:
      "memory.copy counts as a write to its destination and only its destination: copying out of a read-only grant is allowed, copying into it is not.",
    reads: "wasm/decode.ts writesMemory (Instruction.memory is memory.copy's destination) and the memory.copy row of wasm/opcodes.ts",
    bounds: `modules with up to ${MEMS} memories`,
    subject: VERIFIER,
    async check(k, v) {
      const r = relation(k, v);
      const copy = v.ops.findIndex((op) => op.name === "memory.copy");
      return prove(k, [...r.domain, r.o.eq(copy)], r.writes.eq(r.m.eq(r.d)) as Bool, (model) => {
        const x = r.at(model);
        return `memory.copy from memory ${x.s} into memory ${x.d} is judged ${x.m === x.d ? "not to write" : "to write"} memory ${x.m}`;
      });
    },
    mutation: {
      what: "writesMemory checks memory.copy's source instead of its destination",
      subject: {
        ...VERIFIER,
        writesMemory: (ins: Instruction, m: number) =>
          (ins.op.flags & OpFlag.STORE) !== 0 && (ins.memory2 >= 0 ? ins.memory2 : ins.memory) === m,
      },
      names: /memory\.copy from memory \d into memory \d is judged/,
    },
  }),
  invariant<Verifier>({
    id: "grants.reads-allowed",
    means:
      "A module that only reads a grant is never refused a read-only binding: no load or other non-writing instruction counts as a write.",
    reads: "wasm/opcodes.ts opcode tables through wasm/decode.ts writesMemory",
    bounds: `every opcode in the tables; modules with up to ${MEMS} memories`,
    subject: VERIFIER,
    async check(k, v) {
      const r = relation(k, v);
      return prove(
        k,
        [...r.domain, r.Z.Not(r.spec) as Bool],
        r.Z.Not(r.writes) as Bool,
        (model) => `${r.at(model).op} does not write memory but the verifier counts it as a write`,
      );
    },
    mutation: {
      what: "STORE set on i64.load32_u",
      subject: withFlags(VERIFIER, "i64.load32_u", (f) => f | OpFlag.STORE),
      names: /i64\.load32_u does not write memory/,
    },
  }),
  invariant<Rules>({
    id: "grants.read-only-binding",
    means:
      "A grant bound from a handle without WRITE is read-only and the capability the kernel holds for it has no WRITE; no binding has a right its handle lacks.",
    reads: "kernel/rules/grants.ts grantReadOnly, grantBindRights (planGrants, bindGrants) and kernel/rules/rights.ts derivedRights",
    bounds: "none (every rights mask with READ)",
    subject: RULES,
    async check(k, r) {
      const A = k.words;
      const held = k.word("held");
      const ro = r.grants.grantReadOnly(A, held);
      const bound = r.derivedRights(A, held, r.grants.grantBindRights(A, ro));
      const has = (w: any, bit: number) => w.and(A.word(bit)).eq(A.word(bit)) as Bool;
      const claim = k.Z.And(
        ro.eq(k.Z.Not(has(held, Rights.WRITE))),
        has(bound, Rights.WRITE).eq(has(held, Rights.WRITE)),
        bound.and(held.not()).eq(A.word(0)),
      ) as Bool;
      return prove(
        k,
        [has(held, Rights.READ)],
        claim,
        (m) =>
          `a grant handle with ${rightsNames(wordIn(m, held))} is bound ${String(m.eval(ro, true)) === "true" ? "read-only" : "writable"} with ${rightsNames(wordIn(m, bound))}`,
      );
    },
    mutation: {
      what: "grantReadOnly tests MAP instead of WRITE",
      subject: {
        ...RULES,
        grants: { ...G, grantReadOnly: <W, B>(A: WordAlgebra<W, B>, rights: W) => A.eq(A.and(rights, A.word(Rights.MAP)), A.word(0)) },
      },
      names: /a grant handle with .* is bound/,
    },
  }),
];
