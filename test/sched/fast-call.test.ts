// call / reply_wait pairs served in wasm against lazily synced kernel state (KernelCore.publishCalls and
// syncYields, kernel/ipc/fastpath.ts callPair and callPairServed, host/runtime/fast-yield.ts's call and
// reply_wait; docs/fastpath.md "call and reply_wait pairs in wasm: lazy state"). It must change nothing but the
// cost. Every workload runs twice, with the vDSO's call and reply_wait and without them (every other fast path
// on, the TypeScript fastCall and fastReplyWait), and must give the same results (the words each way as each
// side's IPC buffer shows them, the rcvids, the statuses), virtual time, exits, trace, the same per-process
// accounting, billing, kept counters, IPC counts and state-table moves, and the same kernel state at every
// host event taken mid-run (states, what each process waits in and on, its registers, its call message and
// what it serves, each endpoint's receivers, the run queue, the clock, the sequence and rcvid counters): the
// events break the pair (a kill of either side, a driver above it readied by a device's interrupt, a sleeper
// above it whose timer falls due, a third client calling the server, the client's handle closed by the host,
// tracing switched on, a timer due exactly where a call finds it). Then each step of the vDSO's call and
// reply_wait and of the sync is dropped or moved, and the comparison must fail.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { DEVICE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { type FastCallMutation, mutateFastCallForTest, PAIR_MODULE } from "../../host/runtime/fast-yield.ts";
import { fastCallCounts } from "../../kernel/fast/yields.ts";
import { type CallSyncMutation, fastPathCounts, mutateCallSyncForTest } from "../../kernel/ipc/fastpath.ts";
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
  sleeper,
  work,
} from "../helpers/lazy-vdso.ts";
import { guest, results } from "../helpers/wat.ts";

const BUF = 1024;
const S = Rights.SEND;
const R = Rights.RECEIVE;
const PAIR_IMPORTS = ["handle_get", "handle_dup", "handle_close", "ipc_buffer", "call", "reply_wait", "clock_now", "cpu_time"];

/**
 * The client: n rounds of (w loop turns of work, words i, 3i - 7, i * i, -i in its IPC buffer, call(to, i % 5)),
 * then, with quit, a last call with word 0 = -1 (the server's signal to end). Adds up each round's status and
 * the four answer words as its buffer shows them (words past what the server answered must read 0). Records
 * the sum, its clock, CPU time and memory's pages; or the round and the error. With growEvery, it grows its
 * memory by a page every growEvery rounds; with refuseAt, in that round it first records three calls the
 * kernel refuses (a handle that names nothing, 5 words). With sideAt (its handle with RECEIVE too), in that round a
 * reply_wait on it naming an rcvid nobody holds (refused: the handle becomes its cached wait handle), and in the
 * next a reply_wait naming the rcvid of its own last call (the one its server holds last: refused, the client
 * serves nothing, and left to the kernel only by the vDSO's check of which side calls).
 */
const client = (
  n: number,
  w: number,
  o: { growEvery?: number; refuseAt?: number; quit?: boolean; prefix?: number; sideAt?: number } = {},
) =>
  guest(
    `
  (data (i32.const 0) "to")
  (func (export "_start") (local $to i32) (local $i i32) (local $j i32) (local $r i32) (local $sum i32)
    (local.set $to (call $handle_get (i32.const 0) (i32.const 2)))
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (block $done
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        ${work(w)}
        ${(o.growEvery ?? 0) > 0 ? `(if (i32.eqz (i32.rem_u (local.get $i) (i32.const ${o.growEvery}))) (then (drop (memory.grow (i32.const 1)))))` : ""}
        ${
          (o.refuseAt ?? 0) > 0
            ? `(if (i32.eq (local.get $i) (i32.const ${o.refuseAt}))
                 (then
                   (call $rec (call $call (i32.const 999) (i32.const 2)))
                   (call $rec (call $call (local.get $to) (i32.const 5)))))`
            : ""
        }
        ${
          (o.sideAt ?? 0) > 0
            ? `(if (i32.eq (local.get $i) (i32.const ${o.sideAt}))
                 (then (call $rec (call $reply_wait (local.get $to) (i32.const 999999) (i32.const 0) (i32.const 0)))))
               (if (i32.eq (local.get $i) (i32.const ${(o.sideAt ?? 0) + 1}))
                 (then (call $rec (call $reply_wait (local.get $to) (i32.load (i32.const ${BUF + 8})) (i32.const 0) (i32.const 0)))))`
            : ""
        }
        (i32.store (i32.const ${BUF}) (i32.add (local.get $i) (i32.const ${o.prefix ?? 0})))
        (i32.store (i32.const ${BUF + 4}) (i32.sub (i32.mul (local.get $i) (i32.const 3)) (i32.const 7)))
        (i32.store (i32.const ${BUF + 8}) (i32.mul (local.get $i) (local.get $i)))
        (i32.store (i32.const ${BUF + 12}) (i32.sub (i32.const 0) (local.get $i)))
        (local.set $r (call $call (local.get $to) (i32.rem_u (local.get $i) (i32.const 5))))
        (if (i32.lt_s (local.get $r) (i32.const 0)) (then (call $rec (local.get $i)) (call $rec (local.get $r)) (br $done)))
        (local.set $sum (i32.add (local.get $sum) (local.get $r)))
        (local.set $sum (i32.add (local.get $sum) (i32.load (i32.const ${BUF}))))
        (local.set $sum (i32.add (local.get $sum) (i32.mul (i32.load (i32.const ${BUF + 4})) (i32.const 3))))
        (local.set $sum (i32.add (local.get $sum) (i32.mul (i32.load (i32.const ${BUF + 8})) (i32.const 5))))
        (local.set $sum (i32.add (local.get $sum) (i32.mul (i32.load (i32.const ${BUF + 12})) (i32.const 7))))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
      ${o.quit === false ? "" : `(i32.store (i32.const ${BUF}) (i32.const -1)) (call $rec (call $call (local.get $to) (i32.const 1)))`})
    (call $rec (local.get $sum))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $rec (i32.wrap_i64 (call $cpu_time (i32.const -1))))
    (call $rec (memory.size))
    (call $flush))`,
    { imports: PAIR_IMPORTS },
  );

/**
 * The server: reply_wait on "from" until a message whose word 0 is -1 (answered with status 7, then it ends).
 * Each message (w0..w3 as its buffer shows them) is answered after w loop turns of work with status w0 + w1 and
 * the words w0 + 1, 2 * w1, its rcvid, w2 + w3, of which (w0 mod 5) are sent. A pulse (rcvid 0) is added up.
 * Records the messages served, the sum of the rcvids and of the words, its clock and CPU time; with refuseAt,
 * in that message it first records a reply_wait the kernel refuses (an rcvid it does not hold).
 */
const server = (w: number, refuseAt = 0) =>
  guest(
    `
  (data (i32.const 0) "from")
  (func (export "_start") (local $from i32) (local $j i32) (local $r i32) 
      (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local.set $from (call $handle_get (i32.const 0) (i32.const 4)))
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (local.set $r (call $reply_wait (local.get $from) (i32.const 0) (i32.const 0) (i32.const 0)))
    (block $done
      (loop $l
        (if (i32.lt_s (local.get $r) (i32.const 0)) (then (call $rec (global.get $n)) (call $rec (local.get $r)) (br $done)))
        (local.set $w0 (i32.load (i32.const ${BUF})))
        (local.set $w1 (i32.load (i32.const ${BUF + 4})))
        (local.set $w2 (i32.load (i32.const ${BUF + 8})))
        (local.set $w3 (i32.load (i32.const ${BUF + 12})))
        (if (i32.eq (local.get $w0) (i32.const -1))
          (then (call $report) (drop (call $reply_wait (local.get $from) (local.get $r) (i32.const 7) (i32.const 0))) (return)))
        (global.set $n (i32.add (global.get $n) (i32.const 1)))
        (global.set $rs (i32.add (global.get $rs) (local.get $r)))
        (global.set $ws (i32.add (global.get $ws) (i32.add (i32.add (local.get $w0) (i32.mul (local.get $w1) (i32.const 3)))
          (i32.add (i32.mul (local.get $w2) (i32.const 5)) (i32.mul (local.get $w3) (i32.const 7))))))
        ${work(w)}
        ${refuseAt > 0 ? `(if (i32.eq (global.get $n) (i32.const ${refuseAt})) (then (call $rec (call $reply_wait (local.get $from) (i32.add (local.get $r) (i32.const 1000)) (i32.const 0) (i32.const 0)))))` : ""}
        (i32.store (i32.const ${BUF}) (i32.add (local.get $w0) (i32.const 1)))
        (i32.store (i32.const ${BUF + 4}) (i32.shl (local.get $w1) (i32.const 1)))
        (i32.store (i32.const ${BUF + 8}) (local.get $r))
        (i32.store (i32.const ${BUF + 12}) (i32.add (local.get $w2) (local.get $w3)))
        (local.set $r (call $reply_wait (local.get $from) (local.get $r) (i32.add (local.get $w0) (local.get $w1))
          (i32.rem_u (local.get $w0) (i32.const 5))))
        (br $l)))
    (call $report))
  (global $n (mut i32) (i32.const 0))
  (global $rs (mut i32) (i32.const 0))
  (global $ws (mut i32) (i32.const 0))
  (func $report
    (call $rec (global.get $n))
    (call $rec (global.get $rs))
    (call $rec (global.get $ws))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $rec (i32.wrap_i64 (call $cpu_time (i32.const -1))))
    (call $flush))`,
    { imports: PAIR_IMPORTS },
  );

interface Proc {
  name: string;
  bytes: Uint8Array;
  priority: number;
  /** Handle name -> rights on the one endpoint. */
  handles?: Record<string, number>;
  dev?: boolean;
  /** A wrapper that sleeps first (a third client): the sleep is its own process's, so the bytes are a client's and it is spawned late by a sleeper's timer. */
}

type Act = "look" | "irq" | "kill-client" | "kill-server" | "trace" | "close-to" | "third";

interface Workload {
  procs: Proc[];
  events?: [number, Act][];
  quantumFuel?: number;
  windowNs?: number;
  trace?: boolean;
  /** The kernel's rcvid counter at the start (its wrap). */
  rcvidFrom?: number;
  /** The third client's bytes and priority (spawned by a "third" event). */
  thirdClient?: Proc;
}

const pair = (n: number, wc: number, ws: number, priority = 128, o: Parameters<typeof client>[2] = {}, refuseServer = 0): Proc[] => [
  { name: "server", bytes: server(ws, refuseServer), priority, handles: { from: R } },
  { name: "client", bytes: client(n, wc, o), priority, handles: { to: S } },
];

/** The kernel as a host event sees it (through the facade's core, which syncs the words first; virtual time by peek). */
function look(k: Kernel, procs: Process[], eps: Endpoint[]) {
  const core = k.core;
  return {
    ...kernelWide(core),
    procs: procs.map((p) => {
      const m = p.callMessage;
      return {
        ...accounting(p),
        blockedIn: p.blockedIn,
        unblock:
          p.unblock === null ? "none" : p.unblock === p.ipcUnblock.receive ? "receive" : p.unblock === p.ipcUnblock.send ? "send" : "other",
        receiving:
          p.receiving === null ? null : { ep: eps.indexOf(p.receiving.endpoint), buf: p.receiving.bufPtr, len: p.receiving.bufLen },
        receiveTimer: p.ipcUnblock.receiveTimer !== null,
        nextRun: p.nextRun,
        priority: p.priority,
        lastEndpoint: p.lastEndpoint === null ? -1 : eps.indexOf(p.lastEndpoint),
        sending: p.sending === null ? -1 : p.sending.rcvid,
        serving: p.serving.size,
        servingOnly: p.serving.only?.rcvid ?? -1,
        message:
          m === null
            ? null
            : {
                rcvid: m.rcvid,
                seq: m.seq,
                done: m.done,
                words: m.narrow === null ? null : [...m.narrow],
                taken: m.taken,
                server: m.server?.pid ?? 0,
              },
        mr: { kind: p.mr.kind, from: p.mr.senderPid, words: [0, 1, 2, 3].map((i) => p.mr.word(i)), status: p.mr.status, rcvid: p.mr.rcvid },
      };
    }),
    eps: eps.map((e) => ({ receivers: e.receivers.map((p) => p.pid), queue: e.queue.length, closed: e.closed })),
    seq: (core as unknown as { seqCounter: number }).seqCounter,
    rcvid: (core as unknown as { rcvidCounter: number }).rcvidCounter,
  };
}

const moves = () => IPC_TRANSITIONS.map((t) => transitionCounts.get(transitionKey(t)));

async function run(w: Workload, fastCall: boolean) {
  const k = new Kernel({ trace: w.trace ?? false, fastCall, sched: { quantumFuel: w.quantumFuel, windowNs: w.windowNs } });
  if (w.rcvidFrom !== undefined) (k.core as unknown as { rcvidCounter: number }).rcvidCounter = w.rcvidFrom;
  const { dev, ctx } = eventDevice(k);
  const ep = k.createEndpoint();
  const eps = [ep];
  const out: Record<string, Uint8Array[]> = {};
  const procs: Process[] = [];
  const names: string[] = [];
  const spawn = (p: Proc) => {
    out[p.name] = [];
    const img = k.loadImage(p.bytes, p.name);
    const hp = k.spawn(img, {
      args: [p.name],
      priority: p.priority,
      handles: [
        ...(p.dev ? [{ name: "dev", object: dev, rights: DEVICE_GRANT_RIGHTS }] : []),
        ...Object.entries(p.handles ?? {}).map(([name, rights]) => ({ name, object: ep, rights })),
      ],
      stdout: (b) => void out[p.name].push(b.slice()),
    });
    k.release(img);
    procs.push(hp.process);
    names.push(p.name);
  };
  for (const p of w.procs) spawn(p);
  const byName = (n: string) => procs[names.indexOf(n)];
  const seen: unknown[] = [];
  for (const [at, act] of w.events ?? [])
    ctx().setTimer(at, () => {
      seen.push(look(k, procs, eps));
      if (act === "irq") ctx().interrupt(1, at);
      else if (act === "trace") k.core.setTracing(true);
      else if (act === "kill-client" || act === "kill-server")
        k.core.terminate(byName(act.slice(5)), -1, ExitReason.KILLED, "killed by the host");
      else if (act === "close-to") {
        const p = byName("client");
        seen.push(p.handles.close(p.names.get("to")!));
      } else if (act === "third") spawn(w.thirdClient!);
    });
  const served = fastCallCounts.served;
  const flat = fastPathCounts.call + fastPathCounts.replyWait;
  const before = moves();
  await k.run();
  k.release(dev);
  k.release(ep);
  const s = k.core.sched;
  const end = look(k, procs, eps);
  const now = k.core.clock.now();
  s.settleBilling();
  const per = Object.fromEntries(
    procs.map((p, i) => [
      names[i],
      { rec: results(new Uint8Array(Buffer.concat(out[names[i]]))), exit: p.exit, preemptions: p.sched.preemptions },
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
      flat: fastPathCounts.call + fastPathCounts.replyWait - flat,
    },
    served: fastCallCounts.served - served,
  };
}

function same(w: Workload, min: number) {
  return sameOnAndOff((on) => run(w, on), min);
}

/**
 * What the client adds up for rounds 1..n (status w0 + w1, the answer words as the server sends (w0 mod 5) of
 * them, word 2 the rcvid), when round i's call has rcvid i + base (no other messages).
 */
function clientSum(n: number, base = 0): number {
  let s = 0;
  for (let i = 1; i <= n; i++) {
    const sent = i % 5;
    const w = [i, 3 * i - 7, i * i, -i].map((v, j) => (j < sent ? v : 0));
    const ans = [w[0] + 1, 2 * w[1], i + base, w[2] + w[3]];
    const got = w[0] % 5;
    s = (s + w[0] + w[1]) | 0;
    for (let j = 0; j < 4; j++) if (j < got) s = (s + ans[j] * [1, 3, 5, 7][j]) | 0;
  }
  return s;
}

const plain = (): Workload => ({
  procs: pair(400, 30, 70),
  events: [
    [150_001, "look"],
    [222_222, "look"],
    [400_003, "look"],
    [400_789, "look"],
  ],
});

/** The client grows its memory every 50 rounds with no kernel entry (the pair module imports its memory: the same object, grown). */
const grow = (): Workload => ({ procs: pair(400, 30, 30, 128, { growEvery: 50 }), events: [[200_001, "look"]] });

/** Refusals mid-run, while the pair is the vDSO's: a call on a handle naming nothing, a call of 5 words, a reply_wait naming an rcvid not held. */
const refusals = (): Workload => ({ procs: pair(300, 30, 30, 128, { refuseAt: 150 }, 100), events: [[100_001, "look"]] });

/** The client names the server's side: a reply_wait on its own handle (SEND and RECEIVE) with the rcvid its server holds. */
const wrongSide = (): Workload => ({
  procs: [
    { name: "server", bytes: server(30), priority: 128, handles: { from: R } },
    { name: "client", bytes: client(300, 30, { sideAt: 103 }), priority: 128, handles: { to: S | R } },
  ],
  events: [[100_001, "look"]],
});

/** The rcvid counter starts just below its wrap: the calls served in wasm number past it as nextRcvid does (1 after 0x7fffffff). */
const wrap = (): Workload => ({ rcvidFrom: 0x7fffffff - 101, procs: pair(300, 20, 20), events: [[60_001, "look"]] });

/** Two base priorities (the server inherits the client's), which the vDSO leaves to the kernel. */
const priorities = (): Workload => ({
  procs: [
    { name: "server", bytes: server(30), priority: 120, handles: { from: R } },
    { name: "client", bytes: client(200, 30), priority: 128, handles: { to: S } },
  ],
  events: [[100_001, "look"]],
});

/** A sleeper above the pair whose timer falls due mid-run, one at its priority, and a lower process queued all along. */
const timers = (): Workload => ({
  procs: [
    ...pair(400, 40, 20),
    { name: "above", bytes: sleeper(301_003, 200), priority: 160 },
    { name: "same", bytes: sleeper(123_457, 300), priority: 128 },
    { name: "low", bytes: sleeper(1, 50), priority: 100 },
  ],
  events: [[250_001, "look"]],
});

/** A third client (above the pair) spawned mid-run calls the server: its calls queue or find the server waiting. */
const thirdClient = (): Workload => ({
  procs: pair(400, 25, 25),
  thirdClient: { name: "third", bytes: client(30, 10, { quit: false, prefix: 10000 }), priority: 150, handles: { to: S } },
  events: [
    [150_003, "third"],
    [300_001, "look"],
  ],
});

const irq = (): Workload => ({
  procs: [...pair(500, 30, 30), { name: "drv", bytes: driver(3, 100), priority: 200, dev: true }],
  events: [
    [100_003, "irq"],
    [250_001, "irq"],
    [400_007, "irq"],
  ],
});

const kill = (side: "client" | "server", at: number): Workload => ({
  procs: pair(500, 25, 35),
  events: [[at, side === "client" ? "kill-client" : "kill-server"]],
});

const { closed, tracing, latency, quanta } = pairWorkloads(pair);

/** Many billing buckets (a 200 us window: 10 us buckets) and a far timer that bounds the slices. */
const billing = (): Workload => ({
  windowNs: 200_000,
  procs: [...pair(600, 20, 20), { name: "late", bytes: sleeper(900_001, 10), priority: 128 }],
});

/** A timer due exactly where a call or reply_wait ends its slice. */
const dueAtCall = () => dueAtSliceEnd(pair(700, 0, 0), run);

pairModulesFromFirstPublication();

afterEach(() => {
  mutateFastCallForTest(null);
  mutateCallSyncForTest(null);
});

describe("call / reply_wait pairs in wasm against lazily synced kernel state", () => {
  it("gives a client and its server the run the TypeScript call and reply_wait give, and the same kernel state at host events mid-run", async () => {
    const s = await same(plain(), 700);
    expect(s.per.client.rec.slice(0, 2)).toEqual([7, clientSum(400)]);
    expect(s.per.server.rec[0]).toBe(400);
    expect(s.per.client.exit).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(s.seen).toHaveLength(4);
  });

  it("copies the words both ways in a memory that grew between two calls", async () => {
    const s = await same(grow(), 700);
    expect(s.per.client.rec[0]).toBe(7);
    expect(s.per.client.rec[4]).toBe(1 + 400 / 50);
  });

  it("leaves every refusal to the kernel: a wrong handle, word count or rcvid falls back before anything changes", async () => {
    const s = await same(refusals(), 500);
    expect(s.per.client.rec.slice(0, 2).every((e) => e < 0)).toBe(true);
    expect(s.per.server.rec[0]).toBeLessThan(0);
    expect(s.per.client.rec[2]).toBe(7);
  });

  it("leaves a reply_wait by the client to the kernel, even naming the rcvid its server holds", async () => {
    const s = await same(wrongSide(), 500);
    expect(s.per.client.rec.slice(0, 2).every((e) => e < 0)).toBe(true);
    expect(s.per.client.rec[2]).toBe(7);
  });

  it("numbers the calls across the rcvid counter's wrap as the kernel does", async () => {
    const s = await same(wrap(), 500);
    expect(s.end.rcvid).toBeLessThan(1000);
    expect(s.per.client.rec[0]).toBe(7);
  });

  it("leaves a pair at two priorities (inheritance in effect) to the kernel", async () => {
    const on = await run(priorities(), true);
    const off = await run(priorities(), false);
    expect(on.served).toBe(0);
    expect(on.snapshot).toEqual(off.snapshot);
  });

  it("leaves a timer falling due to the kernel: a sleeper above the pair and one beside it wake at the same virtual times", async () => {
    const s = await same(timers(), 500);
    expect(s.per.above.rec[0]).toBeGreaterThan(301_003);
    expect(s.per.low.rec[0]).toBeGreaterThan(s.per.client.rec[2]);
  });

  it("serves a third client calling the server mid-run the same way", async () => {
    const s = await same(thirdClient(), 500);
    expect(s.per.third.exit).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(s.per.client.rec[0]).toBe(7);
    expect(s.per.server.rec[0]).toBe(430);
  });

  it("gives a higher-priority driver readied by a device's interrupt the CPU at the same time", async () => {
    const s = await same(irq(), 500);
    expect(s.per.drv.rec).toHaveLength(3);
  });

  it("syncs before a host kill of the client or the server, whichever runs or waits", async () => {
    for (const side of ["client", "server"] as const)
      for (const at of [300_001, 300_311]) {
        const s = await same(kill(side, at), 100);
        expect(s.per[side].exit?.reason).toBe(ExitReason.KILLED);
      }
  });

  it("refuses a call on a handle the host closed mid-run, as the kernel does", async () => {
    const s = await same(closed(), 100);
    expect(s.seen[1]).toBe(0);
    expect(s.per.client.rec[1]).toBeLessThan(0);
  });

  it("traces the same from when tracing is switched on mid-run", async () => {
    const s = await same(tracing(), 100);
    expect(s.trace).toContain(" run");
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

  it("hands the kernel a timer due exactly where a call or reply_wait finds it", async () => {
    await same(await dueAtCall(), 500);
  });
});

describe("a pair's module (host/runtime/fast-yield.ts PAIR_MODULE)", () => {
  beforeEach(() => {
    PAIR_MODULE.after = 16; // the default
  });
  afterEach(() => {
    PAIR_MODULE.after = 1;
  });

  it("is made only for a pair that keeps calling: a client calling a few times never costs one, and runs as with the vDSO off", async () => {
    const made = PAIR_MODULE.made;
    const few = (): Workload => ({ procs: pair(6, 30, 30) });
    const on = await run(few(), true);
    expect(on.served).toBe(0);
    expect(PAIR_MODULE.made).toBe(made);
    expect(on.snapshot).toEqual((await run(few(), false)).snapshot);
    const many = await run({ procs: pair(100, 30, 30) }, true);
    expect(many.served).toBeGreaterThan(150);
    expect(PAIR_MODULE.made).toBe(made + 1); // one a pair, whichever of the two ran at its publications
  });

  it("gives, made at its default publication, the run the TypeScript call and reply_wait give", async () => {
    await same(plain(), 600);
  });
});

describe("a wrong step in the vDSO's call or reply_wait or its sync is caught", () => {
  const SYNC = ["counts", "parity", "registers", "message", "serving"];
  async function differs(m: FastCallMutation | CallSyncMutation, w: Workload): Promise<void> {
    await caught(
      (on) => run(w, on),
      () => (SYNC.includes(m as string) ? mutateCallSyncForTest(m as CallSyncMutation) : mutateFastCallForTest(m as FastCallMutation)),
    );
  }

  it("a reply_wait served whichever side makes it", () => differs("side", wrongSide()));
  it("the handle not compared (one naming nothing served)", () => differs("handles", refusals()));
  it("the rcvid a reply_wait answers not compared", () => differs("rcvid", refusals()));
  it("rcvids numbered past 0x7fffffff without the wrap", () => differs("wrap", wrap()));
  it("a call given the rcvid of the one before", () => differs("number", plain()));
  it("the call's words not copied into the server's IPC buffer", () => differs("send", plain()));
  it("the answer's words not copied into the client's IPC buffer", () => differs("answer", plain()));
  it("the words past the count copied, not zeroed", () => differs("rest", plain()));
  it("the client resumed with 0, not the status", () => differs("status", plain()));
  it("the peer's wait started after the caller's charge", () => differs("readied", plain()));
  it("the blocked caller given a fresh quantum", () => differs("quantum", plain()));
  it("the switch cost not charged to the peer", () => differs("cost", plain()));
  it("a due timer not left to the kernel", async () => differs("timer", await dueAtCall()));
  it("the sync taking an odd count served as even", () => differs("parity", plain()));
  it("the IPC counts not gaining the calls and reply_waits served", () => differs("counts", plain()));
  it("the registers not set from the last words each side received", () => differs("registers", plain()));
  it("the call message's rcvid, sequence number and words left as publication found them", () => differs("message", plain()));
  it("the server's count of messages taken not advanced", () => differs("serving", plain()));
});
