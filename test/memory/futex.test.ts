// futex_wait / futex_wake on a 32-bit word of a memory object: the kernel
// compares and sleeps in one step, wakes oldest first, never writes the word.
import { describe, expect, it } from "vitest";
import { Rights } from "../../abi/gen/abi.ts";
import { IMAGE_GRANT_RIGHTS, Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";
import { demonstrates, E, grantGuest, INF } from "./helpers.ts";

const { READ, WRITE, MAP, TRANSFER, DUPLICATE } = Rights;
const MS = 1_000_000;
const FORGED = "(i32.const 0x00090009)";

describe("futex", () => {
  it("sleepers wake oldest first, as many as futex_wake asks, and only when the word still held the value", async () => {
    const k = new Kernel();
    const m = k.createMemory(64);
    // A sleeper waits on word 0 while it is 0, then takes a ticket from word 4.
    const sleeper = grantGuest(
      ["m"],
      `(func (export "_start") (local $h i32)
      (i32.store8 $own (i32.const 0) (i32.const 0x6d))
      (local.set $h (call $handle_get (i32.const 0) (i32.const 1)))
      (call $rec (call $futex_wait (local.get $h) (i32.const 0) (i32.const 0) ${INF}))
      (i32.store $m (i32.const 4) (i32.add (i32.load $m (i32.const 4)) (i32.const 1)))
      (call $rec (i32.load $m (i32.const 4)))
      (call $flush))`,
    );
    const waker = grantGuest(
      ["m"],
      `(func (export "_start") (local $h i32)
      (i32.store8 $own (i32.const 0) (i32.const 0x6d))
      (local.set $h (call $handle_get (i32.const 0) (i32.const 1)))
      (call $rec (call $futex_wake (local.get $h) (i32.const 4) (i32.const 10)))
      (call $rec (call $futex_wake (local.get $h) (i32.const 0) (i32.const 2)))
      (drop (call $sleep (i64.const ${MS})))
      (call $rec (call $futex_wake (local.get $h) (i32.const 0) (i32.const 5)))
      (call $rec (call $futex_wake (local.get $h) (i32.const 0) (i32.const 5)))
      ;; the word no longer holds 0: no sleep
      (i32.store $m (i32.const 0) (i32.const 1))
      (call $rec (call $futex_wait (local.get $h) (i32.const 0) (i32.const 0) ${INF}))
      ;; it holds 1: sleep until the deadline
      (call $rec (call $futex_wait (local.get $h) (i32.const 0) (i32.const 1) (i64.add (call $clock_now) (i64.const ${MS}))))
      ;; a deadline already past polls once
      (call $rec (call $futex_wait (local.get $h) (i32.const 0) (i32.const 1) (i64.const 0)))
      (call $flush))`,
    );
    const spec = (name: string, bytes: Uint8Array) => ({ name, bytes, handles: [{ name: "m", object: m, rights: MEMORY_GRANT_RIGHTS }] });
    const r = await runSystem([spec("s1", sleeper), spec("s2", sleeper), spec("s3", sleeper), spec("w", waker)], {}, k, [m]);
    expect(r.rec.s1).toEqual([0, 1]);
    expect(r.rec.s2).toEqual([0, 2]);
    expect(r.rec.s3).toEqual([0, 3]);
    expect(r.rec.w).toEqual([0, 2, 1, 0, E("ECHANGED"), E("ETIMEDOUT"), E("ETIMEDOUT")]);
    expect(new DataView(k.memoryBytes(m).buffer).getUint32(0, true)).toBe(1); // the kernel never wrote it
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("futex_wait and futex_wake refuse what they document", async () => {
    const k = new Kernel();
    const gone = k.createMemory(16);
    k.revokeMemory(gone);
    const bytes = guest(`
      (data (i32.const 0) "gone")
      (func (export "_start") (local $m i32) (local $ro i32) (local $wo i32) (local $x i32) (local $ep i32) (local $g i32)
        (local.set $m (call $memory_create (i32.const 64)))
        (local.set $ro (call $handle_dup (local.get $m) (i32.const ${READ})))
        (local.set $wo (call $handle_dup (local.get $m) (i32.const ${WRITE})))
        (local.set $x (call $handle_dup (local.get $m) (i32.const ${READ})))
        (drop (call $handle_close (local.get $x)))
        (local.set $ep (call $endpoint_create))
        (local.set $g (call $handle_get (i32.const 0) (i32.const 4)))
        ;; futex_wait
        (call $rec (call $futex_wait ${FORGED} (i32.const 0) (i32.const 0) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $x) (i32.const 0) (i32.const 0) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $ep) (i32.const 0) (i32.const 0) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $wo) (i32.const 0) (i32.const 0) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $ro) (i32.const -4) (i32.const 0) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $ro) (i32.const 2) (i32.const 0) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $ro) (i32.const 60) (i32.const 0) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $ro) (i32.const 64) (i32.const 0) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $ro) (i32.const 0) (i32.const 5) (i64.const 0)))
        (call $rec (call $futex_wait (local.get $g) (i32.const 0) (i32.const 0) (i64.const 0)))
        ;; futex_wake
        (call $rec (call $futex_wake ${FORGED} (i32.const 0) (i32.const 1)))
        (call $rec (call $futex_wake (local.get $x) (i32.const 0) (i32.const 1)))
        (call $rec (call $futex_wake (local.get $ep) (i32.const 0) (i32.const 1)))
        (call $rec (call $futex_wake (local.get $ro) (i32.const 0) (i32.const 1)))
        (call $rec (call $futex_wake (local.get $wo) (i32.const 1) (i32.const 1)))
        (call $rec (call $futex_wake (local.get $wo) (i32.const 0) (i32.const 0)))
        (call $rec (call $futex_wake (local.get $wo) (i32.const 64) (i32.const 1)))
        (call $rec (call $futex_wake (local.get $wo) (i32.const 60) (i32.const 1)))
        (call $rec (call $futex_wake (local.get $g) (i32.const 0) (i32.const 1)))
        (call $flush))`);
    const r = await runSystem([{ name: "p", bytes, handles: [{ name: "gone", object: gone, rights: MEMORY_GRANT_RIGHTS }] }], {}, k, [
      gone,
    ]);
    expect(r.rec.p).toEqual([
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      E("ETIMEDOUT"),
      E("ERANGE"),
      E("ECHANGED"),
      E("EREVOKED"),
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      E("ERANGE"),
      0,
      E("EREVOKED"),
    ]);
    demonstrates("futex_wait", r.rec.p.slice(0, 10), ["EDIRECT"]); // EDIRECT: test/ports/direct.test.ts, conformance ports/direct-blocking
    demonstrates("futex_wake", r.rec.p.slice(10));
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a sleeper whose handle is revoked by an ancestor's holder wakes with EREVOKED; a killed sleeper leaves the queue", async () => {
    const k = new Kernel();
    const child = k.loadImage(
      guest(`
      (data (i32.const 0) "m")
      (func (export "_start")
        (call $rec (call $futex_wait (call $handle_get (i32.const 0) (i32.const 1)) (i32.const 0) (i32.const 0) ${INF}))
        (call $flush))`),
      "child",
    );
    const parent = guest(`
      (data (i32.const 0) "m")
      (data (i32.const 4) "child")
      (func $spawnWith (param $h i32) (result i32)
        (i32.store (i32.const 100) (local.get $h)) (i32.store (i32.const 104) (i32.const 0)) (i32.store (i32.const 108) (i32.const 1))
        (call $spawn (call $handle_get (i32.const 4) (i32.const 5)) (i32.const 0) (i32.const 0) (i32.const 100) (i32.const 1)))
      (func (export "_start") (local $m i32) (local $d i32) (local $c1 i32) (local $c2 i32)
        (local.set $m (call $memory_create (i32.const 64)))
        (local.set $d (call $handle_dup (local.get $m) (i32.const ${READ | WRITE | MAP | TRANSFER | DUPLICATE})))
        (local.set $c1 (call $spawnWith (local.get $d)))
        (local.set $c2 (call $spawnWith (local.get $m)))
        (drop (call $sleep (i64.const ${MS})))
        ;; c1's handle derives from $d: revoking $d's descendants wakes it
        (call $rec (call $handle_revoke (local.get $d)))
        (call $rec (call $wait (local.get $c1) (i32.const 200) ${INF}))
        ;; c2 is killed asleep: the queue forgets it
        (call $rec (call $kill (local.get $c2) (i32.const 9)))
        (call $rec (call $futex_wake (local.get $m) (i32.const 0) (i32.const 10)))
        (call $flush))`);
    const r = await runSystem(
      [{ name: "p", bytes: parent, handles: [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }] }],
      {},
      k,
      [child],
    );
    // The children share the parent's stdout: c1 records EREVOKED when it wakes, before the parent's flush.
    expect(r.rec.p).toEqual([E("EREVOKED"), 1, 0, 0, 0]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
