// pulse_wait's flat path (kernel/ipc/fastpath.ts fastPulseWait): a pulse to the
// one receiver waiting on an endpoint, then the caller's wait on another, in
// one step that hands the CPU to the receiver. It must change nothing but the
// cost: every workload runs with the fast path and with `fastPath: false` (the
// general path: pulse's steps, then receive's) and must give the same trace
// byte for byte, the same virtual time, results, exits, strace lines and IPC
// counts, while crossing in and out of the flat path (priorities, a hog that
// preempts, the deadline class, partitions, a receiver that waits with a
// deadline, pulses queued where the caller waits, messages among the pulses,
// waits on two endpoints in turn).
// Then each precondition that can be dropped is dropped
// (mutatePulseWaitForTest) and the same comparison must fail.
import { afterEach, describe, expect, it } from "vitest";
import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { observeSyscalls } from "../../host/runtime/bridge.ts";
import { Strace } from "../../host/trace/index.ts";
import { fastPathCounts, mutatePulseWaitForTest, type PulseWaitMutation } from "../../kernel/ipc/fastpath.ts";
import { nodeEpochTicker } from "../../hal/node/epoch-ticker.ts";
import { guest, hog, results } from "../helpers/wat.ts";

const BUF = 1024;
const S = Rights.SEND;
const R = Rights.RECEIVE;

/**
 * The pinger: n times pulse_wait(to, i, 3i - 7, wait), waiting on "from" (or, with `alt`, on "from2"
 * when i is odd). What arrives instead of the ponger's answer is taken and the wait goes on with
 * reply_wait on the same endpoint: a message (the client's) is answered (status 5), a pulser's pulse
 * (code >= 1000) is added up. Records the sum of the answers' two words as the IPC buffer shows them,
 * the messages answered, the sum of the pulser's codes and the virtual time; or the first error and
 * its round.
 */
const pinger = (n: number, alt = false) =>
  guest(`
  (data (i32.const 0) "to")
  (data (i32.const 8) "from")
  (data (i32.const 16) "from2")
  (func (export "_start") (local $to i32) (local $from i32) (local $from2 i32) (local $w i32) (local $i i32) (local $r i32)
      (local $sum i32) (local $msgs i32) (local $extra i32)
    (local.set $to (call $handle_get (i32.const 0) (i32.const 2)))
    (local.set $from (call $handle_get (i32.const 8) (i32.const 4)))
    ${alt ? "(local.set $from2 (call $handle_get (i32.const 16) (i32.const 5)))" : ""}
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (block $done
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $w ${alt ? "(select (local.get $from2) (local.get $from) (i32.and (local.get $i) (i32.const 1)))" : "(local.get $from)"})
        (local.set $r (call $pulse_wait (local.get $to) (local.get $i) (i32.sub (i32.mul (local.get $i) (i32.const 3)) (i32.const 7)) (local.get $w)))
        (block $answer
          (loop $other
            (if (i32.lt_s (local.get $r) (i32.const 0)) (then (call $rec (local.get $i)) (call $rec (local.get $r)) (br $done)))
            (if (i32.gt_s (local.get $r) (i32.const 0))
              (then
                (local.set $msgs (i32.add (local.get $msgs) (i32.const 1)))
                (local.set $r (call $reply_wait (local.get $w) (local.get $r) (i32.const 5) (i32.const 0)))
                (br $other)))
            (br_if $answer (i32.lt_s (i32.load (i32.const ${BUF})) (i32.const 1000)))
            (local.set $extra (i32.add (local.get $extra) (i32.load (i32.const ${BUF}))))
            (local.set $r (call $reply_wait (local.get $w) (i32.const 0) (i32.const 0) (i32.const 0)))
            (br $other)))
        (local.set $sum (i32.add (local.get $sum) (i32.add (i32.load (i32.const ${BUF})) (i32.load (i32.const ${BUF + 4})))))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${n})))))
    (call $rec (local.get $sum))
    (call $rec (local.get $msgs))
    (call $rec (local.get $extra))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

/**
 * The ponger: answers n pulses on "from" with (code + 1, value * 2) on "to" (with `alt`: on "to2"
 * when the code is odd), each answer and the next wait one pulse_wait, the last answer a plain
 * pulse; a pulser's pulse (code >= 1000) is added up and the wait goes on. `timed`: it waits with
 * receive and a far deadline (a timer per wait) and answers with pulse. Records the pulser's codes'
 * sum and the answers given (or the error and the answers before it).
 */
const ponger = (n: number, o: { alt?: boolean; timed?: boolean; deadline?: [number, number]; partition?: number } = {}) =>
  guest(`
  (data (i32.const 0) "to")
  (data (i32.const 8) "from")
  (data (i32.const 16) "to2")
  (func $waitOn (param $from i32) (result i32)
    ${
      o.timed
        ? "(call $receive (local.get $from) (i32.const 0) (i32.const 0) (i64.add (call $clock_now) (i64.const 1000000000000)))"
        : "(call $reply_wait (local.get $from) (i32.const 0) (i32.const 0) (i32.const 0))"
    })
  (func (export "_start") (local $to i32) (local $from i32) (local $to2 i32) (local $t i32) (local $n i32) (local $r i32)
      (local $code i32) (local $value i32) (local $extra i32)
    (local.set $to (call $handle_get (i32.const 0) (i32.const 2)))
    (local.set $from (call $handle_get (i32.const 8) (i32.const 4)))
    ${o.alt ? "(local.set $to2 (call $handle_get (i32.const 16) (i32.const 3)))" : ""}
    ${o.deadline ? `(call $rec_err (call $sched_set_deadline (i32.const -1) (i64.const ${o.deadline[0]}) (i64.const ${o.deadline[1]}) (i64.const 0)))` : ""}
    ${o.partition ? `(call $rec_err (call $partition_join (call $partition_create (i32.const ${o.partition})) (i32.const -1)))` : ""}
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (local.set $r (call $waitOn (local.get $from)))
    (block $done
      (loop $l
        (if (i32.ne (local.get $r) (i32.const 0)) (then (call $rec (local.get $n)) (call $rec (local.get $r)) (br $done)))
        (local.set $code (i32.load (i32.const ${BUF})))
        (local.set $value (i32.load (i32.const ${BUF + 4})))
        (if (i32.ge_s (local.get $code) (i32.const 1000))
          (then
            (local.set $extra (i32.add (local.get $extra) (local.get $code)))
            (local.set $r (call $waitOn (local.get $from)))
            (br $l)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (local.set $t ${o.alt ? "(select (local.get $to2) (local.get $to) (i32.and (local.get $code) (i32.const 1)))" : "(local.get $to)"})
        (if (i32.eq (local.get $n) (i32.const ${n}))
          (then (call $rec (call $pulse (local.get $t) (i32.add (local.get $code) (i32.const 1)) (i64.extend_i32_s (i32.shl (local.get $value) (i32.const 1))))) (br $done)))
        ${
          o.timed
            ? `(call $rec_err (call $pulse (local.get $t) (i32.add (local.get $code) (i32.const 1)) (i64.extend_i32_s (i32.shl (local.get $value) (i32.const 1)))))
               (local.set $r (call $waitOn (local.get $from)))`
            : `(local.set $r (call $pulse_wait (local.get $t) (i32.add (local.get $code) (i32.const 1)) (i32.shl (local.get $value) (i32.const 1)) (local.get $from)))`
        }
        (br $l)))
    (call $rec (local.get $extra))
    (call $rec (local.get $n))
    (call $flush))
  (func $rec_err (param $e i32) (if (i32.lt_s (local.get $e) (i32.const 0)) (then (call $rec (local.get $e)))))`);

/** `k` pulses on "ep" (code 1000 + i), sleeping `sleepNs` after each (0: yield). */
const pulser = (k: number, sleepNs: number) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $i i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (call $rec (call $pulse (local.get $ep) (i32.add (i32.const 1000) (local.get $i)) (i64.const 0)))
      ${sleepNs > 0 ? `(drop (call $sleep (i64.const ${sleepNs})))` : "(drop (call $yield))"}
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${k}))))
    (call $flush))`);

/** `k` sends on "ep" (words i, 0), sleeping `sleepNs` before each; records the sum of the statuses. */
const sender = (k: number, sleepNs: number) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $i i32) (local $sum i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (drop (call $sleep (i64.const ${sleepNs})))
      (local.set $sum (i32.add (local.get $sum) (call $send (local.get $ep) (i64.extend_i32_u (local.get $i)) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 9223372036854775807))))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${k}))))
    (call $rec (local.get $sum))
    (call $flush))`);

type EndpointName = "a" | "a2" | "b";

interface Proc {
  name: string;
  bytes: Uint8Array;
  priority?: number;
  /** Handle name -> [endpoint, rights]. */
  handles?: Record<string, [EndpointName, number]>;
}

interface Workload {
  procs: Proc[];
  quantumFuel?: number;
  strace?: boolean;
  trace?: boolean;
  realtime?: { epoch: boolean };
}

/** The pinger ("ping": sends on b, waits on a and a2) and the ponger ("pong": waits on b, answers on a or a2). */
const PING: Proc["handles"] = { to: ["b", S], from: ["a", R], from2: ["a2", R] };
const PONG: Proc["handles"] = { to: ["a", S], from: ["b", R], to2: ["a2", S] };

async function run(w: Workload, fastPath: boolean) {
  const sched = w.quantumFuel === undefined ? undefined : { quantumFuel: w.quantumFuel };
  const rt = w.realtime === undefined ? {} : { deterministic: false, epochTicker: w.realtime.epoch ? nodeEpochTicker() : null };
  const k = new Kernel({ trace: w.trace ?? true, fastPath, sched, ...rt });
  const strace: string[] = [];
  if (w.strace) observeSyscalls(k.core, new Strace((l) => strace.push(l)));
  const eps = { a: k.createEndpoint(), a2: k.createEndpoint(), b: k.createEndpoint() };
  const out: Record<string, Uint8Array[]> = {};
  const procs = w.procs.map((p) => {
    out[p.name] = [];
    const img = k.loadImage(p.bytes, p.name);
    const hp = k.spawn(img, {
      args: [p.name],
      priority: p.priority,
      handles: [
        { name: "self", object: img, rights: IMAGE_GRANT_RIGHTS },
        ...Object.entries(p.handles ?? {}).map(([name, [e, rights]]) => ({ name, object: eps[e], rights })),
      ],
      stdout: (b) => void out[p.name].push(b.slice()),
    });
    k.release(img);
    return hp;
  });
  for (const e of Object.values(eps)) k.release(e);
  const before = { ...fastPathCounts };
  await k.run();
  const rec: Record<string, number[]> = {};
  for (const s of w.procs) rec[s.name] = results(new Uint8Array(Buffer.concat(out[s.name])));
  const exit = Object.fromEntries(procs.map((p, i) => [w.procs[i].name, p.process.exit]));
  const taken = { pulseWait: fastPathCounts.pulseWait - before.pulseWait, pulse: fastPathCounts.pulse - before.pulse };
  const ipc = { ...k.core.ipc, handoffs: 0 };
  return { same: { trace: k.traceText(), now: k.core.clock.now(), rec, exit, strace, ipc }, taken, handoffs: k.core.ipc.handoffs };
}

async function both(w: Workload) {
  const fast = await run(w, true);
  const slow = await run(w, false);
  expect(slow.taken).toEqual({ pulseWait: 0, pulse: 0 });
  return { fast: fast.same, slow: slow.same, taken: fast.taken, handoffs: fast.handoffs };
}

/** The sum the pinger records for n rounds answered by the ponger alone: round i comes back as (i + 1, 2(3i - 7)). */
const pingSum = (n: number) => {
  let s = 0;
  for (let i = 1; i <= n; i++) s += i + 1 + 2 * (3 * i - 7);
  return s;
};

afterEach(() => mutatePulseWaitForTest(null));

describe("pulse_wait's flat path", () => {
  it("takes a ping-pong flat, handing the CPU over at each pulse, and the run is byte for byte the general path's", async () => {
    const w: Workload = {
      procs: [
        { name: "ping", bytes: pinger(300), priority: 128, handles: PING },
        { name: "pong", bytes: ponger(300), priority: 128, handles: PONG },
      ],
    };
    const { fast, slow, taken, handoffs } = await both(w);
    expect(fast.rec.ping.slice(0, 3)).toEqual([pingSum(300), 0, 0]);
    expect(fast.rec.pong).toEqual([0, 0, 300]);
    expect(taken.pulseWait).toBeGreaterThan(550);
    expect(handoffs).toBeGreaterThan(550);
    expect(fast).toEqual(slow);
  });

  it("crosses in and out of it with priorities, a hog that preempts, pulses queued where the caller waits and messages among them", async () => {
    const w: Workload = {
      quantumFuel: 3000,
      procs: [
        { name: "ping", bytes: pinger(250, true), priority: 100, handles: PING },
        { name: "pong", bytes: ponger(250, { alt: true }), priority: 120, handles: PONG },
        { name: "pulser", bytes: pulser(30, 0), priority: 100, handles: { ep: ["a", S] } },
        { name: "client", bytes: sender(20, 7_000), priority: 140, handles: { ep: ["a2", S] } },
        { name: "hog", bytes: hog(40_000, 150_000), priority: 110 },
        { name: "hog2", bytes: hog(9_000, 60_000), priority: 100 },
      ],
    };
    const { fast, slow, taken } = await both(w);
    expect(fast.rec.ping.slice(0, 3)).toEqual([pingSum(250), 20, 30 * 1000 + (30 * 31) / 2]); // every message answered, every pulse taken
    expect(fast.rec.client).toEqual([100]);
    expect(fast.rec.pong).toEqual([0, 0, 250]);
    expect(fast.trace).toContain(" preempt ");
    expect(fast.trace).toContain(" priority ");
    expect(taken.pulseWait).toBeGreaterThan(100);
    expect(fast).toEqual(slow);
  });

  it("gives the same virtual time, results and accounting untraced and under strace", async () => {
    for (const o of [{ trace: false }, { strace: true }]) {
      const w: Workload = {
        ...o,
        quantumFuel: 2500,
        procs: [
          { name: "ping", bytes: pinger(200), priority: 100, handles: PING },
          { name: "pong", bytes: ponger(200), priority: 100, handles: PONG },
          { name: "pulser", bytes: pulser(20, 5_000), priority: 100, handles: { ep: ["b", S] } },
          { name: "hog", bytes: hog(50_000, 100_000), priority: 100 },
        ],
      };
      const { fast, slow, taken } = await both(w);
      expect(fast.rec.ping.slice(0, 3)).toEqual([pingSum(200), 0, 0]);
      expect(fast.rec.pong).toEqual([0, 20 * 1000 + (20 * 21) / 2, 200]);
      expect(taken.pulseWait).toBeGreaterThan(50);
      if (o.strace) expect(fast.strace.length).toBeGreaterThan(400);
      expect(fast).toEqual(slow);
    }
  });

  it("gives the same run with the deadline class and with partitions (the run queue chooses)", async () => {
    for (const o of [{ deadline: [150_000, 1_000_000] as [number, number] }, { partition: 300 }]) {
      const w: Workload = {
        quantumFuel: 4000,
        procs: [
          { name: "ping", bytes: pinger(150), priority: 100, handles: PING },
          { name: "pong", bytes: ponger(150, o), priority: 100, handles: PONG },
          { name: "hog", bytes: hog(20_000, 150_000), priority: 100 },
        ],
      };
      const { fast, slow, taken } = await both(w);
      expect(fast.rec.ping.slice(0, 3)).toEqual([pingSum(150), 0, 0]);
      expect(fast.rec.pong).toEqual([0, 0, 150]);
      if ("deadline" in o) expect(fast.trace).toContain(" deadline-class ");
      expect(taken.pulseWait).toBeGreaterThan(0);
      expect(fast).toEqual(slow);
    }
  });

  it("leaves a receiver that waits with a deadline to the general path", async () => {
    const w: Workload = {
      procs: [
        { name: "ping", bytes: pinger(100), priority: 128, handles: PING },
        { name: "pong", bytes: ponger(100, { timed: true }), priority: 128, handles: PONG },
      ],
    };
    const { fast, slow, taken } = await both(w);
    expect(fast.rec.ping.slice(0, 3)).toEqual([pingSum(100), 0, 0]);
    expect(taken.pulseWait).toBe(0); // every wait of the ponger has a timer
    expect(fast).toEqual(slow);
  });
});

describe("pulse_wait's flat path in real time", () => {
  for (const epoch of [true, false]) {
    it(`delivers every pulse right with ${epoch ? "epoch preemption" : "the fuel counter"}`, async () => {
      const w: Workload = {
        realtime: { epoch },
        procs: [
          { name: "ping", bytes: pinger(300, true), priority: 128, handles: PING },
          { name: "pong", bytes: ponger(300, { alt: true }), priority: 128, handles: PONG },
          { name: "hog", bytes: hog(0, 3_000_000), priority: 128 },
        ],
      };
      const r = await run(w, true);
      expect(r.same.rec.ping.slice(0, 3)).toEqual([pingSum(300), 0, 0]);
      expect(r.same.rec.pong).toEqual([0, 0, 300]);
      for (const [name, e] of Object.entries(r.same.exit)) expect(e, name).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
      expect(r.taken.pulseWait).toBeGreaterThan(0);
    });
  }
});

describe("a wrong precondition in pulse_wait's flat path is caught", () => {
  async function differs(m: PulseWaitMutation, w: Workload): Promise<void> {
    const slow = (await run(w, false)).same;
    const right = await run(w, true);
    expect(right.same).toEqual(slow);
    mutatePulseWaitForTest(m);
    const fast = await run(w, true).then(
      (r) => r.same,
      (e: unknown) => ({ threw: String(e) }),
    );
    expect(fast).not.toEqual(slow);
  }

  it("a receiver waiting with a deadline taken flat (its timer left armed)", async () => {
    await differs("receive-timer", {
      procs: [
        { name: "ping", bytes: pinger(40), priority: 128, handles: PING },
        { name: "pong", bytes: ponger(40, { timed: true }), priority: 128, handles: PONG },
      ],
    });
  });

  it("the caller blocked though pulses are queued where it waits", async () => {
    await differs("wait-queue", {
      procs: [
        { name: "ping", bytes: pinger(60), priority: 128, handles: PING },
        { name: "pong", bytes: ponger(60), priority: 128, handles: PONG },
        { name: "pulser", bytes: pulser(10, 0), priority: 128, handles: { ep: ["a", S] } },
      ],
    });
  });

  it("the caller left serving the endpoint it waited on before (priority inheritance through the wrong endpoint)", async () => {
    await differs("associate", {
      quantumFuel: 3000,
      procs: [
        { name: "ping", bytes: pinger(200, true), priority: 100, handles: PING },
        { name: "pong", bytes: ponger(200, { alt: true }), priority: 100, handles: PONG },
        { name: "client", bytes: sender(15, 20_000), priority: 140, handles: { ep: ["a2", S] } },
      ],
    });
  });
});
