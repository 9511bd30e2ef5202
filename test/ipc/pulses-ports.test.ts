// Asynchronous paths: pulses (bounded per sender) and event ports (handlers
// called by the kernel, idle packets, traps contained).
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, Limits, ProcessState, Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const E = (name: keyof typeof Errno) => -Errno[name];
const { SEND, RECEIVE } = Rights;

describe("pulses", () => {
  it("never block; a sender past MAX_PENDING_PULSES gets EAGAIN while another sender still gets through", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const flooder = guest(`
      (data (i32.const 0) "ep")
      (func (export "_start") (local $ep i32) (local $i i32)
        (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
        (loop $l
          (call $rec (call $pulse (local.get $ep) (i32.add (i32.const 100) (local.get $i)) (i64.extend_i32_u (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const ${Limits.MAX_PENDING_PULSES + 4}))))
        (call $flush))`);
    const polite = guest(`
      (data (i32.const 0) "ep")
      (func (export "_start") (local $ep i32)
        (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
        (call $rec (call $pulse (local.get $ep) (i32.const 7) (i64.const 70)))
        (call $flush))`);
    const server = guest(`
      (data (i32.const 0) "ep")
      (func (export "_start") (local $ep i32) (local $i i32)
        (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
        (drop (call $sleep (i64.const 1000000)))
        (loop $l
          (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
          (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const ${Limits.MAX_PENDING_PULSES + 1}))))
        (call $rec (call $msg_info (i32.const 100)))
        (call $rec (i32.load (i32.const 100)))
        (call $flush))`);
    const r = await runSystem(
      [
        { name: "server", bytes: server, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "flooder", bytes: flooder, handles: [{ name: "ep", object: ep, rights: SEND }] },
        { name: "polite", bytes: polite, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      {},
      k,
      [ep],
    );
    const n = Limits.MAX_PENDING_PULSES;
    expect(r.rec.flooder).toEqual([...Array(n).fill(0), ...Array(4).fill(E("EAGAIN"))]);
    expect(r.rec.polite).toEqual([0]);
    const codes = r.rec.server.filter((_, i) => i % 2 === 1 && i < 2 * (n + 1));
    expect(codes).toEqual([...Array.from({ length: n }, (_, i) => 100 + i), 7]);
    expect(r.rec.server.filter((_, i) => i % 2 === 0 && i < 2 * (n + 1))).toEqual(Array(n + 1).fill(0));
    expect(r.rec.server.slice(-2)).toEqual([Constants.MSG_INFO_SIZE, Constants.MSG_KIND_PULSE]);
  });

  it("a higher-priority sender's pulse is received first", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const sender = (code: number) =>
      guest(`
      (data (i32.const 0) "ep")
      (func (export "_start") (drop (call $pulse (call $handle_get (i32.const 0) (i32.const 2)) (i32.const ${code}) (i64.const 0))))`);
    const server = guest(`
      (data (i32.const 0) "ep")
      (func (export "_start") (local $ep i32)
        (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
        (drop (call $sleep (i64.const 1000000)))
        (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
        (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
        (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
        (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
        (call $flush))`);
    const r = await runSystem(
      [
        { name: "server", bytes: server, priority: 128, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "low", bytes: sender(1), priority: 20, handles: [{ name: "ep", object: ep, rights: SEND }] },
        { name: "high", bytes: sender(2), priority: 220, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.server).toEqual([2, 1]);
  });
});

// A process that binds a port to `on_packet`, queues packets to itself, and returns:
// the kernel then calls the handler once per packet; the packet with code 3 ends it.
const HANDLER = `
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
    (call $rec (local.get $key))
    (call $rec (local.get $code))
    (call $rec (i32.wrap_i64 (local.get $value)))
    (if (i32.eq (local.get $code) (i32.const 3)) (then (call $flush) (call $exit (i32.const 0))))
    (if (i32.eq (local.get $code) (i32.const 99)) (then unreachable)))`;

describe("event ports", () => {
  it("deliver each packet by calling the bound handler after _start returns; the process stays RESIDENT between packets", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
        (data (i32.const 0) "on_packet")
        ${HANDLER}
        (func (export "_start") (local $port i32)
          (local.set $port (call $port_create))
          (call $rec (call $port_bind (local.get $port) (i32.const 0) (i32.const 9) (i32.const 7) (i32.const 0)))
          (call $rec (call $port_send (local.get $port) (i32.const 1) (i64.const 10)))
          (call $rec (call $port_send (local.get $port) (i32.const 2) (i64.const 20)))
          (call $rec (call $port_send (local.get $port) (i32.const 3) (i64.const 30))))`),
      },
    ]);
    expect(r.exit.p.reason).toBe(ExitReason.NORMAL);
    expect(r.rec.p).toEqual([0, 0, 0, 0, 7, 1, 10, 7, 2, 20, 7, 3, 30]);
  });

  it("a process with bound ports waits RESIDENT for packets from another process, and its death closes the port", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
        (data (i32.const 0) "on_packet")
        (data (i32.const 16) "self")
        (data (i32.const 24) "port")
        (data (i32.const 32) "kid\\00")
        ${HANDLER}
        (func (export "_start") (local $port i32) (local $i i32)
          (if (i32.eq (call $arg_count) (i32.const 1)) (then
            (drop (call $arg_get (i32.const 0) (i32.const 40) (i32.const 3)))
            (if (i32.eq (i32.load8_u (i32.const 40)) (i32.const 0x6b)) (then
              ;; the child: send three packets, wait, then try again after the binder died
              (local.set $port (call $handle_get (i32.const 24) (i32.const 4)))
              (drop (call $sleep (i64.const 1000000)))
              (drop (call $port_send (local.get $port) (i32.const 1) (i64.const 11)))
              (drop (call $sleep (i64.const 1000000)))
              (drop (call $port_send (local.get $port) (i32.const 3) (i64.const 33)))
              (drop (call $sleep (i64.const 1000000)))
              (call $exit (call $port_send (local.get $port) (i32.const 1) (i64.const 0)))))))
          (local.set $port (call $port_create))
          (drop (call $port_bind (local.get $port) (i32.const 0) (i32.const 9) (i32.const 5) (i32.const 0)))
          (i32.store (i32.const 64) (call $handle_dup (local.get $port) (i32.const ${SEND | Rights.TRANSFER})))
          (i32.store (i32.const 68) (i32.const 24))
          (i32.store (i32.const 72) (i32.const 4))
          (i32.store (i32.const 76) (i32.const ${Constants.SPAWN_MOVE_HANDLE})) ;; a send-only handle made for the child: moved
          (drop (call $spawn (call $handle_get (i32.const 16) (i32.const 4)) (i32.const 32) (i32.const 4) (i32.const 64) (i32.const 1))))`),
      },
    ]);
    expect(r.rec.p).toEqual([5, 1, 11, 5, 3, 33]);
    const child = [...r.kernel.core.processes.values()].find((p) => p.pid !== r.procs.p.pid);
    void child;
    expect(r.kernel.core.alive).toBe(0);
  });

  it("idle packets reach a resident subscriber when nothing else is runnable, once per idle period", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
        (data (i32.const 0) "on_idle")
        (global $n (mut i32) (i32.const 0))
        (func (export "on_idle") (param $key i32) (param $code i32) (param $value i64)
          (call $rec (local.get $code))
          (global.set $n (i32.add (global.get $n) (i32.const 1)))
          ;; sleeping ends this idle period; the next one brings another idle packet
          (if (i32.lt_u (global.get $n) (i32.const 3)) (then (drop (call $sleep (i64.const 1000))))
            (else (call $flush) (call $exit (i32.const 0)))))
        (func (export "_start")
          (call $rec (call $port_bind (call $port_create) (i32.const 0) (i32.const 7) (i32.const 0) (i32.const ${Constants.PORT_BIND_IDLE}))))`),
      },
    ]);
    expect(r.rec.p).toEqual([0, Constants.PORT_CODE_IDLE, Constants.PORT_CODE_IDLE, Constants.PORT_CODE_IDLE]);
  });

  it("run one activation at a time on the process's resident loop: a packet sent during an activation that then blocks runs after it, and an exit in a handler ends the process", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
        (data (i32.const 0) "on_packet")
        (global $port (mut i32) (i32.const 0))
        (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
          (call $rec (i32.add (i32.const 100) (local.get $code)))
          (if (i32.eq (local.get $code) (i32.const 1))
            (then
              (call $rec (call $port_send (global.get $port) (i32.const 2) (i64.const 0)))
              (call $rec (call $sleep (i64.const 1000000)))))
          (if (i32.eq (local.get $code) (i32.const 2))
            (then (call $rec (call $port_send (global.get $port) (i32.const 3) (i64.const 0)))))
          (call $rec (i32.add (i32.const 200) (local.get $code)))
          (if (i32.eq (local.get $code) (i32.const 3)) (then (call $flush) (call $exit (i32.const 0)))))
        (func (export "_start")
          (global.set $port (call $port_create))
          (call $rec (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 7) (i32.const 0)))
          (call $rec (call $port_send (global.get $port) (i32.const 1) (i64.const 0))))`),
      },
      {
        name: "other",
        bytes: guest(`(func (export "_start") (drop (call $sleep (i64.const 500000))) (call $rec (i32.const 1)) (call $flush))`),
      },
    ]);
    expect(r.exit.p.reason).toBe(ExitReason.NORMAL);
    // Packet 1's activation blocks in sleep (another process runs meanwhile); packet 2 waits for it to end.
    expect(r.rec.p).toEqual([0, 0, 101, 0, 0, 201, 102, 0, 202, 103, 203]);
    expect(r.rec.other).toEqual([1]);
  });

  it("a trap in a handler ends only that process", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
          (data (i32.const 0) "on_packet")
          ${HANDLER}
          (func (export "_start") (local $port i32)
            (local.set $port (call $port_create))
            (drop (call $port_bind (local.get $port) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 0)))
            (drop (call $port_send (local.get $port) (i32.const 99) (i64.const 0))))`),
      },
      {
        name: "other",
        bytes: guest(`(func (export "_start") (drop (call $sleep (i64.const 1000000))) (call $rec (i32.const 1)) (call $flush))`),
      },
    ]);
    expect(r.exit.p.reason).toBe(ExitReason.TRAP_UNREACHABLE);
    expect(r.rec.other).toEqual([1]);
  });

  it("port_bind and port_send refuse what they document", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
        (data (i32.const 0) "on_packet")
        (data (i32.const 16) "_start")
        (data (i32.const 24) "missing")
        ${HANDLER}
        (func (export "_start") (local $port i32) (local $i i32)
          (local.set $port (call $port_create))
          (call $rec (call $port_bind (local.get $port) (i32.const 24) (i32.const 7) (i32.const 0) (i32.const 0)))
          (call $rec (call $port_bind (local.get $port) (i32.const 16) (i32.const 6) (i32.const 0) (i32.const 0)))
          (call $rec (call $port_bind (local.get $port) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 4)))
          (call $rec (call $port_bind (local.get $port) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
          (call $rec (call $port_bind (local.get $port) (i32.const 65535) (i32.const 9) (i32.const 0) (i32.const 0)))
          (call $rec (call $port_bind (call $handle_dup (local.get $port) (i32.const ${SEND})) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 0)))
          (call $rec (call $port_bind (call $endpoint_create) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 0)))
          (call $rec (call $port_bind (local.get $port) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 0)))
          (call $rec (call $port_bind (local.get $port) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 0)))
          (call $rec (call $port_send (local.get $port) (i32.const -1) (i64.const 0)))
          (call $rec (call $port_send (call $handle_dup (local.get $port) (i32.const ${RECEIVE})) (i32.const 1) (i64.const 0)))
          (call $rec (call $port_send (i32.const 0x00330001) (i32.const 1) (i64.const 0)))
          (loop $l
            (drop (call $port_send (local.get $port) (i32.const 1) (i64.const 0)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const ${Limits.MAX_PORT_PACKETS - 1}))))
          (call $rec (call $port_send (local.get $port) (i32.const 3) (i64.const 0)))
          (call $rec (call $port_send (local.get $port) (i32.const 3) (i64.const 0)))
          (call $flush))`),
      },
    ]);
    expect(r.rec.p.slice(0, 14)).toEqual([
      E("ENOENT"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EFAULT"),
      E("EACCES"),
      E("EWRONGTYPE"),
      0,
      E("EEXIST"),
      E("EINVAL"),
      E("EACCES"),
      E("EBADH"),
      0,
      E("EAGAIN"),
    ]);
  });

  it("a resident process is reported RESIDENT and can be killed there", async () => {
    const k = new Kernel();
    const img = k.loadImage(
      guest(`
      (data (i32.const 0) "on_packet")
      ${HANDLER}
      (func (export "_start") (drop (call $port_bind (call $port_create) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 0))))`),
      "r",
    );
    const p = k.spawn(img);
    k.release(img);
    await k.run();
    expect(p.process.state).toBe(ProcessState.RESIDENT);
    k.core.terminate(p.process, 3, ExitReason.KILLED, "test");
    expect((await p.exited).reason).toBe(ExitReason.KILLED);
    p.close();
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
