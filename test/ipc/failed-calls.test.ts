// Decode, check, then invoke: an IPC call that fails changes nothing. Two
// calls used to: sendmsg took moved handles before refusing a past deadline,
// and receive made the caller the endpoint's server (inheriting its senders'
// priority) before returning ETIMEDOUT.
import { describe, expect, it } from "vitest";
import { Errno, Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const { SEND, RECEIVE } = Rights;

describe("failed IPC calls change nothing", () => {
  it("sendmsg moving a handle with a deadline already past returns ETIMEDOUT and the handle is still the caller's", async () => {
    const r = await runSystem([
      {
        name: "sender",
        bytes: guest(`
        (func (export "_start") (local $ep i32) (local $port i32)
          (local.set $ep (call $endpoint_create))
          (local.set $port (call $port_create))
          (i32.store (i32.const 400) (local.get $port))
          (i32.store offset=48 (i32.const 300) (i32.const 400))
          (i32.store16 offset=52 (i32.const 300) (i32.const 1))
          (i32.store16 offset=54 (i32.const 300) (i32.const 1))   ;; MSG_MOVE_HANDLES
          (call $rec (call $sendmsg (local.get $ep) (i32.const 300) (i64.const 0)))
          (call $rec (call $handle_info (local.get $port) (i32.const 500)))
          (call $rec (call $port_send (local.get $port) (i32.const 1) (i64.const 0)))
          (call $flush))`),
      },
    ]);
    expect(r.rec.sender).toEqual([-Errno.ETIMEDOUT, 16, 0]);
  });

  it("a receive that times out at once does not make the caller the endpoint's server: no priority inherited", async () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    const r = await runSystem(
      [
        {
          name: "server",
          priority: 10,
          handles: [{ name: "ep", object: ep, rights: RECEIVE }],
          bytes: guest(`
          (data (i32.const 0) "ep")
          (func (export "_start") (local $ep i32)
            (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
            (call $rec (call $receive (local.get $ep) (i32.const 100) (i32.const 0) (i64.const 0)))
            (drop (call $sleep (i64.const 2000000)))          ;; the client queues a message meanwhile
            (drop (call $process_info (i32.const -1) (i32.const 200) (i32.const 40)))
            (call $rec (i32.load offset=12 (i32.const 200)))  ;; effective priority
            (call $flush))`),
        },
        {
          name: "client",
          priority: 200,
          handles: [{ name: "ep", object: ep, rights: SEND }],
          bytes: guest(`
          (data (i32.const 0) "ep")
          (func (export "_start") (local $ep i32)
            (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
            (drop (call $sleep (i64.const 1000000)))
            (call $rec (call $send (local.get $ep) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)
              (i64.add (call $clock_now) (i64.const 3000000))))
            (call $flush))`),
        },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.server).toEqual([-Errno.ETIMEDOUT, 10]);
    expect(r.rec.client).toEqual([-Errno.ECLOSED]); // the server ended without receiving it
  });

  it("send, call and a past-deadline send refused at once use up no receive id: the next message gets the id the first would have", async () => {
    // S receives twice and records each rcvid; C's refused calls (to a closed endpoint, and one already
    // past its deadline) sit between its two good sends, so the two rcvids must be consecutive.
    const k = new Kernel();
    const ep = k.createEndpoint();
    const r = await runSystem(
      [
        {
          name: "server",
          handles: [{ name: "ep", object: ep, rights: RECEIVE }],
          bytes: guest(`
          (data (i32.const 0) "ep")
          (func (export "_start") (local $ep i32) (local $r i32)
            (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
            (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) (i64.const 0x7fffffffffffffff)))
            (call $rec (local.get $r))
            (drop (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
            (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) (i64.const 0x7fffffffffffffff)))
            (call $rec (local.get $r))
            (drop (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
            (call $flush))`),
        },
        {
          name: "client",
          handles: [{ name: "ep", object: ep, rights: SEND }],
          bytes: guest(`
          (data (i32.const 0) "ep")
          (func (export "_start") (local $ep i32) (local $dead i32) (local $gone i32)
            (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
            (call $rec (call $send (local.get $ep) (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0x7fffffffffffffff)))
            ;; an endpoint whose receive side is gone: ECLOSED through send, and through call
            (local.set $dead (call $endpoint_create))
            (local.set $gone (call $handle_dup (local.get $dead) (i32.const ${SEND})))
            (drop (call $handle_close (local.get $dead)))
            (call $rec (call $send (local.get $gone) (i64.const 2) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0x7fffffffffffffff)))
            (drop (call $ipc_buffer (i32.const 512)))
            (call $rec (call $call (local.get $gone) (i32.const 1)))
            ;; a deadline already past
            (call $rec (call $send (local.get $ep) (i64.const 3) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))
            (call $rec (call $send (local.get $ep) (i64.const 4) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0x7fffffffffffffff)))
            (call $flush))`),
        },
      ],
      {},
      k,
      [ep],
    );
    expect(r.rec.client).toEqual([0, -Errno.ECLOSED, -Errno.ECLOSED, -Errno.ETIMEDOUT, 0]);
    const [first, second] = r.rec.server;
    expect(second).toBe(first + 1);
  });
});
