// Revocation: a revoke of a memory capability ends every capability derived
// from it, across processes and derivation levels. A bound grant's holder is
// ended (GRANT_REVOKED) before it runs again; a window answers EREVOKED and
// its holder runs on; the revoker keeps its own handle.
import { describe, expect, it } from "vitest";
import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { IMAGE_GRANT_RIGHTS, Kernel, MEMORY_GRANT_RIGHTS, MEMORY_READ_ONLY_RIGHTS } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";
import { E, grantGuest, INF } from "./helpers.ts";

const { READ, MAP, TRANSFER, DUPLICATE } = Rights;
const MS = 1_000_000;

/** Split a shared stdout's recorded values into runs that start with a tag (0xA, 0xB, ...). */
function byTag(values: number[], tags: number[]): Record<number, number[]> {
  const out: Record<number, number[]> = {};
  let cur: number[] | null = null;
  for (const v of values) {
    if (tags.includes(v)) out[v] = cur = [];
    else cur!.push(v);
  }
  return out;
}

// B: bound to "m" read-write; maps a window; passes a read-only-capable copy
// of its handle to C (bound read-only) and D (a window only); then sleeps.
// `revokeOwn`: after spawning, B revokes what derives from its own handle.
function programB(revokeOwn: boolean): Uint8Array {
  return grantGuest(
    ["m"],
    `
    (func $h (param $ptr i32) (result i32) (call $handle_get (local.get $ptr) (i32.const 1)))
    (func $spawnWith (param $img i32) (param $hm i32) (result i32)
      (i32.store $own (i32.const 100) (local.get $hm))
      (i32.store $own (i32.const 104) (i32.const 0))
      (i32.store $own (i32.const 108) (i32.const 1))
      (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 100) (i32.const 1)))
    (func (export "_start") (local $m i32) (local $m2 i32) (local $wb i32)
      (i32.store8 $own (i32.const 0) (i32.const 0x6d)) ;; "m"
      (i32.store8 $own (i32.const 1) (i32.const 0x63)) ;; "c"
      (i32.store8 $own (i32.const 2) (i32.const 0x64)) ;; "d"
      (local.set $m (call $h (i32.const 0)))
      (local.set $wb (call $memory_map (local.get $m) (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 4)))
      (i32.store $m (i32.const 4) (i32.const 99))
      (local.set $m2 (call $handle_dup (local.get $m) (i32.const ${READ | MAP | TRANSFER | DUPLICATE})))
      (drop (call $spawnWith (call $h (i32.const 1)) (local.get $m2)))
      (drop (call $spawnWith (call $h (i32.const 2)) (local.get $m2)))
      ${
        revokeOwn
          ? `
      (drop (call $sleep (i64.const ${5 * MS})))
      (call $rec (i32.const 0xB))
      (call $rec (call $handle_revoke (local.get $m)))
      (call $rec (i32.wrap_i64 (call $window_get (local.get $wb) (i32.const 0))))
      (call $rec (i32.load $m (i32.const 4)))
      (call $flush)`
          : ""
      }
      (loop $forever (drop (call $sleep (i64.const ${MS}))) (br $forever)))`,
  );
}

// C: bound to "m" read-only; reads it forever.
const programC = grantGuest(
  ["m"],
  `
  (func (export "_start") (loop $l (drop (call $sleep (i64.const ${MS}))) (drop (i32.load $m (i32.const 4))) (br $l)))`,
);

// D: no grant; a window onto "m" through its handle; looks again after 20 ms.
const programD = guest(`
  (data (i32.const 0) "m")
  (func (export "_start") (local $m i32) (local $wd i32)
    (local.set $m (call $handle_get (i32.const 0) (i32.const 1)))
    (local.set $wd (call $memory_map (local.get $m) (i32.const 4) (i32.const 1) (i32.const 4) (i32.const 4)))
    (call $rec (i32.const 0xD))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $wd) (i32.const 0))))
    (drop (call $sleep (i64.const ${20 * MS})))
    (call $rec (i32.wrap_i64 (call $window_get (local.get $wd) (i32.const 0))))
    (call $rec (call $memory_size (local.get $m)))
    (call $rec (call $handle_close (local.get $wd)))
    (call $flush))`);

// A: creates the object, maps a window of its own, spawns B with its handle
// (and C's and D's images), then (unless `revoke` is false) revokes its root.
function programA(revoke: boolean): Uint8Array {
  return guest(`
    (data (i32.const 0) "m")
    (data (i32.const 4) "b")
    (data (i32.const 8) "c")
    (data (i32.const 12) "d")
    (func $h (param $ptr i32) (result i32) (call $handle_get (local.get $ptr) (i32.const 1)))
    (func $entry (param $at i32) (param $handle i32) (param $name i32)
      (i32.store (local.get $at) (local.get $handle))
      (i32.store (i32.add (local.get $at) (i32.const 4)) (local.get $name))
      (i32.store (i32.add (local.get $at) (i32.const 8)) (i32.const 1)))
    (func (export "_start") (local $m i32) (local $wa i32) (local $b i32) (local $w2 i32)
      (local.set $m (call $memory_create (i32.const 4096)))
      (local.set $wa (call $memory_map (local.get $m) (i32.const 0) (i32.const 1024) (i32.const 4) (i32.const 4)))
      (drop (call $window_set (local.get $wa) (i32.const 0) (i64.const 7)))
      (call $entry (i32.const 100) (local.get $m) (i32.const 0))
      (call $entry (i32.const 116) (call $h (i32.const 8)) (i32.const 8))
      (call $entry (i32.const 132) (call $h (i32.const 12)) (i32.const 12))
      (local.set $b (call $spawn (call $h (i32.const 4)) (i32.const 0) (i32.const 0) (i32.const 100) (i32.const 3)))
      (drop (call $sleep (i64.const ${10 * MS})))
      (call $rec (i32.const 0xA))
      ${
        revoke
          ? `
      (call $rec (call $handle_revoke (local.get $m)))
      (call $rec (i32.wrap_i64 (call $window_get (local.get $wa) (i32.const 0))))
      (call $rec (call $memory_size (local.get $m)))
      (local.set $w2 (call $memory_map (local.get $m) (i32.const 0) (i32.const 2) (i32.const 4) (i32.const 4)))
      (call $rec (i32.wrap_i64 (call $window_get (local.get $w2) (i32.const 1))))
      (call $rec (call $wait (local.get $b) (i32.const 200) ${INF}))
      (call $rec (i32.load (i32.const 204)))`
          : `
      (drop (call $sleep (i64.const ${30 * MS})))
      (call $rec (call $kill (local.get $b) (i32.const 0)))`
      }
      (call $flush))`);
}

describe("revocation cascade", () => {
  it("revoking the root ends both kinds of grant two derivation levels down: bound holders fault, window holders get EREVOKED and run on", async () => {
    const log: string[] = [];
    const k = new Kernel({ log: (l) => log.push(l) });
    const [b, c, d] = [k.loadImage(programB(false), "b"), k.loadImage(programC, "c"), k.loadImage(programD, "d")];
    const r = await runSystem(
      [
        {
          name: "a",
          bytes: programA(true),
          handles: [
            { name: "b", object: b, rights: IMAGE_GRANT_RIGHTS },
            { name: "c", object: c, rights: IMAGE_GRANT_RIGHTS },
            { name: "d", object: d, rights: IMAGE_GRANT_RIGHTS },
          ],
        },
      ],
      {},
      k,
      [b, c, d],
    );
    const rec = byTag(r.rec.a, [0xa, 0xd]);
    // D saw B's store through its window, then EREVOKED after A's revoke; its handle is gone (ESTALE); it ended normally.
    expect(rec[0xd]).toEqual([99, E("EREVOKED"), E("ESTALE"), 0]);
    // A: 4 handles revoked (B's, B's copy, C's, D's); its own window too (it derives from A's root);
    // A's root stays, and a new window sees the data (B's store included).
    expect(rec[0xa]).toEqual([4, E("EREVOKED"), 4096, 99, 0, ExitReason.GRANT_REVOKED]);
    const ended = log.filter((l) => l.includes("ended"));
    expect(ended).toHaveLength(2);
    expect(ended[0]).toMatch(/^wasmos: pid \d+ \(b\) ended: grant "m" was revoked \(memory object \d+\)$/);
    expect(ended[1]).toMatch(/^wasmos: pid \d+ \(c\) ended: grant "m" was revoked \(memory object \d+, read-only\)$/);
    expect(r.exit.a.reason).toBe(ExitReason.NORMAL);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
    expect(k.core.mm.objectPages).toBe(0);
  });

  it("revoking the middle level reaches only what derives from it: the revoker keeps its binding, not its windows through that handle", async () => {
    const log: string[] = [];
    const k = new Kernel({ log: (l) => log.push(l) });
    const [b, c, d] = [k.loadImage(programB(true), "b"), k.loadImage(programC, "c"), k.loadImage(programD, "d")];
    const r = await runSystem(
      [
        {
          name: "a",
          bytes: programA(false),
          handles: [
            { name: "b", object: b, rights: IMAGE_GRANT_RIGHTS },
            { name: "c", object: c, rights: IMAGE_GRANT_RIGHTS },
            { name: "d", object: d, rights: IMAGE_GRANT_RIGHTS },
          ],
        },
      ],
      {},
      k,
      [b, c, d],
    );
    const rec = byTag(r.rec.a, [0xa, 0xb, 0xd]);
    // B revoked 3 handles below its own (its copy, C's, D's) and its window (mapped through that handle);
    // its binding derives from A's capability, not from its handle, and still works.
    expect(rec[0xb]).toEqual([3, E("EREVOKED"), 99]);
    expect(rec[0xd]).toEqual([99, E("EREVOKED"), E("ESTALE"), 0]);
    // A ran on untouched and killed B (still alive) at the end.
    expect(rec[0xa]).toEqual([0]);
    const ended = log.filter((l) => l.includes("ended"));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatch(/\(c\) ended: grant "m" was revoked \(memory object \d+, read-only\)$/);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("revoking the object as a whole (host) faults every bound process, and windows and futex sleepers get EREVOKED", async () => {
    const log: string[] = [];
    const k = new Kernel({ log: (l) => log.push(l) });
    const m = k.createMemory(64);
    const bound = grantGuest(
      ["m"],
      `(func (export "_start") (loop $l (drop (call $sleep (i64.const ${MS}))) (i32.store $m (i32.const 0) (i32.const 1)) (br $l)))`,
    );
    const mapped = guest(`
      (data (i32.const 0) "m")
      (func (export "_start") (local $w i32)
        (local.set $w (call $memory_map (call $handle_get (i32.const 0) (i32.const 1)) (i32.const 0) (i32.const 16) (i32.const 4) (i32.const 4)))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 0))))
        (drop (call $sleep (i64.const ${10 * MS})))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 0))))
        (call $rec (call $memory_size (call $handle_get (i32.const 0) (i32.const 1))))
        (call $flush))`);
    const sleeper = guest(`
      (data (i32.const 0) "m")
      (func (export "_start")
        (call $rec (call $futex_wait (call $handle_get (i32.const 0) (i32.const 1)) (i32.const 8) (i32.const 0) ${INF}))
        (call $rec (call $futex_wait (call $handle_get (i32.const 0) (i32.const 1)) (i32.const 8) (i32.const 0) ${INF}))
        (call $flush))`);
    k.core.addTimer(5 * MS, () => k.revokeMemory(m));
    const r = await runSystem(
      [
        { name: "bound", bytes: bound, handles: [{ name: "m", object: m, rights: MEMORY_GRANT_RIGHTS }] },
        { name: "mapped", bytes: mapped, handles: [{ name: "m", object: m, rights: MEMORY_READ_ONLY_RIGHTS }] },
        { name: "sleeper", bytes: sleeper, handles: [{ name: "m", object: m, rights: MEMORY_READ_ONLY_RIGHTS }] },
      ],
      {},
      k,
      [m],
    );
    expect(r.exit.bound.reason).toBe(ExitReason.GRANT_REVOKED);
    expect(r.exit.bound.message).toMatch(/^grant "m" was revoked \(memory object \d+\)$/);
    expect(r.rec.mapped).toEqual([0, E("EREVOKED"), E("EREVOKED")]);
    expect(r.exit.mapped.reason).toBe(ExitReason.NORMAL);
    expect(r.rec.sleeper).toEqual([E("EREVOKED"), E("EREVOKED")]);
    expect(log.filter((l) => l.includes("ended"))).toHaveLength(1);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a process that revokes the capability its own binding derives from ends when that syscall returns", async () => {
    const k = new Kernel();
    const m = k.createMemory(64);
    // The host's handle is a root in the child's table; the binding derives from it.
    const self = grantGuest(
      ["m"],
      `(func (export "_start") (local $h i32) (local $d i32)
      (i32.store8 $own (i32.const 0) (i32.const 0x6d))
      (local.set $h (call $handle_get (i32.const 0) (i32.const 1)))
      (local.set $d (call $handle_dup (local.get $h) (i32.const ${READ})))
      (call $rec (i32.const 1))
      (call $flush)
      (drop (call $handle_revoke (local.get $h)))
      (call $rec (i32.const 2))
      (call $flush))`,
    );
    const r = await runSystem([{ name: "p", bytes: self, handles: [{ name: "m", object: m, rights: MEMORY_GRANT_RIGHTS }] }], {}, k, [m]);
    expect(r.rec.p).toEqual([1]);
    expect(r.exit.p).toMatchObject({ status: -1, reason: ExitReason.GRANT_REVOKED });
    expect(r.exit.p.message).toMatch(/^grant "m" was revoked/);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a revoke while the holder is on the CPU outside any syscall ends it before its next dispatch, not later", async () => {
    const k = new Kernel();
    const m = k.createMemory(64);
    let out: Uint8Array = new Uint8Array();
    // P spins well past a quantum without a syscall; Q is ready beside it, so P is preempted.
    const spin = k.loadImage(
      grantGuest(
        ["m"],
        `(func (export "_start") (local $i i32)
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 50000000))))
      (call $rec (i32.const 1)) (call $flush))`,
      ),
      "spin",
    );
    const p = k.spawn(spin, { handles: [{ name: "m", object: m, rights: MEMORY_GRANT_RIGHTS }], stdout: (b) => (out = b) });
    // spawn dispatched P at once (nothing else ran): it is the current process, its code not started yet.
    expect(k.core.current).toBe(p.process);
    k.revokeMemory(m);
    expect(p.process.exit).toBe(null); // marked, not ended: it is on the CPU
    const qImage = k.loadImage(guest(`(func (export "_start"))`), "q");
    const q = k.spawn(qImage);
    const exit = await p.exited;
    expect(exit.reason).toBe(ExitReason.GRANT_REVOKED);
    expect(out.length).toBe(0); // it never finished its loop
    expect((await q.exited).reason).toBe(ExitReason.NORMAL);
    await k.run();
    p.close();
    q.close();
    k.release(spin);
    k.release(qImage);
    k.release(m);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a faulted process stays ended: revoking again, closing and exiting release everything once", async () => {
    const k = new Kernel();
    const m = k.createMemory(64);
    const p1 = grantGuest(["m"], `(func (export "_start") (loop $l (drop (call $sleep (i64.const ${MS}))) (br $l)))`);
    k.core.addTimer(3 * MS, () => {
      k.revokeMemory(m);
      k.revokeMemory(m);
    });
    const r = await runSystem(
      [
        { name: "p1", bytes: p1, handles: [{ name: "m", object: m, rights: MEMORY_GRANT_RIGHTS }] },
        { name: "p2", bytes: p1, handles: [{ name: "m", object: m, rights: MEMORY_READ_ONLY_RIGHTS }] },
      ],
      {},
      k,
      [m],
    );
    expect(r.exit.p1.reason).toBe(ExitReason.GRANT_REVOKED);
    expect(r.exit.p2.reason).toBe(ExitReason.GRANT_REVOKED);
    expect(k.core.mm.objects).toBe(0);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
