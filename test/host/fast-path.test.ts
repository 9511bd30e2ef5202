// The kernel's fast path in wasm for capability checks (host/runtime/fast-path.ts
// against the handle mirror, kernel/fast/mirror.ts): kill and memory_size are
// answered in wasm exactly as the bridge answers them, every errno in the
// bridge's order, and a close, a reused slot, a revoke, an exit or a pledge is
// seen by the very next call.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ObjectType, PledgeClass, Rights } from "../../abi/gen/abi.ts";
import { addFastPath, fastCheckStats } from "../../host/runtime/fast-path.ts";
import { IMAGE_GRANT_RIGHTS, Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { HandleMirror, mirrorWords } from "../../kernel/fast/mirror.ts";
import { HandleTable } from "../../kernel/handles.ts";
import { Process } from "../../kernel/objects/process.ts";
import { ALL_PROMISES } from "../../kernel/rules/pledge.ts";
import { MemoryObject } from "../../kernel/objects/memory.ts";
import { observeSyscalls } from "../../host/runtime/bridge.ts";
import { runSystem } from "../helpers/system.ts";
import { guest, wat, ABI_IMPORTS } from "../helpers/wat.ts";
import { E } from "../memory/helpers.ts";

const MS = 1_000_000;
const INF = "(i64.const 0x7fffffffffffffff)";
const { DUPLICATE, READ, WAIT, KILL } = Rights;
const NO_PROC = ALL_PROMISES & ~(1 << PledgeClass.proc);
const NO_PROC_NO_MEMORY = NO_PROC & ~(1 << PledgeClass.memory);

const NOP = wat(`(module ${ABI_IMPORTS} (memory (export "memory") 1) (func (export "_start")))`);
const SLEEPER = wat(`(module ${ABI_IMPORTS} (memory (export "memory") 1) (func (export "_start") (drop (call $sleep ${INF}))))`);

/** kill(h, 9) and memory_size(h), each by its named import and by sys(nr, ...): four results. */
const BOTH = `
  (func $both (param $h i32)
    (call $rec (call $kill (local.get $h) (i32.const 9)))
    (call $rec (call $memory_size (local.get $h)))
    (call $rec (i32.wrap_i64 (call $sys (i32.const 13) (i64.extend_i32_s (local.get $h)) (i64.const 9) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
    (call $rec (i32.wrap_i64 (call $sys (i32.const 41) (i64.extend_i32_s (local.get $h)) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))))`;

const CHECKER = guest(`
  (data (i32.const 0) "mem")
  (data (i32.const 8) "nop")
  (data (i32.const 16) "sleeper")
  ${BOTH}
  (func (export "_start") (local $m i32) (local $c i32) (local $l i32) (local $d i32) (local $d2 i32)
      (local $m0 i32) (local $m2 i32) (local $m3 i32) (local $i i32)
    (local.set $m (call $handle_get (i32.const 0) (i32.const 3)))
    (local.set $c (call $spawn (call $handle_get (i32.const 8) (i32.const 3)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $rec (call $wait (local.get $c) (i32.const 100) ${INF}))
    ;; an exited child, a memory object: ESRCH, EWRONGTYPE / EWRONGTYPE, the size
    (call $both (local.get $c))
    (call $both (local.get $m))
    ;; forged handles: zero, negative, a slot never used, a generation never issued, generation 0
    (call $both (i32.const 0))
    (call $both (i32.const -5))
    (call $both (i32.const 0x00090009))
    (call $both (i32.add (local.get $c) (i32.const 0x10000)))
    (call $both (i32.and (local.get $c) (i32.const 0xffff)))
    ;; rights: no KILL (EACCES); no rights at all still has a size (memory_size needs none)
    (local.set $d (call $handle_dup (local.get $c) (i32.const ${WAIT | DUPLICATE})))
    (call $both (local.get $d))
    (local.set $m0 (call $handle_dup (local.get $m) (i32.const 0)))
    (call $both (local.get $m0))
    ;; closed: ESTALE at once; the slot reused with the next generation: the old handle stays ESTALE
    (call $rec (call $handle_close (local.get $d)))
    (call $both (local.get $d))
    (local.set $d2 (call $handle_dup (local.get $c) (i32.const ${KILL})))
    (call $rec (i32.sub (local.get $d2) (local.get $d)))
    (call $both (local.get $d))
    (call $both (local.get $d2))
    ;; a live target goes to the kernel, which kills; the very next call sees the exit
    (local.set $l (call $spawn (call $handle_get (i32.const 16) (i32.const 7)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $rec (call $kill (local.get $l) (i32.const 7)))
    (call $rec (call $kill (local.get $l) (i32.const 7)))
    (call $both (local.get $l))
    (call $rec (call $wait (local.get $l) (i32.const 100) ${INF}))
    (call $rec (i32.load (i32.const 100)))
    ;; a derivation subtree revoked: the handles it held are ESTALE at once
    (local.set $m2 (call $handle_dup (local.get $m) (i32.const ${DUPLICATE | READ})))
    (local.set $m3 (call $handle_dup (local.get $m2) (i32.const ${READ})))
    (call $both (local.get $m3))
    (call $rec (call $handle_revoke (local.get $m2)))
    (call $both (local.get $m3))
    ;; the memory object revoked by the host while we sleep: EREVOKED through every handle
    (drop (call $sleep (i64.const ${10 * MS})))
    (call $both (local.get $m))
    (call $both (local.get $m0))
    ;; the virtual clock after a thousand answers, either way
    (loop $l1
      (drop (call $kill (local.get $c) (i32.const 0)))
      (drop (call $memory_size (local.get $m)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l1 (i32.lt_u (local.get $i) (i32.const 1000))))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    ;; pledges: EPLEDGE first, before any handle check
    (call $rec (call $pledge (i32.const ${NO_PROC})))
    (call $both (local.get $c))
    (call $both (i32.const 0))
    (call $rec (call $pledge (i32.const ${NO_PROC_NO_MEMORY})))
    (call $both (local.get $m))
    (call $both (i32.const 0x00090009))
    (call $flush))`);

async function run(fastPath: boolean, bytes = CHECKER) {
  const k = new Kernel({ fastPath, trace: true });
  const mem = k.createMemory(64);
  const nop = k.loadImage(NOP, "nop");
  const sleeper = k.loadImage(SLEEPER, "sleeper");
  k.core.addTimer(k.core.clock.now() + 5 * MS, () => k.revokeMemory(mem));
  const r = await runSystem(
    [
      {
        name: "p",
        bytes,
        handles: [
          { name: "mem", object: mem, rights: MEMORY_GRANT_RIGHTS },
          { name: "nop", object: nop, rights: IMAGE_GRANT_RIGHTS },
          { name: "sleeper", object: sleeper, rights: IMAGE_GRANT_RIGHTS },
        ],
      },
    ],
    {},
    k,
    [nop, sleeper],
  );
  expect(r.exit.p).toMatchObject({ status: 0, reason: 0 });
  return { rec: r.rec.p, trace: k.traceText() };
}

const WRONG = E("EWRONGTYPE");
/** What CHECKER records (the same both ways). */
function expected(clock: number): number[] {
  const four = (kill: number, size: number) => [kill, size, kill, size];
  return [
    0, // wait
    ...four(E("ESRCH"), WRONG),
    ...four(WRONG, 64),
    ...four(E("EBADH"), E("EBADH")),
    ...four(E("EBADH"), E("EBADH")),
    ...four(E("EBADH"), E("EBADH")),
    ...four(E("EBADH"), E("EBADH")),
    ...four(E("EBADH"), E("EBADH")),
    ...four(E("EACCES"), WRONG),
    ...four(WRONG, 64),
    0, // handle_close
    ...four(E("ESTALE"), E("ESTALE")),
    0x10000, // the same slot, the next generation
    ...four(E("ESTALE"), E("ESTALE")),
    ...four(E("ESRCH"), WRONG),
    0, // kill of a live child (the kernel)
    E("ESRCH"), // at once after
    ...four(E("ESRCH"), WRONG),
    0, // wait
    7, // its status
    ...four(WRONG, 64),
    1, // handle_revoke
    ...four(E("ESTALE"), E("ESTALE")),
    ...four(WRONG, E("EREVOKED")),
    ...four(WRONG, E("EREVOKED")),
    clock,
    0, // pledge
    ...four(E("EPLEDGE"), WRONG),
    ...four(E("EPLEDGE"), E("EBADH")),
    0, // pledge
    ...four(E("EPLEDGE"), E("EPLEDGE")),
    ...four(E("EPLEDGE"), E("EPLEDGE")),
  ];
}

describe("capability checks served in wasm (kill, memory_size)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers every errno exactly as the bridge does, with the same virtual time, and asks the kernel only to kill a live process", async () => {
    const before = { ...fastCheckStats };
    const fast = await run(true);
    const toKernel = { kill: fastCheckStats.kill - before.kill, memory_size: fastCheckStats.memory_size - before.memory_size };
    const slow = await run(false);
    expect(fast.rec).toEqual(slow.rec);
    expect(fast.trace).toEqual(slow.trace);
    const clock = fast.rec[fast.rec.length - 19]; // 18 results follow it
    expect(fast.rec).toEqual(expected(clock));
    // the first kill of the live child (the second already sees its exit); everything else (over 2,000 calls) answered in wasm
    expect(toKernel).toEqual({ kill: 1, memory_size: 0 });
  });

  it("fails the comparison when the mirror is not updated on vacate (the check it makes can fail)", async () => {
    const slow = await run(false);
    vi.spyOn(HandleMirror.prototype, "vacant").mockImplementation(() => {});
    const fast = await run(true);
    expect(fast.rec).not.toEqual(slow.rec);
  });

  it("agrees with HandleTable.get on every handle after random inserts, closes, moves and revokes", async () => {
    // The dispatcher itself, driven from JS against a table the kernel changes: each answer either equals
    // the kernel's check or is "ask the kernel" (the slow imports, which record that they were asked).
    const k = new Kernel();
    const img = k.loadImage(NOP, "nop");
    const hp = k.spawn(img);
    const target = k.spawn(img);
    const p = hp.process;
    const exited = k.spawn(img);
    k.core.terminate(exited.process, 3, 0, "");
    const mem = k.createMemory(100);
    const objects = [target.process, exited.process, mem, img];
    const ASKED = 0x7777;
    // a table that already used more slots than a mirror's first array, some of them vacant, before the mirror starts
    const before = Array.from({ length: 40 }, (_, i) => p.handles.insert(objects[i % objects.length], KILL));
    before.forEach((h, i) => (i % 3 === 0 || i >= 30) && p.handles.close(h)); // slots 30-39: vacant past a 32-slot array
    const ns: Record<string, unknown> = { kill: () => ASKED, memory_size: () => ASKED };
    expect(addFastPath(k.core, p, { wasmos: ns })).toBe(true);
    const kill = ns.kill as (h: number, s: number) => number;
    const size = ns.memory_size as (h: number) => number;
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const t = p.handles;
    const issued: number[] = [...before];
    const rights = [0, KILL, READ, KILL | DUPLICATE, 0xffff];
    const wrong: unknown[] = [];
    let checked = 0;
    const check = (step: number, h: number) => {
      const wantKill = (() => {
        const o = t.get(h, Process, KILL);
        return typeof o === "number" ? o : o.exit !== null ? E("ESRCH") : ASKED;
      })();
      const wantSize = (() => {
        const o = t.get(h, MemoryObject, 0);
        return typeof o === "number" ? o : o.revoked ? E("EREVOKED") : o.size;
      })();
      const got = [kill(h, 0), size(h)];
      if (got[0] !== wantKill || got[1] !== wantSize) wrong.push({ step, h, got, want: [wantKill, wantSize] });
      checked++;
    };
    for (const h of before) check(-1, h);
    for (let step = 0; step < 2000; step++) {
      const live = [...t.entries()];
      const op = rnd(10);
      if (op < 4 || live.length === 0) {
        const h = t.insert(objects[rnd(objects.length)], rights[rnd(rights.length)]);
        if (h > 0) issued.push(h);
      } else if (op < 7) t.close(live[rnd(live.length)].handle);
      else if (op < 8) {
        const c = t.take(live[rnd(live.length)].handle);
        if (typeof c !== "number") issued.push(t.insertCap(c, true));
      } else if (op < 9) {
        const e = live[rnd(live.length)];
        const child = t.insertCap(e.cap.derive(e.rights));
        if (child > 0) issued.push(child);
        if (rnd(2) === 0) HandleTable.revokeDescendants(e.cap);
      }
      if (step === 1000) k.revokeMemory(mem);
      for (const h of [...issued.slice(-20), before[rnd(before.length)], 0, -1, 0x00090009, rnd(0x7fffffff)]) check(step, h);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(40_000);
    // the table grew past the slot array's first size, and the mirror with it
    expect(mirrorWords()[t.mirror!.header + 2]).toBeGreaterThan(16);
    // other tables' mirrors grow the store past its first wasm page: the dispatcher reads the grown memory
    const answers = () => issued.slice(-50).map((h) => [kill(h, 0), size(h)]);
    const was = answers();
    const bytes = mirrorWords().byteLength;
    const others = Array.from({ length: 400 }, () => new HandleTable(64));
    for (const o of others) {
      o.startMirror(0);
      for (let i = 0; i < 20; i++) o.insert(mem, READ);
    }
    expect(mirrorWords().byteLength).toBeGreaterThan(bytes);
    expect(answers()).toEqual(was);
    for (const o of others) o.closeAll();
    p.promises = NO_PROC;
    t.mirror!.setPromises(p.promises);
    expect(kill(issued[0], 0)).toBe(E("EPLEDGE"));
    // a grant revoked while the process runs: from then on every call reaches the bridge (which ends it)
    t.mirror!.goSlow();
    expect([kill(issued[0], 0), kill(0, 0), size(0)]).toEqual([ASKED, ASKED, ASKED]);
    k.core.terminate(p, 0, 0, "");
    k.core.terminate(target.process, 0, 0, "");
    expect(t.mirror).toBeNull();
  });

  it("gives a table a mirror only while its process runs a module that imports a checked call", async () => {
    const k = new Kernel();
    const body = (imports: string, call: string) =>
      wat(`(module ${imports}
        (import "wasmos" "sleep" (func $sleep (param i64) (result i32)))
        (memory (export "memory") 1) (func (export "_start") ${call} (drop (call $sleep (i64.const ${10 * MS})))))`);
    const windows = body(
      `(import "wasmos" "window_get" (func $wg (param i32 i32) (result i64)))`,
      `(drop (call $wg (i32.const 0) (i32.const 0)))`,
    );
    const killer = body(
      `(import "wasmos" "kill" (func $kill (param i32 i32) (result i32)))`,
      `(drop (call $kill (i32.const 0) (i32.const 0)))`,
    );
    const a = k.spawn(k.loadImage(windows, "w"));
    const b = k.spawn(k.loadImage(killer, "k"), { handles: [{ name: "x", object: k.createMemory(8), rights: READ }] });
    let seen: { a: unknown; slots: number[][]; live: number[][] } | null = null;
    k.core.addTimer(k.core.clock.now() + 5 * MS, () => {
      // both asleep: the slots b's mirror holds are its live handles, rights and object types
      const m = b.process.handles.mirror!;
      const words = mirrorWords();
      const at = (h: number) => words[m.header + 1] / 4 + (h & 0xffff) * 4;
      const live = [...b.process.handles.entries()];
      seen = {
        a: a.process.handles.mirror,
        slots: live.map((e) => [...words.subarray(at(e.handle), at(e.handle) + 3)]),
        live: live.map((e) => [e.handle, e.rights, e.object.type]),
      };
    });
    await k.run();
    expect(seen).not.toBeNull();
    expect(seen!.a).toBeNull();
    expect(seen!.live.length).toBe(1);
    expect(seen!.live[0][2]).toBe(ObjectType.MEMORY);
    expect(seen!.slots).toEqual(seen!.live);
    expect(b.process.exit).toMatchObject({ status: 0, reason: 0 });
    expect(b.process.handles.mirror).toBeNull(); // freed at exit
  });

  it("is off when syscalls are observed (strace sees every call) and with fastPath: false", async () => {
    const LOOP = guest(`
      (func (export "_start") (local $i i32)
        (loop $l
          (call $rec (call $kill (i32.const 0x00090009) (i32.const 0)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
        (call $flush))`);
    const live = vi.spyOn(HandleMirror.prototype, "live");
    for (const observed of [true, false]) {
      const k = new Kernel({ fastPath: !observed ? false : undefined });
      let kills = 0;
      if (observed) observeSyscalls(k.core, { enter: (_p, def) => void (def.name === "kill" && kills++), leave: () => {} });
      const r = await runSystem([{ name: "p", bytes: LOOP }], {}, k);
      expect(r.rec.p).toEqual(Array(10).fill(E("EBADH")));
      if (observed) expect(kills).toBe(10); // every call reached the bridge
    }
    expect(live).not.toHaveBeenCalled(); // no table was mirrored
    const k = new Kernel();
    await runSystem([{ name: "p", bytes: LOOP }], {}, k);
    expect(live).toHaveBeenCalled(); // (with the fast path on, it is)
  });
});
