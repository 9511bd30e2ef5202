// Synchronous IPC through the real ABI: send/receive/reply with short and
// long messages, handle transfer both ways, every errno of these calls,
// deadlines and peer failure at each blocking state.
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, ObjectType, PROCESS_STATE_NAMES, ProcessState, Rights } from "../../abi/gen/abi.ts";
import { IPC_TRANSITIONS, transitionCounts, transitionKey } from "../../kernel/ipc/states.ts";
import { Kernel } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const E = (name: keyof typeof Errno) => -Errno[name];
const { SEND, RECEIVE, DUPLICATE, TRANSFER } = Rights;

/** A guest whose startup handle "ep" is in local $ep, then `body`. */
const withEp = (body: string, extra = "") =>
  guest(`
    (data (i32.const 0) "ep")
    (data (i32.const 4) "x2")
    ${extra}
    (func (export "_start") (local $ep i32) (local $r i32) (local $h i32) (local $i i32)
      (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
      ${body}
      (call $flush))`);

const ECHO_SERVER = withEp(`
  (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
  (call $rec (i32.gt_s (local.get $r) (i32.const 0)))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 3))))
  (call $rec (call $reply (local.get $r) (i32.wrap_i64 (call $msg_word (i32.const 2)))
    (i64.add (call $msg_word (i32.const 0)) (call $msg_word (i32.const 1))) (i64.const -9) (i32.const 0) (i32.const 0)))`);

const ECHO_CLIENT = withEp(`
  (call $rec (call $send (local.get $ep) (i64.const 40) (i64.const 2) (i64.const 7) (i64.const 5) ${INF}))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 1))))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 2))))
  (call $rec (call $msg_info (i32.const 100)))
  (call $rec (i32.load (i32.const 100)))
  (call $rec (i32.load (i32.const 104)))`);

async function echo(serverFirst: boolean) {
  const k = new Kernel();
  const ep = k.createEndpoint();
  const server = { name: "server", bytes: ECHO_SERVER, handles: [{ name: "ep", object: ep, rights: RECEIVE }] };
  const client = { name: "client", bytes: ECHO_CLIENT, handles: [{ name: "ep", object: ep, rights: SEND }] };
  return runSystem(serverFirst ? [server, client] : [client, server], {}, k, [ep]);
}

describe("send, receive, reply", () => {
  for (const serverFirst of [true, false]) {
    it(`a short message and its reply travel in registers (${serverFirst ? "server waiting first" : "client queued first"})`, async () => {
      const r = await echo(serverFirst);
      expect(r.rec.server).toEqual([1, 5, 0]);
      const serverPid = r.procs.server.pid;
      expect(r.rec.client).toEqual([7, 42, -9, 0, Constants.MSG_INFO_SIZE, Constants.MSG_KIND_REPLY, serverPid]);
      expect(r.kernel.core.copied.ipcBytes).toBe(0); // nothing went through memory
      closeAll(r);
      expect(r.kernel.core.objects.liveTotal()).toBe(0);
    });
  }

  it("a long message's body is copied into the server's buffer; a short buffer reports the full length; the reply body is truncated to reply_cap", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const server = withEp(
      `
      (local.set $r (call $receive (local.get $ep) (i32.const 200) (i32.const 5) ${INF}))
      (call $rec (call $msg_info (i32.const 100)))
      (call $rec (i32.load (i32.const 100)))
      (call $rec (i32.load (i32.const 108)))
      (call $rec (i32.load8_u (i32.const 200)))
      (call $rec (i32.load8_u (i32.const 204)))
      (call $rec (i32.load8_u (i32.const 205)))
      (call $rec (i32.eq (i32.load (i32.const 120)) (local.get $r)))
      (call $rec (call $reply (local.get $r) (i32.const 3) (i64.const 0) (i64.const 0) (i32.const 300) (i32.const 6)))`,
      `(data (i32.const 300) "REPLY!")`,
    );
    const client = withEp(
      `
      ;; descriptor at 400: words, send "abcdefgh" at 500 (8), reply buffer 600 cap 4, no handles
      (i64.store (i32.const 400) (i64.const 11))
      (i32.store (i32.const 432) (i32.const 500))
      (i32.store (i32.const 436) (i32.const 8))
      (i32.store (i32.const 440) (i32.const 600))
      (i32.store (i32.const 444) (i32.const 4))
      (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
      (call $rec (call $msg_info (i32.const 100)))
      (call $rec (i32.load (i32.const 108)))
      (call $rec (i32.load (i32.const 600)))
      (call $rec (i32.load8_u (i32.const 604)))`,
      `(data (i32.const 500) "abcdefgh")`,
    );
    const r = await runSystem(
      [
        { name: "server", bytes: server, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "client", bytes: client, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.server).toEqual([24, Constants.MSG_KIND_MESSAGE, 8, 0x61, 0x65, 0, 1, 0]);
    expect(r.rec.client).toEqual([3, 24, 6, 0x4c504552 /* "REPL" */, 0]);
    expect(r.kernel.core.copied.ipcBytes).toBe(5 + 4);
  });

  it("handles travel both ways: moved out of the client, copied back by the server", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const server = withEp(`
      (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
      (call $rec (call $msg_info (i32.const 100)))
      (call $rec (i32.load (i32.const 112)))
      (local.set $h (call $msg_handle (i32.const 0)))
      (call $rec (call $handle_info (local.get $h) (i32.const 140)))
      (call $rec (i32.load (i32.const 140)))
      (call $rec (i32.load (i32.const 144)))
      (call $rec (call $msg_handle (i32.const 1)))
      ;; copy it back in the reply: descriptor at 400, one handle at 480
      (i32.store (i32.const 480) (local.get $h))
      (i32.store (i32.const 448) (i32.const 480))
      (i32.store16 (i32.const 452) (i32.const 1))
      (call $rec (call $replymsg (local.get $r) (i32.const 0) (i32.const 400)))
      (call $rec (i32.gt_s (call $handle_info (local.get $h) (i32.const 140)) (i32.const 0)))
      ;; stay alive while the client looks: its copy derives from our handle
      (drop (call $sleep (i64.const 1000000)))`);
    const client = withEp(`
      (local.set $h (call $port_create))
      (i32.store (i32.const 480) (local.get $h))
      (i32.store (i32.const 448) (i32.const 480))
      (i32.store16 (i32.const 452) (i32.const 1))
      (i32.store16 (i32.const 454) (i32.const 1)) ;; MSG_MOVE_HANDLES
      (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
      (call $rec (call $handle_info (local.get $h) (i32.const 140)))
      (call $rec (call $msg_info (i32.const 100)))
      (call $rec (i32.load (i32.const 112)))
      (call $rec (call $handle_info (call $msg_handle (i32.const 0)) (i32.const 140)))
      (call $rec (i32.load (i32.const 140)))
      (call $rec (i32.load (i32.const 152)))`);
    const r = await runSystem(
      [
        { name: "server", bytes: server, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "client", bytes: client, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      {},
      k,
      [ep],
    );
    const portRights = DUPLICATE | TRANSFER | SEND | RECEIVE;
    expect(r.rec.server).toEqual([24, 1, 16, ObjectType.PORT, portRights, E("EINVAL"), 0, 1]);
    // The moved handle is gone from the client; the copy it got back derives from the server's (depth 1).
    expect(r.rec.client).toEqual([0, E("ESTALE"), 24, 1, 16, ObjectType.PORT, 1]);
    closeAll(r);
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });
});

describe("handles revoked in flight", () => {
  it("a handle revoked while its message waits in the queue arrives as HANDLE_INVALID, in its place", async () => {
    // P spawns C with a copy of its memory handle; C sends S a message carrying
    // a copy of that handle and a port, and waits; while it is queued (S is
    // asleep) P revokes its handle, which reaches C's and the one in flight.
    const k = new Kernel();
    const ep = k.createEndpoint();
    const p = guest(`
      (data (i32.const 0) "self") (data (i32.const 8) "ep") (data (i32.const 16) "m") (data (i32.const 24) "c\\00x\\00")
      (func $child (local $ep i32)
        (local.set $ep (call $handle_get (i32.const 8) (i32.const 2)))
        (i32.store (i32.const 480) (call $handle_get (i32.const 16) (i32.const 1)))
        (i32.store (i32.const 484) (call $port_create))
        (i32.store (i32.const 448) (i32.const 480))
        (i32.store16 (i32.const 452) (i32.const 2))   ;; two handles, copied
        (call $exit (call $sendmsg (local.get $ep) (i32.const 400) ${INF})))
      (func (export "_start") (local $m i32) (local $c i32)
        (if (i32.ne (call $arg_count) (i32.const 1)) (then (call $child) (return)))
        (local.set $m (call $memory_create (i32.const 4096)))
        (i32.store (i32.const 100) (call $handle_get (i32.const 8) (i32.const 2)))
        (i32.store (i32.const 104) (i32.const 8))
        (i32.store (i32.const 108) (i32.const 2))
        (i32.store (i32.const 116) (local.get $m))
        (i32.store (i32.const 120) (i32.const 16))
        (i32.store (i32.const 124) (i32.const 1))
        (local.set $c (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 24) (i32.const 4) (i32.const 100) (i32.const 2)))
        (drop (call $sleep (i64.const 1000000)))
        (call $rec (call $handle_revoke (local.get $m)))   ;; counts handles in tables (C's); the one in flight ends too
        (drop (call $wait (local.get $c) (i32.const 200) ${INF}))
        (call $rec (i32.load (i32.const 200)))              ;; C's status: S's answer
        (call $flush))`);
    const server = withEp(`
      (drop (call $sleep (i64.const 3000000)))
      (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
      (drop (call $msg_info (i32.const 100)))
      (call $rec (i32.load (i32.const 112)))                ;; both slots are there
      (call $rec (call $msg_handle (i32.const 0)))          ;; the revoked one: HANDLE_INVALID
      (local.set $h (call $msg_handle (i32.const 1)))
      (drop (call $handle_info (local.get $h) (i32.const 140)))
      (call $rec (i32.load (i32.const 140)))                ;; the port, intact
      (drop (call $reply (local.get $r) (i32.const 7) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))`);
    const r = await runSystem(
      [
        { name: "server", bytes: server, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "p", bytes: p, handles: [{ name: "ep", object: ep, rights: SEND | DUPLICATE | TRANSFER }] },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.server).toEqual([2, Constants.HANDLE_INVALID, ObjectType.PORT]);
    expect(r.rec.p).toEqual([1, 7]);
    closeAll(r);
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });
});

describe("errors of the IPC calls", () => {
  it("send, sendmsg, receive, pulse refuse bad handles, wrong types, missing rights and bad buffers", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const r = await runSystem(
      [
        {
          name: "p",
          bytes: withEp(`
        (call $rec (call $send (i32.const 0x00070001) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))
        (local.set $h (call $port_create))
        (call $rec (call $send (local.get $h) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))
        (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
        (call $rec (call $pulse (local.get $h) (i32.const 1) (i64.const 1)))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 65530) ${INF}))
        (i32.store16 (i32.const 454) (i32.const 2))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
        (i32.store16 (i32.const 454) (i32.const 0))
        (i32.store (i32.const 436) (i32.const 1048577))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
        (i32.store (i32.const 436) (i32.const 16))
        (i32.store (i32.const 432) (i32.const 65530))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
        (i32.store (i32.const 432) (i32.const 0))
        (i32.store16 (i32.const 452) (i32.const 17))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
        ;; the same handle twice
        (i32.store (i32.const 480) (local.get $h))
        (i32.store (i32.const 484) (local.get $h))
        (i32.store (i32.const 448) (i32.const 480))
        (i32.store16 (i32.const 452) (i32.const 2))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
        ;; a handle without TRANSFER
        (i32.store (i32.const 480) (call $handle_dup (local.get $h) (i32.const ${SEND})))
        (i32.store16 (i32.const 452) (i32.const 1))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
        ;; a handle without DUPLICATE, copied
        (i32.store (i32.const 480) (call $handle_dup (local.get $h) (i32.const ${TRANSFER})))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
        ;; with nobody able to receive: ECLOSED, and the handle list is not consumed
        (i32.store16 (i32.const 454) (i32.const 1))
        (i32.store (i32.const 480) (local.get $h))
        (call $rec (call $sendmsg (local.get $ep) (i32.const 400) ${INF}))
        (call $rec (i32.gt_s (call $handle_info (local.get $h) (i32.const 140)) (i32.const 0)))
        (call $rec (call $send (local.get $ep) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))
        (call $rec (call $pulse (local.get $ep) (i32.const 1) (i64.const 1)))`),
          handles: [{ name: "ep", object: ep, rights: SEND }],
        },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.p).toEqual([
      E("EBADH"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EWRONGTYPE"),
      E("EFAULT"),
      E("EINVAL"),
      E("E2BIG"),
      E("EFAULT"),
      E("E2BIG"),
      E("EINVAL"),
      E("EACCES"),
      E("EACCES"),
      E("ECLOSED"),
      1,
      E("ECLOSED"),
      E("ECLOSED"),
    ]);
  });

  it("receive refuses a negative length, a buffer outside memory, and times out; reply refuses unknown receive ids", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const r = await runSystem(
      [
        {
          name: "p",
          bytes: withEp(`
        (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const -1) ${INF}))
        (call $rec (call $receive (local.get $ep) (i32.const 65535) (i32.const 2) ${INF}))
        (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) (i64.const 0)))
        (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) (i64.add (call $clock_now) (i64.const 5000))))
        (call $rec (call $reply (i32.const 77) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
        (call $rec (call $replymsg (i32.const 77) (i32.const 0) (i32.const 400)))
        (call $rec (call $reply_error (i32.const 77) (i32.const 5)))
        (call $rec (i32.wrap_i64 (call $msg_word (i32.const 4))))
        (call $rec (i32.wrap_i64 (call $msg_word (i32.const -1))))
        (call $rec (call $msg_handle (i32.const 0)))
        (call $rec (call $msg_info (i32.const 65530)))
        (call $rec (call $msg_info (i32.const 100)))
        (call $rec (i32.load (i32.const 100)))`),
          handles: [{ name: "ep", object: ep, rights: RECEIVE }],
        },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.p).toEqual([
      E("EINVAL"),
      E("EFAULT"),
      E("ETIMEDOUT"),
      E("ETIMEDOUT"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EFAULT"),
      24,
      Constants.MSG_KIND_NONE,
    ]);
  });

  it("reply refuses a bad body and reply_error a non-positive errno; the client gets reply_error's errno", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const server = withEp(`
      (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
      (call $rec (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const -1)))
      (call $rec (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 1048577)))
      (call $rec (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 65535) (i32.const 2)))
      (call $rec (call $replymsg (local.get $r) (i32.const 0) (i32.const 65530)))
      (call $rec (call $reply_error (local.get $r) (i32.const 0)))
      (call $rec (call $reply_error (local.get $r) (i32.const 8)))
      (call $rec (call $reply_error (local.get $r) (i32.const 8)))`);
    const client = withEp(`(call $rec (call $send (local.get $ep) (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))`);
    const r = await runSystem(
      [
        { name: "server", bytes: server, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "client", bytes: client, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.server).toEqual([E("EINVAL"), E("E2BIG"), E("EFAULT"), E("EFAULT"), E("EINVAL"), 0, E("EINVAL")]);
    expect(r.rec.client).toEqual([E("ENOENT")]);
  });
});

describe("deadlines and peer failure never hang anyone", () => {
  it("a send times out while queued, and while the server holds it (the late reply gets EGONE)", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const server = withEp(`
      (drop (call $sleep (i64.const 10000000)))
      (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
      (call $rec (local.get $r))
      (drop (call $sleep (i64.const 10000000)))
      (call $rec (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))`);
    const client = withEp(`
      (call $rec (call $send (local.get $ep) (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0) (i64.add (call $clock_now) (i64.const 1000000))))
      (call $rec (call $send (local.get $ep) (i64.const 2) (i64.const 0) (i64.const 0) (i64.const 0) (i64.add (call $clock_now) (i64.const 15000000))))`);
    const r = await runSystem(
      [
        { name: "server", bytes: server, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "client", bytes: client, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.client).toEqual([E("ETIMEDOUT"), E("ETIMEDOUT")]);
    expect(r.rec.server[0]).toBeGreaterThan(0);
    expect(r.rec.server[1]).toBe(E("EGONE"));
  });

  it("a server ending wakes its clients with ECLOSED, queued or holding their message", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const server = withEp(`
      (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
      (drop (call $sleep (i64.const 1000000)))
      unreachable`);
    const client = withEp(`(call $rec (call $send (local.get $ep) (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))`);
    const r = await runSystem(
      [
        { name: "server", bytes: server, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "holding", bytes: client, handles: [{ name: "ep", object: ep, rights: SEND }] },
        { name: "queued", bytes: client, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      {},
      k,
      [ep],
    );
    expect(r.exit.server.reason).toBe(ExitReason.TRAP_UNREACHABLE);
    expect(r.rec.holding).toEqual([E("ECLOSED")]);
    expect(r.rec.queued).toEqual([E("ECLOSED")]);
    closeAll(r);
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });

  it("a client killed before the reply makes the reply fail with EGONE; killing a process blocked in receive or send is clean", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const other = k.createEndpoint(); // the receiver waits here, so it cannot take the queued message
    const server = withEp(`
      (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
      (drop (call $sleep (i64.const 5000000)))
      (call $rec (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
      (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) (i64.add (call $clock_now) (i64.const 1000000))))`);
    const client = withEp(`(call $rec (call $send (local.get $ep) (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))`);
    const receiver = withEp(`(drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))`);
    // At 1 ms of kernel time, kill each where it waits: the client reply-blocked,
    // a second client send-blocked behind it, and a second server receive-blocked.
    const states: Record<string, number> = {};
    k.core.addTimer(1_000_000, () => {
      for (const p of [...k.core.processes.values()]) {
        if (["client", "queued", "receiver"].includes(p.image.name)) {
          states[p.image.name] = p.state;
          k.core.terminate(p, 9, ExitReason.KILLED, "test");
        }
      }
    });
    const r = await runSystem(
      [
        { name: "server", bytes: server, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "client", bytes: client, handles: [{ name: "ep", object: ep, rights: SEND }] },
        { name: "queued", bytes: client, handles: [{ name: "ep", object: ep, rights: SEND }] },
        { name: "receiver", bytes: receiver, handles: [{ name: "ep", object: other, rights: RECEIVE }] },
      ],
      {},
      k,
      [ep, other],
    );
    expect(states).toEqual({
      client: ProcessState.REPLY_BLOCKED,
      queued: ProcessState.SEND_BLOCKED,
      receiver: ProcessState.RECEIVE_BLOCKED,
    });
    expect(r.rec.server).toEqual([E("EGONE"), E("ETIMEDOUT")]);
    for (const n of ["client", "queued", "receiver"]) expect(r.exit[n].reason).toBe(ExitReason.KILLED);
    closeAll(r);
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });
});

describe("the IPC state table", () => {
  // Runs last in this file: the scenarios above must between them take every row.
  it("every transition in kernel/ipc/states.ts was taken by the scenarios above", () => {
    const missing = IPC_TRANSITIONS.filter((t) => !transitionCounts.get(transitionKey(t)));
    expect(missing.map((t) => `${PROCESS_STATE_NAMES[t.from]} --${t.event}--> ${PROCESS_STATE_NAMES[t.to]} (${t.when})`)).toEqual([]);
  });
});
