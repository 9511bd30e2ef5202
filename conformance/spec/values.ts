// Values of the spec scripts as exact bit patterns: constants parsed from
// their text (integers, hex and decimal floats rounded correctly, NaN
// payloads, v128 lanes, references), and a "thunk" per function signature
// that calls a wasm function with arguments given as bits and stores its
// numeric results to memory, so nothing crosses the JS boundary as a lossy
// JS number (NaN payloads) or not at all (v128).

import { parse as parseWat } from "@bytecodealliance/jco";
import { atom, head, type SExpr, type SList } from "./wast.ts";

/** A concrete value: numbers as bits (unsigned bigints), references as JS values. */
export type Value = { type: "i32" | "i64" | "f32" | "f64" | "v128"; bits: bigint } | { type: "ref"; value: unknown };

/** An expected result: a value, a NaN class, per-lane patterns, a reference class, or alternatives. */
export type Expected =
  | { kind: "bits"; type: string; bits: bigint }
  | { kind: "nan"; type: "f32" | "f64"; nan: "canonical" | "arithmetic" }
  | { kind: "lanes"; shape: string; lanes: Expected[] }
  | { kind: "ref"; what: "null" | "extern" | "host" | "func" | "any"; id?: number }
  | { kind: "either"; options: Expected[] };

const WIDTH: Record<string, number> = { i32: 32, i64: 64, f32: 32, f64: 64, v128: 128 };

/** Integer literal (decimal or hex, sign, underscores) modulo 2^bits. */
export function parseInt2(text: string, bits: number): bigint {
  let t = text.replaceAll("_", "");
  let neg = false;
  if (t[0] === "-" || t[0] === "+") {
    neg = t[0] === "-";
    t = t.slice(1);
  }
  const v = BigInt(t); // BigInt accepts 0x...
  return BigInt.asUintN(bits, neg ? -v : v);
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** Rounds num/den * 2^exp2 (num, den > 0) to the nearest float with `mant` fraction bits and `expBits` exponent bits, ties to even. */
function roundFloat(num: bigint, den: bigint, exp2: number, mant: number, expBits: number): bigint {
  const bias = (1 << (expBits - 1)) - 1;
  // q = floor(num / den * 2^shift) with at least mant + 3 bits; sticky if inexact.
  const shift = mant + 3 - (bitLength(num) - bitLength(den)) + 1;
  let q: bigint;
  let r: bigint;
  if (shift >= 0) {
    q = (num << BigInt(shift)) / den;
    r = (num << BigInt(shift)) % den;
  } else {
    q = num / (den << BigInt(-shift));
    r = num % (den << BigInt(-shift));
  }
  let sticky = r !== 0n;
  let e2 = exp2 - shift; // value = (q + sticky) * 2^e2
  const L = bitLength(q);
  let lead = L - 1 + e2;
  const minExp = 1 - bias;
  const p = lead >= minExp ? mant + 1 : mant + 1 - (minExp - lead);
  const drop = L - p;
  let keep: bigint;
  if (p <= 0) {
    // Below half the smallest subnormal (or exactly at it): rounds to 0 or the smallest subnormal.
    const halfUlp = lead === minExp - mant - 1;
    keep = halfUlp && (sticky || q !== 1n << BigInt(L - 1)) ? 1n : 0n;
    return keep;
  }
  if (drop > 0) {
    const d = BigInt(drop);
    keep = q >> d;
    const rem = q & ((1n << d) - 1n);
    const half = 1n << (d - 1n);
    if (rem > half || (rem === half && (sticky || (keep & 1n) === 1n))) keep++;
  } else {
    keep = q << BigInt(-drop);
    sticky = false;
  }
  void sticky;
  void e2;
  if (lead >= minExp) {
    if (bitLength(keep) > mant + 1) {
      keep >>= 1n;
      lead++;
    }
    if (lead > bias) return BigInt(2 ** expBits - 1) << BigInt(mant); // infinity
    return (BigInt(lead + bias) << BigInt(mant)) | (keep - (1n << BigInt(mant)));
  }
  return keep; // subnormal (a carry into bit `mant` is the smallest normal, as encoded)
}

/** Float literal to bits (f32 or f64), including inf, nan, nan:0x..., hex floats. */
export function parseFloatBits(text: string, type: "f32" | "f64"): bigint {
  const mant = type === "f32" ? 23 : 52;
  const expBits = type === "f32" ? 8 : 11;
  let t = text.replaceAll("_", "");
  let neg = false;
  if (t[0] === "-" || t[0] === "+") {
    neg = t[0] === "-";
    t = t.slice(1);
  }
  const sign = neg ? 1n << BigInt(mant + expBits) : 0n;
  const expAll = BigInt(2 ** expBits - 1) << BigInt(mant);
  if (t === "inf") return sign | expAll;
  if (t === "nan") return sign | expAll | (1n << BigInt(mant - 1));
  if (t.startsWith("nan:0x")) return sign | expAll | BigInt(t.slice(4));
  let num: bigint;
  let den = 1n;
  let exp2 = 0;
  if (t.startsWith("0x") || t.startsWith("0X")) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(t);
    if (m === null) throw new Error(`bad float literal ${text}`);
    const frac = m[2] ?? "";
    num = BigInt("0x" + ((m[1] ?? "") + frac || "0"));
    exp2 = (m[3] === undefined ? 0 : Number(m[3])) - 4 * frac.length;
  } else {
    const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
    if (m === null) throw new Error(`bad float literal ${text}`);
    const frac = m[2] ?? "";
    num = BigInt((m[1] ?? "") + frac || "0");
    const e10 = (m[3] === undefined ? 0 : Number(m[3])) - frac.length;
    if (e10 >= 0) num *= 10n ** BigInt(e10);
    else den = 10n ** BigInt(-e10);
  }
  if (num === 0n) return sign;
  return sign | roundFloat(num, den, exp2, mant, expBits);
}

const LANES: Record<string, { count: number; type: string; bits: number }> = {
  i8x16: { count: 16, type: "i", bits: 8 },
  i16x8: { count: 8, type: "i", bits: 16 },
  i32x4: { count: 4, type: "i", bits: 32 },
  i64x2: { count: 2, type: "i", bits: 64 },
  f32x4: { count: 4, type: "f32", bits: 32 },
  f64x2: { count: 2, type: "f64", bits: 64 },
};

/** Externref values by their script number (ref.extern N / ref.host N: one host value, seen as extern or any): the same object each time. */
const externs = new Map<string, object>();
export function externRef(_kind: string, n: number): object {
  const key = `host:${n}`;
  let v = externs.get(key);
  if (v === undefined) externs.set(key, (v = { host: n }));
  return v;
}

/** An argument constant: (i32.const 1), (v128.const i32x4 ...), (ref.null func), (ref.extern 3). */
export function parseArg(e: SExpr): Value {
  const h = head(e);
  const items = (e as SList).items;
  const a1 = atom(items[1]);
  switch (h) {
    case "i32.const":
    case "i64.const":
      return { type: h.slice(0, 3) as "i32", bits: parseInt2(a1!, WIDTH[h.slice(0, 3)]) };
    case "f32.const":
    case "f64.const":
      return { type: h.slice(0, 3) as "f32", bits: parseFloatBits(a1!, h.slice(0, 3) as "f32") };
    case "v128.const": {
      const shape = LANES[a1!];
      let bits = 0n;
      for (let i = 0; i < shape.count; i++) {
        const t = atom(items[2 + i])!;
        const lane = shape.type === "i" ? parseInt2(t, shape.bits) : parseFloatBits(t, shape.type as "f32");
        bits |= lane << BigInt(i * shape.bits);
      }
      return { type: "v128", bits };
    }
    case "ref.null":
      return { type: "ref", value: null };
    case "ref.extern":
    case "ref.host":
      return { type: "ref", value: externRef(h.slice(4), Number(a1)) };
  }
  throw new Error(`unsupported argument ${h}`);
}

/** An expected result. */
export function parseExpected(e: SExpr): Expected {
  const h = head(e);
  const items = (e as SList).items;
  const a1 = atom(items[1]);
  if (h === "either") return { kind: "either", options: items.slice(1).map(parseExpected) };
  if ((h === "f32.const" || h === "f64.const") && (a1 === "nan:canonical" || a1 === "nan:arithmetic")) {
    return { kind: "nan", type: h.slice(0, 3) as "f32", nan: a1.slice(4) as "canonical" };
  }
  if (h === "v128.const") {
    const shape = LANES[a1!];
    if (shape.type !== "i" && items.slice(2).some((x) => atom(x)?.startsWith("nan:c") || atom(x)?.startsWith("nan:a"))) {
      const lanes = items.slice(2).map((x) => {
        const t = atom(x)!;
        return t === "nan:canonical" || t === "nan:arithmetic"
          ? ({ kind: "nan", type: shape.type, nan: t.slice(4) } as Expected)
          : ({ kind: "bits", type: shape.type, bits: parseFloatBits(t, shape.type as "f32") } as Expected);
      });
      return { kind: "lanes", shape: a1!, lanes };
    }
  }
  if (h === "ref.null") return { kind: "ref", what: "null" };
  if (h === "ref.extern" || h === "ref.host") {
    return a1 === null ? { kind: "ref", what: "extern" } : { kind: "ref", what: h.slice(4) as "extern", id: Number(a1) };
  }
  if (h === "ref.func") return { kind: "ref", what: "func" };
  if (h.startsWith("ref.")) return { kind: "ref", what: "any" };
  const v = parseArg(e);
  if (v.type === "ref") throw new Error("unreachable");
  return { kind: "bits", type: v.type, bits: v.bits };
}

function isNanClass(bits: bigint, type: string, nan: "canonical" | "arithmetic"): boolean {
  const mant = type === "f32" ? 23 : 52;
  const expBits = type === "f32" ? 8 : 11;
  const exp = (bits >> BigInt(mant)) & BigInt(2 ** expBits - 1);
  const frac = bits & ((1n << BigInt(mant)) - 1n);
  if (exp !== BigInt(2 ** expBits - 1) || frac === 0n) return false;
  const quiet = 1n << BigInt(mant - 1);
  return nan === "canonical" ? frac === quiet : (frac & quiet) !== 0n;
}

/** Whether a result matches what the script expects. */
export function matches(v: Value, e: Expected): boolean {
  switch (e.kind) {
    case "either":
      return e.options.some((o) => matches(v, o));
    case "bits":
      return v.type !== "ref" && v.bits === e.bits;
    case "nan":
      return v.type === e.type && isNanClass(v.bits, e.type, e.nan);
    case "lanes": {
      if (v.type !== "v128") return false;
      const shape = LANES[e.shape];
      const mask = (1n << BigInt(shape.bits)) - 1n;
      return e.lanes.every((lane, i) => matches({ type: shape.type as "f32", bits: (v.bits >> BigInt(i * shape.bits)) & mask }, lane));
    }
    case "ref": {
      if (v.type !== "ref") return false;
      if (e.what === "null") return v.value === null;
      if (v.value === null) return false;
      if (e.id !== undefined) return v.value === externRef(e.what, e.id);
      if (e.what === "func") return typeof v.value === "function";
      return true;
    }
  }
}

/** A result as text for comparing variants: bits in hex, references by kind. */
export function describeValue(v: Value): string {
  if (v.type !== "ref") return `${v.type}:${v.bits.toString(16)}`;
  if (v.value === null) return "null";
  if (typeof v.value === "function") return "funcref";
  for (const [k, o] of externs) if (o === v.value) return `ref.${k}`;
  return "ref";
}

// ---------------------------------------------------------------------------
// Thunks

const NUMERIC = new Set(["i32", "i64", "f32", "f64", "v128"]);
const LOWERED: Record<string, string[]> = { i32: ["i32"], i64: ["i64"], f32: ["i32"], f64: ["i64"], v128: ["i64", "i64"] };

/** The function cannot be called through a thunk (its type is not the plain function type of its signature). */
export class ThunkUnavailable extends Error {}

export interface Signature {
  params: readonly string[];
  results: readonly string[];
}

/** Whether a signature can be called through a thunk: numeric types and reference types that name no type index. */
export function thunkable(sig: Signature): boolean {
  return [...sig.params, ...sig.results].every((t) => NUMERIC.has(t) || !/\d/.test(t));
}

const thunkModules = new Map<string, Promise<WebAssembly.Module>>();

function thunkWat(sig: Signature): string {
  const lowered: string[] = [];
  const args: string[] = [];
  let k = 0;
  for (const t of sig.params) {
    if (t === "f32") args.push(`(f32.reinterpret_i32 (local.get ${k}))`);
    else if (t === "f64") args.push(`(f64.reinterpret_i64 (local.get ${k}))`);
    else if (t === "v128") args.push(`(i64x2.replace_lane 1 (i64x2.splat (local.get ${k})) (local.get ${k + 1}))`);
    else args.push(`(local.get ${k})`);
    const l = LOWERED[t] ?? [t];
    lowered.push(...l);
    k += l.length;
  }
  const locals = sig.results.map((t, i) => `(local $r${i} ${t})`).join(" ");
  const sets = sig.results.map((_, i) => `(local.set $r${sig.results.length - 1 - i})`).join(" ");
  const stores: string[] = [];
  const refs: string[] = [];
  const refTypes: string[] = [];
  sig.results.forEach((t, i) => {
    const at = `(i32.const ${16 * i})`;
    if (t === "i32") stores.push(`(i32.store ${at} (local.get $r${i}))`);
    else if (t === "i64") stores.push(`(i64.store ${at} (local.get $r${i}))`);
    else if (t === "f32") stores.push(`(i32.store ${at} (i32.reinterpret_f32 (local.get $r${i})))`);
    else if (t === "f64") stores.push(`(i64.store ${at} (i64.reinterpret_f64 (local.get $r${i})))`);
    else if (t === "v128") stores.push(`(v128.store ${at} (local.get $r${i}))`);
    else {
      refs.push(`(local.get $r${i})`);
      refTypes.push(t);
    }
  });
  const p = (ts: readonly string[]) => (ts.length ? `(param ${ts.join(" ")})` : "");
  const r = (ts: readonly string[]) => (ts.length ? `(result ${ts.join(" ")})` : "");
  return `(module
  (import "t" "f" (func $f ${p(sig.params)} ${r(sig.results)}))
  (memory (export "mem") 1)
  (func (export "call") ${p(lowered)} ${r(refTypes)} ${locals}
    ${args.join(" ")} (call $f) ${sets} ${stores.join(" ")} ${refs.join(" ")}))`;
}

const thunkInstances = new WeakMap<object, { call: (...a: unknown[]) => unknown; mem: WebAssembly.Memory }>();

/** Calls `fn` (a wasm export of signature `sig`) with `args`, returning its results as Values. Throws what the call throws. */
export async function callExact(fn: (...a: unknown[]) => unknown, sig: Signature, args: Value[]): Promise<Value[]> {
  let t = thunkInstances.get(fn);
  if (t === undefined) {
    const key = `${sig.params.join(",")}->${sig.results.join(",")}`;
    let mod = thunkModules.get(key);
    if (mod === undefined) {
      mod = parseWat(thunkWat(sig)).then((b) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>));
      thunkModules.set(key, mod);
    }
    let inst: WebAssembly.Instance;
    try {
      inst = new WebAssembly.Instance(await mod, { t: { f: fn } });
    } catch (e) {
      // The function's type is not the thunk's import type (a GC subtype, a type in a rec group): call it directly.
      if (e instanceof WebAssembly.LinkError) throw new ThunkUnavailable();
      throw e;
    }
    t = { call: inst.exports.call as (...a: unknown[]) => unknown, mem: inst.exports.mem as WebAssembly.Memory };
    thunkInstances.set(fn, t);
  }
  const lowered: unknown[] = [];
  args.forEach((a, i) => {
    const type = sig.params[i];
    if (a.type === "ref") lowered.push(a.value);
    else if (type === "i32" || type === "f32") lowered.push(Number(BigInt.asIntN(32, a.bits)));
    else if (type === "i64" || type === "f64") lowered.push(BigInt.asIntN(64, a.bits));
    else lowered.push(BigInt.asIntN(64, a.bits & ((1n << 64n) - 1n)), BigInt.asIntN(64, a.bits >> 64n));
  });
  const ret = t.call(...lowered);
  const refResults = sig.results.filter((r) => !NUMERIC.has(r)).length;
  const refs = refResults === 0 ? [] : refResults === 1 ? [ret] : (ret as unknown[]);
  const view = new DataView(t.mem.buffer);
  let nextRef = 0;
  return sig.results.map((type, i): Value => {
    const at = 16 * i;
    switch (type) {
      case "i32":
      case "f32":
        return { type, bits: BigInt(view.getUint32(at, true)) };
      case "i64":
      case "f64":
        return { type, bits: view.getBigUint64(at, true) };
      case "v128":
        return { type, bits: view.getBigUint64(at, true) | (view.getBigUint64(at + 8, true) << 64n) };
      default:
        return { type: "ref", value: refs[nextRef++] };
    }
  });
}
