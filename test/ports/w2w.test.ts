// Port delivery wasm-to-wasm (docs/fastpath.md "Port dispatch in wasm,
// wasm-to-wasm"): a sender's port_send runs an idle PORT_BIND_DIRECT binder's
// import-free handler (its loader-made direct copy) without the kernel. Every
// scenario runs twice, with the path on and with `portW2w: false` (the same
// packets through the kernel's JavaScript direct path), and must give the
// same results, exits (reason, status, message), virtual time and CPU time of
// every process; the "on" run must really have delivered wasm-to-wasm. Then
// each condition of the port's state word is dropped (mutateW2wForTest) and
// the same comparison must fail.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, PLEDGE_CLASS_NAMES, PledgeClass, Rights } from "../../abi/gen/abi.ts";
import {
  cellQueued,
  countWasmDeliveries,
  directPortStats,
  madeStats,
  mutateMadeForTest,
  mutatePortSendCacheForTest,
  mutateSelfChargeForTest,
  mutateW2wBoundForTest,
  type PortSendCacheMutation,
  w2wDelivered,
  w2wStats,
} from "../../host/runtime/fast-ports.ts";
import { IMAGE_GRANT_RIGHTS, type KernelConfig, Kernel } from "../../host/kernel.ts";
import { setEpochStrideForTest } from "../../kernel/fast/epoch.ts";
import { mutateW2wForTest, type W2wMutation } from "../../kernel/ipc/ports.ts";
import { Port } from "../../kernel/objects/port.ts";
import { type ProcSpec, runSystem } from "../helpers/system.ts";
import { prepareModule } from "../../loader/prepare.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { PORT_SEND_EXPORT } from "../../loader/instrument/port-send.ts";
import { forEachInstruction } from "../../wasm/decode.ts";
import { readModule } from "../../wasm/reader.ts";
import { guest, results } from "../helpers/wat.ts";

const { SEND, RECEIVE, DUPLICATE } = Rights;
countWasmDeliveries(true); // w2wDelivered() and cellQueued() count (the dispatchers made from here on)
const ALL_PLEDGES = Object.keys(PLEDGE_CLASS_NAMES).reduce((m, bit) => m | (1 << Number(bit)), 0);
const DIRECT = Constants.PORT_BIND_DIRECT;

/** Run specs in a fresh kernel with two fresh ports handed out as "port" and "done" (the first spec RECEIVE, the rest SEND). */
async function run(config: KernelConfig, specs: (port: Port, done: Port) => ProcSpec[]) {
  const k = new Kernel(config);
  const port = new Port(k.core.objects);
  const done = new Port(k.core.objects);
  port.retainHandle();
  done.retainHandle();
  const js = directPortStats.runs;
  const w2w = w2wDelivered();
  const failed = w2wStats.failed;
  const queued = cellQueued();
  const r = await runSystem(specs(port, done), config, k, [port, done]);
  const cpu: Record<string, number> = {};
  for (const [name, p] of Object.entries(r.procs)) cpu[name] = p.process.cpuTimeNs;
  return {
    ...r,
    cpu,
    now: k.core.clock.peek(),
    js: directPortStats.runs - js,
    w2w: w2wDelivered() - w2w,
    failed: w2wStats.failed - failed,
    queued: cellQueued() - queued,
  };
}

/** Both ways; everything observable must be the same. Returns the "on" run. */
async function both(specs: (port: Port, done: Port) => ProcSpec[], config: KernelConfig = {}) {
  const on = await run(config, specs);
  const off = await run({ ...config, portW2w: false }, specs);
  expect(off.w2w).toBe(0);
  expect(off.queued).toBe(0);
  expect(on.rec).toEqual(off.rec);
  expect(on.exit).toEqual(off.exit);
  expect(on.now).toBe(off.now);
  expect(on.cpu).toEqual(off.cpu);
  if (config.trace) expect(on.kernel.traceText()).toBe(off.kernel.traceText());
  return { on, off };
}

/**
 * The binder. on_packet calls no import (so the loader gives it a direct copy): it counts packets, sums
 * code * 31 + value, keeps the key, burns `value` loop turns for code 2, and misbehaves for codes 100-107
 * (106, a recursion `value` deep, only when `recursive`: a recursive copy has no static stack bound, so it
 * is never run on a sender's stack).
 * on_done (bound to "done", queued) records the three words and exits. `flags`: on_packet's binding;
 * `startSleep`: _start sleeps this long after binding, then records the count so far.
 */
/** $deep's locals: 64 i64, so its real frames (≈48 + 8 a local) are near half their bound (128 + 16 a local and instruction) and the stack budget's 256 KiB of bounds is ≈100 KiB of real stack. */
const DEEP_LOCALS = Array.from({ length: 64 }, (_, i) => `(local $l${i} i64)`).join(" ");

const binder = (flags: number, startSleep = 0, recursive = false, extra = { funcs: "", body: "" }) =>
  guest(`
  ${extra.funcs}
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "port")
  (data (i32.const 32) "on_done")
  (data (i32.const 48) "done")
  (func $deep (param $n i32) (result i32) ${DEEP_LOCALS}
    (if (result i32) (local.get $n) (then (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1))) (i32.const 1))) (else (i32.const 0))))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) (local $i i32)
    ${extra.body}
    (i32.store (i32.const 128) (i32.add (i32.load (i32.const 128)) (i32.const 1)))
    (i32.store (i32.const 132) (i32.add (i32.load (i32.const 132)) (i32.add (i32.mul (local.get $code) (i32.const 31)) (i32.wrap_i64 (local.get $value)))))
    (i32.store (i32.const 136) (local.get $key))
    (if (i32.eq (local.get $code) (i32.const 2))
      (then (local.set $i (i32.wrap_i64 (local.get $value)))
        (loop $b (if (i32.gt_s (local.get $i) (i32.const 0)) (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $b))))))
    (if (i32.eq (local.get $code) (i32.const 100)) (then unreachable))
    (if (i32.eq (local.get $code) (i32.const 101)) (then (drop (i32.load (i32.add (i32.const 65534) (i32.wrap_i64 (local.get $value)))))))
    (if (i32.eq (local.get $code) (i32.const 102)) (then (drop (i32.div_u (i32.const 1) (i32.wrap_i64 (local.get $value))))))
    (if (i32.eq (local.get $code) (i32.const 103)) (then (drop (i32.div_s (i32.const 0x80000000) (i32.wrap_i64 (local.get $value))))))
    (if (i32.eq (local.get $code) (i32.const 104)) (then (drop (i32.trunc_f64_s (f64.div (f64.const 0) (f64.convert_i64_s (local.get $value)))))))
    (if (i32.eq (local.get $code) (i32.const 105)) (then (loop $ever (br $ever))))
    ${recursive ? "(if (i32.eq (local.get $code) (i32.const 106)) (then (drop (call $deep (i32.wrap_i64 (local.get $value))))))" : ""}
    (if (i32.eq (local.get $code) (i32.const 107))
      (then (drop (memory.grow (i32.const 1))) (i32.store (i32.const 70000) (i32.wrap_i64 (local.get $value)))
            (i32.store (i32.const 132) (i32.add (i32.load (i32.const 132)) (i32.load (i32.const 70000)))))))
  (func (export "on_done") (param $key i32) (param $code i32) (param $value i64)
    (call $rec (i32.load (i32.const 128)))
    (call $rec (i32.load (i32.const 132)))
    (call $rec (i32.load (i32.const 136)))
    (call $flush)
    (call $exit (i32.const 0)))
  (func (export "_start")
    (call $rec (call $port_bind (call $handle_get (i32.const 16) (i32.const 4)) (i32.const 0) (i32.const 9) (i32.const 7) (i32.const ${flags})))
    (call $rec (call $port_bind (call $handle_get (i32.const 48) (i32.const 4)) (i32.const 32) (i32.const 7) (i32.const 8) (i32.const 0)))
    ${startSleep > 0 ? `(drop (call $sleep (i64.const ${startSleep}))) (call $rec (i32.load (i32.const 128)))` : ""}
    (call $flush))`);

/** A sender: sleeps (so the binder is resident), runs `body` ($port, $done: its SEND handles), records the clock, ends the binder. `funcs`: more of its functions. */
const sender = (body: string, locals = "", funcs = "") =>
  guest(`
  ${funcs}
  (data (i32.const 16) "port")
  (data (i32.const 48) "done")
  (global $port (mut i32) (i32.const 0))
  (global $done (mut i32) (i32.const 0))
  (func (export "_start") ${locals}
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (global.set $done (call $handle_get (i32.const 48) (i32.const 4)))
    (drop (call $sleep (i64.const 100000)))
    ${body}
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $rec (call $port_send (global.get $done) (i32.const 1) (i64.const 0)))
    (call $flush))`);

const send = (code: number, value: number) => `(call $rec (call $port_send (global.get $port) (i32.const ${code}) (i64.const ${value})))`;
const clock = `(call $rec (i32.wrap_i64 (call $clock_now)))`;

const pair =
  (body: string, flags: number = DIRECT, locals = "", startSleep = 0, recursive = false, funcs = "", extra = { funcs: "", body: "" }) =>
  (port: Port, done: Port): ProcSpec[] => [
    {
      name: "r",
      bytes: binder(flags, startSleep, recursive, extra),
      handles: [
        { name: "port", object: port, rights: RECEIVE },
        { name: "done", object: done, rights: RECEIVE },
      ],
    },
    {
      name: "s",
      bytes: sender(body, locals, funcs),
      handles: [
        { name: "port", object: port, rights: SEND | DUPLICATE },
        { name: "done", object: done, rights: SEND },
      ],
    },
  ];

/** 200 packets, two heavy ones (the billing rule), clock readings between. */
const workload = `
  (local.set $i (i32.const 0))
  (loop $l
    (local.set $bad (i32.or (local.get $bad) (call $port_send (global.get $port) (i32.const 1) (i64.extend_i32_u (local.get $i)))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 200))))
  (call $rec (local.get $bad))
  ${clock}
  ${send(2, 30000)}
  ${clock}
  ${send(2, 60000)}
  ${clock}
  ${send(3, 1)}`;

/**
 * A sender `depth` frames deep in its own recursion ($down: 16 i64 locals, ≈190 bytes a frame on a JSPI
 * stack in Node 24's counting variant) sends there: a packet, then `code` `value`, then another.
 */
const deepSender = (code: number, value: number, depth: number) => ({
  body: `(call $down (i32.const ${depth}))`,
  funcs: `(func $down (param $n i32) (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64) (local $f i64) (local $g i64)
      (local $h i64) (local $i i64) (local $j i64) (local $k i64) (local $l i64) (local $m i64) (local $o i64) (local $p i64) (local $q i64)
    (if (local.get $n) (then (call $down (i32.sub (local.get $n) (i32.const 1))))
      (else ${send(1, 5)} ${send(code, value)} ${send(1, 6)})))`,
});

/** on_packet calls a chain $a -> $b -> $c ($a calls $b twice): no cycle, a static stack bound of a few KiB, so it runs wasm-to-wasm. */
const CHAIN = {
  funcs: `(func $c (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func $b (param i32) (result i32) (call $c (i32.mul (local.get 0) (i32.const 2))))
    (func $a (param i32) (result i32) (i32.add (call $b (local.get 0)) (call $b (i32.const 0))))`,
  body: `(i32.store (i32.const 140) (i32.add (i32.load (i32.const 140)) (call $a (local.get $code))))`,
};

/** The deep sender's scenarios, at a depth: the acyclic handler on its stack (wasm-to-wasm), and the hostile recursion (106, 1,000,000 deep). */
const deepChain = (depth: number) => {
  const deep = deepSender(1, 7, depth);
  return pair(deep.body, DIRECT, "", 0, false, deep.funcs, CHAIN);
};
const deepHostile = (depth: number) => {
  const deep = deepSender(106, 1_000_000, depth);
  return pair(deep.body, DIRECT, "", 0, true, deep.funcs);
};

/**
 * The largest n in [lo, hi] for which `holds` (true up to some n, false past it), to within `step`;
 * holds(lo) must be true and holds(hi) false.
 */
async function lastHolding(holds: (n: number) => Promise<boolean>, lo: number, hi: number, step = 8): Promise<number> {
  while (hi - lo > step) {
    const mid = (lo + hi) >> 1;
    if (await holds(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * How deep the deep sender is, measured in this engine before the tests that use it (so they keep meaning
 * what they say on another Node or V8, where frames and stacks have other sizes, instead of passing or
 * failing by the numbers of the one they were written on):
 * - `fits`: the deepest the sender can be and still send, the acyclic handler running on its stack
 *   wasm-to-wasm (its frames, its sends and the handler's bounded frames fit);
 * - `overflows`: the shallowest at which the hostile recursion, were it run on the sender's stack (the
 *   stack bound not checked: mutateW2wBoundForTest), ends the sender: from there on, what is left of the
 *   sender's stack is less than the recursion takes before its own budget (DIRECT_STACK_BUDGET) stops it.
 * The tests put the sender between the two: shallow enough to send, deep enough that only the bound's
 * check keeps the hostile recursion off its stack. (Measured on Node 24, 6 Dec 2026: fits ≈ 5,250,
 * overflows ≈ 4,750, in frames of $down.)
 */
const depths = { fits: 0, overflows: 0, deep: 0 };
async function measureDepths(): Promise<void> {
  const sends = async (n: number) => (await run({}, deepChain(n))).exit.s.reason === ExitReason.NORMAL;
  let hi = 1024;
  while (await sends(hi)) {
    hi *= 2;
    if (hi > 1 << 22) throw new Error(`a sender ${hi} frames deep still sends: no stack overflow to measure against`);
  }
  depths.fits = await lastHolding(sends, hi >> 2, hi);
  const survives = async (n: number) => {
    mutateW2wBoundForTest(true);
    try {
      return (await run({}, deepHostile(n))).exit.s.reason === ExitReason.NORMAL;
    } finally {
      mutateW2wBoundForTest(false);
    }
  };
  if (!(await survives(0)))
    throw new Error("the hostile recursion ends a sender with its whole stack free: its budget does not contain it");
  if (await survives(depths.fits))
    throw new Error(
      `a sender ${depths.fits} frames deep (as deep as it can send) survives the hostile recursion on its own stack: nothing for the bound's check to show`,
    );
  depths.overflows = (await lastHolding(survives, 0, depths.fits)) + 1;
  depths.deep = (depths.overflows + depths.fits) >> 1;
}
afterEach(() => (mutateW2wForTest(null), mutateW2wBoundForTest(false)));

describe("port delivery wasm-to-wasm", () => {
  beforeAll(measureDepths, 60_000);

  it("delivers to an idle direct binder's import-free handler without the kernel, with every result, exit and clock of the JavaScript path", async () => {
    const { on, off } = await both(pair(workload, DIRECT, "(local $i i32) (local $bad i32)"));
    expect(on.w2w).toBe(203);
    expect(on.js).toBe(0);
    expect(off.js).toBe(203);
    expect(on.rec.s[0]).toBe(0);
    expect(on.rec.r).toEqual([0, 0, 0, 0, 203, 200 * 31 + 19900 + 2 * 62 + 90000 + 93 + 1, 7]);
    expect(on.exit.r.reason).toBe(ExitReason.NORMAL);
    // The heavy handler's fuel is the sender's time (billDirect): its clock moved by at least a unit a turn.
    const [, t0, , t1, , t2] = on.rec.s;
    expect(t1 - t0).toBeGreaterThanOrEqual(30000);
    expect(t2 - t1).toBeGreaterThanOrEqual(60000);
    expect(on.cpu.r).toBeLessThan(on.cpu.s);
  });

  it("bills a direct handler's fuel against the sender's own slice: a sender whose handler burned most of its quantum is preempted on time", async () => {
    // s: a handler burning ~0.6 of a quantum, then ~0.6 of its own work. Its slice ends inside its own work, so h (same
    // priority, ready since the same instant) runs a slice before s records: the clock moves by more than the two.
    const loop = (n: number) =>
      `(local.set $i (i32.const ${n})) (loop $b (if (i32.gt_s (local.get $i) (i32.const 0)) (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $b))))`;
    const specs = (port: Port, done: Port): ProcSpec[] => [
      ...pair(`${clock} ${send(2, 55000)} ${loop(55000)} ${clock}`, DIRECT, "(local $i i32)")(port, done),
      {
        name: "h",
        bytes: guest(
          `(func (export "_start") (local $i i32) (drop (call $sleep (i64.const 100000))) ${loop(200000)} ${clock} (call $flush))`,
        ),
      },
    ];
    const { on } = await both(specs);
    expect(on.w2w).toBe(1);
    const [t0, , t1] = on.rec.s;
    expect(t1 - t0).toBeGreaterThan(1_800_000); // a quantum (1 ms) of each, at least
  });

  it("ends only the binder on each trap kind, an endless loop, a deep recursion; memory.grow works; the sender carries on and sees ECLOSED next", async () => {
    const cases: [number, number, number][] = [
      [100, 0, ExitReason.TRAP_UNREACHABLE],
      [101, 0, ExitReason.TRAP_MEMORY],
      [102, 0, ExitReason.TRAP_DIVIDE_BY_ZERO],
      [103, -1, ExitReason.TRAP_INTEGER_OVERFLOW],
      [104, 0, ExitReason.TRAP_INTEGER_OVERFLOW],
      [105, 0, ExitReason.DIRECT_OVERRUN],
      [106, 1_000_000, ExitReason.TRAP_STACK_OVERFLOW],
    ];
    for (const [code, value, reason] of cases) {
      // The recursion: a recursive copy is never run wasm-to-wasm; both packets take the JavaScript path.
      const recursive = code === 106;
      const { on } = await both(pair(`${send(1, 5)} ${send(code, value)} ${send(1, 6)} ${clock}`, DIRECT, "", 0, recursive));
      expect(on.exit.r.reason, `code ${code}`).toBe(reason);
      expect(on.exit.s.reason).toBe(ExitReason.NORMAL);
      expect(on.rec.s.slice(0, 3)).toEqual([0, 0, -Errno.ECLOSED]);
      expect(on.w2w).toBe(recursive ? 0 : 1); // the first; the second threw in wasm, and the kernel ended the binder (sendDirect)
      expect(on.failed).toBe(recursive ? 0 : 1);
      expect(on.js).toBe(recursive ? 2 : 1);
    }
    const grow = await both(pair(`${send(107, 41)} ${send(1, 0)}`));
    expect(grow.on.rec.r).toEqual([0, 0, 0, 0, 2, 107 * 31 + 41 + 41 + 31, 7]);
    expect(grow.on.w2w + grow.on.js).toBe(2);
  });

  it("has, in this engine, depths at which a sender still sends but the hostile recursion on its stack would end it (the deep sender's, measured before)", () => {
    // A window of a few dozen frames at least, so the sender placed in its middle is clear of both edges.
    expect(depths.fits - depths.overflows, JSON.stringify(depths)).toBeGreaterThanOrEqual(32);
    expect(depths.deep).toBeGreaterThan(depths.overflows + 8);
    expect(depths.deep).toBeLessThan(depths.fits - 8);
    if (process.env.W2W_DEPTHS) console.log(`deep sender: ${JSON.stringify(depths)}`);
  });

  it("serves a recursive handler through the JavaScript path, so a sender too deep in its own frames to take the recursion on its stack survives it", async () => {
    // The sender is deeper than the depth from which the recursion on its stack would end it (measured: depths.overflows).
    expect(depths.deep).toBeGreaterThanOrEqual(depths.overflows);
    const { on } = await both(deepHostile(depths.deep));
    expect(on.w2w).toBe(0); // no static stack bound: never on the sender's stack
    expect(on.js).toBe(2);
    expect(on.exit.r.reason).toBe(ExitReason.TRAP_STACK_OVERFLOW); // the copy's budget, on the central stack
    expect(on.exit.s.reason).toBe(ExitReason.NORMAL);
    expect(on.rec.s.slice(0, 3)).toEqual([0, 0, -Errno.ECLOSED]);
    expect(on.rec.s).toHaveLength(5); // and it went on: its clock, the last port_send
  });

  it("still runs an acyclic handler under the stack bound wasm-to-wasm, from a deep sender too; a larger one takes the JavaScript path", async () => {
    expect(depths.deep).toBeLessThanOrEqual(depths.fits);
    const { on } = await both(deepChain(depths.deep));
    expect(on.w2w).toBe(3);
    expect(on.js).toBe(0);
    expect(on.exit.s.reason).toBe(ExitReason.NORMAL);
    expect(on.rec.s.slice(0, 3)).toEqual([0, 0, 0]);
    expect(on.rec.r).toEqual([0, 0, 0, 0, 3, 3 * 31 + 5 + 7 + 6, 7]);
    // The same with 1,100 more instructions in on_packet: its frame's bound alone passes 16 KiB.
    const big = { funcs: "", body: "(nop)".repeat(1100) };
    const slow = await both(pair(`${send(1, 1)} ${send(1, 2)} ${clock}`, DIRECT, "", 0, false, "", big));
    expect(slow.on.w2w).toBe(0);
    expect(slow.on.js).toBe(2);
  });

  it("fails when the stack bound is not checked: the hostile recursion on the deep sender's stack ends the sender", async () => {
    mutateW2wBoundForTest(true);
    const on = await run({}, deepHostile(depths.deep));
    expect(on.w2w).toBe(1); // the first packet; the second overflowed V8's own limit in the copy, on the sender's stack
    expect(on.exit.s.reason).toBe(ExitReason.TRAP_STACK_OVERFLOW);
    expect(on.rec.s).toEqual([]);
  });

  it("sees a revoke and a close of the sender's handle at the very next port_send", async () => {
    const { on } = await both(
      pair(
        `(local.set $d (call $handle_dup (global.get $port) (i32.const ${SEND | DUPLICATE})))
         ${send(1, 1)}
         (call $rec (call $port_send (local.get $d) (i32.const 1) (i64.const 2)))
         (call $rec (call $handle_revoke (global.get $port)))
         (call $rec (call $port_send (local.get $d) (i32.const 1) (i64.const 3)))
         ${send(1, 4)}
         (call $rec (call $handle_close (global.get $port)))
         ${send(1, 5)}`,
        DIRECT,
        "(local $d i32)",
      ),
    );
    expect(on.rec.s.slice(0, 7)).toEqual([0, 0, 1, -Errno.ESTALE, 0, 0, on.rec.s[6]]);
    expect(on.rec.s[6]).toBeLessThan(0);
    expect(on.rec.r).toEqual([0, 0, 0, 0, 3, 3 * 31 + 1 + 2 + 4, 7]);
    expect(on.w2w).toBe(3);
  });

  // The dispatcher caches its last full check (the handle, its port's cell) with the capability epoch it saw
  // (host/runtime/fast-ports.ts G_H, G_CELL, G_EPOCH): the revoke and the close above, and these, must each
  // reach the full check at the very next port_send.
  const refusals = pair(
    `(local.set $d (call $handle_dup (global.get $port) (i32.const ${DUPLICATE})))
     ${send(1, 1)}
     (call $rec (call $port_send (local.get $d) (i32.const 1) (i64.const 2)))
     ${send(1, 3)}
     (call $rec (call $port_send (i32.const 0x7fff0003) (i32.const 1) (i64.const 4)))
     ${send(1, 5)}
     (call $rec (call $pledge (i32.const ${ALL_PLEDGES & ~(1 << PledgeClass.ports)})))
     ${send(1, 6)}`,
    DIRECT,
    "(local $d i32)",
  );

  it("keeps no check cached past a change: a handle without SEND, one never issued, and a pledge are refused at the very next port_send", async () => {
    const { on } = await both(refusals);
    expect(on.rec.s.slice(0, 7)).toEqual([0, -Errno.EACCES, 0, -Errno.EBADH, 0, 0, -Errno.EPLEDGE]);
    expect(on.rec.s[8]).toBe(-Errno.EPLEDGE); // after the clock: the send to "done" too
    expect(on.rec.r.slice(0, 2)).toEqual([0, 0]);
    expect(on.w2w).toBe(3);
  });

  // A send through a dup of the port handle, the port's handle revoked (the dup with it), a send through the dup.
  const revoked = pair(
    `(local.set $d (call $handle_dup (global.get $port) (i32.const ${SEND | DUPLICATE})))
     (call $rec (call $port_send (local.get $d) (i32.const 1) (i64.const 2)))
     (call $rec (call $handle_revoke (global.get $port)))
     (call $rec (call $port_send (local.get $d) (i32.const 1) (i64.const 3)))`,
    DIRECT,
    "(local $d i32)",
  );

  it("keeps no check cached past a change when the epoch's low 32 bits never move: the epoch is compared in 64 bits, so no wrap brings back a value a cache saw", async () => {
    for (const specs of [revoked, refusals]) {
      const off = await run({ portW2w: false }, specs);
      setEpochStrideForTest(2 ** 32); // every change moves only the high word
      try {
        const on = await run({}, specs);
        expect(on.w2w).toBeGreaterThan(0);
        expect(on.rec).toEqual(off.rec);
      } finally {
        setEpochStrideForTest(1);
      }
    }
  });

  it("charges the fuel a delivery burned in the sender's own port_send function, or through the dispatcher's helper when a table holds the import: the JavaScript path's run either way; without the charge it differs", async () => {
    // The same 203 packets sent through a table holding the port_send import: the loader gives that module no
    // port_send function of its own (the table would reach the dispatcher without it), so its dispatcher charges.
    const table = `(table 1 funcref) (elem (i32.const 0) $port_send)
      (func $ps (param i32 i32 i64) (result i32) (call_indirect (param i32 i32 i64) (result i32) (local.get 0) (local.get 1) (local.get 2) (i32.const 0)))`;
    const sendThroughTable = workload.replaceAll("(call $port_send ", "(call $ps ");
    const owns = (bytes: Uint8Array) =>
      WebAssembly.Module.exports(new WebAssembly.Module(new Uint8Array(prepareModule(bytes, defaultPolicy()).bytes))).some(
        (e) => e.name === PORT_SEND_EXPORT,
      );
    expect(owns(sender(workload, "(local $i i32) (local $bad i32)"))).toBe(true);
    expect(owns(sender(sendThroughTable, "(local $i i32) (local $bad i32)", table))).toBe(false);
    // A binder's handler that answers: its direct copy calls the port_send import itself, not the module's own
    // function (no copy of it: a direct activation's port_send never delivers wasm-to-wasm, so never charges).
    const answering = prepareModule(
      guest(`(func (export "on_answer") (param $key i32) (param $code i32) (param $value i64)
          (drop (call $port_send (local.get $key) (local.get $code) (local.get $value))))
        (func (export "_start") (drop (call $port_bind (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))`),
      defaultPolicy(),
    ).bytes;
    const pm = readModule(answering);
    const exported = (name: string) => pm.exports.find((e) => e.name === name)!.index;
    const importAt = pm.imports.filter((i) => i.kind === "func").findIndex((i) => i.name === "port_send");
    const calls = (f: number) => {
      const out: number[] = [];
      forEachInstruction(pm, f, (ins) => void (ins.opcode === 0x10 && out.push(ins.index)));
      return out;
    };
    expect(calls(exported("on_answer"))).toContain(exported(PORT_SEND_EXPORT));
    expect(calls(exported("__wasmos_direct:on_answer"))).toContain(importAt);
    expect(calls(exported("__wasmos_direct:on_answer"))).not.toContain(exported(PORT_SEND_EXPORT));
    expect(pm.functions.length).toBe(4 + 1 + 2); // $rec, $flush, on_answer, _start; the own port_send; the copy and its entry
    const own = await both(pair(workload, DIRECT, "(local $i i32) (local $bad i32)"));
    const viaTable = await both(pair(sendThroughTable, DIRECT, "(local $i i32) (local $bad i32)", 0, false, table));
    expect(own.on.w2w).toBe(203);
    expect(viaTable.on.w2w).toBe(203);
    mutateSelfChargeForTest(true);
    try {
      const wrong = await run({}, pair(workload, DIRECT, "(local $i i32) (local $bad i32)"));
      expect(wrong.w2w).toBe(203);
      expect(wrong.cpu.s).toBeLessThan(own.off.cpu.s); // the heavy handlers' fuel was never the sender's
      const helper = await run({}, pair(sendThroughTable, DIRECT, "(local $i i32) (local $bad i32)", 0, false, table));
      expect(helper.cpu).toEqual(viaTable.off.cpu); // the helper's charge does not depend on it
    } finally {
      mutateSelfChargeForTest(false);
    }
  });

  it("fails the comparison when the cached check ignores the capability epoch or the handle", async () => {
    const scenarios: [PortSendCacheMutation, (port: Port, done: Port) => ProcSpec[]][] = [
      ["epoch", revoked],
      ["handle", refusals],
    ];
    for (const [m, specs] of scenarios) {
      const off = await run({ portW2w: false }, specs);
      mutatePortSendCacheForTest(m);
      try {
        const on = await run({}, specs);
        expect(on.w2w, m).toBeGreaterThan(0);
        expect(JSON.stringify(on.rec) === JSON.stringify(off.rec), m).toBe(false);
      } finally {
        mutatePortSendCacheForTest(null);
      }
      expect(JSON.stringify((await run({}, specs)).rec), m).toBe(JSON.stringify(off.rec));
    }
  });

  it("leaves to the kernel a binder still in _start, a port bound without the flag, and a traced kernel", async () => {
    const busy = await both(pair(`${send(1, 1)} ${send(1, 2)} ${clock}`, DIRECT, "", 300000));
    expect(busy.on.w2w).toBe(0);
    expect(busy.on.rec.r).toEqual([0, 0, 0, 0, 0, 0, 1, 32, 7]); // queued; the round robin over its ports takes one, then on_done
    const queued = await both(pair(`${send(1, 1)} ${send(1, 2)} ${clock}`, 0));
    expect(queued.on.w2w).toBe(0);
    const traced = await both(pair(`${send(1, 1)} ${send(1, 2)} ${clock}`), { trace: true });
    expect(traced.on.w2w).toBe(0);
    expect(traced.on.js).toBe(2);
  });

  it("fails the comparison when a condition of the port's state word is dropped", async () => {
    const scenarios: [W2wMutation, (port: Port, done: Port) => ProcSpec[], KernelConfig][] = [
      ["idle", pair(`${send(1, 1)} ${send(1, 2)} ${clock}`, DIRECT, "", 300000), {}],
      ["direct", pair(`${send(1, 1)} ${send(1, 2)} ${clock}`, 0), {}],
      ["trace", pair(`${send(1, 1)} ${send(1, 2)} ${clock}`), { trace: true }],
    ];
    for (const [m, specs, config] of scenarios) {
      mutateW2wForTest(m);
      const on = await run(config, specs);
      const off = await run({ ...config, portW2w: false }, specs);
      mutateW2wForTest(null);
      expect(on.w2w, m).toBeGreaterThan(0);
      const same =
        JSON.stringify(on.rec) === JSON.stringify(off.rec) &&
        on.now === off.now &&
        JSON.stringify(on.cpu) === JSON.stringify(off.cpu) &&
        (!config.trace || on.kernel.traceText() === off.kernel.traceText());
      expect(same, m).toBe(false);
    }
  });
});

// A packet for a busy binder (not RESIDENT: running or blocked, so neither a direct activation nor a wake-up
// is due) queued by the sender's wasm port_send in the port's mirror cell, one at a time, and taken into the
// port's queue by the kernel before it reads or appends to it (kernel/ipc/ports.ts drainQueued).
describe("packets queued in the port's cell", () => {
  /** Records each packet's code, value's low and high words, in order (import-free: $rec writes memory). */
  const ordered = {
    funcs: "",
    body: `(call $rec (local.get $code)) (call $rec (i32.wrap_i64 (local.get $value))) (call $rec (i32.wrap_i64 (i64.shr_s (local.get $value) (i64.const 32))))`,
  };
  const values = [1, -1, 5_000_000_007, -9_000_000_000_123, 0x7fffffff, 2 ** 52 + 3];

  it("queues for a direct binder still in _start, in order, with every i64 value, the same run as through the kernel", async () => {
    // The sender sleeps past the binder's _start before it sends done (the round robin over its ports would take done second).
    const body = values.map((v, i) => send(10 + i, v)).join(" ") + ` ${clock} (drop (call $sleep (i64.const 400000)))`;
    for (const flags of [0, DIRECT]) {
      const { on } = await both(pair(body, flags, "", 300000, false, "", ordered));
      if (flags === DIRECT) expect(on.queued).toBeGreaterThan(0);
      else expect(on.queued).toBe(0); // a port bound without PORT_BIND_DIRECT: its words stay 0, every packet to the kernel
      expect(on.rec.s.slice(0, values.length)).toEqual(values.map(() => 0));
      // _start's flush (the bindings, the count), then on_done's of everything recorded: the same three, the packets.
      const seen = on.rec.r.slice(6, 6 + 3 * values.length);
      expect(seen).toEqual(
        values.flatMap((v, i) => [10 + i, Number(BigInt.asIntN(32, BigInt(v))), Number(BigInt.asIntN(32, BigInt(v) >> 32n))]),
      );
    }
  });

  it("refuses with EAGAIN at the same packet when the queue is full (MAX_PORT_PACKETS)", async () => {
    const body = `
      (local.set $i (i32.const 0))
      (loop $l
        (local.set $r (call $port_send (global.get $port) (i32.const 1) (i64.extend_i32_u (local.get $i))))
        (if (i32.and (i32.lt_s (local.get $r) (i32.const 0)) (i32.eqz (local.get $bad))) (then (local.set $bad (i32.add (local.get $i) (i32.const 1))) (call $rec (local.get $r))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 300))))
      (call $rec (local.get $bad))`;
    const { on } = await both(pair(body, DIRECT, "(local $i i32) (local $r i32) (local $bad i32)", 300000));
    expect(on.queued).toBeGreaterThan(100);
    expect(on.rec.s.slice(0, 2)).toEqual([-Errno.EAGAIN, 257]); // 256 queued, the 257th refused
  });

  it("drops a packet left in the cell when the binder ends, and the sender sees ECLOSED next", async () => {
    // The binder exits in _start after its sleep: never resident, its ports close with the packet in the cell.
    const quitter = guest(`
      (data (i32.const 0) "on_packet")
      (data (i32.const 16) "port")
      (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) (call $rec (local.get $code)) (call $flush))
      (func (export "_start")
        (call $rec (call $port_bind (call $handle_get (i32.const 16) (i32.const 4)) (i32.const 0) (i32.const 9) (i32.const 7) (i32.const ${DIRECT})))
        (drop (call $sleep (i64.const 200000)))
        (call $flush)
        (call $exit (i32.const 0)))`);
    const specs = (port: Port, done: Port): ProcSpec[] => [
      { name: "r", bytes: quitter, handles: [{ name: "port", object: port, rights: RECEIVE }] },
      {
        name: "s",
        bytes: guest(`
          (data (i32.const 16) "port")
          (func (export "_start") (local $p i32)
            (local.set $p (call $handle_get (i32.const 16) (i32.const 4)))
            (drop (call $sleep (i64.const 100000)))
            (call $rec (call $port_send (local.get $p) (i32.const 1) (i64.const 1)))
            (drop (call $sleep (i64.const 200000)))
            (call $rec (call $port_send (local.get $p) (i32.const 2) (i64.const 2)))
            (call $rec (i32.wrap_i64 (call $clock_now)))
            (call $flush))`),
        handles: [{ name: "port", object: port, rights: SEND }],
      },
    ];
    const { on } = await both(specs);
    expect(on.queued).toBe(1);
    expect(on.rec.r).toEqual([0]); // its handler never ran
    expect(on.rec.s.slice(0, 2)).toEqual([0, -Errno.ECLOSED]);
  });

  it("delivers a packet left in the cell after the sender closed its handle", async () => {
    const { on } = await both(
      pair(
        `${send(1, 1)} (call $rec (call $handle_close (global.get $port))) ${send(1, 2)} ${clock}`,
        DIRECT,
        "",
        300000,
        false,
        "",
        ordered,
      ),
    );
    expect(on.queued).toBe(1); // the packet (done's port is bound without the flag)
    expect(on.rec.s.slice(0, 3)).toEqual([0, 0, -Errno.ESTALE]);
    expect(on.rec.r.slice(6, 9)).toEqual([1, 1, 0]);
  });

  it("answers a busy direct sender through its cell: the ping-pong of port_rtt_ns, the same run as through the kernel", async () => {
    const pingpong = (n: number) =>
      guest(`
      (data (i32.const 0) "on_packet")
      (data (i32.const 16) "in")
      (data (i32.const 24) "out")
      (global $out (mut i32) (i32.const 0))
      (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
        (call $rec (local.get $code))
        (call $rec (i32.wrap_i64 (local.get $value)))
        (call $rec (i32.wrap_i64 (i64.shr_s (local.get $value) (i64.const 32))))
        (if (i32.ge_s (local.get $code) (i32.const ${2 * n})) (then (call $rec (i32.wrap_i64 (call $clock_now))) (call $flush) (call $exit (i32.const 0))))
        (call $rec (call $port_send (global.get $out) (i32.add (local.get $code) (i32.const 1)) (i64.add (local.get $value) (i64.const 4294967297)))))
      (func (export "_start")
        (global.set $out (call $handle_get (i32.const 24) (i32.const 3)))
        (call $rec (call $port_bind (call $handle_get (i32.const 16) (i32.const 2)) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${DIRECT})))
        (if (i32.eq (call $arg_count) (i32.const 1)) (then
          (drop (call $sleep (i64.const 20000)))
          (call $rec (call $port_send (global.get $out) (i32.const 1) (i64.const 0)))))
        (call $flush))`);
    const specs = (a: Port, b: Port): ProcSpec[] => [
      {
        name: "pong",
        bytes: pingpong(50),
        args: ["pong", "x"],
        handles: [
          { name: "in", object: b, rights: RECEIVE },
          { name: "out", object: a, rights: SEND },
        ],
      },
      {
        name: "ping",
        bytes: pingpong(50),
        args: ["ping"],
        handles: [
          { name: "in", object: a, rights: RECEIVE },
          { name: "out", object: b, rights: SEND },
        ],
      },
    ];
    const { on } = await both(specs);
    expect(on.queued).toBeGreaterThanOrEqual(49); // every answer to the busy ping
    expect(on.exit.ping.reason).toBe(ExitReason.NORMAL);
    // Each hop adds 2^32 + 1: the values ping saw (taken by the run-on from the cell's words), in order. Its
    // records: _start's flush (the binding, the first send), then the last handler's flush of everything: the
    // same two, and per packet its code, the value's two words and its answer's result.
    const seen = on.rec.ping.slice(4);
    for (let i = 0; i < 10; i++) {
      const code = 2 + 2 * i;
      const v = BigInt(code - 1) * (2n ** 32n + 1n);
      expect(seen.slice(4 * i, 4 * i + 3), `packet ${code}`).toEqual([
        code,
        Number(BigInt.asIntN(32, v)),
        Number(BigInt.asIntN(32, v >> 32n)),
      ]);
    }
  });

  it("fails the comparison when a condition of the cell's queue word is dropped", async () => {
    const scenarios: [W2wMutation, (port: Port, done: Port) => ProcSpec[]][] = [
      // The binder resident, its handler with no copy (it calls an import): no entry, the packet in the cell, nothing wakes it.
      ["busy", pair(`${send(1, 1)} ${clock}`, DIRECT, "", 0, false, "", { funcs: "", body: "(call $flush)" })],
      [
        "room",
        pair(
          `(local.set $i (i32.const 0)) (loop $l (call $rec (call $port_send (global.get $port) (i32.const 1) (i64.const 0))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 300))))`,
          DIRECT,
          "(local $i i32)",
          300000,
        ),
      ],
    ];
    for (const [m, specs] of scenarios) {
      mutateW2wForTest(m);
      const on = await run({}, specs);
      const off = await run({ portW2w: false }, specs);
      mutateW2wForTest(null);
      expect(on.queued, m).toBeGreaterThan(0);
      const same =
        JSON.stringify(on.rec) === JSON.stringify(off.rec) && on.now === off.now && JSON.stringify(on.cpu) === JSON.stringify(off.cpu);
      expect(same, m).toBe(false);
    }
  });
});

// Handlers whose one import is port_send (the loader's copies may call it): run wasm-to-wasm too. A send the
// wasm side serves (a busy binder: the cell) needs no kernel; any other makes the activation the kernel's
// (host/runtime/fast-ports.ts directMade): from then on it is exactly sendDirect's activation, so the
// handler's port_send is the binder's own in the kernel (every errno, wake-ups, nested direct activations).
describe("handlers that answer, wasm-to-wasm", () => {
  const IDLE = Constants.PORT_CODE_IDLE;
  // A's on_packet: sends (code = the value's low word, value 77) to the handle at mem[4 * code] and keeps
  // the result; with bit 40 of the value set it traps after the send. Its one import is port_send: a copy.
  const TRAP = 2 ** 40;
  const answerer = guest(`
    (data (i32.const 512) "on_packet") (data (i32.const 528) "p") (data (i32.const 532) "on_done") (data (i32.const 548) "d")
    (data (i32.const 552) "busy") (data (i32.const 560) "idle") (data (i32.const 568) "direct") (data (i32.const 576) "gone") (data (i32.const 584) "full")
    (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) (local $r i32)
      (local.set $r (call $port_send (i32.load (i32.shl (local.get $code) (i32.const 2))) (i32.wrap_i64 (local.get $value)) (i64.const 77)))
      (i32.store (i32.add (i32.const 2048) (i32.shl (i32.load (i32.const 2044)) (i32.const 2))) (local.get $r))
      (i32.store (i32.const 2044) (i32.add (i32.load (i32.const 2044)) (i32.const 1)))
      (if (i64.ne (i64.and (local.get $value) (i64.const ${TRAP})) (i64.const 0)) (then unreachable)))
    (func (export "on_done") (param $key i32) (param $code i32) (param $value i64) (local $i i32)
      (loop $l (if (i32.lt_u (local.get $i) (i32.load (i32.const 2044))) (then
        (call $rec (i32.load (i32.add (i32.const 2048) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
      (call $flush) (call $exit (i32.const 0)))
    (func (export "_start") (local $h i32)
      (i32.store (i32.const 4) (call $handle_get (i32.const 552) (i32.const 4)))
      (i32.store (i32.const 8) (call $handle_get (i32.const 560) (i32.const 4)))
      (i32.store (i32.const 12) (call $handle_get (i32.const 568) (i32.const 6)))
      (i32.store (i32.const 16) (i32.const 12345))
      (local.set $h (call $handle_dup (i32.load (i32.const 4)) (i32.const ${SEND})))
      (drop (call $handle_close (local.get $h)))
      (i32.store (i32.const 20) (local.get $h))
      (i32.store (i32.const 24) (call $handle_get (i32.const 528) (i32.const 1)))
      (i32.store (i32.const 28) (call $handle_get (i32.const 576) (i32.const 4)))
      (i32.store (i32.const 32) (call $handle_get (i32.const 584) (i32.const 4)))
      (i32.store (i32.const 36) (call $handle_get (i32.const 600) (i32.const 4)))
      (call $rec (call $port_bind (i32.load (i32.const 24)) (i32.const 512) (i32.const 9) (i32.const 7) (i32.const ${DIRECT})))
      (call $rec (call $port_bind (call $handle_get (i32.const 548) (i32.const 1)) (i32.const 532) (i32.const 7) (i32.const 8) (i32.const 0)))
      (call $flush))
    (data (i32.const 600) "self")`);
  // A binder of port "in" recording each packet (code, value); sleeps `sleep` in _start first (busy), or
  // exits at once (`exitNow`: its port closes); `killer`: code 66 kills "a", 67 kills "s".
  const sink = (sleep: number, flags = 0, exitNow = false, killer = false, record = true) =>
    guest(`
    (data (i32.const 0) "on_packet") (data (i32.const 16) "in") (data (i32.const 24) "a") (data (i32.const 28) "s")
    (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
      (i32.store (i32.const 4096) (local.get $code)) (i32.store (i32.const 4100) (i32.wrap_i64 (local.get $value)))
      ${
        killer
          ? `(if (i32.eq (local.get $code) (i32.const 66)) (then (i32.store (i32.const 4100) (call $kill (call $handle_get (i32.const 24) (i32.const 1)) (i32.const 9)))))
      (if (i32.eq (local.get $code) (i32.const 67)) (then (i32.store (i32.const 4100) (call $kill (call $handle_get (i32.const 28) (i32.const 1)) (i32.const 9)))))`
          : ""
      }
      ${record ? "(drop (call $console_write (i32.const 4096) (i32.const 8)))" : ""})
    (func (export "_start")
      (call $rec (call $port_bind (call $handle_get (i32.const 16) (i32.const 2)) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${flags})))
      ${exitNow ? "(call $exit (i32.const 0))" : ""}
      ${sleep > 0 ? `(drop (call $sleep (i64.const ${sleep})))` : ""})`);

  /** The system: A, its sender S (sends `sends` [code, value] to A's port after filling "full", then done), and the targets. */
  async function system(config: KernelConfig, sends: [number, number][]) {
    const k = new Kernel(config);
    const mk = () => {
      const pt = new Port(k.core.objects);
      pt.retainHandle();
      return pt;
    };
    const [p, d, busy, idle, direct, gone, full] = [mk(), mk(), mk(), mk(), mk(), mk(), mk()];
    const out = new Map<string, number[]>();
    const procs = new Map<string, import("../../kernel/objects/process.ts").Process>();
    const hosts: import("../../host/kernel.ts").HostProcess[] = [];
    const spawn = (name: string, bytes: Uint8Array, handles: { name: string; object: object; rights: number }[]) => {
      const img = k.loadImage(bytes, name);
      out.set(name, []);
      const hp = k.spawn(img, {
        args: [name],
        handles: [{ name: "self", object: img, rights: IMAGE_GRANT_RIGHTS }, ...handles] as never,
        stdout: (b) => void out.get(name)!.push(...results(b)),
      });
      k.release(img);
      procs.set(name, hp.process);
      hosts.push(hp);
    };
    const body = sends.map(([c, v]) => `(call $rec (call $port_send (global.get $p) (i32.const ${c}) (i64.const ${v})))`).join(" ");
    const s = guest(`
      (data (i32.const 16) "p") (data (i32.const 24) "d") (data (i32.const 32) "full")
      (global $p (mut i32) (i32.const 0))
      (func (export "_start") (local $i i32) (local $f i32)
        (global.set $p (call $handle_get (i32.const 16) (i32.const 1)))
        (local.set $f (call $handle_get (i32.const 32) (i32.const 4)))
        (loop $l (drop (call $port_send (local.get $f) (i32.const 1) (i64.const 0))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 256))))
        (drop (call $sleep (i64.const 100000)))
        ${body}
        (call $rec (i32.wrap_i64 (call $clock_now)))
        (call $rec (call $port_send (call $handle_get (i32.const 24) (i32.const 1)) (i32.const 1) (i64.const 0)))
        (call $flush))`);
    spawn("a", answerer, [
      { name: "p", object: p, rights: RECEIVE },
      { name: "d", object: d, rights: RECEIVE },
      { name: "busy", object: busy, rights: SEND | DUPLICATE },
      { name: "idle", object: idle, rights: SEND },
      { name: "direct", object: direct, rights: SEND },
      { name: "gone", object: gone, rights: SEND },
      { name: "full", object: full, rights: SEND },
    ]);
    spawn("s", s, [
      { name: "p", object: p, rights: SEND },
      { name: "d", object: d, rights: SEND },
      { name: "full", object: full, rights: SEND },
    ]);
    spawn("busy", sink(3_000_000, DIRECT), [{ name: "in", object: busy, rights: RECEIVE }]);
    spawn("idle", sink(0), [{ name: "in", object: idle, rights: RECEIVE }]);
    spawn("t", sink(0, DIRECT, false, true), [
      { name: "in", object: direct, rights: RECEIVE },
      { name: "a", object: procs.get("a")!, rights: Rights.KILL },
      { name: "s", object: procs.get("s")!, rights: Rights.KILL },
    ]);
    spawn("gone", sink(0, 0, true), [{ name: "in", object: gone, rights: RECEIVE }]);
    spawn("full", sink(3_000_000, 0, false, false, false), [{ name: "in", object: full, rights: RECEIVE }]);
    for (const pt of [p, d, busy, idle, direct, gone, full]) k.release(pt);
    const w2w = w2wDelivered();
    const queued = cellQueued();
    const made = madeStats.made;
    await k.run();
    const rec: Record<string, number[]> = {};
    const exit: Record<string, unknown> = {};
    const cpu: Record<string, number> = {};
    for (const [name, r] of out) rec[name] = r;
    for (const [name, pr] of procs) ((exit[name] = pr.exit), (cpu[name] = pr.cpuTimeNs));
    for (const h of hosts) h.close();
    return {
      rec,
      exit,
      cpu,
      now: k.core.clock.peek(),
      w2w: w2wDelivered() - w2w,
      queued: cellQueued() - queued,
      made: madeStats.made - made,
    };
  }

  async function bothWays(sends: [number, number][]) {
    const on = await system({}, sends);
    const off = await system({ portW2w: false }, sends);
    expect(off.w2w + off.made + off.queued).toBe(0);
    expect(on.rec).toEqual(off.rec);
    expect(on.exit).toEqual(off.exit);
    expect(on.now).toBe(off.now);
    expect(on.cpu).toEqual(off.cpu);
    return on;
  }

  it("answers with every result of the kernel's: the cell for a busy binder, the kernel as the binder's for an idle one, a direct one, and every errno", async () => {
    const sends: [number, number][] = [
      [1, 5], // busy: queued in the cell, no kernel
      [2, 6], // idle, queued binding: the kernel wakes it (made)
      [3, 7], // idle direct binder: the kernel runs it directly, nested (made)
      [1, 8], // busy again
      [4, 5], // EBADH
      [5, 5], // ESTALE
      [9, 5], // EWRONGTYPE (its image handle)
      [6, 5], // EACCES (its own port, RECEIVE only)
      [1, IDLE >>> 0], // EINVAL (the code is the value's low word)
      [7, 5], // ECLOSED
      [8, 5], // EAGAIN
      [1, 9],
    ];
    const on = await bothWays(sends);
    expect(on.rec.s.slice(0, sends.length)).toEqual(sends.map(() => 0));
    expect(on.rec.a.slice(-sends.length)).toEqual([
      0,
      0,
      0,
      0,
      -Errno.EBADH,
      -Errno.ESTALE,
      -Errno.EWRONGTYPE,
      -Errno.EACCES,
      -Errno.EINVAL,
      -Errno.ECLOSED,
      -Errno.EAGAIN,
      0,
    ]);
    expect(on.w2w).toBe(sends.length);
    expect(on.queued).toBeGreaterThanOrEqual(1); // the first to the busy binder (the cell holds one until the kernel takes it)
    expect(on.made).toBeGreaterThanOrEqual(sends.length - 4); // every activation whose send the wasm side could not serve
    expect(on.rec.idle).toEqual([6, 77]);
    expect(on.rec.t).toEqual([7, 77]);
    expect(on.rec.busy).toEqual([5, 77, 8, 77, 9, 77]);
  });

  it("ends only the binder when its copy traps, before or after the kernel made its activation; the sender sees ECLOSED next", async () => {
    for (const first of [1, 2]) {
      const on = await bothWays([
        [first, TRAP + 6], // traps after its send: to the cell (not made), or woke a binder (made)
        [1, 7],
      ]);
      expect(on.exit.a, `${first}`).toMatchObject({ reason: ExitReason.TRAP_UNREACHABLE });
      expect(on.rec.s.slice(0, 2)).toEqual([0, -Errno.ECLOSED]);
      expect(on.made).toBe(first === 2 ? 1 : 0);
      expect(first === 2 ? on.rec.idle : on.rec.busy).toEqual([6, 77]); // the send before the trap stands
    }
  });

  it("survives the binder killed in the middle of its made activation (a nested handler kills it), and the sender killed there", async () => {
    const a = await bothWays([
      [1, 5],
      [3, 66], // t's handler kills a: a's copy is unwound, s carries on
      [1, 7],
    ]);
    expect(a.exit.a).toMatchObject({ reason: ExitReason.KILLED, status: 9 });
    expect(a.rec.s.slice(0, 3)).toEqual([0, 0, -Errno.ECLOSED]);
    expect(a.rec.t).toEqual([66, 0]); // its kill's result
    const s = await bothWays([
      [1, 5],
      [3, 67], // t's handler kills s, a's sender: its port_send never returns
      [1, 7],
    ]);
    expect(s.exit.s).toMatchObject({ reason: ExitReason.KILLED, status: 9 });
    expect(s.rec.s).toEqual([]);
  });

  it("fails the comparison when the activation is not made the kernel's before the handler's own port_send goes to the kernel", async () => {
    mutateMadeForTest(true);
    try {
      const on = await system({}, [
        [2, 6],
        [1, 5],
      ]);
      const off = await system({ portW2w: false }, [
        [2, 6],
        [1, 5],
      ]);
      expect(JSON.stringify(on.rec) === JSON.stringify(off.rec) && on.now === off.now).toBe(false);
    } finally {
      mutateMadeForTest(false);
    }
  });
});
