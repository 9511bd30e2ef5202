// pulse_wait pairs served in wasm against lazily synced kernel state (KernelCore.publishPulses and syncYields,
// kernel/ipc/fastpath.ts pulsePair, host/runtime/fast-yield.ts's pulse_wait; docs/fastpath.md "Yield in wasm:
// lazy state"). It must change nothing but the cost. Every workload runs twice, with the vDSO's pulse_wait and
// without it (every other fast path on, the TypeScript fastPulseWait), and must give the same results (the
// pulses' words as each receiver's IPC buffer shows them), virtual time, exits, trace, the same per-process
// accounting, billing, kept counters, IPC counts and state-table moves, and the same kernel state at every host
// event taken mid-run (states, what each process waits in and on, its registers, each endpoint's receivers,
// the run queue, the clock): the events break the pair (a kill of either side, a driver above it readied by a
// device's interrupt, a sleeper above it whose timer falls due, a pulse queued by a third sender, the send
// handle closed by the host, tracing switched on, a timer due exactly where a pulse_wait finds it). Then each
// step of the vDSO's pulse_wait and of the sync is dropped or moved, and the comparison must fail.
import { afterEach, describe, expect, it } from "vitest";
import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { DEVICE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { type FastPulseMutation, mutateFastPulseForTest } from "../../host/runtime/fast-yield.ts";
import { fastPulseCounts } from "../../kernel/fast/yields.ts";
import { fastPathCounts, mutatePulseSyncForTest, type PulseSyncMutation } from "../../kernel/ipc/fastpath.ts";
import { IPC_TRANSITIONS, transitionCounts, transitionKey } from "../../kernel/ipc/states.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";
import type { Process } from "../../kernel/objects/process.ts";
import {
  accounting,
  caught,
  driver,
  dueAtSliceEnd,
  eventDevice,
  kernelWide,
  pairModulesFromFirstPublication,
  pairWorkloads,
  sameOnAndOff,
  work,
} from "../helpers/lazy-vdso.ts";
import { guest, results } from "../helpers/wat.ts";

const BUF = 1024;
const S = Rights.SEND;
const R = Rights.RECEIVE;
const PAIR_IMPORTS = [
  "handle_get",
  "handle_dup",
  "handle_close",
  "ipc_buffer",
  "pulse_wait",
  "reply_wait",
  "pulse",
  "clock_now",
  "cpu_time",
];

/**
 * The pinger: n times (w loop turns of work, then pulse_wait(to, i, 3i - 7, from)). A third sender's pulse
 * (code >= 1000) is added up and the wait goes on (reply_wait with rcvid 0). Records the sum of the answers'
 * two words as its IPC buffer shows them, the third senders' codes, its clock, CPU time and memory's pages;
 * or the first error and its round. With growEvery, it grows its memory by a page every growEvery rounds;
 * with refuseAt, in that round it first records three pulse_waits the kernel refuses (a handle that names
 * nothing, a wait handle without RECEIVE, a send handle without SEND: each before pulsing). With closeAt, in
 * that round it pulses through a duplicate of its send handle from then on and closes the original (records
 * both results), and 50 rounds later records a pulse_wait on the closed one (the kernel's refusal).
 */
const pinger = (n: number, w: number, growEvery = 0, refuseAt = 0, closeAt = 0) =>
  guest(
    `
  (data (i32.const 0) "to")
  (data (i32.const 8) "from")
  (func (export "_start") (local $to i32) (local $from i32) (local $i i32) (local $j i32) (local $r i32) (local $sum i32) (local $extra i32)
      (local $old i32)
    (local.set $to (call $handle_get (i32.const 0) (i32.const 2)))
    (local.set $from (call $handle_get (i32.const 8) (i32.const 4)))
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (block $done
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        ${work(w)}
        ${growEvery > 0 ? `(if (i32.eqz (i32.rem_u (local.get $i) (i32.const ${growEvery}))) (then (drop (memory.grow (i32.const 1)))))` : ""}
        ${
          closeAt > 0
            ? `(if (i32.eq (local.get $i) (i32.const ${closeAt}))
                 (then
                   (local.set $old (local.get $to))
                   (local.set $to (call $handle_dup (local.get $old) (i32.const ${S})))
                   (call $rec (local.get $to))
                   (call $rec (call $handle_close (local.get $old)))))
               (if (i32.eq (local.get $i) (i32.const ${closeAt + 50}))
                 (then (call $rec (call $pulse_wait (local.get $old) (i32.const 1) (i32.const 2) (local.get $from)))))`
            : ""
        }
        ${
          refuseAt > 0
            ? `(if (i32.eq (local.get $i) (i32.const ${refuseAt}))
                 (then
                   (call $rec (call $pulse_wait (i32.const 999) (i32.const 1) (i32.const 2) (local.get $from)))
                   (call $rec (call $pulse_wait (local.get $to) (i32.const 1) (i32.const 2) (local.get $to)))
                   (call $rec (call $pulse_wait (local.get $from) (i32.const 1) (i32.const 2) (local.get $from)))))`
            : ""
        }
        (local.set $r (call $pulse_wait (local.get $to) (local.get $i) (i32.sub (i32.mul (local.get $i) (i32.const 3)) (i32.const 7)) (local.get $from)))
        (block $answer
          (loop $other
            (if (i32.ne (local.get $r) (i32.const 0)) (then (call $rec (local.get $i)) (call $rec (local.get $r)) (br $done)))
            (br_if $answer (i32.lt_s (i32.load (i32.const ${BUF})) (i32.const 1000)))
            (local.set $extra (i32.add (local.get $extra) (i32.load (i32.const ${BUF}))))
            (local.set $r (call $reply_wait (local.get $from) (i32.const 0) (i32.const 0) (i32.const 0)))
            (br $other)))
        (local.set $sum (i32.add (local.get $sum) (i32.add (i32.load (i32.const ${BUF})) (i32.load (i32.const ${BUF + 4})))))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${n})))))
    (call $rec (local.get $sum))
    (call $rec (local.get $extra))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $rec (i32.wrap_i64 (call $cpu_time (i32.const -1))))
    (call $rec (memory.size))
    (call $flush))`,
    { imports: PAIR_IMPORTS },
  );

/**
 * The ponger: answers n pulses on "from" with (code + 1, value * 2) on "to" after w loop turns of work, each
 * answer and the next wait one pulse_wait, the last answer a plain pulse. A third sender's pulse (code >= 1000)
 * is added up and the wait goes on. Records those codes, the answers given, its clock and CPU time (or the
 * error and the answers before it).
 */
const ponger = (n: number, w: number) =>
  guest(
    `
  (data (i32.const 0) "to")
  (data (i32.const 8) "from")
  (func (export "_start") (local $to i32) (local $from i32) (local $j i32) (local $n i32) (local $r i32)
      (local $code i32) (local $value i32) (local $extra i32)
    (local.set $to (call $handle_get (i32.const 0) (i32.const 2)))
    (local.set $from (call $handle_get (i32.const 8) (i32.const 4)))
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (local.set $r (call $reply_wait (local.get $from) (i32.const 0) (i32.const 0) (i32.const 0)))
    (block $done
      (loop $l
        (if (i32.ne (local.get $r) (i32.const 0)) (then (call $rec (local.get $n)) (call $rec (local.get $r)) (br $done)))
        (local.set $code (i32.load (i32.const ${BUF})))
        (local.set $value (i32.load (i32.const ${BUF + 4})))
        (if (i32.ge_s (local.get $code) (i32.const 1000))
          (then
            (local.set $extra (i32.add (local.get $extra) (local.get $code)))
            (local.set $r (call $reply_wait (local.get $from) (i32.const 0) (i32.const 0) (i32.const 0)))
            (br $l)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        ${work(w)}
        (if (i32.eq (local.get $n) (i32.const ${n}))
          (then (drop (call $pulse (local.get $to) (i32.add (local.get $code) (i32.const 1)) (i64.extend_i32_s (i32.shl (local.get $value) (i32.const 1))))) (br $done)))
        (local.set $r (call $pulse_wait (local.get $to) (i32.add (local.get $code) (i32.const 1)) (i32.shl (local.get $value) (i32.const 1)) (local.get $from)))
        (br $l)))
    (call $rec (local.get $extra))
    (call $rec (local.get $n))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $rec (i32.wrap_i64 (call $cpu_time (i32.const -1))))
    (call $flush))`,
    { imports: PAIR_IMPORTS },
  );

/** Sleeps `ns`, then `k` times pulses "ep" (code 1000 + i) and works; records its clock (a third sender, or with k = 0 a sleeper). */
const pulser = (ns: number, k: number, w: number) =>
  guest(
    `
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $i i32) (local $j i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (drop (call $sleep (i64.const ${ns})))
    ${work(w)}
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${k})))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (call $rec (call $pulse (local.get $ep) (i32.add (i32.const 1000) (local.get $i)) (i64.const 0)))
        (br $l)))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`,
    { imports: ["handle_get", "sleep", "pulse", "clock_now"] },
  );

type EndpointName = "a" | "b";

interface Proc {
  name: string;
  bytes: Uint8Array;
  priority: number;
  /** Handle name -> [endpoint, rights]. */
  handles?: Record<string, [EndpointName, number]>;
  /** Gets the device "dev" (the driver). */
  dev?: boolean;
}

/** What a host event does besides looking. */
type Act = "look" | "irq" | "kill-ping" | "kill-pong" | "trace" | "close-to";

interface Workload {
  procs: Proc[];
  /** Host events: a device timer at each virtual time, and what it does. */
  events?: [number, Act][];
  quantumFuel?: number;
  windowNs?: number;
  trace?: boolean;
}

/** ping waits on a and pulses b; pong waits on b and pulses a. */
const PING: Proc["handles"] = { to: ["b", S], from: ["a", R] };
const PONG: Proc["handles"] = { to: ["a", S], from: ["b", R] };

const pair = (n: number, wPing: number, wPong: number, priority = 128): Proc[] => [
  { name: "ping", bytes: pinger(n, wPing), priority, handles: PING },
  { name: "pong", bytes: ponger(n, wPong), priority, handles: PONG },
];

/** The kernel as a host event sees it (through the facade's core, which syncs the words first; virtual time by peek). */
function look(k: Kernel, procs: Process[], eps: Endpoint[]) {
  const core = k.core;
  return {
    ...kernelWide(core),
    procs: procs.map((p) => ({
      ...accounting(p),
      blockedIn: p.blockedIn,
      unblock: p.unblock === null ? "none" : p.unblock === p.ipcUnblock.receive ? "receive" : "other",
      receiving: p.receiving === null ? null : { ep: eps.indexOf(p.receiving.endpoint), buf: p.receiving.bufPtr, len: p.receiving.bufLen },
      receiveTimer: p.ipcUnblock.receiveTimer !== null,
      nextRun: p.nextRun,
      priority: p.priority,
      pulsePriority: p.pulsePriority,
      lastEndpoint: p.lastEndpoint === null ? -1 : eps.indexOf(p.lastEndpoint),
      mr: { kind: p.mr.kind, from: p.mr.senderPid, words: [0, 1, 2, 3].map((i) => p.mr.word(i)), status: p.mr.status, rcvid: p.mr.rcvid },
    })),
    eps: eps.map((e) => ({
      receivers: e.receivers.map((p) => p.pid),
      queue: e.queue.length,
      pending: e.pendingPulses.size,
      closed: e.closed,
    })),
    seq: (core as unknown as { seqCounter: number }).seqCounter,
  };
}

/** The state table's counts, as one array (they are global: the runs compare the moves each made). */
const moves = () => IPC_TRANSITIONS.map((t) => transitionCounts.get(transitionKey(t)));

async function run(w: Workload, fastPulse: boolean) {
  const k = new Kernel({ trace: w.trace ?? false, fastPulse, sched: { quantumFuel: w.quantumFuel, windowNs: w.windowNs } });
  const { dev, ctx } = eventDevice(k);
  const named = { a: k.createEndpoint(), b: k.createEndpoint() };
  const eps = [named.a, named.b];
  const out: Record<string, Uint8Array[]> = {};
  const hps = w.procs.map((p) => {
    out[p.name] = [];
    const img = k.loadImage(p.bytes, p.name);
    const hp = k.spawn(img, {
      args: [p.name],
      priority: p.priority,
      handles: [
        ...(p.dev ? [{ name: "dev", object: dev, rights: DEVICE_GRANT_RIGHTS }] : []),
        ...Object.entries(p.handles ?? {}).map(([name, [e, rights]]) => ({ name, object: named[e], rights })),
      ],
      stdout: (b) => void out[p.name].push(b.slice()),
    });
    k.release(img);
    return hp;
  });
  k.release(dev);
  for (const e of eps) k.release(e);
  const procs = hps.map((h) => h.process);
  const byName = (n: string) => procs[w.procs.findIndex((p) => p.name === n)];
  const seen: unknown[] = [];
  for (const [at, act] of w.events ?? [])
    ctx().setTimer(at, () => {
      seen.push(look(k, procs, eps));
      if (act === "irq") ctx().interrupt(1, at);
      else if (act === "trace") k.core.setTracing(true);
      else if (act === "kill-ping" || act === "kill-pong")
        k.core.terminate(byName(act.slice(5)), -1, ExitReason.KILLED, "killed by the host");
      else if (act === "close-to") {
        const p = byName("ping");
        seen.push(p.handles.close(p.names.get("to")!));
      }
    });
  const served = fastPulseCounts.served;
  const flat = fastPathCounts.pulseWait;
  const before = moves();
  await k.run();
  const s = k.core.sched;
  const end = look(k, procs, eps);
  const now = k.core.clock.now();
  s.settleBilling();
  const per = Object.fromEntries(
    procs.map((p, i) => [
      w.procs[i].name,
      { rec: results(new Uint8Array(Buffer.concat(out[w.procs[i].name]))), exit: p.exit, preemptions: p.sched.preemptions },
    ]),
  );
  const after = moves();
  return {
    snapshot: {
      trace: k.traceText(),
      now,
      per,
      end,
      seen,
      system: { total: s.system.totalNs, usage: s.system.usage(now) },
      moves: after.map((n, i) => n - before[i]),
      flat: fastPathCounts.pulseWait - flat,
    },
    served: fastPulseCounts.served - served,
  };
}

/** Runs w with the vDSO's pulse_wait and without it; they must match, and the vDSO must have served at least `min` pulses. */
function same(w: Workload, min: number) {
  return sameOnAndOff((on) => run(w, on), min);
}

/** The sum the pinger records for n rounds answered by the ponger: round i comes back as (i + 1, 2(3i - 7)). */
const pingSum = (n: number) => {
  let s = 0;
  for (let i = 1; i <= n; i++) s += i + 1 + 2 * (3 * i - 7);
  return s;
};

/** One endpoint for both ways: each side pulses it and waits on it (pong first, so the first pulse finds it waiting). */
const shared = (): Workload => ({
  procs: [
    { name: "pong", bytes: ponger(400, 50), priority: 128, handles: { to: ["a", S], from: ["a", R] } },
    { name: "ping", bytes: pinger(400, 20), priority: 128, handles: { to: ["a", S], from: ["a", R] } },
  ],
  events: [
    [100_001, "look"],
    [233_333, "look"],
  ],
});

/** The pinger grows its memory every 50 rounds with no kernel entry (the pair module imports its memory: the same object, grown). */
const grow = (): Workload => ({
  procs: [
    { name: "ping", bytes: pinger(400, 30, 50), priority: 128, handles: PING },
    { name: "pong", bytes: ponger(400, 30), priority: 128, handles: PONG },
  ],
  events: [[200_001, "look"]],
});

/** Refusals mid-run, while the pair is the vDSO's: the errors must be the kernel's, and nothing pulsed. */
const refusals = (): Workload => ({
  procs: [
    { name: "ping", bytes: pinger(300, 30, 0, 150), priority: 128, handles: PING },
    { name: "pong", bytes: ponger(300, 30), priority: 128, handles: PONG },
  ],
  events: [[100_001, "look"]],
});

/** The pinger's send handle replaced by a duplicate mid-run, the original closed and named again later. */
const replaced = (): Workload => ({
  procs: [
    { name: "ping", bytes: pinger(300, 30, 0, 0, 100), priority: 128, handles: { to: ["b", S | Rights.DUPLICATE], from: ["a", R] } },
    { name: "pong", bytes: ponger(300, 30), priority: 128, handles: PONG },
  ],
  events: [[100_001, "look"]],
});

/** Two base priorities: the pulse's priority moves the receiver (QNX's pulse priority), which the vDSO leaves to the kernel. */
const priorities = (): Workload => ({
  procs: [
    { name: "ping", bytes: pinger(200, 30), priority: 128, handles: PING },
    { name: "pong", bytes: ponger(200, 30), priority: 140, handles: PONG },
  ],
  events: [[100_001, "look"]],
});

const plain = (): Workload => ({
  procs: pair(400, 30, 70),
  events: [
    [150_001, "look"],
    [222_222, "look"],
    [400_003, "look"],
    [400_789, "look"],
  ],
});

/** A sleeper above the pair whose timer falls due mid-run, one at its priority, and a lower process queued all along. */
const timers = (): Workload => ({
  procs: [
    ...pair(400, 40, 20),
    { name: "above", bytes: pulser(301_003, 0, 200), priority: 160, handles: { ep: ["a", S] } },
    { name: "same", bytes: pulser(123_457, 0, 300), priority: 128, handles: { ep: ["a", S] } },
    { name: "low", bytes: pulser(1, 0, 50), priority: 100, handles: { ep: ["a", S] } },
  ],
  events: [[250_001, "look"]],
});

/** Third senders (above the pair, woken by their timers) queue pulses where each side waits. */
const third = (): Workload => ({
  procs: [
    ...pair(400, 25, 25),
    { name: "p1", bytes: pulser(100_003, 2, 10), priority: 150, handles: { ep: ["a", S] } },
    { name: "p2", bytes: pulser(200_009, 3, 10), priority: 150, handles: { ep: ["b", S] } },
  ],
  events: [[300_001, "look"]],
});

const irq = (): Workload => ({
  procs: [...pair(500, 30, 30), { name: "drv", bytes: driver(3, 100), priority: 200, dev: true }],
  events: [
    [100_003, "irq"],
    [250_001, "irq"],
    [400_007, "irq"],
  ],
});

const kill = (side: "ping" | "pong"): Workload => ({
  procs: pair(500, 25, 35),
  events: [[300_001, side === "ping" ? "kill-ping" : "kill-pong"]],
});

const { closed, tracing, latency, quanta } = pairWorkloads(pair);

/** Many billing buckets (a 200 us window: 10 us buckets) and a far timer that bounds the slices. */
const billing = (): Workload => ({
  windowNs: 200_000,
  procs: [...pair(600, 20, 20), { name: "late", bytes: pulser(900_001, 0, 10), priority: 128, handles: { ep: ["a", S] } }],
});

/** A timer due exactly where a pulse_wait ends its slice. */
const dueAtPulse = () => dueAtSliceEnd(pair(700, 0, 0), run);

pairModulesFromFirstPublication();

afterEach(() => {
  mutateFastPulseForTest(null);
  mutatePulseSyncForTest(null);
});

describe("pulse_wait pairs in wasm against lazily synced kernel state", () => {
  it("gives a pulse pair the run the TypeScript pulse_wait gives, and the same kernel state at host events mid-run", async () => {
    const s = await same(plain(), 700);
    expect(s.per.ping.rec.slice(0, 2)).toEqual([pingSum(400), 0]);
    expect(s.per.pong.rec.slice(0, 2)).toEqual([0, 400]);
    expect(s.seen).toHaveLength(4);
    for (const p of Object.values(s.per)) expect(p.exit).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
  });

  it("serves a pair that pulses and waits on one endpoint the same way", async () => {
    const s = await same(shared(), 700);
    expect(s.per.ping.rec.slice(0, 2)).toEqual([pingSum(400), 0]);
  });

  it("delivers into an IPC buffer whose memory grew between two pulses", async () => {
    const s = await same(grow(), 700);
    expect(s.per.ping.rec.slice(0, 2)).toEqual([pingSum(400), 0]);
    expect(s.per.ping.rec[4]).toBe(1 + 400 / 50); // every grow took
  });

  it("leaves every refusal to the kernel: a wrong handle falls back before anything changes", async () => {
    const s = await same(refusals(), 500);
    const [bad, noReceive, noSend] = s.per.ping.rec.slice(0, 3);
    expect([bad, noReceive, noSend].every((e) => e < 0)).toBe(true);
    expect(s.per.ping.rec.slice(3, 5)).toEqual([pingSum(300), 0]);
  });

  it("publishes a send handle the pinger replaced mid-run, and leaves the closed one to the kernel", async () => {
    const s = await same(replaced(), 500);
    const [dup, closed, stale] = s.per.ping.rec.slice(0, 3);
    expect(dup).toBeGreaterThan(0);
    expect(closed).toBe(0);
    expect(stale).toBeLessThan(0);
    expect(s.per.ping.rec.slice(3, 5)).toEqual([pingSum(300), 0]);
  });

  it("leaves a pair at two priorities (a pulse priority in effect) to the kernel", async () => {
    const on = await run(priorities(), true);
    const off = await run(priorities(), false);
    expect(on.served).toBe(0);
    expect(on.snapshot).toEqual(off.snapshot);
    expect(on.snapshot.per.ping.rec[0]).toBe(pingSum(200));
  });

  it("leaves a timer falling due to the kernel: a sleeper above the pair and one beside it wake at the same virtual times", async () => {
    const s = await same(timers(), 500);
    expect(s.per.above.rec[0]).toBeGreaterThan(301_003);
    expect(s.per.low.rec[0]).toBeGreaterThan(s.per.ping.rec[2]); // the lower one ran after the pair
  });

  it("takes the pulses a third sender queues where either side waits the same way", async () => {
    const s = await same(third(), 500);
    expect(s.per.ping.rec.slice(0, 2)).toEqual([pingSum(400), 2 * 1000 + 3]);
    expect(s.per.pong.rec[0]).toBe(3 * 1000 + 6);
  });

  it("gives a higher-priority driver readied by a device's interrupt the CPU at the same time", async () => {
    const s = await same(irq(), 500);
    expect(s.per.drv.rec).toHaveLength(3);
    expect(s.per.drv.rec[0]).toBeGreaterThan(100_003);
  });

  it("syncs before a host kill of the side that runs or the side that waits", async () => {
    for (const side of ["ping", "pong"] as const) {
      const s = await same(kill(side), 100);
      expect(s.per[side].exit?.reason).toBe(ExitReason.KILLED);
    }
  });

  it("refuses a pulse_wait on a send handle the host closed mid-run, as the kernel does", async () => {
    const s = await same(closed(), 100);
    expect(s.seen[1]).toBe(0);
    expect(s.per.ping.rec[1]).toBeLessThan(0); // the error the kernel gave, after the round in rec[0]
  });

  it("traces the same from when tracing is switched on mid-run", async () => {
    const s = await same(tracing(), 100);
    expect(s.trace).toContain(" run");
    expect(s.trace.split("\n")[0].split(" ")[0] >= "200001").toBe(true);
  });

  it("counts the same latency misses", async () => {
    const s = await same(latency(), 20);
    expect(s.end.procs.reduce((n, p) => n + p.latencyMisses, 0)).toBeGreaterThan(0);
  });

  it("bills the same across many buckets, with a far timer bounding the slices", async () => {
    await same(billing(), 300);
  });

  it("keeps the same accounting when quanta run out mid-run", async () => {
    await same(quanta(), 200);
  });

  it("hands the kernel a timer due exactly where a pulse_wait finds it", async () => {
    await same(await dueAtPulse(), 500);
  });
});

describe("a wrong step in the vDSO's pulse_wait or its sync is caught", () => {
  async function differs(m: FastPulseMutation | PulseSyncMutation, w: Workload): Promise<void> {
    await caught(
      (on) => run(w, on),
      () =>
        m === "receivers" || m === "counts" || m === "parity" || m === "registers" ? mutatePulseSyncForTest(m) : mutateFastPulseForTest(m),
    );
  }

  it("the receiver's wait started after the sender's charge (yield's order)", () => differs("readied", plain()));
  it("the blocked sender given a fresh quantum (yield's)", () => differs("quantum", plain()));
  it("the receiver's dispatch accounted before the sender's slice", () => differs("order", latency()));
  it("the sync taking an odd count of pulses served as even", () => differs("parity", plain()));
  it("the tier's latency check skipped", () => differs("latency", latency()));
  it("a due timer not left to the kernel", async () => differs("timer", await dueAtPulse()));
  it("deferred billing added past its bucket", () => differs("bucket", billing()));
  it("the next timer not bounding the slice", () => differs("bound", billing()));
  it("the switch cost not charged to the receiver", () => differs("cost", plain()));
  it("a counter written where the kernel keeps it", () => differs("kept", plain()));
  it("the pulse not delivered into the receiver's IPC buffer", () => differs("deliver", plain()));
  it("the handles not compared (a closed one served)", () => differs("handles", replaced()));
  it("the registers not set from the last pulse each side received", () => differs("registers", plain()));
  it("the side left blocked not put back on its endpoint's receivers", () => differs("receivers", plain()));
  it("the IPC counts not gaining the pulses served", () => differs("counts", plain()));
});
