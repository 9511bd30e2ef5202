// Bound grants: a memory object bound to a guest's (import "grant" "<name>"
// (memory ...)) at spawn, loaded and stored directly; read-only grants
// enforced by the verifier before the module runs; every way to get a
// binding wrong refused at spawn with the grant named.
import { describe, expect, it } from "vitest";
import { Constants, ExitReason, ObjectType, Rights } from "../../abi/gen/abi.ts";
import { IMAGE_GRANT_RIGHTS, Kernel, MEMORY_GRANT_RIGHTS, MEMORY_READ_ONLY_RIGHTS } from "../../host/kernel.ts";
import { DEFAULT_FEATURES, defaultPolicy } from "../../loader/policy.ts";
import { forEachInstruction } from "../../wasm/decode.ts";
import { readModule } from "../../wasm/reader.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { E, grantGuest, INF } from "./helpers.ts";

const FLAG = 3840; // after 960 frames of 16-bit stereo

describe("bound grants", () => {
  it("one process writes a read-write grant and two others read it directly through read-only ones; nothing is copied", async () => {
    const k = new Kernel();
    const pcm = k.createMemory(FLAG + 4);
    // The producer writes 960 frames (left = i, right = -i), raises the flag and wakes the readers.
    const producer = grantGuest(
      ["pcm 1"],
      `
      (data $name "pcm")
      (func (export "_start") (local $i i32) (local $h i32)
        (local.set $h (call $handle_get (i32.const 100) (i32.const 3)))
        (loop $l
          (i32.store16 $pcm (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
          (i32.store16 $pcm (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 2)) (i32.sub (i32.const 0) (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 960))))
        (i32.store $pcm (i32.const ${FLAG}) (i32.const 1))
        (call $rec (call $futex_wake (local.get $h) (i32.const ${FLAG}) (i32.const 2)))
        (call $rec (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 64)))
        (call $rec (i32.load $own (i32.const 220)))
        (call $rec (i32.wrap_i64 (i64.load $own (i32.const 224))))
        (call $flush))
      (func $init (memory.init $own $name (i32.const 100) (i32.const 0) (i32.const 3))) (start $init)`,
    );
    // A reader sleeps until the flag is up, then scans one channel with direct loads.
    const reader = (body: string) =>
      grantGuest(
        ["pcm"],
        `
      (func (export "_start") (local $i i32) (local $acc i32) (local $s i32)
        (i32.store $own (i32.const 100) (i32.const 0x006d6370))
        (block $ready (loop $wait
          (br_if $ready (i32.load $pcm (i32.const ${FLAG})))
          (drop (call $futex_wait (call $handle_get (i32.const 100) (i32.const 3)) (i32.const ${FLAG}) (i32.const 0) ${INF}))
          (br $wait)))
        (loop $l
          ${body}
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 960))))
        (call $rec (local.get $acc))
        (call $rec (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 64)))
        (call $rec (i32.load $own (i32.const 220)))
        (call $rec (i32.wrap_i64 (i64.load $own (i32.const 224))))
        (call $flush))`,
      );
    // VU meter: peak of the left channel. Visualizer: sum of the right channel.
    const vu = reader(`
      (local.set $s (i32.load16_s $pcm (i32.shl (local.get $i) (i32.const 2))))
      (if (i32.lt_s (local.get $s) (i32.const 0)) (then (local.set $s (i32.sub (i32.const 0) (local.get $s)))))
      (if (i32.gt_s (local.get $s) (local.get $acc)) (then (local.set $acc (local.get $s))))`);
    const viz = reader(
      `(local.set $acc (i32.add (local.get $acc) (i32.load16_s $pcm (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 2)))))`,
    );
    const r = await runSystem(
      [
        { name: "vu", bytes: vu, handles: [{ name: "pcm", object: pcm, rights: MEMORY_READ_ONLY_RIGHTS }] },
        { name: "viz", bytes: viz, handles: [{ name: "pcm", object: pcm, rights: MEMORY_READ_ONLY_RIGHTS }] },
        { name: "producer", bytes: producer, handles: [{ name: "pcm", object: pcm, rights: MEMORY_GRANT_RIGHTS }] },
      ],
      {},
      k,
    );
    // [woken or the peak/sum, memory_stats size, grants bound, bytes copied]
    expect(r.rec.producer).toEqual([2, 64, 1, 0]);
    expect(r.rec.vu).toEqual([959, 64, 1, 0]);
    expect(r.rec.viz).toEqual([-(959 * 960) / 2, 64, 1, 0]);
    for (const n of ["vu", "viz", "producer"]) {
      expect(r.exit[n].reason).toBe(ExitReason.NORMAL);
      expect(k.memoryStats(r.procs[n]).bytesCopied).toBe(0);
    }
    expect(k.core.copied).toEqual({ ipcBytes: 0, windowBytes: 0 });
    // The host sees what they wrote, in place.
    const bytes = new DataView(k.memoryBytes(pcm).buffer, 0, FLAG + 4);
    expect([bytes.getInt16(4 * 700, true), bytes.getInt16(4 * 700 + 2, true)]).toEqual([700, -700]);
    closeAll(r);
    k.release(pcm);
    expect(k.core.objects.liveTotal()).toBe(0);
    expect(k.core.mm.objectPages).toBe(0);
  });

  it("a grant is the same memory for every holder: stores by one are loads by another, at any offset of its pages", async () => {
    const k = new Kernel();
    const m = k.createMemory(70000); // two pages
    const writer = grantGuest(
      ["m 2"],
      `(func (export "_start")
      (i64.store $m (i32.const 69992) (i64.const 0x0102030405060708))
      (i32.store8 $m (i32.const 131071) (i32.const 0x5a))
      (call $rec (i32.mul (memory.size $m) (i32.const 65536))) (call $rec (memory.grow $m (i32.const 1))) (call $flush))`,
    );
    const reader = grantGuest(
      ["m"],
      `(func (export "_start")
      (call $rec (i32.wrap_i64 (i64.load $m (i32.const 69992)))) (call $rec (i32.load8_u $m (i32.const 131071))) (call $flush))`,
    );
    const r = await runSystem(
      [
        { name: "w", bytes: writer, handles: [{ name: "m", object: m, rights: MEMORY_GRANT_RIGHTS }] },
        { name: "r", bytes: reader, handles: [{ name: "m", object: m, rights: MEMORY_READ_ONLY_RIGHTS }] },
      ],
      {},
      k,
      [m],
    );
    // The object never grows: memory.grow on a grant returns -1.
    expect(r.rec.w).toEqual([131072, -1]);
    expect(r.rec.r).toEqual([0x05060708, 0x5a]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

/** The function exported as `fn`, and the offset of the first `op` in it. */
function siteOf(bytes: Uint8Array, fn: string, op: string): { index: number; at: number } {
  const m = readModule(bytes);
  const index = m.exports.find((e) => e.name === fn && e.kind === "func")!.index;
  let at = -1;
  forEachInstruction(m, index, (ins) => {
    if (at < 0 && ins.op.name === op) at = ins.offset;
  });
  return { index, at };
}

// Each kind of write to grant $g, and what the verifier calls it.
const WRITES: [string, string, string][] = [
  ["i32.store", "i32.store", "(i32.store $g (i32.const 0) (i32.const 1))"],
  ["i64.store8", "i64.store8", "(i64.store8 $g (i32.const 0) (i64.const 1))"],
  ["f64.store", "f64.store", "(f64.store $g (i32.const 0) (f64.const 1))"],
  ["v128.store", "v128.store", "(v128.store $g (i32.const 0) (v128.const i32x4 1 2 3 4))"],
  ["v128.store16_lane", "v128.store16_lane", "(v128.store16_lane $g 1 (i32.const 0) (v128.const i32x4 1 2 3 4))"],
  ["memory.fill", "memory.fill", "(memory.fill $g (i32.const 0) (i32.const 7) (i32.const 4))"],
  ["memory.copy into it", "memory.copy", "(memory.copy $g $own (i32.const 0) (i32.const 0) (i32.const 4))"],
  ["memory.init", "memory.init", "(memory.init $g $seg (i32.const 0) (i32.const 0) (i32.const 1))"],
  ["memory.grow", "memory.grow", "(drop (memory.grow $g (i32.const 0)))"],
  ["an atomic store", "i32.atomic.store", "(i32.atomic.store $g (i32.const 0) (i32.const 1))"],
  ["an atomic read-modify-write", "i32.atomic.rmw.add", "(drop (i32.atomic.rmw.add $g (i32.const 0) (i32.const 1)))"],
];

describe("read-only grants", () => {
  // Atomics are refused by the default policy anyway; allowing them here shows the read-only check catches them too.
  const policy = defaultPolicy({ allowedFeatures: new Set([...DEFAULT_FEATURES, "threads"]) });

  for (const [kind, op, instr] of WRITES) {
    it(`spawn refuses a read-only grant of a module that writes it with ${kind}, naming the function and the offset`, async () => {
      const log: string[] = [];
      const k = new Kernel({ policy, log: (l) => log.push(l) });
      const bytes = grantGuest(
        ["g 1"],
        `
        (data $seg "x")
        (func (export "_start") (call $w))
        (func $w (export "w") ${instr})`,
      );
      const img = k.loadImage(bytes, "writer"); // loading is fine: the module may be spawned read-write
      const g = k.createMemory(100);
      const { index, at } = siteOf(bytes, "w", op);
      expect(at).toBeGreaterThan(0);
      const why = `grant "g" is read-only (the handle lacks WRITE), and the module writes it: function ${index} "w" writes it with ${op} at offset 0x${at.toString(16)}`;
      expect(() => k.spawn(img, { handles: [{ name: "g", object: g, rights: MEMORY_READ_ONLY_RIGHTS }] })).toThrow(
        `spawn refused: EBADIMAGE: ${why}`,
      );
      expect(log).toEqual([`wasmos: spawn of writer refused: ${why}`]);
      // The same image with a read-write grant runs, and the write lands.
      const p = k.spawn(img, { handles: [{ name: "g", object: g, rights: MEMORY_GRANT_RIGHTS }] });
      expect((await p.exited).reason).toBe(ExitReason.NORMAL);
      p.close();
      k.release(img);
      k.release(g);
      expect(k.core.objects.liveTotal()).toBe(0);
    });
  }

  it("spawn refuses a read-only grant that an active data segment initialises", () => {
    const k = new Kernel();
    const bytes = grantGuest(["g 1"], `(data (memory $g) (i32.const 8) "xyz") (func (export "_start"))`);
    const img = k.loadImage(bytes, "seg");
    const g = k.createMemory(100);
    const seg = readModule(bytes).data[0].start;
    expect(() => k.spawn(img, { handles: [{ name: "g", object: g, rights: MEMORY_READ_ONLY_RIGHTS }] })).toThrow(
      `its active data segment 0 at offset 0x${seg.toString(16)} initialises it`,
    );
    k.release(img);
    k.release(g);
  });

  it("reading a read-only grant in every way is accepted: loads, memory.copy out of it, memory.size; several writes are counted", async () => {
    const k = new Kernel();
    const g = k.createMemory(100);
    k.memoryBytes(g).set([1, 2, 3, 4]);
    const bytes = grantGuest(
      ["g 1"],
      `(func (export "_start")
      (memory.copy $own $g (i32.const 500) (i32.const 0) (i32.const 4))
      (call $rec (i32.load $own (i32.const 500)))
      (call $rec (i32.load8_u $g (i32.const 3)))
      (call $rec (memory.size $g))
      (call $rec (i32.reinterpret_f32 (f32.load $g (i32.const 0))))
      (call $flush))`,
    );
    const r = await runSystem([{ name: "r", bytes, handles: [{ name: "g", object: g, rights: MEMORY_READ_ONLY_RIGHTS }] }], {}, k, [g]);
    expect(r.rec.r).toEqual([0x04030201, 4, 1, 0x04030201]);
    const two = grantGuest(
      ["g 1"],
      `(func (export "_start") (i32.store $g (i32.const 0) (i32.const 1)) (i32.store $g (i32.const 4) (i32.const 1)) (i32.store8 $g (i32.const 4) (i32.const 1)))`,
    );
    const img = k.loadImage(two, "two");
    const g2 = k.createMemory(10);
    expect(() => k.spawn(img, { handles: [{ name: "g", object: g2, rights: Rights.READ | Rights.TRANSFER }] })).toThrow(
      /at offset 0x[0-9a-f]+ \(and 2 more writes\)$/,
    );
    k.release(img);
    k.release(g2);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a guest spawning with a read-only handle gets EBADIMAGE; with the read-write one the child runs", async () => {
    const k = new Kernel();
    const child = k.loadImage(grantGuest(["g 1"], `(func (export "_start") (i32.store $g (i32.const 0) (i32.const 42)))`), "child");
    const parent = grantGuest(
      [],
      `
      (data (i32.const 100) "g")
      (data (i32.const 104) "child")
      (func $spawnWith (param $h i32) (param $flags i32) (result i32)
        (i32.store $own (i32.const 200) (local.get $h))
        (i32.store $own (i32.const 204) (i32.const 100))
        (i32.store $own (i32.const 208) (i32.const 1))
        (i32.store $own (i32.const 212) (local.get $flags))
        (call $spawn (call $handle_get (i32.const 104) (i32.const 5)) (i32.const 0) (i32.const 0) (i32.const 200) (i32.const 1)))
      (func (export "_start") (local $m i32) (local $ro i32) (local $c i32) (local $w i32)
        (local.set $m (call $memory_create (i32.const 16)))
        (local.set $ro (call $handle_dup (local.get $m) (i32.const ${Rights.READ | Rights.TRANSFER})))
        ;; The read-only handle (TRANSFER alone) can only be moved; the refused spawn leaves it with the parent.
        (call $rec (call $spawnWith (local.get $ro) (i32.const ${Constants.SPAWN_MOVE_HANDLE})))
        (call $rec (i32.gt_s (call $handle_info (local.get $ro) (i32.const 300)) (i32.const 0)))
        (local.set $c (call $spawnWith (local.get $m) (i32.const 0)))
        (call $rec (i32.gt_s (local.get $c) (i32.const 0)))
        (call $rec (call $wait (local.get $c) (i32.const 300) ${INF}))
        (local.set $w (call $memory_map (local.get $m) (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 4)))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 0))))
        (call $flush))`,
    );
    const r = await runSystem(
      [{ name: "p", bytes: parent, handles: [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }] }],
      {},
      k,
      [child],
    );
    expect(r.rec.p).toEqual([E("EBADIMAGE"), 1, 1, 0, 42]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

describe("binding refusals", () => {
  const cases: [
    string,
    string[],
    (k: Kernel) => { name: string; object: import("../../kernel/object.ts").KernelObject; rights: number }[],
    string,
  ][] = [
    ["no handle of its name", ["pcm 1"], () => [], 'grant "pcm": no handle of that name was passed (the image imports it as a memory)'],
    [
      "a handle of another type",
      ["pcm"],
      (k) => [{ name: "pcm", object: k.createEndpoint(), rights: Rights.READ }],
      'grant "pcm": the handle names a ENDPOINT, not a MEMORY',
    ],
    [
      "a handle without READ",
      ["pcm"],
      (k) => [{ name: "pcm", object: k.createMemory(10), rights: Rights.WRITE | Rights.MAP }],
      'grant "pcm": the handle lacks READ',
    ],
    [
      "a revoked object",
      ["pcm"],
      (k) => {
        const m = k.createMemory(10);
        k.revokeMemory(m);
        return [{ name: "pcm", object: m, rights: MEMORY_GRANT_RIGHTS }];
      },
      'grant "pcm": the memory object was revoked',
    ],
    [
      "an object smaller than the import's minimum",
      ["pcm 2"],
      (k) => [{ name: "pcm", object: k.createMemory(65537 - 1), rights: MEMORY_GRANT_RIGHTS }],
      'grant "pcm": the memory object has 1 pages, the import needs at least 2',
    ],
    [
      "an object larger than the import's maximum",
      ["pcm 1 1"],
      (k) => [{ name: "pcm", object: k.createMemory(65537), rights: MEMORY_GRANT_RIGHTS }],
      'grant "pcm": the memory object has 2 pages, the import allows at most 1',
    ],
  ];
  for (const [what, grants, handles, why] of cases) {
    it(`spawn refuses ${what} with EBADIMAGE and the grant's name in the log`, () => {
      const log: string[] = [];
      const k = new Kernel({ log: (l) => log.push(l) });
      const img = k.loadImage(grantGuest(grants, `(func (export "_start"))`), "needs-pcm");
      const hs = handles(k);
      expect(() => k.spawn(img, { handles: hs })).toThrow(`spawn refused: EBADIMAGE: ${why}`);
      expect(log).toEqual([`wasmos: spawn of needs-pcm refused: ${why}`]);
      expect(k.core.processes.size).toBe(0);
      for (const h of hs) k.release(h.object);
      k.release(img);
      expect(k.core.objects.liveTotal()).toBe(0);
    });
  }

  it("a module importing two grants gets both, each bound to its own import", async () => {
    const k = new Kernel();
    const a = k.createMemory(8);
    const b = k.createMemory(8);
    k.memoryBytes(a)[0] = 11;
    k.memoryBytes(b)[0] = 22;
    const bytes = grantGuest(
      ["a", "b"],
      `(func (export "_start")
      (i32.store8 $own (i32.const 400) (i32.const 0x61)) ;; "a" (wabt drops the memory index of a data segment for memory 2)
      (call $rec (i32.load8_u $a (i32.const 0))) (call $rec (i32.load8_u $b (i32.const 0)))
      (i32.store8 $b (i32.const 1) (i32.const 33))
      (call $rec (call $handle_info (call $handle_get (i32.const 400) (i32.const 1)) (i32.const 404)))
      (call $rec (i32.load $own (i32.const 404)))
      (call $flush))`,
    );
    const r = await runSystem(
      [
        {
          name: "p",
          bytes,
          handles: [
            { name: "a", object: a, rights: MEMORY_READ_ONLY_RIGHTS },
            { name: "b", object: b, rights: MEMORY_GRANT_RIGHTS },
          ],
        },
      ],
      {},
      k,
      [a, b],
    );
    expect(r.rec.p).toEqual([11, 22, 16, ObjectType.MEMORY]);
    expect(k.memoryBytes(b)[1]).toBe(33);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
