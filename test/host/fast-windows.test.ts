// The kernel's fast path in wasm for window_get (host/runtime/fast-path.ts):
// once the kernel has answered a window_get for a handle, later calls are
// answered in wasm; every answer equals the kernel's own, and a close, revoke
// or pledge is seen by the very next call.
import { describe, expect, it } from "vitest";
import { PledgeClass, Rights } from "../../abi/gen/abi.ts";
import { ACCESSOR_AFTER, fastWindowStats, windowMutation } from "../../host/runtime/fast-path.ts";
import { setEpochStrideForTest } from "../../kernel/fast/epoch.ts";
import { Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";
import { E } from "../memory/helpers.ts";

const { DUPLICATE, TRANSFER } = Rights;

/** 64 bytes of the memory object: byte i = 0xf0 + i (so 16- and 32-bit reads are recognisable and zero-extended). */
function patterned(k: Kernel) {
  const mem = k.createMemory(64);
  const b = k.memoryBytes(mem);
  for (let i = 0; i < 64; i++) b[i] = 0xf0 + i;
  return mem;
}

const READER = guest(`
  (data (i32.const 0) "mem")
  (func $sum (param $w i32) (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.wrap_i64 (call $window_get (local.get $w) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "_start") (local $m i32) (local $w1 i32) (local $w2 i32) (local $w4 i32) (local $d i32) (local $k i32)
    (local.set $m (call $handle_get (i32.const 0) (i32.const 3)))
    (local.set $w1 (call $memory_map (local.get $m) (i32.const 1) (i32.const 10) (i32.const 3) (i32.const 1)))
    (local.set $w2 (call $memory_map (local.get $m) (i32.const 2) (i32.const 8) (i32.const 4) (i32.const 2)))
    (local.set $w4 (call $memory_map (local.get $m) (i32.const 0) (i32.const 16) (i32.const 4) (i32.const 4)))
    ;; each element size, the first call (the kernel) and the rest (cached)
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w1) (i32.const 0))))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w1) (i32.const 9))))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w2) (i32.const 7))))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w4) (i32.const 15))))
    (call $rec (i32.wrap_i64 (i64.shr_u (call $window_get (local.get $w4) (i32.const 0)) (i64.const 16))))
    (local.set $k (i32.const 0))
    (loop $again
      (call $rec (call $sum (local.get $w2) (i32.const 8)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $k) (i32.const 3))))
    ;; out of range both ways, a forged handle, a handle of another slot's generation
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w2) (i32.const 8))))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w2) (i32.const -1))))
    (call $rec (i32.wrap_i64 (call $window_get (i32.const 0x00090009) (i32.const 0))))
    (call $rec (i32.wrap_i64 (call $window_get (i32.add (local.get $w2) (i32.const 0x10000)) (i32.const 0))))
    ;; a handle that is not a window, one without READ
    (call $rec (i32.wrap_i64 (call $window_get (local.get $m) (i32.const 0))))
    (local.set $d (call $handle_dup (local.get $w1) (i32.const ${DUPLICATE | TRANSFER})))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $d) (i32.const 0))))
    ;; closed: the next call is ESTALE, even though it was answered in wasm just before
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w1) (i32.const 1))))
    (call $rec (call $handle_close (local.get $w1)))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w1) (i32.const 1))))
    ;; revoked: every window mapped through $m answers EREVOKED at once
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w4) (i32.const 1))))
    (call $rec (call $handle_revoke (local.get $m)))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w4) (i32.const 1))))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w2) (i32.const 0))))
    (call $flush))`);

const PLEDGER = guest(`
  (data (i32.const 0) "mem")
  (func (export "_start") (local $m i32) (local $w i32)
    (local.set $m (call $handle_get (i32.const 0) (i32.const 3)))
    (local.set $w (call $memory_map (local.get $m) (i32.const 0) (i32.const 4) (i32.const 1) (i32.const 1)))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 3))))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 3))))
    (call $rec (call $pledge (i32.const ${~(1 << PledgeClass.memory) & 0xff})))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 3))))
    (call $flush))`);

/** window_get_packed (three 16-bit elements a call, the PCM VU meter's scan) on a folded window, then every refusal. */
const PACKED = guest(`
  (data (i32.const 0) "mem")
  (func $lo (param $r i64) (result i32) (i32.wrap_i64 (local.get $r)))
  (func $hi (param $r i64) (result i32) (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))))
  (func $scan (param $w i32) (result i32) (local $i i32) (local $acc i32) (local $r i64)
    (loop $l
      (local.set $r (call $window_get_packed (local.get $w) (local.get $i) (i32.const 3)))
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (i32.add (call $lo (local.get $r)) (call $hi (local.get $r)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.le_u (local.get $i) (i32.const 5))))
    (local.get $acc))
  (func (export "_start") (local $m i32) (local $w1 i32) (local $w2 i32) (local $k i32) (local $r i64)
    (local.set $m (call $handle_get (i32.const 0) (i32.const 3)))
    (local.set $w1 (call $memory_map (local.get $m) (i32.const 1) (i32.const 10) (i32.const 3) (i32.const 1)))
    (local.set $w2 (call $memory_map (local.get $m) (i32.const 2) (i32.const 8) (i32.const 4) (i32.const 2)))
    (local.set $r (call $window_get_packed (local.get $w2) (i32.const 0) (i32.const 3)))
    (call $rec (call $lo (local.get $r)))
    (call $rec (call $hi (local.get $r)))
    (local.set $r (call $window_get_packed (local.get $w2) (i32.const 5) (i32.const 3)))
    (call $rec (call $lo (local.get $r)))
    (call $rec (call $hi (local.get $r)))
    (local.set $k (i32.const 0))
    (loop $again
      (call $rec (call $scan (local.get $w2)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $k) (i32.const 3))))
    ;; past the end (by one, and an index whose i + 3 overflows), a count the fast path does not serve, too many bytes
    (call $rec (call $lo (call $window_get_packed (local.get $w2) (i32.const 6) (i32.const 3))))
    (call $rec (call $lo (call $window_get_packed (local.get $w2) (i32.const -1) (i32.const 3))))
    (call $rec (call $lo (call $window_get_packed (local.get $w2) (i32.const 0x7ffffffe) (i32.const 3))))
    (call $rec (call $lo (call $window_get_packed (local.get $w2) (i32.const 1) (i32.const 2))))
    (call $rec (call $lo (call $window_get_packed (local.get $w2) (i32.const 0) (i32.const 4))))
    ;; bytes, a forged handle, a handle that is not a window
    (call $rec (call $hi (call $window_get_packed (local.get $w1) (i32.const 3) (i32.const 7))))
    (call $rec (call $lo (call $window_get_packed (i32.add (local.get $w2) (i32.const 0x10000)) (i32.const 0) (i32.const 3))))
    (call $rec (call $lo (call $window_get_packed (local.get $m) (i32.const 0) (i32.const 3))))
    ;; still answered, then revoked: EREVOKED at once
    (call $rec (call $lo (call $window_get_packed (local.get $w2) (i32.const 2) (i32.const 3))))
    (call $rec (call $handle_revoke (local.get $m)))
    (call $rec (call $lo (call $window_get_packed (local.get $w2) (i32.const 2) (i32.const 3))))
    (call $flush))`);

/**
 * Runs `bytes` with "mem" (patterned) at spawn. With `decoy`, the process is
 * born holding another memory object first, so the dispatcher folds windows
 * onto that one and every window onto "mem" is read through an accessor.
 */
async function run(fastPath: boolean, bytes: Uint8Array, decoy = false) {
  const k = new Kernel({ fastPath });
  const mem = patterned(k);
  const handles = [{ name: "mem", object: mem, rights: MEMORY_GRANT_RIGHTS }];
  if (decoy) handles.unshift({ name: "decoy", object: k.createMemory(8), rights: MEMORY_GRANT_RIGHTS });
  const r = await runSystem([{ name: "p", bytes, handles }], {}, k);
  expect(r.exit.p).toMatchObject({ status: 0, reason: 0 });
  return r.rec.p;
}

describe("window_get served in wasm", () => {
  it.each([
    ["folded into the dispatcher (a memory it was born holding)", false],
    ["through accessors (another memory)", true],
  ])(
    "answers exactly as the kernel does, %s: each element size zero-extended, every errno, a close and a revoke seen by the next call",
    async (_how, decoy) => {
      const before = { ...fastWindowStats };
      const fast = await run(true, READER, decoy);
      const toKernel = fastWindowStats.slow - before.slow;
      if (decoy) expect([fastWindowStats.folds - before.folds, fastWindowStats.accessors - before.accessors]).toEqual([0, 1]);
      else expect([fastWindowStats.folds - before.folds, fastWindowStats.accessors - before.accessors]).toEqual([1, 0]);
      const slow = await run(false, READER, decoy);
      expect(fast).toEqual(slow);
      const b = (i: number) => (0xf0 + i) & 0xff;
      const u32 = (i: number) => b(i) | (b(i + 1) << 8) | (b(i + 2) << 16) | (b(i + 3) << 24) | 0;
      const w2 = [0, 1, 2, 3, 4, 5, 6, 7].reduce((sum, i) => sum + b(2 + 4 * i) + 256 * b(3 + 4 * i), 0);
      expect(fast).toEqual([
        b(1),
        b(1 + 27),
        b(30) | (b(31) << 8),
        u32(60),
        b(2) | (b(3) << 8),
        w2,
        w2,
        w2,
        E("ERANGE"),
        E("ERANGE"),
        E("EBADH"),
        E("EBADH"),
        E("EWRONGTYPE"),
        E("EACCES"),
        b(4),
        0,
        E("ESTALE"),
        u32(4),
        0, // handle_revoke: no handle in any table derived from $m (the windows hold theirs outside tables)
        E("EREVOKED"),
        E("EREVOKED"),
      ]);
      // READER makes 40 window_get calls; the 24 of the loop were answered in wasm once the kernel had answered
      // ACCESSOR_AFTER calls for that handle (errors and the first calls of each handle went to the kernel).
      expect(toKernel).toBeGreaterThan(0);
      expect(toKernel).toBeLessThanOrEqual(40 - (24 - ACCESSOR_AFTER));
    },
  );

  it.each([
    ["folded into the dispatcher", false],
    ["through accessors", true],
  ])(
    "sees a close and a revoke at the next call when the epoch's low 32 bits never move (%s): the epoch is compared in 64 bits, so no wrap brings back a value a cache saw",
    async (_how, decoy) => {
      const slow = await run(false, READER, decoy);
      setEpochStrideForTest(2 ** 32); // every change moves only the high word
      try {
        expect(await run(true, READER, decoy)).toEqual(slow);
      } finally {
        setEpochStrideForTest(1);
      }
    },
  );

  it("makes an accessor only for a window read often, and one per window however the reads alternate with errors", async () => {
    const ALTERNATING = guest(`
      (data (i32.const 0) "mem")
      (func (export "_start") (local $m i32) (local $once i32) (local $w i32) (local $k i32)
        (local.set $m (call $handle_get (i32.const 0) (i32.const 3)))
        (local.set $once (call $memory_map (local.get $m) (i32.const 0) (i32.const 4) (i32.const 1) (i32.const 1)))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $once) (i32.const 0))))
        (local.set $w (call $memory_map (local.get $m) (i32.const 0) (i32.const 4) (i32.const 1) (i32.const 1)))
        (loop $l
          (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 1))))
          (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 4))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $k) (i32.const 50))))
        (call $flush))`);
    for (const decoy of [false, true]) {
      const made = fastWindowStats.accessors + fastWindowStats.folds;
      const rec = await run(true, ALTERNATING, decoy);
      expect(rec.length).toBe(101);
      expect(rec.slice(0, 3)).toEqual([0xf0, 0xf1, E("ERANGE")]);
      expect(fastWindowStats.accessors + fastWindowStats.folds - made).toBe(1);
    }
  });

  it("folds one window of two read in turn and reads the other through an accessor, neither taking the other's place", async () => {
    const TWO = guest(`
      (data (i32.const 0) "mem")
      (func (export "_start") (local $m i32) (local $a i32) (local $b i32) (local $k i32)
        (local.set $m (call $handle_get (i32.const 0) (i32.const 3)))
        (local.set $a (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 1) (i32.const 1)))
        (local.set $b (call $memory_map (local.get $m) (i32.const 8) (i32.const 8) (i32.const 2) (i32.const 2)))
        (loop $l
          (call $rec (i32.wrap_i64 (call $window_get (local.get $a) (i32.and (local.get $k) (i32.const 7)))))
          (call $rec (i32.wrap_i64 (call $window_get (local.get $b) (i32.and (local.get $k) (i32.const 7)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $k) (i32.const 200))))
        ;; the folded one closed: the other keeps being answered, the closed one is ESTALE
        (call $rec (call $handle_close (local.get $a)))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $a) (i32.const 0))))
        (local.set $k (i32.const 0))
        (loop $l2
          (call $rec (i32.wrap_i64 (call $window_get (local.get $b) (i32.and (local.get $k) (i32.const 7)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $l2 (i32.lt_u (local.get $k) (i32.const 100))))
        (call $flush))`);
    const before = { ...fastWindowStats };
    const fast = await run(true, TWO);
    const d = (key: keyof typeof fastWindowStats) => fastWindowStats[key] - before[key];
    expect([d("folds"), d("accessors")]).toEqual([1, 1]); // a folded, b an accessor (re-armed after the close)
    expect(d("slow")).toBeLessThan(20); // of 502 calls
    expect(fast).toEqual(await run(false, TWO));
    expect(fast[400]).toBe(0);
    expect(fast[401]).toBe(E("ESTALE"));
  });

  it.each(["handle", "epoch", "range"] as const)(
    "gives answers the kernel would refuse when the folded window's %s check is left out, in window_get and window_get_packed (the tests can fail)",
    async (skip) => {
      for (const g of [READER, PACKED]) {
        const slow = await run(false, g);
        windowMutation.skip = skip;
        try {
          // a wrong answer, or a trap (a load out of bounds without the range check) ending the guest
          expect(await run(true, g).catch(() => "ended")).not.toEqual(slow);
        } finally {
          windowMutation.skip = null;
        }
        expect(await run(true, g)).toEqual(slow);
      }
    },
  );

  it("serves window_get_packed's three 16-bit elements from the folded window exactly as the kernel answers, and sends every other call to it", async () => {
    const before = { ...fastWindowStats };
    const fast = await run(true, PACKED);
    const toKernel = fastWindowStats.slow - before.slow;
    const slow = await run(false, PACKED);
    expect(fast).toEqual(slow);
    const b = (i: number) => (0xf0 + i) & 0xff;
    const e = (i: number) => b(2 + 4 * i) | (b(3 + 4 * i) << 8); // element i of the 16-bit window
    const packed = (i: number) => [e(i) | (e(i + 1) << 16) | 0, e(i + 2)];
    let acc = 0;
    for (let i = 0; i <= 5; i++) acc = (Math.imul(acc, 31) + ((packed(i)[0] + packed(i)[1]) | 0)) | 0;
    expect(fast).toEqual([
      ...packed(0),
      ...packed(5),
      acc,
      acc,
      acc,
      E("ERANGE"),
      E("ERANGE"),
      E("ERANGE"),
      packed(1)[0],
      E("EINVAL"),
      b(1 + 3 * 7) | (b(1 + 3 * 8) << 8) | (b(1 + 3 * 9) << 16), // bytes 3..9 of the byte window: the high three
      E("EBADH"),
      E("EWRONGTYPE"),
      packed(2)[0],
      0,
      E("EREVOKED"),
    ]);
    // 29 calls; the 18 of the scans were answered in wasm once the kernel had answered ACCESSOR_AFTER for the handle.
    expect(fastWindowStats.folds - before.folds).toBe(1);
    expect(toKernel).toBeLessThanOrEqual(29 - (18 - ACCESSOR_AFTER));
  });

  it("stops answering for a process that pledged the memory class away: the next call is EPLEDGE", async () => {
    const fast = await run(true, PLEDGER);
    expect(fast).toEqual(await run(false, PLEDGER));
    expect(fast).toEqual([0xf3, 0xf3, 0, E("EPLEDGE")]);
  });
});
