// Direct port activations (PORT_BIND_DIRECT): real guests through the real ABI,
// each scenario run with the fast path on and off (fastPath: false queues every
// packet), so the results are shown to be the same both ways.
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, Rights } from "../../abi/gen/abi.ts";
import { directPortStats } from "../../host/runtime/fast-ports.ts";
import { type KernelConfig, Kernel } from "../../host/kernel.ts";
import { MAX_DIRECT_DEPTH } from "../../kernel/ipc/ports.ts";
import { Port } from "../../kernel/objects/port.ts";
import { nodeEpochTicker } from "../../hal/node/epoch-ticker.ts";
import { observeSyscalls } from "../../host/runtime/bridge.ts";
import { Strace } from "../../host/trace/index.ts";
import { type ProcSpec, runSystem } from "../helpers/system.ts";
import { guest, wat } from "../helpers/wat.ts";

const E = (name: keyof typeof Errno) => -Errno[name];
const { SEND, RECEIVE, DUPLICATE } = Rights;
const DIRECT = Constants.PORT_BIND_DIRECT;

/** Run specs in a fresh kernel with a fresh port handed out as "port" (the first spec RECEIVE, the rest SEND). */
async function run(config: KernelConfig, specs: (port: Port) => ProcSpec[], strace: string[] | null = null) {
  const k = new Kernel(config);
  if (strace !== null) observeSyscalls(k.core, new Strace((l) => strace.push(l)));
  const port = new Port(k.core.objects);
  port.retainHandle();
  const before = { ...directPortStats };
  const r = await runSystem(specs(port), config, k, [port]);
  return { ...r, direct: directPortStats.runs - before.runs };
}

/** The binder: binds "port" to on_packet with `flags`, records its own steps, flushes and exits on code 9. */
const binder = (flags: number, handler: string, locals = "") =>
  guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "port")
  (global $port (mut i32) (i32.const 0))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) ${locals}
    ${handler}
    (call $rec (local.get $code))
    (if (i32.eq (local.get $code) (i32.const 9)) (then (call $flush) (call $exit (i32.const 0)))))
  (func (export "_start")
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (call $rec (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 5) (i32.const ${flags}))))`);

/** A sender: sleeps (so the binder is resident), then `body` with $port its SEND handle. */
const sender = (body: string, locals = "") =>
  guest(`
  (data (i32.const 16) "port")
  (global $port (mut i32) (i32.const 0))
  (func (export "_start") ${locals}
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (drop (call $sleep (i64.const 100000)))
    ${body}
    (call $flush))`);

const send = (code: number) => `(call $rec (call $port_send (global.get $port) (i32.const ${code}) (i64.const ${code * 10})))`;

describe("direct port activations", () => {
  it("deliver a packet to an idle binder inside the sender's port_send, in order, with the results of queued delivery", async () => {
    const specs = (port: Port): ProcSpec[] => [
      { name: "r", bytes: binder(DIRECT, ""), handles: [{ name: "port", object: port, rights: RECEIVE }] },
      { name: "s", bytes: sender([1, 2, 3, 9].map(send).join("\n")), handles: [{ name: "port", object: port, rights: SEND }] },
    ];
    const fast = await run({}, specs);
    const slow = await run({ fastPath: false }, specs);
    expect(fast.rec.r).toEqual([0, 1, 2, 3, 9]);
    expect(fast.rec.s).toEqual([0, 0, 0, 0]);
    expect(fast.exit.r.reason).toBe(ExitReason.NORMAL);
    expect(fast.direct).toBe(4);
    expect(slow.direct).toBe(0);
    expect(slow.rec).toEqual(fast.rec);
  });

  it("fall back to the queue when the binder is not idle: unbound, still in _start, or running a handler; order is kept", async () => {
    // s sends 1 before r binds (queued), 2 while r sleeps in _start (queued), then 3 once r is resident (direct);
    // r's handler for 3 sends 4 to its own port while it runs (queued: r is busy), and 9 finds r idle again (direct).
    const r = (port: Port): ProcSpec[] => [
      {
        name: "s",
        bytes: guest(`
        (data (i32.const 16) "port")
        (global $port (mut i32) (i32.const 0))
        (func (export "_start")
          (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
          ${send(1)}
          (drop (call $sleep (i64.const 100000)))
          ${send(2)}
          (drop (call $sleep (i64.const 1000000)))
          ${send(3)}
          (drop (call $sleep (i64.const 100000)))
          ${send(9)}
          (call $flush))`),
        handles: [{ name: "port", object: port, rights: SEND }],
      },
      {
        name: "r",
        bytes: guest(`
        (data (i32.const 0) "on_packet")
        (data (i32.const 16) "port")
        (global $port (mut i32) (i32.const 0))
        (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
          (call $rec (local.get $code))
          (if (i32.eq (local.get $code) (i32.const 3))
            (then (call $rec (call $port_send (global.get $port) (i32.const 4) (i64.const 0)))))
          (if (i32.eq (local.get $code) (i32.const 9)) (then (call $flush) (call $exit (i32.const 0)))))
        (func (export "_start")
          (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
          (call $rec (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 5) (i32.const ${DIRECT})))
          (drop (call $sleep (i64.const 200000))))`),
        handles: [{ name: "port", object: port, rights: SEND | RECEIVE }],
      },
    ];
    const fast = await run({}, r);
    const slow = await run({ fastPath: false }, r);
    expect(fast.rec.r).toEqual([0, 1, 2, 3, 0, 4, 9]);
    expect(fast.rec.s).toEqual([0, 0, 0, 0]);
    expect(fast.direct).toBe(2);
    expect(slow.direct).toBe(0);
    expect(slow.rec).toEqual(fast.rec);
  });

  it("return every port_send errno exactly as queued delivery does, checked before anything runs", async () => {
    const specs = (port: Port): ProcSpec[] => [
      {
        name: "r",
        bytes: binder(DIRECT, "(if (i32.eq (local.get $code) (i32.const 9)) (then (call $flush) (call $exit (i32.const 0))))"),
        handles: [{ name: "port", object: port, rights: RECEIVE }],
      },
      {
        name: "s",
        bytes: sender(
          `
          (call $rec (call $port_send (i32.const 0x00330001) (i32.const 1) (i64.const 0)))
          (local.set $d (call $handle_dup (global.get $port) (i32.const ${SEND})))
          (drop (call $handle_close (local.get $d)))
          (call $rec (call $port_send (local.get $d) (i32.const 1) (i64.const 0)))
          (call $rec (call $port_send (call $endpoint_create) (i32.const 1) (i64.const 0)))
          (call $rec (call $port_send (call $handle_dup (global.get $port) (i32.const ${DUPLICATE})) (i32.const 1) (i64.const 0)))
          (call $rec (call $port_send (global.get $port) (i32.const -1) (i64.const 0)))
          ${send(1)}
          ${send(9)}
          (drop (call $sleep (i64.const 100000)))
          ${send(2)}`,
          "(local $d i32)",
        ),
        handles: [{ name: "port", object: port, rights: SEND | DUPLICATE }],
      },
    ];
    const fast = await run({}, specs);
    const slow = await run({ fastPath: false }, specs);
    expect(fast.rec.s).toEqual([E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EACCES"), E("EINVAL"), 0, 0, E("ECLOSED")]);
    expect(fast.direct).toBe(2);
    expect(slow.rec).toEqual(fast.rec);
    // EAGAIN: a binder that has not returned from _start is not idle: MAX_PORT_PACKETS queue, the next is refused.
    const flood = (port: Port): ProcSpec[] => [
      {
        name: "r",
        bytes: guest(`
        (data (i32.const 0) "on_packet")
        (data (i32.const 16) "port")
        (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
          (if (i32.eq (local.get $code) (i32.const 9)) (then (call $exit (i32.const 0)))))
        (func (export "_start")
          (drop (call $port_bind (call $handle_get (i32.const 16) (i32.const 4)) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${DIRECT})))
          (drop (call $sleep (i64.const 1000000))))`),
        handles: [{ name: "port", object: port, rights: RECEIVE }],
      },
      {
        name: "s",
        bytes: sender(
          `
          (loop $l
            (call $rec (call $port_send (global.get $port) (i32.const 5) (i64.const 0)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 255))))
          ${send(9)}
          ${send(5)}`,
          "(local $i i32)",
        ),
        handles: [{ name: "port", object: port, rights: SEND }],
      },
    ];
    const full = await run({}, flood);
    expect(full.rec.s).toEqual([...Array(256).fill(0), E("EAGAIN")]);
    expect(full.direct).toBe(0);
    expect((await run({ fastPath: false }, flood)).rec).toEqual(full.rec);
  });

  it("return EDIRECT from every syscall that may block in a direct handler, while non-blocking ones work", async () => {
    const r = await run({}, (port) => [
      {
        name: "r",
        bytes: binder(
          DIRECT,
          `(call $rec (call $sleep (i64.const 1000)))
           (call $rec (call $yield))
           (call $rec (call $receive (call $endpoint_create) (i32.const 0) (i32.const 0) (i64.const 0)))
           (call $rec (i32.wrap_i64 (call $sys (i32.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
           (call $rec (i32.wrap_i64 (call $sys (i32.const 2) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
           (call $rec (i32.gt_s (call $port_create) (i32.const 0)))
           (call $rec (i32.wrap_i64 (i64.shr_u (call $sys (i32.const 34) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)) (i64.const 31))))`,
        ),
        handles: [{ name: "port", object: port, rights: RECEIVE }],
      },
      { name: "s", bytes: sender(`${send(1)} ${send(9)}`), handles: [{ name: "port", object: port, rights: SEND }] },
    ]);
    const ed = E("EDIRECT");
    // per packet: sleep, yield, receive, sys(0) (ENOSYS), sys(yield), port_create > 0, sys(port_create) >= 0, the code
    const one = [ed, ed, ed, E("ENOSYS"), ed, 1, 0];
    expect(r.rec.r).toEqual([0, ...one, 1, ...one, 9]);
    expect(r.rec.s).toEqual([0, 0]);
    expect(r.exit.r.reason).toBe(ExitReason.NORMAL);
  });

  it("end a direct handler that loops for ever with DIRECT_OVERRUN while its sender and other guests carry on", async () => {
    const r = await run({}, (port) => [
      { name: "r", bytes: binder(DIRECT, "(loop $spin (br $spin))"), handles: [{ name: "port", object: port, rights: RECEIVE }] },
      { name: "s", bytes: sender(`${send(1)} ${send(2)}`), handles: [{ name: "port", object: port, rights: SEND }] },
      {
        name: "other",
        bytes: guest(`(func (export "_start") (drop (call $sleep (i64.const 5000000))) (call $rec (i32.const 1)) (call $flush))`),
      },
    ]);
    expect(r.exit.r.reason).toBe(ExitReason.DIRECT_OVERRUN);
    expect(r.exit.r.message).toMatch(/PORT_BIND_DIRECT/);
    expect(r.rec.s).toEqual([0, E("ECLOSED")]);
    expect(r.exit.s.reason).toBe(ExitReason.NORMAL);
    expect(r.rec.other).toEqual([1]);
    // Its quantum of fuel was billed to the sender, whose own slice then ended (the scheduler was asked to preempt it).
    expect(r.procs.s.process.cpuTimeNs).toBeGreaterThan(r.kernel.core.sched.quantumFuel * r.kernel.core.sched.nsPerFuel);
  });

  it("end a binder whose direct handler traps, as a trap in any activation does; its sender's port_send returns 0", async () => {
    const specs = (port: Port): ProcSpec[] => [
      {
        name: "r",
        bytes: binder(DIRECT, "(if (i32.eq (local.get $code) (i32.const 2)) (then unreachable))"),
        handles: [{ name: "port", object: port, rights: RECEIVE }],
      },
      {
        name: "s",
        bytes: sender(`${send(1)} (drop (call $sleep (i64.const 100000))) ${send(2)} (drop (call $sleep (i64.const 100000))) ${send(3)}`),
        handles: [{ name: "port", object: port, rights: SEND }],
      },
      {
        name: "other",
        bytes: guest(`(func (export "_start") (drop (call $sleep (i64.const 5000000))) (call $rec (i32.const 1)) (call $flush))`),
      },
    ];
    const fast = await run({}, specs);
    const slow = await run({ fastPath: false }, specs);
    expect(fast.exit.r.reason).toBe(ExitReason.TRAP_UNREACHABLE);
    expect(fast.rec.s).toEqual([0, 0, E("ECLOSED")]);
    expect(fast.exit.s.reason).toBe(ExitReason.NORMAL);
    expect(fast.rec.other).toEqual([1]);
    expect(fast.direct).toBe(2);
    expect(slow.exit.r.reason).toBe(ExitReason.TRAP_UNREACHABLE);
    expect(slow.rec).toEqual(fast.rec);
  });

  it("end a sender that its direct handler kills, unwinding the sender's stack under the handler; the binder carries on", async () => {
    // r binds, spawns s with a SEND handle (moved), returns; s's packet makes r's handler kill s, then r ends itself.
    const specs = (): ProcSpec[] => [
      {
        name: "r",
        bytes: guest(`
        (data (i32.const 0) "on_packet")
        (data (i32.const 16) "self")
        (data (i32.const 24) "port")
        (data (i32.const 32) "kid\\00")
        (global $kid (mut i32) (i32.const 0))
        (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
          (call $rec (local.get $code))
          (call $rec (call $kill (global.get $kid) (i32.const 7)))
          (call $rec (call $wait (global.get $kid) (i32.const 200) (i64.const 0)))
          (call $flush)
          (call $exit (i32.const 0)))
        (func (export "_start") (local $port i32)
          (if (i32.eq (call $arg_count) (i32.const 1)) (then
            (drop (call $arg_get (i32.const 0) (i32.const 40) (i32.const 3)))
            (if (i32.eq (i32.load8_u (i32.const 40)) (i32.const 0x6b)) (then
              (local.set $port (call $handle_get (i32.const 24) (i32.const 4)))
              (call $rec (call $port_send (local.get $port) (i32.const 1) (i64.const 0)))
              (drop (call $sleep (i64.const 1000000))) ;; queued delivery: the handler runs meanwhile
              (call $flush) ;; never reached: the handler killed us
              (return)))))
          (local.set $port (call $port_create))
          (call $rec (call $port_bind (local.get $port) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${DIRECT})))
          (i32.store (i32.const 64) (call $handle_dup (local.get $port) (i32.const ${SEND | Rights.TRANSFER})))
          (i32.store (i32.const 68) (i32.const 24))
          (i32.store (i32.const 72) (i32.const 4))
          (i32.store (i32.const 76) (i32.const ${Constants.SPAWN_MOVE_HANDLE}))
          (global.set $kid (call $spawn (call $handle_get (i32.const 16) (i32.const 4)) (i32.const 32) (i32.const 4) (i32.const 64) (i32.const 1))))`),
      },
      {
        name: "other",
        bytes: guest(`(func (export "_start") (drop (call $sleep (i64.const 5000000))) (call $rec (i32.const 1)) (call $flush))`),
      },
    ];
    const fast = await run({ trace: true }, specs);
    const slow = await run({ fastPath: false, trace: true }, specs);
    // the child has ended when kill returns; wait may block, so a direct handler gets EDIRECT where a queued one gets 0
    expect(fast.rec.r).toEqual([0, 1, 0, E("EDIRECT")]);
    expect(slow.rec.r).toEqual([0, 1, 0, 0]);
    expect(fast.kernel.traceText()).toMatch(/exit reason=1 status=7/);
    expect(slow.kernel.traceText()).toMatch(/exit reason=1 status=7/);
    expect(fast.exit.r.reason).toBe(ExitReason.NORMAL);
    expect(fast.rec.other).toEqual([1]);
    expect(fast.direct).toBe(1);
    expect(fast.kernel.core.alive).toBe(0);
    expect(slow.rec.other).toEqual([1]);
  });

  it("see a revocation at the very next port_send", async () => {
    const specs = (port: Port): ProcSpec[] => [
      { name: "r", bytes: binder(DIRECT, ""), handles: [{ name: "port", object: port, rights: RECEIVE }] },
      {
        name: "s",
        bytes: sender(
          `
          (local.set $d (call $handle_dup (global.get $port) (i32.const ${SEND | DUPLICATE})))
          (call $rec (call $port_send (local.get $d) (i32.const 1) (i64.const 0)))
          (call $rec (call $handle_revoke (global.get $port)))
          (call $rec (call $port_send (local.get $d) (i32.const 2) (i64.const 0)))
          (call $rec (call $port_send (global.get $port) (i32.const 3) (i64.const 0)))
          ${send(9)}`,
          "(local $d i32)",
        ),
        handles: [{ name: "port", object: port, rights: SEND | DUPLICATE }],
      },
    ];
    const fast = await run({}, specs);
    const slow = await run({ fastPath: false }, specs);
    expect(fast.rec.s[2]).toBeLessThan(0);
    expect(fast.rec.s).toEqual([0, 1, fast.rec.s[2], 0, 0]); // handle_revoke: one derived handle revoked
    expect(fast.rec.r).toEqual([0, 1, 3, 9]);
    expect(fast.direct).toBe(3);
    expect(slow.rec).toEqual(fast.rec);
  });

  it("bill the handler's fuel to the sender's time, and replay: two runs give the same trace, clock readings included", async () => {
    const specs = (port: Port): ProcSpec[] => [
      {
        name: "r",
        bytes: binder(
          DIRECT,
          `(local.set $i (i32.wrap_i64 (local.get $value)))
           (loop $burn (if (i32.gt_s (local.get $i) (i32.const 0)) (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $burn))))
           (call $rec (i32.wrap_i64 (call $clock_now)))`,
          "(local $i i32)",
        ),
        handles: [{ name: "port", object: port, rights: RECEIVE }],
      },
      {
        name: "s",
        bytes: sender(
          `
          (local.set $t (call $clock_now))
          (call $rec (call $port_send (global.get $port) (i32.const 1) (i64.const 0)))
          (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $t))))
          (local.set $t (call $clock_now))
          (call $rec (call $port_send (global.get $port) (i32.const 1) (i64.const 10000)))
          (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $t))))
          ${send(9)}`,
          "(local $t i64)",
        ),
        handles: [{ name: "port", object: port, rights: SEND }],
      },
    ];
    const a = await run({ trace: true }, specs);
    const b = await run({ trace: true }, specs);
    expect(a.direct).toBe(3);
    const [, light, , heavy] = a.rec.s;
    expect(heavy - light).toBeGreaterThanOrEqual(10000); // at least a unit of fuel per turn of the handler's loop
    expect(a.rec.r).toEqual([0, a.rec.r[1], 1, a.rec.r[3], 1, a.rec.r[5], 9]);
    expect(a.kernel.traceText()).toMatch(/direct/);
    expect(b.kernel.traceText()).toBe(a.kernel.traceText());
    expect(b.rec).toEqual(a.rec);
  });

  it("run in real-time mode with epoch preemption, and end a looping direct handler there too", async () => {
    const config: KernelConfig = { deterministic: false, epochTicker: nodeEpochTicker() };
    const r = await run(config, (port) => [
      {
        name: "r",
        bytes: binder(DIRECT, "(if (i32.eq (local.get $code) (i32.const 2)) (then (loop $spin (br $spin))))"),
        handles: [{ name: "port", object: port, rights: RECEIVE }],
      },
      { name: "s", bytes: sender(`${send(1)} ${send(2)} ${send(3)}`), handles: [{ name: "port", object: port, rights: SEND }] },
    ]);
    expect(r.rec.r).toEqual([]); // ended before it flushed
    expect(r.exit.r.reason).toBe(ExitReason.DIRECT_OVERRUN);
    expect(r.rec.s).toEqual([0, 0, E("ECLOSED")]);
    expect(r.direct).toBe(2);
  });

  it("queue every packet in a kernel whose syscalls are observed (strace sees every call), with the same results", async () => {
    const specs = (port: Port): ProcSpec[] => [
      { name: "r", bytes: binder(DIRECT, ""), handles: [{ name: "port", object: port, rights: RECEIVE }] },
      { name: "s", bytes: sender([1, 2, 9].map(send).join("\n")), handles: [{ name: "port", object: port, rights: SEND }] },
    ];
    const lines: string[] = [];
    const seen = await run({}, specs, lines);
    expect(seen.direct).toBe(0);
    expect(lines.filter((l) => l.includes("port_send("))).toHaveLength(3);
    expect(seen.rec).toEqual((await run({}, specs)).rec);
  });

  it("nest direct activations along a chain of idle binders up to MAX_DIRECT_DEPTH, then queue; every binder gets its packet once", async () => {
    const n = MAX_DIRECT_DEPTH + 2;
    const relay = guest(`
      (data (i32.const 0) "on_packet")
      (data (i32.const 16) "in")
      (data (i32.const 24) "out")
      (global $out (mut i32) (i32.const -1))
      (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
        (call $rec (local.get $code))
        (if (i32.ge_s (global.get $out) (i32.const 0))
          (then (call $rec (call $port_send (global.get $out) (i32.add (local.get $code) (i32.const 1)) (i64.const 0)))))
        (call $flush)
        (call $exit (i32.const 0)))
      (func (export "_start")
        (global.set $out (call $handle_get (i32.const 24) (i32.const 3)))
        (drop (call $port_bind (call $handle_get (i32.const 16) (i32.const 2)) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${DIRECT}))))`);
    const specs = (): ProcSpec[] => {
      const ports = Array.from({ length: n }, () => new Port(kernels.at(-1)!.core.objects));
      for (const p of ports) p.retainHandle();
      held.push(...ports);
      return [
        ...ports.map((p, i) => ({
          name: `b${i}`,
          bytes: relay,
          handles: [
            { name: "in", object: p, rights: RECEIVE },
            ...(i + 1 < n ? [{ name: "out", object: ports[i + 1], rights: SEND }] : []),
          ],
        })),
        { name: "s", bytes: sender(send(1)), handles: [{ name: "port", object: ports[0], rights: SEND }] },
      ];
    };
    const kernels: Kernel[] = [];
    const held: Port[] = [];
    const chain = async (config: KernelConfig) => {
      kernels.push(new Kernel(config));
      held.length = 0;
      const before = directPortStats.runs;
      const r = await runSystem(specs(), config, kernels.at(-1)!, held);
      return { ...r, direct: directPortStats.runs - before };
    };
    const fast = await chain({});
    const slow = await chain({ fastPath: false });
    for (let i = 0; i < n; i++) expect(fast.rec[`b${i}`]).toEqual(i + 1 < n ? [i + 1, 0] : [i + 1]);
    // s -> b0 ... b7 -> b8 nest 8 deep, so b8's packet queues; b8's queued activation then sends to b9 directly.
    expect(fast.direct).toBe(MAX_DIRECT_DEPTH + 1);
    expect(slow.direct).toBe(0);
    expect(slow.rec).toEqual(fast.rec);
  });

  it("never run a handler directly when its image is not metered (nothing could stop it): the packets queue", async () => {
    const specs = (port: Port): ProcSpec[] => [
      { name: "r", bytes: binder(DIRECT, ""), handles: [{ name: "port", object: port, rights: RECEIVE }] },
      { name: "s", bytes: sender([1, 9].map(send).join("\n")), handles: [{ name: "port", object: port, rights: SEND }] },
    ];
    const r = await run({ instrument: false }, specs);
    expect(r.direct).toBe(0);
    expect(r.rec).toEqual({ r: [0, 1, 9], s: [0, 0] });
  });

  it("rest on two facts of the engine: wasm cannot catch a trap, and a Suspending import cannot be called above a JavaScript frame", async () => {
    // If either changes, a direct activation could run wasm-to-wasm (docs/fastpath.md, "Port dispatch in wasm, wasm-to-wasm").
    const trapper = new WebAssembly.Instance(
      new WebAssembly.Module(wat(`(module (func (export "t") unreachable))`) as Uint8Array<ArrayBuffer>),
    );
    const catcher = wat(`(module (import "m" "f" (func $f))
      (func (export "g") (result i32) (try (result i32) (do (call $f) (i32.const 1)) (catch_all (i32.const 2)))))`);
    const caught = (f: () => void) =>
      (new WebAssembly.Instance(new WebAssembly.Module(catcher as Uint8Array<ArrayBuffer>), { m: { f } }).exports.g as () => number)();
    expect(
      caught(() => {
        throw new Error("a JavaScript exception");
      }),
    ).toBe(2);
    expect(() => caught(trapper.exports.t as () => void)).toThrow(WebAssembly.RuntimeError);
    const caller = wat(`(module (import "m" "f" (func $f (result i32))) (func (export "g") (result i32) (call $f)))`);
    const inner = new WebAssembly.Instance(new WebAssembly.Module(caller as Uint8Array<ArrayBuffer>), {
      m: { f: new WebAssembly.Suspending(() => 5) },
    } as unknown as WebAssembly.Imports);
    let seen = "";
    const outer = new WebAssembly.Instance(new WebAssembly.Module(caller as Uint8Array<ArrayBuffer>), {
      m: {
        f: () => {
          try {
            return (inner.exports.g as () => number)();
          } catch (e) {
            seen = (e as Error).message;
            return -1;
          }
        },
      },
    });
    expect(await WebAssembly.promising(outer.exports.g as () => number)()).toBe(-1);
    expect(seen).toMatch(/suspend JS frames/);
  });
});
