// Memory accounting: a process's budget covers its own memory and the memory
// objects it created; memory.grow past it returns -1, memory_create past it
// EQUOTA, spawn of an image whose memory does not fit EQUOTA; the system's
// page ceiling gives ENOMEM. Statistics are live, per process and system-wide.
import { describe, expect, it } from "vitest";
import { Limits, Rights } from "../../abi/gen/abi.ts";
import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest, results } from "../helpers/wat.ts";
import { demonstrates, E, INF } from "./helpers.ts";

const PAGE = 65536;
const FORGED = "(i32.const 0x00090009)";

/** Record memory_stats words 0..5 (budget, used, own, object pages, objects, grants). */
const STATS = `(drop (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 64)))
  (call $rec (i32.load (i32.const 200))) (call $rec (i32.load (i32.const 204))) (call $rec (i32.load (i32.const 208)))
  (call $rec (i32.load (i32.const 212))) (call $rec (i32.load (i32.const 216)))`;

describe("memory budgets", () => {
  it("memory_create succeeds up to the budget's last page and fails one page past it; freeing an object gives its pages back", async () => {
    const k = new Kernel({ memory: { budgetPages: 8 } });
    const bytes = guest(`(func (export "_start") (local $a i32) (local $b i32)
      ${STATS}
      (local.set $a (call $memory_create (i32.const ${7 * PAGE})))
      (call $rec (i32.gt_s (local.get $a) (i32.const 0)))
      ${STATS}
      (call $rec (call $memory_create (i32.const 1)))
      (call $rec (call $handle_close (local.get $a)))
      (local.set $b (call $memory_create (i32.const ${5 * PAGE + 1})))
      (call $rec (i32.gt_s (local.get $b) (i32.const 0)))
      (call $rec (call $memory_create (i32.const ${PAGE + 1})))
      (call $rec (i32.gt_s (call $memory_create (i32.const ${PAGE})) (i32.const 0)))
      ${STATS}
      (call $flush))`);
    const r = await runSystem([{ name: "p", bytes }], {}, k);
    expect(r.rec.p).toEqual([8, 1, 1, 0, 0, 1, 8, 8, 1, 7, 1, E("EQUOTA"), 0, 1, E("EQUOTA"), 1, 8, 8, 1, 7, 2]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
    expect(k.core.mm.objectPages).toBe(0);
  });

  it("memory.grow reaches the budget exactly and returns -1 one page past it; objects created and freed move the line", async () => {
    const k = new Kernel({ memory: { budgetPages: 4 } });
    const bytes = guest(`(func (export "_start") (local $a i32)
      (call $rec (memory.grow (i32.const 4)))
      (call $rec (memory.grow (i32.const 3)))
      (call $rec (memory.grow (i32.const 1)))
      (call $rec (memory.grow (i32.const 0)))
      (call $rec (memory.size))
      (call $rec (call $memory_create (i32.const 1)))
      (call $flush))`);
    const shrinkable = guest(`(func (export "_start") (local $a i32)
      (local.set $a (call $memory_create (i32.const ${2 * PAGE})))
      (call $rec (memory.grow (i32.const 2)))
      (call $rec (memory.grow (i32.const 1)))
      (call $rec (call $handle_close (local.get $a)))
      (call $rec (memory.grow (i32.const 2)))
      (call $rec (memory.grow (i32.const 1)))
      (call $flush))`);
    const r = await runSystem(
      [
        { name: "p", bytes },
        { name: "q", bytes: shrinkable },
      ],
      {},
      k,
    );
    expect(r.rec.p).toEqual([-1, 1, -1, 4, 4, E("EQUOTA")]);
    expect(r.rec.q).toEqual([-1, 1, 0, 2, -1]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("memory_set_budget lowers a budget (its own or a child's) and refuses what it documents; children start with their spawner's budget", async () => {
    const k = new Kernel({ memory: { budgetPages: 100 } });
    const child = k.loadImage(
      guest(`(func (export "_start")
      ${STATS}
      (call $rec (memory.grow (i32.const 20)))
      (call $flush))`),
      "child",
    );
    const bytes = guest(`
      (data (i32.const 0) "child")
      (func $child (result i32) (call $spawn (call $handle_get (i32.const 0) (i32.const 5)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
      (func (export "_start") (local $c i32) (local $nosched i32) (local $x i32) (local $ep i32) (local $obj i32) (local $dead i32)
        (local.set $obj (call $memory_create (i32.const ${3 * PAGE})))
        (call $rec (call $memory_set_budget (i32.const -1) (i32.const 0)))
        (call $rec (call $memory_set_budget (i32.const -1) (i32.const 101)))
        (call $rec (call $memory_set_budget (i32.const -1) (i32.const 3)))
        (call $rec (call $memory_set_budget (i32.const -1) (i32.const 50)))
        ;; the next child starts with 50 and is lowered to 10 before it runs
        (local.set $c (call $child))
        (call $rec (call $memory_set_budget (local.get $c) (i32.const 10)))
        (local.set $nosched (call $handle_dup (local.get $c) (i32.const ${Rights.WAIT | Rights.INSPECT})))
        (local.set $x (call $handle_dup (local.get $c) (i32.const ${Rights.WAIT})))
        (drop (call $handle_close (local.get $x)))
        (local.set $ep (call $endpoint_create))
        (call $rec (call $memory_set_budget ${FORGED} (i32.const 10)))
        (call $rec (call $memory_set_budget (local.get $x) (i32.const 10)))
        (call $rec (call $memory_set_budget (local.get $ep) (i32.const 10)))
        (call $rec (call $memory_set_budget (local.get $nosched) (i32.const 10)))
        (call $rec (call $wait (local.get $c) (i32.const 300) ${INF}))
        (call $rec (call $memory_set_budget (local.get $c) (i32.const 5)))
        (drop (call $memory_stats (i32.const -1) (i32.const 300) (i32.const 64)))
        (call $rec (i32.load (i32.const 300)))
        (call $flush))`);
    const r = await runSystem([{ name: "p", bytes, handles: [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }] }], {}, k, [
      child,
    ]);
    expect(r.rec.p).toEqual([
      // the child's record comes first on the shared stdout (it flushes while the parent waits):
      // budget 10, used 1, own 1, no objects; grow(20) refused
      10,
      1,
      1,
      0,
      0,
      -1,
      E("EINVAL"),
      E("ECEILING"),
      E("EINVAL"),
      0,
      0,
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      0,
      E("ESRCH"),
      50,
    ]);
    demonstrates("memory_set_budget", r.rec.p.slice(6));
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("spawn refuses an image whose initial memory exceeds the child's budget (EQUOTA) or the system's pages (ENOMEM)", async () => {
    const log: string[] = [];
    const k = new Kernel({ memory: { budgetPages: 4, systemPages: 8 }, log: (l) => log.push(l) });
    const big = k.loadImage(guest(`(memory (export "memory") 5) (func (export "_start"))`, { memory: false }), "big");
    expect(() => k.spawn(big)).toThrow("spawn refused: EQUOTA: its memory needs 5 pages, more than its budget of 4");
    expect(log).toEqual(["wasmos: spawn of big refused: its memory needs 5 pages, more than its budget of 4"]);
    const spawnBig = `(call $rec (call $spawn (call $handle_get (i32.const 0) (i32.const 3)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))`;
    const parent = guest(`(data (i32.const 0) "big") (func (export "_start") ${spawnBig} (call $flush))`);
    // With a budget of 8 the first 5-page child fits; the second does not fit the system's 8 pages (1 + 5 + 5).
    const parent2 = guest(`(data (i32.const 0) "big") (func (export "_start") (local $c i32)
      (local.set $c (call $spawn (call $handle_get (i32.const 0) (i32.const 3)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
      (call $rec (i32.gt_s (local.get $c) (i32.const 0)))
      ${spawnBig}
      (call $flush))`);
    const img = [{ name: "big", object: big, rights: IMAGE_GRANT_RIGHTS }];
    const r = await runSystem([{ name: "parent", bytes: parent, handles: img }], {}, k);
    expect(r.rec.parent).toEqual([E("EQUOTA")]);
    let out = new Uint8Array();
    const img2 = k.loadImage(parent2, "parent2");
    const hp = k.spawn(img2, { memoryBudgetPages: 8, handles: img, stdout: (b) => (out = b.slice()) });
    k.release(img2);
    await hp.exited;
    await k.run();
    expect(results(out)).toEqual([1, E("ENOMEM")]);
    expect(log.slice(1)).toEqual([
      "wasmos: spawn of big refused: its memory needs 5 pages, more than its budget of 4",
      "wasmos: spawn of big refused: its memory needs 5 pages, and the system has 2 left",
    ]);
    closeAll(r);
    hp.close();
    k.release(big);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

describe("system pages and statistics", () => {
  it("memory_create fails with ENOMEM at the system's ceiling, counting every process's memory and every object", async () => {
    const k = new Kernel({ memory: { systemPages: 6 } });
    const bytes = guest(`(func (export "_start") (local $a i32)
      (local.set $a (call $memory_create (i32.const ${3 * PAGE})))
      (call $rec (i32.gt_s (local.get $a) (i32.const 0)))
      (call $rec (i32.gt_s (call $memory_create (i32.const ${PAGE})) (i32.const 0)))
      (call $rec (call $memory_create (i32.const ${PAGE + 1})))
      (drop (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 64)))
      (call $rec (i32.load (i32.const 232))) (call $rec (i32.load (i32.const 236))) (call $rec (i32.load (i32.const 240))) (call $rec (i32.load (i32.const 244)))
      (call $rec (call $memory_create (i32.const 0)))
      (call $rec (call $memory_create (i32.const -1)))
      (call $rec (call $memory_create (i32.const ${Limits.MAX_MEMORY_OBJECT_BYTES + 1})))
      (call $flush))`);
    const r = await runSystem(
      [
        { name: "a", bytes },
        { name: "b", bytes: guest(`(func (export "_start") (drop (call $sleep (i64.const 1000000))))`) },
      ],
      {},
      k,
    );
    // a: 3 pages ok (a 1 + b 1 + 3 = 5), 1 more ok (6), then ENOMEM; system: 6 pages, 4 object pages, 2 objects, ceiling 6.
    expect(r.rec.a).toEqual([1, 1, E("ENOMEM"), 6, 4, 2, 6, E("EINVAL"), E("EINVAL"), E("EINVAL")]);
    demonstrates("memory_create", r.rec.a, ["EQUOTA", "EMFILE"]); // the tests above and below
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("memory_create fails with EMFILE when the handle table is full, creating nothing", async () => {
    const k = new Kernel({ limits: { maxHandles: 3 } });
    const bytes = guest(`(func (export "_start")
      (drop (call $memory_create (i32.const 10)))
      (drop (call $memory_create (i32.const 10)))
      (call $rec (call $memory_create (i32.const 10)))
      (drop (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 64)))
      (call $rec (i32.load (i32.const 216)))
      (call $flush))`);
    const r = await runSystem([{ name: "p", bytes }], {}, k);
    expect(r.rec.p).toEqual([E("EMFILE"), 2]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("memory_stats describes another process through an INSPECT handle and refuses what it documents", async () => {
    const k = new Kernel({ memory: { budgetPages: 64 } });
    const child = k.loadImage(
      guest(`(func (export "_start")
      (drop (call $memory_create (i32.const ${2 * PAGE})))
      (drop (call $sleep (i64.const 2000000))))`),
      "child",
    );
    const bytes = guest(`
      (data (i32.const 0) "child")
      (func (export "_start") (local $c i32) (local $noinspect i32) (local $x i32) (local $ep i32)
        (local.set $c (call $spawn (call $handle_get (i32.const 0) (i32.const 5)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
        (drop (call $sleep (i64.const 1000000)))
        (call $rec (call $memory_stats (local.get $c) (i32.const 200) (i32.const 64)))
        (call $rec (i32.load (i32.const 200))) (call $rec (i32.load (i32.const 204))) (call $rec (i32.load (i32.const 212))) (call $rec (i32.load (i32.const 216)))
        (local.set $noinspect (call $handle_dup (local.get $c) (i32.const ${Rights.WAIT})))
        (local.set $x (call $handle_dup (local.get $c) (i32.const ${Rights.WAIT})))
        (drop (call $handle_close (local.get $x)))
        (local.set $ep (call $endpoint_create))
        (call $rec (call $memory_stats ${FORGED} (i32.const 200) (i32.const 64)))
        (call $rec (call $memory_stats (local.get $x) (i32.const 200) (i32.const 64)))
        (call $rec (call $memory_stats (local.get $ep) (i32.const 200) (i32.const 64)))
        (call $rec (call $memory_stats (local.get $noinspect) (i32.const 200) (i32.const 64)))
        (call $rec (call $memory_stats (i32.const -1) (i32.const 200) (i32.const 63)))
        (call $rec (call $memory_stats (i32.const -1) (i32.const 65500) (i32.const 64)))
        (call $flush))`);
    const r = await runSystem([{ name: "p", bytes, handles: [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }] }], {}, k, [
      child,
    ]);
    expect(r.rec.p).toEqual([64, 64, 3, 2, 1, E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EACCES"), E("EINVAL"), E("EFAULT")]);
    demonstrates("memory_stats", r.rec.p);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
