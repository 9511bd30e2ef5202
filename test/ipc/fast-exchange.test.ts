// The allocation-free exchange under call / reply_wait (docs/fastpath.md):
// words kept as i32 from buffer to buffer and widened only when msg_word
// asks, a call message reused from call to call, priority inheritance by
// assignment and restore. Driven through the syscall handlers with fake
// runtimes (test/model/fake-host.ts), so each step is visible.
import { describe, expect, it } from "vitest";
import { Errno, ProcessState, Rights } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { newEndpoint } from "../../kernel/ipc/exchange.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import { fakeSystem } from "../model/fake-host.ts";

const H = SYSCALL_HANDLERS as unknown as Record<string, (k: KernelCore, p: Process, ...a: unknown[]) => unknown>;
const BUF = 1024;
const INF = 0x7fffffffffffffffn;

/** A client (pid 1, SEND) and a server (pid 2, RECEIVE) on one endpoint, both with an IPC buffer; the server waits in reply_wait. */
function pair() {
  let ep: Endpoint | null = null;
  const sys = fakeSystem(2, (k, i) => {
    ep ??= newEndpoint(k);
    return [{ name: "ep", object: ep, rights: i === 0 ? Rights.SEND : Rights.RECEIVE }];
  });
  const { k, procs, views } = sys;
  const [client, server] = procs;
  const hc = client.names.get("ep")!;
  const hs = server.names.get("ep")!;
  expect(k.current).toBe(client);
  expect(H.ipc_buffer(k, client, BUF)).toBe(0);
  k.yieldCurrent(client);
  expect(k.current).toBe(server);
  expect(H.ipc_buffer(k, server, BUF)).toBe(0);
  const words = (p: Process) => [0, 1, 2, 3].map((i) => views.get(p.pid)!.getInt32(BUF + 4 * i, true));
  const setWords = (p: Process, w: number[]) => w.forEach((v, i) => views.get(p.pid)!.setInt32(BUF + 4 * i, v, true));
  return { k, client, server, hc, hs, words, setWords, ep: ep! };
}

describe("the exchange under call and reply_wait", () => {
  it("keeps words as i32 until msg_word asks: sign-extended there, and the answer's words land in the caller's buffer", async () => {
    const { k, client, server, hc, hs, words, setWords } = pair();
    expect(typeof H.reply_wait(k, server, hs, 0, 0, 0)).toBe("symbol"); // blocks
    expect(k.current).toBe(client);
    setWords(client, [-5, 0x7fffffff, 9, 9]);
    expect(typeof H.call(k, client, hc, 2)).toBe("symbol");
    // The server runs at once (handoff) with the message's rcvid and the two words; the rest are 0.
    expect(k.current).toBe(server);
    const rcvid = server.resumeValue;
    expect(rcvid).toBeGreaterThan(0);
    expect(words(server)).toEqual([-5, 0x7fffffff, 0, 0]);
    expect(H.msg_word(k, server, 0)).toBe(-5n);
    expect(H.msg_word(k, server, 1)).toBe(0x7fffffffn);
    setWords(server, [-1, 42, 7, 7]);
    expect(typeof H.reply_wait(k, server, hs, rcvid, -77, 2)).toBe("symbol");
    expect(k.current).toBe(client);
    expect(client.resumeValue).toBe(-77);
    expect(words(client)).toEqual([-1, 42, 0, 0]);
    expect(H.msg_word(k, client, 0)).toBe(-1n);
    // A legacy send's wide words still reach a reply_wait server as their low 32 bits, and msg_word sees them whole.
    expect(typeof H.send(k, client, hc, 0x100000003n, -2n, 0n, 0n, INF)).toBe("symbol");
    expect(k.current).toBe(server);
    expect(words(server)).toEqual([3, -2, 0, 0]);
    expect(H.msg_word(k, server, 0)).toBe(0x100000003n);
    expect(k.ipc.handoffs).toBe(3);
  });

  it("reuses a process's call message once answered, and not while its server still holds it", async () => {
    const { k, client, server, hc, hs } = pair();
    H.reply_wait(k, server, hs, 0, 0, 0);
    H.call(k, client, hc, 0);
    const first = client.callMessage!;
    const r1 = server.resumeValue;
    H.reply_wait(k, server, hs, r1, 0, 0);
    H.call(k, client, hc, 0);
    expect(client.callMessage).toBe(first); // the same object, re-armed
    const r2 = server.resumeValue;
    expect(r2).not.toBe(r1);
    expect(server.serving.get(r2)).toBe(first);
    // The client is killed while the server holds its message: the message stays the server's until answered.
    k.terminate(client, -1, 0, "test");
    expect(first.done).toBe(false);
    expect(first.clientGone).toBe(true);
    expect(H.reply_wait(k, server, hs, r2, 0, 0)).toBeTypeOf("symbol"); // EGONE is not an error here: it waits again
    expect(first.done).toBe(true);
    expect(server.state).toBe(ProcessState.RECEIVE_BLOCKED);
  });

  it("raises a server to its client's priority on delivery and restores it on the answer", async () => {
    const { k, client, server, hc, hs } = pair();
    // The server (50) waits; the client (200) calls: the server runs at 200 while it holds the message.
    H.reply_wait(k, server, hs, 0, 0, 0);
    expect(k.current).toBe(client);
    server.basePriority = server.priority = 50; // blocked: in no queue
    client.basePriority = 200;
    k.setEffectivePriority(client, 200);
    H.call(k, client, hc, 0);
    expect(k.current).toBe(server);
    expect(server.priority).toBe(200);
    H.reply_wait(k, server, hs, server.resumeValue, 0, 0);
    expect(server.priority).toBe(50);
    expect(k.current).toBe(client);
    expect(client.resumeValue).toBe(0);
  });

  it("refuses a call with no buffer or a bad word count before anything changes, and a refused call leaves its message free", async () => {
    const { k, client, server, hc, hs, ep } = pair();
    H.reply_wait(k, server, hs, 0, 0, 0);
    expect(H.call(k, client, hc, 5)).toBe(-Errno.EINVAL);
    expect(H.call(k, client, hc, -1)).toBe(-Errno.EINVAL);
    expect(client.callMessage).toBeNull();
    // The server ends: its endpoint closes, a call is ECLOSED, and the message made for it is free for the next call.
    k.terminate(server, 0, 0, "test");
    expect(ep.closed).toBe(true);
    expect(H.call(k, client, hc, 0)).toBe(-Errno.ECLOSED);
    expect(client.callMessage!.done).toBe(true);
  });
});
