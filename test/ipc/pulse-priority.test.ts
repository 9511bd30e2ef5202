// Pulse priority (QNX's; kernel/ipc/priority.ts): a pulse carries its
// sender's own priority, and the receiver it wakes runs at that priority, not
// its base, until it next takes a message or waits in a receive. A FILE's
// close pulse carries the closer's. So a pulse from below does not preempt
// its sender, and a pulse from above raises its receiver past what runs in
// between; both directions are shown against the virtual clock and the trace.
import { describe, expect, it } from "vitest";
import { Constants, Rights } from "../../abi/gen/abi.ts";
import { DIR_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { hostMount } from "../../kernel/ns/host.ts";
import { runSystem, type SystemRun } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const { SEND, RECEIVE } = Rights;
const busy = (n: number) =>
  `(local.set $i (i32.const 0)) (loop $w (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $w (i32.lt_u (local.get $i) (i32.const ${n}))))`;

/**
 * Takes `count` pulses or messages on "ep": a message (an IO_OPEN) is answered status 0 with OCB 7 in
 * word 0; for a pulse it records its code and the virtual time it got it, then works `work` units.
 */
const receiver = (count: number, work = 0) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $r i32) (local $n i32) (local $i i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (loop $l
      (local.set $r (call $receive (local.get $ep) (i32.const 512) (i32.const 256) ${INF}))
      (if (i32.gt_s (local.get $r) (i32.const 0))
        (then (drop (call $reply (local.get $r) (i32.const 0) (i64.const 7) (i64.const 0) (i32.const 0) (i32.const 0))))
        (else
          (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
          (call $rec (i32.wrap_i64 (call $clock_now)))
          ${busy(work)}))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $n) (i32.const ${count}))))
    (call $flush))`);

/** Sleeps `delayNs`, pulses "ep" (code 5), records the time, works `work` units, records the time. */
const pulser = (delayNs: number, work: number) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $i i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    ${delayNs > 0 ? `(drop (call $sleep (i64.const ${delayNs})))` : ""}
    (call $rec (call $pulse (local.get $ep) (i32.const 5) (i64.const 0)))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    ${busy(work)}
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

/** Opens /x/a (a FILE from the receiver), closes it, records the time, works `work` units, records the time. */
const closer = (work: number) =>
  guest(`
  (data (i32.const 0) "root")
  (data (i32.const 8) "/x/a")
  (func (export "_start") (local $dir i32) (local $f i32) (local $i i32)
    (local.set $dir (call $handle_get (i32.const 0) (i32.const 4)))
    (local.set $f (call $ns_open (local.get $dir) (i32.const 8) (i32.const 4) (i32.const ${Constants.O_READ})))
    (call $rec (i32.gt_s (local.get $f) (i32.const 0)))
    (call $rec (call $handle_close (local.get $f)))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    ${busy(work)}
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

/** A CPU hog: sleeps 100 µs, then `n` units of work; records when it finished. */
const hog = (n: number) =>
  guest(`
  (func (export "_start") (local $i i32)
    (drop (call $sleep (i64.const 100000)))
    ${busy(n)}
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

/** The trace's events of pid (time, event, detail). */
function events(run: SystemRun, pid: number): [number, string, string][] {
  return run.kernel
    .traceText()
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => f[1] === String(pid))
    .map((f) => [Number(f[0]), f[2], f.slice(3).join(" ")]);
}

describe("pulse priority", () => {
  it("a pulse from below does not preempt its sender: the receiver runs at the sender's priority once the sender is done", async () => {
    const k = new Kernel({ trace: true });
    const ep = k.createEndpoint();
    const run = await runSystem(
      [
        { name: "receiver", bytes: receiver(1), priority: 200, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "pulser", bytes: pulser(0, 50_000), priority: 100, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      { trace: true },
      k,
      [ep],
    );
    const [status, pulsed, done] = run.rec.pulser;
    const [code, took] = run.rec.receiver;
    expect(status).toBe(0);
    expect(code).toBe(5);
    expect(done - pulsed).toBeGreaterThan(50_000); // the work took a while of virtual time (within one quantum)
    expect(took).toBeGreaterThanOrEqual(done); // and the receiver got the pulse only after it
    const r = events(run, run.procs.receiver.pid);
    expect(r.filter(([, e]) => e === "priority").map(([, , d]) => d)).toEqual(["100"]);
    expect(events(run, run.procs.pulser.pid).some(([, e]) => e === "preempt")).toBe(false);
  });

  it("a pulse from above raises its receiver past a process in between until it waits again", async () => {
    const k = new Kernel({ trace: true });
    const ep = k.createEndpoint();
    const run = await runSystem(
      [
        { name: "receiver", bytes: receiver(2, 1000), priority: 10, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "hog", bytes: hog(5_000_000), priority: 100 },
        { name: "pulser", bytes: pulser(300_000, 0), priority: 200, handles: [{ name: "ep", object: ep, rights: SEND }] },
        { name: "late", bytes: pulser(600_000, 0), priority: 10, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      { trace: true },
      k,
      [ep],
    );
    const [hogDone] = run.rec.hog;
    const [, pulsed] = run.rec.pulser;
    const [code, took, code2, took2] = run.rec.receiver;
    expect([code, code2]).toEqual([5, 5]);
    // The first pulse is handled at once, at 200, while the hog still works; the second, from a
    // process at the receiver's own priority, only after the hog: the raise ended when it waited.
    expect(took - pulsed).toBeLessThan(10_000);
    expect(took).toBeLessThan(hogDone);
    expect(took2).toBeGreaterThan(hogDone);
    const prios = events(run, run.procs.receiver.pid).filter(([, e]) => e === "priority");
    expect(prios.map(([, , d]) => d)).toEqual(["200", "10"]);
    expect(prios[1][0]).toBeLessThan(hogDone); // back to its base as it waited again
  });

  it("a FILE's close pulse carries the closer's priority: a client below its server is not preempted by its close", async () => {
    const k = new Kernel({ trace: true });
    const ep = k.createEndpoint();
    const root = k.createRootDir();
    hostMount(root, "/x", ep);
    const run = await runSystem(
      [
        { name: "server", bytes: receiver(2), priority: 144, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "client", bytes: closer(50_000), priority: 128, handles: [{ name: "root", object: root, rights: DIR_GRANT_RIGHTS }] },
      ],
      { trace: true },
      k,
      [ep, root],
    );
    const [opened, closed, at, done] = run.rec.client;
    expect([opened, closed]).toEqual([1, 0]);
    const [code, took] = run.rec.server;
    expect(code).toBe(Constants.IO_CLOSE_PULSE);
    expect(done - at).toBeGreaterThan(50_000);
    expect(took).toBeGreaterThanOrEqual(done);
    expect(events(run, run.procs.client.pid).some(([, e]) => e === "preempt")).toBe(false);
    expect(
      events(run, run.procs.server.pid)
        .filter(([, e]) => e === "priority")
        .map(([, , d]) => d),
    ).toEqual(["128"]);
  });
});
