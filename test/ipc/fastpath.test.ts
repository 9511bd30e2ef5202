// The IPC fast path (kernel/ipc/fastpath.ts): flat functions for call to a
// waiting server, reply_wait to a waiting client and a pulse to a waiting
// receiver, and the endpoint handle kept while the capability epoch holds.
// Each must change nothing but the cost. Every workload here runs twice, with
// the fast path and with `fastPath: false` (the general path for everything),
// and must give the same trace byte for byte, the same virtual time, the same
// results, exits, strace lines and accounting, while crossing in and out of
// the fast path (priorities, the deadline class, partitions, timers, queued
// senders, pulses, a kill mid-call, a handle revoked and closed). Then each
// precondition that can be dropped is dropped (mutateFastPathForTest) and the
// same comparison must fail: the tests can catch a wrong precondition.
import { afterEach, describe, expect, it } from "vitest";
import { Errno, ExitReason, Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { observeSyscalls } from "../../host/runtime/bridge.ts";
import { Strace } from "../../host/trace/index.ts";
import { type FastPathMutation, fastPathCounts, mutateFastPathForTest } from "../../kernel/ipc/fastpath.ts";
import { nodeEpochTicker } from "../../hal/node/epoch-ticker.ts";
import { type EndpointProc, IPC_BUF as BUF, spawnOnEndpoint } from "../helpers/ipc-workloads.ts";
import { guest, hog, results } from "../helpers/wat.ts";

/**
 * Answers `count` messages and takes `pulses` pulses on "ep", then records how many messages
 * it answered and the sum of the pulse codes. Each answer: status 2w, word 0 back as w + 1.
 * reply_wait by default; `timed`: receive with a far deadline (a timer per wait) and reply.
 */
const server = (count: number, pulses: number, timed = false) =>
  guest(`
  (data (i32.const 0) "ep")
  (func $next (param $ep i32) (param $r i32) (param $status i32) (result i32)
    ${
      timed
        ? `(if (i32.gt_s (local.get $r) (i32.const 0))
             (then (drop (call $reply (local.get $r) (local.get $status) (i64.extend_i32_s (i32.load (i32.const ${BUF}))) (i64.const 0) (i32.const 0) (i32.const 0)))))
           (call $receive (local.get $ep) (i32.const 0) (i32.const 0) (i64.add (call $clock_now) (i64.const 1000000000000)))`
        : `(call $reply_wait (local.get $ep) (local.get $r) (local.get $status) (i32.const 1))`
    })
  (func (export "_start") (local $ep i32) (local $r i32) (local $n i32) (local $p i32) (local $psum i32) (local $w i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (local.set $r (call $next (local.get $ep) (i32.const 0) (i32.const 0)))
    (block $done
      (loop $l
        (if (i32.lt_s (local.get $r) (i32.const 0)) (then (call $rec (local.get $r)) (br $done)))
        (if (i32.eqz (local.get $r))
          (then
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            ${timed ? `(local.set $psum (i32.add (local.get $psum) (i32.wrap_i64 (call $msg_word (i32.const 0)))))` : `(local.set $psum (i32.add (local.get $psum) (i32.load (i32.const ${BUF}))))`}
            (br_if $done (i32.and (i32.eq (local.get $n) (i32.const ${count})) (i32.eq (local.get $p) (i32.const ${pulses}))))
            (local.set $r (call $next (local.get $ep) (i32.const 0) (i32.const 0)))
            (br $l)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        ${timed ? `(local.set $w (i32.wrap_i64 (call $msg_word (i32.const 0))))` : `(local.set $w (i32.load (i32.const ${BUF})))`}
        (i32.store (i32.const ${BUF}) (i32.add (local.get $w) (i32.const 1)))
        (if (i32.and (i32.eq (local.get $n) (i32.const ${count})) (i32.eq (local.get $p) (i32.const ${pulses})))
          (then
            (drop (call $reply (local.get $r) (i32.shl (local.get $w) (i32.const 1)) (i64.extend_i32_s (i32.add (local.get $w) (i32.const 1))) (i64.const 0) (i32.const 0) (i32.const 0)))
            (br $done)))
        (local.set $r (call $next (local.get $ep) (local.get $r) (i32.shl (local.get $w) (i32.const 1))))
        (br $l)))
    (call $rec (local.get $n))
    (call $rec (local.get $psum))
    (call $flush))`);

interface ClientOpts {
  /** Enter the deadline class first (runtime, period in ns). */
  deadline?: [number, number];
  /** Yield after every k-th call. */
  yieldEvery?: number;
  /** Call through a derived handle; at this call index revoke it ("revoke") or close it ("close"), then call once more. */
  dropAt?: { index: number; how: "revoke" | "close" };
}

/** `n` calls with word 0 = base + i; records the sum of statuses and answered words (or the first error and its index), then the virtual time. */
const client = (n: number, base: number, o: ClientOpts = {}) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $h i32) (local $i i32) (local $sum i32) (local $s i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (local.set $h (local.get $ep))
    ${o.dropAt ? `(local.set $h (call $handle_dup (local.get $ep) (i32.const ${Rights.SEND})))` : ""}
    ${o.deadline ? `(call $rec (call $sched_set_deadline (i32.const -1) (i64.const ${o.deadline[0]}) (i64.const ${o.deadline[1]}) (i64.const 0)))` : ""}
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (block $done
      (loop $l
        ${
          o.dropAt
            ? `(if (i32.eq (local.get $i) (i32.const ${o.dropAt.index}))
                 (then (call $rec ${o.dropAt.how === "revoke" ? "(call $handle_revoke (local.get $ep))" : "(call $handle_close (local.get $h))"})))`
            : ""
        }
        (i32.store (i32.const ${BUF}) (i32.add (i32.const ${base}) (local.get $i)))
        (local.set $s (call $call (local.get $h) (i32.const 1)))
        (if (i32.lt_s (local.get $s) (i32.const 0)) (then (call $rec (local.get $i)) (call $rec (local.get $s)) (br $done)))
        (local.set $sum (i32.add (local.get $sum) (i32.add (local.get $s) (i32.load (i32.const ${BUF})))))
        ${o.yieldEvery ? `(if (i32.eqz (i32.rem_u (local.get $i) (i32.const ${o.yieldEvery}))) (then (drop (call $yield))))` : ""}
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${n})))))
    (call $rec (local.get $sum))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

/** `n` pulses with codes 1..n, sleeping `sleepNs` after each (0: yield). */
const pulser = (n: number, sleepNs: number) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $i i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (call $rec (call $pulse (local.get $ep) (local.get $i) (i64.extend_i32_u (local.get $i))))
      ${sleepNs > 0 ? `(drop (call $sleep (i64.const ${sleepNs})))` : "(drop (call $yield))"}
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
    (call $flush))`);

type Proc = EndpointProc;

interface Workload {
  procs: Proc[];
  quantumFuel?: number;
  /** The host ends process `name` at virtual time `at` (a kill mid-call). */
  kill?: { name: string; at: number };
  strace?: boolean;
  /** Record the event trace (default true; without it nothing reads the clock between the fast path's steps). */
  trace?: boolean;
  /** Real time: preemption by the epoch flag, or (epoch false) the fuel counter in real time. */
  realtime?: { epoch: boolean };
}

async function run(w: Workload, fastPath: boolean) {
  const sched = w.quantumFuel === undefined ? undefined : { quantumFuel: w.quantumFuel };
  const rt = w.realtime === undefined ? {} : { deterministic: false, epochTicker: w.realtime.epoch ? nodeEpochTicker() : null };
  const k = new Kernel({ trace: w.trace ?? true, fastPath, sched, ...rt });
  const strace: string[] = [];
  if (w.strace) observeSyscalls(k.core, new Strace((l) => strace.push(l)));
  const ep = k.createEndpoint();
  const { handles: procs, out } = spawnOnEndpoint(k, ep, w.procs);
  k.release(ep);
  if (w.kill) {
    const victim = procs[w.procs.findIndex((p) => p.name === w.kill!.name)].process;
    k.core.addTimer(w.kill.at, () => k.core.terminate(victim, -1, ExitReason.KILLED, "killed by the test"));
  }
  const before = { ...fastPathCounts };
  await k.run();
  const rec: Record<string, number[]> = {};
  for (const s of w.procs) rec[s.name] = results(new Uint8Array(Buffer.concat(out[s.name])));
  const exit = Object.fromEntries(procs.map((p, i) => [w.procs[i].name, p.process.exit]));
  const taken = {
    call: fastPathCounts.call - before.call,
    replyWait: fastPathCounts.replyWait - before.replyWait,
    pulse: fastPathCounts.pulse - before.pulse,
  };
  const ipc = { ...k.core.ipc, handoffs: 0 };
  return { same: { trace: k.traceText(), now: k.core.clock.now(), rec, exit, strace, ipc }, taken, kept: k.core.sched.keptCounters };
}

/** Run w both ways; the general path's run, the fast path's run, and what the fast path took. */
async function both(w: Workload) {
  const fast = await run(w, true);
  const slow = await run(w, false);
  expect(slow.taken).toEqual({ call: 0, replyWait: 0, pulse: 0 });
  return { fast: fast.same, slow: slow.same, taken: fast.taken };
}

const S = Rights.SEND;
const R = Rights.RECEIVE;
const sumOf = (n: number, base: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += 3 * (base + i) + 1;
  return s;
};

afterEach(() => mutateFastPathForTest(null));

describe("the IPC fast path", () => {
  it("takes call, reply_wait and pulse flat, and the run is byte for byte the general path's", async () => {
    const w: Workload = {
      procs: [
        { name: "server", bytes: server(300, 40), priority: 128, ep: R },
        { name: "client", bytes: client(300, 5), priority: 128, ep: S },
        { name: "pulser", bytes: pulser(40, 0), priority: 128, ep: S },
      ],
    };
    const { fast, slow, taken } = await both(w);
    expect(fast.rec.client[0]).toBe(sumOf(300, 5));
    expect(fast.rec.server).toEqual([300, (40 * 41) / 2]);
    expect(taken.call).toBeGreaterThan(250);
    expect(taken.replyWait).toBeGreaterThan(250);
    expect(taken.pulse).toBeGreaterThan(0);
    expect(fast).toEqual(slow);
  });

  it("crosses in and out of it with queued senders, priorities, a hog that preempts, timers and the deadline class", async () => {
    const w: Workload = {
      quantumFuel: 3000,
      procs: [
        { name: "server", bytes: server(450, 30), priority: 100, ep: R },
        { name: "hi", bytes: client(150, 1000, { yieldEvery: 7 }), priority: 140, ep: S },
        { name: "mid", bytes: client(150, 3000), priority: 100, ep: S },
        { name: "lo", bytes: client(100, 5000), priority: 60, ep: S },
        { name: "edf", bytes: client(50, 7000, { deadline: [200_000, 1_000_000] }), priority: 100, ep: S },
        { name: "pulser", bytes: pulser(30, 9_000), priority: 120, ep: S },
        { name: "hog", bytes: hog(150_000, 200_000), priority: 110 },
        { name: "hog2", bytes: hog(31_000, 50_000), priority: 100 },
      ],
    };
    const { fast, slow, taken } = await both(w);
    expect(fast.rec.hi[0]).toBe(sumOf(150, 1000));
    expect(fast.rec.lo[0]).toBe(sumOf(100, 5000));
    expect(fast.rec.edf).toEqual([0, sumOf(50, 7000), expect.any(Number)]);
    expect(fast.trace).toContain(" preempt ");
    expect(fast.trace).toContain(" priority ");
    expect(taken.call).toBeGreaterThan(0);
    expect(taken.replyWait).toBeGreaterThan(0);
    expect(fast).toEqual(slow);
  });

  it("gives the same virtual time, results and accounting untraced (no clock reads between its steps)", async () => {
    const w: Workload = {
      trace: false,
      quantumFuel: 2500,
      procs: [
        { name: "server", bytes: server(350, 25), priority: 100, ep: R },
        { name: "hi", bytes: client(150, 11, { yieldEvery: 5 }), priority: 140, ep: S },
        { name: "mid", bytes: client(200, 13), priority: 100, ep: S },
        { name: "pulser", bytes: pulser(25, 7_000), priority: 100, ep: S },
        { name: "hog", bytes: hog(90_000, 150_000), priority: 100 },
      ],
    };
    const { fast, slow, taken } = await both(w);
    expect(fast.trace).toBe("");
    expect(fast.rec.mid[0]).toBe(sumOf(200, 13));
    expect(taken.call).toBeGreaterThan(50);
    expect(fast).toEqual(slow);
  });

  it("is the general path under strace, and for a server that waits with a deadline (the general path's timer)", async () => {
    const w: Workload = {
      strace: true,
      procs: [
        { name: "server", bytes: server(60, 10, true), priority: 128, ep: R },
        { name: "client", bytes: client(60, 9), priority: 128, ep: S },
        { name: "pulser", bytes: pulser(10, 2_000), priority: 128, ep: S },
      ],
    };
    const { fast, slow, taken } = await both(w);
    expect(fast.rec.client[0]).toBe(sumOf(60, 9));
    expect(fast.strace.length).toBeGreaterThan(120);
    expect(taken.call).toBe(0); // every wait has a timer: never flat
    expect(fast).toEqual(slow);
  });

  it("gives the same run when a client is killed mid-call and when the server is", async () => {
    for (const victim of ["client", "server"]) {
      const w: Workload = {
        procs: [
          { name: "server", bytes: server(400, 0), priority: 128, ep: R },
          { name: "client", bytes: client(200, 3), priority: 128, ep: S },
          { name: "other", bytes: client(200, 8), priority: 128, ep: S },
        ],
        kill: { name: victim, at: 150_000 },
      };
      const { fast, slow, taken } = await both(w);
      expect(fast.exit[victim]).toMatchObject({ reason: ExitReason.KILLED });
      expect(taken.call).toBeGreaterThan(10);
      expect(fast).toEqual(slow);
    }
  });

  it("refuses a call through a handle once it is revoked or closed, though its endpoint was cached", async () => {
    for (const how of ["revoke", "close"] as const) {
      const w: Workload = {
        procs: [
          { name: "server", bytes: server(50, 0), priority: 128, ep: R },
          { name: "client", bytes: client(80, 1, { dropAt: { index: 50, how } }), priority: 128, ep: S | Rights.DUPLICATE },
        ],
      };
      const { fast, slow, taken } = await both(w);
      // revoke: one handle revoked; close: 0. Then call 50 fails with ESTALE (a stale handle) and the client stops.
      expect(fast.rec.client.slice(0, 3)).toEqual([how === "revoke" ? 1 : 0, 50, -Errno.ESTALE]);
      expect(taken.call).toBeGreaterThanOrEqual(49);
      expect(fast).toEqual(slow);
    }
  });
});

describe("the IPC fast path in real time", () => {
  for (const epoch of [true, false]) {
    it(`answers every call and pulse right with ${epoch ? "epoch preemption" : "the fuel counter"}`, async () => {
      const w: Workload = {
        realtime: { epoch },
        procs: [
          { name: "server", bytes: server(400, 30), priority: 128, ep: R },
          { name: "client", bytes: client(300, 5), priority: 128, ep: S },
          { name: "other", bytes: client(100, 900, { yieldEvery: 3 }), priority: 128, ep: S },
          { name: "pulser", bytes: pulser(30, 0), priority: 128, ep: S },
          { name: "hog", bytes: hog(0, 3_000_000), priority: 128 },
        ],
      };
      const fast = await run(w, true);
      expect(fast.same.rec.client[0]).toBe(sumOf(300, 5));
      expect(fast.same.rec.other[0]).toBe(sumOf(100, 900));
      expect(fast.same.rec.server).toEqual([400, (30 * 31) / 2]);
      for (const [name, e] of Object.entries(fast.same.exit)) expect(e, name).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
      expect(fast.taken.call).toBeGreaterThan(0);
      expect(fast.taken.replyWait).toBeGreaterThan(0);
    });
  }
});

describe("a wrong precondition in the IPC fast path is caught", () => {
  /** The workload gives the general path's run with the fast path as built, and another with precondition m dropped. */
  async function differs(m: FastPathMutation, w: Workload): Promise<void> {
    const slow = (await run(w, false)).same;
    const right = await run(w, true);
    expect(right.same).toEqual(slow);
    mutateFastPathForTest(m);
    const fast = await run(w, true).then(
      (r) => r.same,
      (e: unknown) => ({ threw: String(e) }),
    );
    expect(fast).not.toEqual(slow);
  }

  it("a server waiting with a deadline taken flat (its timer left armed)", async () => {
    await differs("receive-timer", {
      procs: [
        { name: "server", bytes: server(30, 0, true), priority: 128, ep: R },
        { name: "client", bytes: client(30, 9), priority: 128, ep: S },
      ],
    });
  });

  it("reply_wait blocking flat while senders are queued", async () => {
    await differs("queue", {
      procs: [
        { name: "server", bytes: server(60, 0), priority: 100, ep: R },
        { name: "a", bytes: client(30, 1), priority: 128, ep: S },
        { name: "b", bytes: client(30, 2), priority: 128, ep: S },
      ],
    });
  });

  it("a server not raised to its higher client's priority", async () => {
    await differs("inherit", {
      procs: [
        { name: "server", bytes: server(40, 0), priority: 60, ep: R },
        { name: "client", bytes: client(40, 4), priority: 150, ep: S },
        { name: "hog", bytes: hog(20_000, 100_000), priority: 100 },
      ],
    });
  });

  it("a cached endpoint trusted after its handle was revoked", async () => {
    await differs("epoch", {
      procs: [
        { name: "server", bytes: server(50, 0), priority: 128, ep: R },
        { name: "client", bytes: client(80, 1, { dropAt: { index: 50, how: "revoke" } }), priority: 128, ep: S | Rights.DUPLICATE },
      ],
    });
  });
});
