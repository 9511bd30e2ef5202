// An open answered in i32 words (io_reply_wait, reply_wait: the resource-manager library's loop) is answered
// flat (kernel/ipc/fastpath.ts fastReplyWait with the open's narrowAnswer) only when the answer cannot turn
// into a close pulse: when the mount's capability was revoked while the open was in flight, the kernel
// undoes the server's open with a close pulse, the client gets ECLOSED, and the server's wait returns that
// pulse at once, as on the general path. Driven through the real handlers on fake processes.
import { afterEach, expect, it } from "vitest";
import { Constants, Errno, Rights } from "../../abi/gen/abi.ts";
import { BLOCK } from "../../kernel/control.ts";
import { fastPathCounts } from "../../kernel/ipc/fastpath.ts";
import { newEndpoint } from "../../kernel/ipc/exchange.ts";
import { mutateFlatOpenForTest } from "../../kernel/ns/flat-open.ts";
import { DIR_RIGHTS, newRootDir } from "../../kernel/ns/host.ts";
import type { DirObject } from "../../kernel/ns/objects.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import { fakeSystem, type FakeRuntime } from "../model/fake-host.ts";

type Handler = (...a: unknown[]) => unknown;
const H = SYSCALL_HANDLERS as unknown as Record<string, Handler>;
const MOUNT_AT = 256; // "/m"
const PATH_AT = 272; // "/m/f"
const IPC_AT = 1024;
const BUF_AT = 4096;
const inf = Constants.DEADLINE_INFINITE;

afterEach(() => mutateFlatOpenForTest(null));

/** A client, a server (above it) waiting in io_reply_wait's receive, and a mounter holding the endpoint; all share one root. */
function system() {
  let ep: Endpoint | null = null;
  let root: DirObject | null = null;
  const { k, procs, views } = fakeSystem(
    3,
    (kk, i) => {
      ep ??= newEndpoint(kk);
      root ??= newRootDir(kk);
      if (i === 0) return [{ name: "root", object: root, rights: DIR_RIGHTS }];
      if (i === 1) return [{ name: "ep", object: ep, rights: Rights.RECEIVE }];
      return [
        { name: "root", object: root, rights: DIR_RIGHTS },
        { name: "ep", object: ep, rights: Rights.SEND | Rights.DUPLICATE },
      ];
    },
    { fastIpc: true },
  );
  const [client, server, mounter] = procs;
  for (const p of [client, mounter]) {
    const mem = views.get(p.pid)!;
    for (const [at, s] of [
      [MOUNT_AT, "/m"],
      [PATH_AT, "/m/f"],
    ] as const)
      for (let i = 0; i < s.length; i++) mem.setUint8(at + i, s.charCodeAt(i));
  }
  const last = (p: Process) => (p.runtime as unknown as FakeRuntime).resumed.pop()!;
  k.sched.setPriority(server, client.basePriority + 16, server.sched.policy, server);
  k.sched.setPriority(mounter, client.basePriority - 16, mounter.sched.policy, mounter); // it acts between the others' steps, never runs
  expect(H.ns_mount(k, mounter, mounter.names.get("root")!, MOUNT_AT, 2, mounter.names.get("ep")!, 0)).toBe(0);
  expect(H.ipc_buffer(k, server, IPC_AT)).toBe(0);
  while (k.current !== server) k.yieldCurrent(k.current!);
  const sep = server.names.get("ep")!;
  expect(H.receive(k, server, sep, BUF_AT, 4096, inf)).toBe(BLOCK);
  while (k.current !== client) k.yieldCurrent(k.current!);
  const dir = client.names.get("root")!;
  /** The client's open reaches the server: its rcvid. */
  const send = (): number => {
    expect(H.ns_open(k, client, dir, PATH_AT, 4, Constants.O_READ)).toBe(BLOCK);
    expect(k.current).toBe(server);
    return last(server);
  };
  /** The server answers rcvid with the OCB id in IPC word 0 and waits for the next: io_reply_wait's result. */
  const answer = (rcvid: number, ocb: number): unknown => {
    views.get(server.pid)!.setInt32(IPC_AT, ocb, true);
    return H.io_reply_wait(k, server, sep, rcvid, 0, 1, BUF_AT, 4096);
  };
  return { k, client, server, mounter, send, answer, last };
}

it("answers an open flat with the FILE handle, and the close reaches the server with the same id", () => {
  const { k, client, server, send, answer, last } = system();
  const flat = fastPathCounts.replyWait;
  const rcvid = send();
  expect(answer(rcvid, 7)).toBe(BLOCK);
  expect(fastPathCounts.replyWait).toBe(flat + 1);
  const h = last(client);
  expect(h).toBeGreaterThan(0);
  expect(H.handle_close(k, client, h)).toBe(0);
  expect(H.msg_word(k, server, 0)).toBe(BigInt(Constants.IO_CLOSE_PULSE));
  expect(H.msg_word(k, server, 1)).toBe(7n);
});

it("undoes the server's open with a close pulse when the mount was revoked while the open was in flight", () => {
  const { k, client, mounter, send, answer } = system();
  const rcvid = send();
  expect(H.handle_revoke(k, mounter, mounter.names.get("ep")!)).toBe(0);
  expect(answer(rcvid, 9)).toBe(0); // the close pulse for the open the kernel undid, at once
  expect(H.msg_word(k, k.current!, 1)).toBe(9n);
  expect(client.resumeValue).toBe(-Errno.ECLOSED); // woken, not yet run: the server runs on with its pulse
});

it("fails that test when an answer that posts a close pulse is taken flat (the server would wait past its pulse)", () => {
  mutateFlatOpenForTest("answer-unclean");
  const { k, mounter, send, answer } = system();
  const rcvid = send();
  H.handle_revoke(k, mounter, mounter.names.get("ep")!);
  expect(() => expect(answer(rcvid, 9)).toBe(0)).toThrow();
});
