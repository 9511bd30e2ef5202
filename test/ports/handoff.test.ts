// The port handoff (docs/fastpath.md "Queued packets: the port handoff"): a process whose handler
// activation ends with a packet of its own queued takes it at once, without the run queue, when the
// queue would have chosen it anyway. It must change nothing but the cost: the same trace, virtual time,
// results and exits as the same run with every activation through the run queue. The reference is
// fastPath: false where the workload queues every packet anyway (no PORT_BIND_DIRECT), and the handoff
// alone turned off (mutatePortHandoffForTest("off")) where direct activations make fastPath: false a
// different run. Then each condition of the handoff is dropped in turn and the comparison must fail.
import { afterEach, describe, expect, it } from "vitest";
import { Constants, ExitReason, Rights } from "../../abi/gen/abi.ts";
import { TimerDevice } from "../../hal/timer.ts";
import { DEVICE_GRANT_RIGHTS, type HostProcess, Kernel } from "../../host/kernel.ts";
import { cellQueued, countWasmDeliveries, directPortStats } from "../../host/runtime/fast-ports.ts";
import { loopTaken } from "../../host/runtime/port-loop.ts";
import { setCounterHighOnlyForTest } from "../../kernel/fast/mirror.ts";
import {
  mutatePortHandoffForTest,
  mutatePortRunOnForTest,
  mutateTakeForTest,
  type PortHandoffMutation,
  portHandoffCounts,
  portRunOnCounts,
  type PortRunOnMutation,
} from "../../kernel/ipc/ports.ts";
import type { KernelObject } from "../../kernel/object.ts";
import { Port } from "../../kernel/objects/port.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { guest } from "../helpers/wat.ts";
import { results } from "../helpers/wat.ts";

const DIRECT = Constants.PORT_BIND_DIRECT;
const { SEND, RECEIVE } = Rights;
countWasmDeliveries(true); // cellQueued() counts (the dispatchers made from here on)

const burn = `
  (local.set $i (i32.wrap_i64 (local.get $value)))
  (loop $burn (if (i32.gt_s (local.get $i) (i32.const 0)) (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $burn))))`;

// A chain: binds "port" (its own, SEND and RECEIVE), queues packet 1 to itself from _start and returns;
// each handler records its code and the low bits of the clock, burns `value` iterations, and sends
// code + 1 to its own port (queued: it is running), until code n: then it flushes and exits. Given a
// "timer" device, every fifth handler arms it for a deadline already past: it fires at the next
// scheduling point, which is the activation's end (a timer due there: the handoff must not be taken).
const chain = (n: number, flags: number) =>
  guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "port")
  (data (i32.const 24) "timer")
  (global $port (mut i32) (i32.const 0))
  (global $timer (mut i32) (i32.const -1))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) (local $i i32)
    (call $rec (local.get $code))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    ${burn}
    (if (i32.and (i32.ge_s (global.get $timer) (i32.const 0)) (i32.eqz (i32.rem_u (local.get $code) (i32.const 5))))
      (then (call $rec (call $timer_set (global.get $timer) (i64.const 0)))))
    (if (i32.ge_s (local.get $code) (i32.const ${n})) (then (call $flush) (call $exit (i32.const 0))))
    (call $rec (call $port_send (global.get $port) (i32.add (local.get $code) (i32.const 1)) (local.get $value))))
  (func (export "_start")
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (global.set $timer (call $handle_get (i32.const 24) (i32.const 5)))
    (call $rec (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${flags})))
    (call $rec (call $port_send (global.get $port) (i32.const 1) (i64.mul (i64.extend_i32_s (call $arg_count)) (i64.const 100)))))`);

// A ping-pong pair, as bench/guests/port-pingpong.ts: each binds "in" and sends to "out". The ping side
// (spawned with one argument) starts with packet 1 and, at code 2n, sends 0 (the pong side exits on it)
// and exits. Each handler burns `burn` iterations first. With PORT_BIND_DIRECT the packet to the idle
// side runs at once inside port_send and the answer queues for its busy sender: the sender takes it next.
const pair = (n: number, work: number, flags: number) =>
  guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "in")
  (data (i32.const 24) "out")
  (global $out (mut i32) (i32.const 0))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) (local $i i32)
    (local.set $value (i64.const ${work}))
    ${burn}
    (call $rec (local.get $code))
    (if (i32.eqz (local.get $code)) (then (call $flush) (call $exit (i32.const 0))))
    (if (i32.ge_s (local.get $code) (i32.const ${2 * n})) (then
      (call $rec (call $port_send (global.get $out) (i32.const 0) (i64.const 0)))
      (call $flush) (call $exit (i32.const 0))))
    (call $rec (call $port_send (global.get $out) (i32.add (local.get $code) (i32.const 1)) (i64.const 0))))
  (func (export "_start")
    (global.set $out (call $handle_get (i32.const 24) (i32.const 3)))
    (call $rec (call $port_bind (call $handle_get (i32.const 16) (i32.const 2)) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${flags})))
    (if (i32.eq (call $arg_count) (i32.const 1)) (then
      (drop (call $sleep (i64.const 20000))) ;; the pong side binds first
      (call $rec (call $port_send (global.get $out) (i32.const 1) (i64.const 0))))))`);

// Sleeps `sleepNs` then computes, `rounds` times: timers due at odd moments, and (at a higher
// priority) preemption of a handler mid-run.
const hog = (sleepNs: number, iterations: number, rounds: number) =>
  guest(`
  (func (export "_start") (local $i i32) (local $r i32)
    (loop $round
      (drop (call $sleep (i64.const ${sleepNs})))
      (local.set $i (i32.const 0))
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const ${iterations}))))
      (call $rec (i32.wrap_i64 (call $clock_now)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (i32.const ${rounds}))))
    (call $flush))`);

// The timer's driver: attaches the "timer" device to an endpoint and records the time of each interrupt
// (blocked for good once the chains are done).
const driver = guest(`
  (data (i32.const 0) "timer")
  (func (export "_start") (local $ep i32)
    (local.set $ep (call $endpoint_create))
    (drop (call $device_attach (call $handle_get (i32.const 0) (i32.const 5)) (local.get $ep) (i32.const 1)))
    (loop $l
      (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) (i64.const 0x7fffffffffffffff)))
      (call $rec (i32.wrap_i64 (call $clock_now)))
      (call $flush)
      (br $l)))`);

// Sleeps, then kills "victim" (mid-handler, or ready with its own packet, depending on the moment).
const killer = (sleepNs: number) =>
  guest(`
  (data (i32.const 16) "victim")
  (func (export "_start")
    (drop (call $sleep (i64.const ${sleepNs})))
    (call $rec (call $kill (call $handle_get (i32.const 16) (i32.const 6)) (i32.const 3)))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

interface Spec {
  flags: number;
  /** Self-sending chains: n packets, each handler burning 100 `work` iterations (`work`: the argument count, at least 1); `timer`: given the timer device. */
  chains?: { priority: number; n: number; work: number; timer?: boolean }[];
  /** The timer device's driver's priority (with a chain given the timer). */
  driver?: number;
  /** Ping-pong pairs: [ping priority, pong priority]. */
  pairs?: { priority: [number, number]; n: number; work: number }[];
  hogs?: { priority: number; sleepNs: number; iterations: number; rounds: number }[];
  /** Kill chain `victim` (index) after `afterNs`, from `priority`. */
  kill?: { victim: number; afterNs: number; priority: number };
  quantumFuel?: number;
}

type Handle = { name: string; object: KernelObject; rights: number };
type Mode = "fast" | "slow" | PortHandoffMutation;

/**
 * One run of `spec`. `runOn`: the run-on rule as built (null), turned off ("off": every activation ends its
 * slice, so the handoff decides), or with a condition dropped.
 */
async function run(spec: Spec, mode: Mode, runOn: PortRunOnMutation | null, untraced?: { portW2w: boolean }) {
  const fastPath = mode !== "slow";
  mutatePortHandoffForTest(mode === "fast" || mode === "slow" ? null : mode);
  mutatePortRunOnForTest(runOn);
  const sched = spec.quantumFuel === undefined ? undefined : { quantumFuel: spec.quantumFuel };
  // Traced, the wasm port paths step aside (the cells stay 0); untraced, `portW2w` turns them on or off.
  const k =
    untraced === undefined ? new Kernel({ trace: true, fastPath, sched }) : new Kernel({ fastPath, sched, portW2w: untraced.portW2w });
  const out = new Map<string, Uint8Array[]>();
  const procs = new Map<string, Process>();
  const hosts: HostProcess[] = [];
  const spawn = (
    name: string,
    bytes: Uint8Array,
    priority: number,
    handles: { name: string; object: object; rights: number }[],
    args: string[] = [name],
  ) => {
    const img = k.loadImage(bytes, name);
    out.set(name, []);
    const hp = k.spawn(img, { args, priority, handles: handles as never, stdout: (b) => void out.get(name)!.push(b.slice()) });
    k.release(img);
    procs.set(name, hp.process);
    hosts.push(hp);
  };
  const newPort = () => {
    const port = new Port(k.core.objects);
    port.retainHandle();
    return port;
  };
  const ports: Port[] = [];
  const timer = k.createDevice(new TimerDevice());
  if (spec.driver !== undefined) spawn("driver", driver, spec.driver, [{ name: "timer", object: timer, rights: DEVICE_GRANT_RIGHTS }]);
  (spec.chains ?? []).forEach((c, i) => {
    const port = newPort();
    ports.push(port);
    const args = Array.from({ length: c.work }, () => "w");
    const handles: Handle[] = [{ name: "port", object: port, rights: SEND | RECEIVE }];
    if (c.timer) handles.push({ name: "timer", object: timer, rights: DEVICE_GRANT_RIGHTS });
    spawn(`chain${i}`, chain(c.n, spec.flags), c.priority, handles, args);
  });
  (spec.pairs ?? []).forEach((p, i) => {
    const a = newPort();
    const b = newPort();
    ports.push(a, b);
    const bytes = pair(p.n, p.work, spec.flags);
    spawn(
      `pong${i}`,
      bytes,
      p.priority[1],
      [
        { name: "in", object: b, rights: RECEIVE },
        { name: "out", object: a, rights: SEND },
      ],
      ["pong", "x"],
    );
    spawn(
      `ping${i}`,
      bytes,
      p.priority[0],
      [
        { name: "in", object: a, rights: RECEIVE },
        { name: "out", object: b, rights: SEND },
      ],
      ["ping"],
    );
  });
  (spec.hogs ?? []).forEach((h, i) => spawn(`hog${i}`, hog(h.sleepNs, h.iterations, h.rounds), h.priority, []));
  if (spec.kill) {
    const victim = procs.get(`chain${spec.kill.victim}`)!;
    spawn("killer", killer(spec.kill.afterNs), spec.kill.priority, [{ name: "victim", object: victim, rights: Rights.KILL }]);
  }
  for (const p of ports) k.release(p);
  k.release(timer);
  const taken = portHandoffCounts.taken;
  const ranOn = portRunOnCounts.taken;
  const direct = directPortStats.runs;
  await k.run();
  const rec: Record<string, number[]> = {};
  const exit: Record<string, unknown> = {};
  for (const [name, chunks] of out) rec[name] = chunks.flatMap((c) => results(c));
  for (const [name, p] of procs) exit[name] = p.exit;
  for (const h of hosts) h.close();
  return {
    trace: k.traceText(),
    now: k.core.clock.now(),
    rec,
    exit,
    handoffs: portHandoffCounts.taken - taken,
    runOns: portRunOnCounts.taken - ranOn,
    direct: directPortStats.runs - direct,
  };
}

/** Everything but the counts: what the guests and the trace saw. */
const seen = (r: Awaited<ReturnType<typeof run>>) => ({ trace: r.trace, now: r.now, rec: r.rec, exit: r.exit });

afterEach(() => {
  mutatePortHandoffForTest(null);
  mutatePortRunOnForTest(null);
});

// Chains at one priority (they alternate through the queue: no handoff), one above (its chain runs
// through handoffs until a timer or a peer intervenes) and one below; hogs whose timers fall due at odd
// moments, one above everything that preempts handlers mid-run; a small quantum.
const mixed = (flags: number): Spec => ({
  flags,
  chains: [
    { priority: 128, n: 60, work: 3, timer: true },
    { priority: 128, n: 40, work: 1 },
    { priority: 150, n: 80, work: 2, timer: true },
    { priority: 60, n: 50, work: 4 },
    { priority: 196, n: 300, work: 8 }, // alone at its priority, runs by handoffs for longer than its tier's latency bound
  ],
  pairs: [
    { priority: [140, 140], n: 40, work: 5 },
    { priority: [100, 170], n: 30, work: 3 },
  ],
  hogs: [
    { priority: 128, sleepNs: 7_317, iterations: 300, rounds: 12 },
    { priority: 40, sleepNs: 3_911, iterations: 50, rounds: 25 },
    { priority: 200, sleepNs: 13_577, iterations: 400, rounds: 6 },
  ],
  driver: 220,
  quantumFuel: 3000,
});

// The handoff is taken where the run-on is not (an activation that ends with its counter empty): these
// runs turn the run-on off, so that every activation's end goes through the handoff's decision.
describe("the port handoff", () => {
  it("a chain alone takes every one of its packets by handoff, and the run is the one the run queue makes", async () => {
    const spec: Spec = { flags: 0, chains: [{ priority: 128, n: 100, work: 2 }] };
    const fast = await run(spec, "fast", "off");
    const slow = await run(spec, "slow", "off");
    const off = await run(spec, "off", "off");
    expect(fast.exit.chain0).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(fast.rec.chain0.length).toBe(2 + 100 * 3 - 1);
    expect(fast.handoffs).toBe(100); // packet 1, queued from _start, is taken by handoff when _start returns
    expect(slow.handoffs).toBe(0);
    expect(off.handoffs).toBe(0);
    expect(seen(fast)).toEqual(seen(slow));
    expect(seen(off)).toEqual(seen(slow));
  });

  it("queued packets at mixed priorities, with hogs, timers and preemption: handoffs where the queue agrees, the same run either way", async () => {
    const spec = mixed(0);
    const fast = await run(spec, "fast", "off");
    const slow = await run(spec, "slow", "off");
    for (const [name, e] of Object.entries(fast.exit))
      if (name !== "driver") expect(e, name).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(fast.handoffs).toBeGreaterThan(50);
    expect(fast.rec.driver.length).toBeGreaterThan(20); // the timer armed in handlers fired: interrupts at activations' ends
    expect(fast.trace.split("\n").length).toBeGreaterThan(500);
    expect(seen(fast)).toEqual(seen(slow));
  });

  it("direct and queued deliveries mixed (PORT_BIND_DIRECT): the answer a busy sender takes next goes by handoff, the same run as without it", async () => {
    const spec = mixed(DIRECT);
    const fast = await run(spec, "fast", "off");
    const off = await run(spec, "off", "off");
    for (const [name, e] of Object.entries(fast.exit))
      if (name !== "driver") expect(e, name).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(fast.direct).toBeGreaterThan(20);
    expect(fast.handoffs).toBeGreaterThan(50);
    expect(off.handoffs).toBe(0);
    expect(seen(fast)).toEqual(seen(off));
  });

  it("a chain running by handoffs killed mid-handler (its killer's timer preempts it): the same run either way", async () => {
    for (const afterNs of [9_000, 21_113, 40_001, 77_777]) {
      for (const flags of [0, DIRECT]) {
        const spec: Spec = { ...mixed(flags), kill: { victim: 4, afterNs, priority: 210 } };
        const fast = await run(spec, "fast", "off");
        const ref = await run(spec, flags === 0 ? "slow" : "off", "off");
        expect(fast.exit.chain4, `${afterNs}`).toMatchObject({ reason: ExitReason.KILLED, status: 3 });
        expect(fast.rec.killer[0]).toBe(0);
        // Its last events: preempted by the killer's wake-up in the middle of a handler, then killed.
        const pid = / (\d+) spawn chain4 /.exec(fast.trace)![1];
        const own = fast.trace.split("\n").filter((l) => l.split(" ")[1] === pid);
        expect(own.slice(-2).map((l) => l.split(" ").slice(2).join(" "))).toEqual(["preempt front", "exit reason=1 status=3"]);
        expect(seen(fast)).toEqual(seen(ref));
      }
    }
  });

  it("fails the comparison when a condition is dropped: taken while the queue would choose another or while a timer is due, or without a fresh quantum", async () => {
    for (const flags of [0, DIRECT]) {
      const ref = await run(mixed(flags), "off", "off");
      for (const m of ["queue", "timers", "quantum"] as const) {
        const wrong = await run(mixed(flags), m, "off");
        expect(seen(wrong), `${m} flags=${flags}`).not.toEqual(seen(ref));
      }
    }
  });
});

// The run-on (docs/fastpath.md "Queued packets: the run-on"): a process whose activation ends with a
// packet of its own queued keeps the CPU and its slice for it when the run queue would choose it anyway and
// its counter has fuel left. A kernel rule, so the same with every fast path on and off.
describe("the run-on", () => {
  const runsOf = (trace: string, name: string) => {
    const pid = new RegExp(` (\\d+) spawn ${name} `).exec(trace)![1];
    return trace.split("\n").filter((l) => l.split(" ")[1] === pid && l.split(" ")[2] === "run").length;
  };

  it("a chain alone runs its packets on in one slice: one run event for 100 activations, and the same run with the fast path on and off", async () => {
    const spec: Spec = { flags: 0, chains: [{ priority: 128, n: 100, work: 2 }] };
    const fast = await run(spec, "fast", null);
    const slow = await run(spec, "slow", null);
    const ended = await run(spec, "fast", "off");
    expect(fast.exit.chain0).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(fast.rec.chain0).toEqual(slow.rec.chain0.length === 0 ? [] : slow.rec.chain0);
    expect(fast.runOns).toBe(100); // packet 1, queued from _start, runs on when _start returns
    expect(fast.handoffs).toBe(0);
    expect(seen(fast)).toEqual(seen(slow));
    expect(runsOf(fast.trace, "chain0")).toBe(1);
    // Each activation ending its slice (the rule before): a run event and a switch's cost per packet.
    expect(runsOf(ended.trace, "chain0")).toBe(101);
    expect(ended.now).toBeGreaterThan(fast.now);
    expect(ended.rec.chain0.filter((_, i) => i % 3 !== 2)).not.toEqual(fast.rec.chain0.filter((_, i) => i % 3 !== 2)); // the clock readings differ
  });

  it("a small quantum ends the slice: with a hog at its priority the chain goes behind it when its quantum runs out, and runs on again after", async () => {
    const spec: Spec = {
      flags: 0,
      chains: [{ priority: 128, n: 100, work: 8 }],
      hogs: [{ priority: 128, sleepNs: 1_000, iterations: 20_000, rounds: 3 }],
      quantumFuel: 3000,
    };
    const fast = await run(spec, "fast", null);
    const slow = await run(spec, "slow", null);
    expect(fast.exit.chain0).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(fast.runOns).toBeGreaterThan(20); // while the hog sleeps (queued, it would be chosen: no run-on)
    expect(runsOf(fast.trace, "chain0")).toBeGreaterThan(3);
    expect(seen(fast)).toEqual(seen(slow));
  });

  it("queued packets at mixed priorities, with hogs, timers and preemption: run-ons where the queue agrees, the same run with the fast path on and off", async () => {
    const spec = mixed(0);
    const fast = await run(spec, "fast", null);
    const slow = await run(spec, "slow", null);
    for (const [name, e] of Object.entries(fast.exit))
      if (name !== "driver") expect(e, name).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(fast.runOns).toBeGreaterThan(50);
    expect(fast.rec.driver.length).toBeGreaterThan(20); // the timer armed in handlers fired
    expect(seen(fast)).toEqual(seen(slow));
  });

  it("direct and queued deliveries mixed (PORT_BIND_DIRECT): the answer a busy sender takes next runs on, the same run with the handoff on and off", async () => {
    const spec = mixed(DIRECT);
    const fast = await run(spec, "fast", null);
    const off = await run(spec, "off", null);
    for (const [name, e] of Object.entries(fast.exit))
      if (name !== "driver") expect(e, name).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(fast.direct).toBeGreaterThan(20);
    expect(fast.runOns).toBeGreaterThan(50);
    expect(seen(fast)).toEqual(seen(off));
  });

  it("a chain running on killed mid-handler (its killer's timer preempts it): preempted, then killed, the same run either way", async () => {
    for (const afterNs of [9_000, 21_113, 40_001, 77_777]) {
      for (const flags of [0, DIRECT]) {
        const spec: Spec = { ...mixed(flags), kill: { victim: 4, afterNs, priority: 210 } };
        const fast = await run(spec, "fast", null);
        const ref = await run(spec, flags === 0 ? "slow" : "off", null);
        expect(fast.exit.chain4, `${afterNs}`).toMatchObject({ reason: ExitReason.KILLED, status: 3 });
        expect(fast.rec.killer[0]).toBe(0);
        const pid = / (\d+) spawn chain4 /.exec(fast.trace)![1];
        const own = fast.trace.split("\n").filter((l) => l.split(" ")[1] === pid);
        expect(own.slice(-2).map((l) => l.split(" ").slice(2).join(" "))).toEqual(["preempt front", "exit reason=1 status=3"]);
        expect(seen(fast)).toEqual(seen(ref));
      }
    }
  });

  it("untraced, with the wasm port paths on (packets queued in cells, taken by the run-on from the cells' words) and off: the same results, exits and virtual time", async () => {
    const before = cellQueued();
    const took = loopTaken();
    for (const flags of [0, DIRECT]) {
      for (const kill of [undefined, { victim: 4, afterNs: 21_113, priority: 210 }]) {
        const spec: Spec = { ...mixed(flags), kill };
        const on = await run(spec, "fast", null, { portW2w: true });
        const off = await run(spec, "fast", null, { portW2w: false });
        expect(on.rec, `flags ${flags}`).toEqual(off.rec);
        expect(on.exit).toEqual(off.exit);
        expect(on.now).toBe(off.now);
      }
    }
    expect(cellQueued()).toBeGreaterThan(before + 200); // the direct runs' chains queued their own packets in cells
    expect(loopTaken()).toBeGreaterThan(took + 100); // and their loops took most of them in wasm
  });

  it("changes the run when a port loop takes a packet itself after the run-on's version changed (an enqueue, a priority)", async () => {
    // A chain whose loop takes its packets in wasm, and a hog at its priority whose timer fires inside the chain's
    // slice (queued, it does not preempt the chain): the chain's next activation must go behind the hog.
    const spec: Spec = {
      flags: DIRECT,
      chains: [{ priority: 128, n: 200, work: 2 }],
      hogs: [{ priority: 128, sleepNs: 7_317, iterations: 300, rounds: 12 }],
    };
    const ref = await run(spec, "fast", null, { portW2w: true });
    const off = await run(spec, "fast", null, { portW2w: false });
    expect(ref.rec).toEqual(off.rec);
    expect(ref.now).toBe(off.now);
    mutateTakeForTest("stale");
    try {
      const wrong = await run(spec, "fast", null, { portW2w: true });
      expect(JSON.stringify(wrong.rec) === JSON.stringify(ref.rec) && wrong.now === ref.now).toBe(false);
    } finally {
      mutateTakeForTest(null);
    }
    // The version is a 64-bit counter: with every bump moving only its high word (as after 2^32 bumps), the
    // loop still sees each change; a loop comparing 32 bits would run as the stale mutation does above.
    setCounterHighOnlyForTest(true);
    try {
      const high = await run(spec, "fast", null, { portW2w: true });
      expect(high.rec).toEqual(ref.rec);
      expect(high.now).toBe(ref.now);
    } finally {
      setCounterHighOnlyForTest(false);
    }
  });

  it("changes the run when a condition is dropped: running on while the queue would choose another, or with the counter empty", async () => {
    for (const flags of [0, DIRECT]) {
      const ref = await run(mixed(flags), "fast", null);
      for (const m of ["queue", "slice"] as const) {
        const wrong = await run(mixed(flags), "fast", m);
        expect(seen(wrong), `${m} flags=${flags}`).not.toEqual(seen(ref));
      }
    }
  });
});
