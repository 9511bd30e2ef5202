// A FILE's capability on its server's endpoint is its mount's, shared (kernel/ns/objects.ts fileOpened):
// the authority is the one a capability derived per open gave. An unmount leaves open files working and
// still under the mounter's capability, so the mounter's revoke ends them; the mount's capability goes
// with the last FILE that shares it. Driven through the real handlers on fake processes (as bench/kopen.ts).
import { afterEach, describe, expect, it } from "vitest";
import { Constants, Errno, Rights } from "../../abi/gen/abi.ts";
import { BLOCK } from "../../kernel/control.ts";
import { newEndpoint } from "../../kernel/ipc/exchange.ts";
import { DIR_RIGHTS, newRootDir } from "../../kernel/ns/host.ts";
import { FileObject, mutateFileCapForTest } from "../../kernel/ns/objects.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import { fakeSystem, type FakeRuntime } from "../model/fake-host.ts";

type Handler = (...a: unknown[]) => unknown;
const H = SYSCALL_HANDLERS as unknown as Record<string, Handler>;
const MOUNT_AT = 256; // "/m"
const PATH_AT = 272; // "/m/f"
const DESC_AT = 512; // an io_desc for IO_STAT
const OUT_AT = 1024;
const BUF_AT = 4096;

/** A client (root DIR with MOUNT, and its endpoint to mount) and a server receiving on that endpoint. */
function system() {
  let ep: Endpoint | null = null;
  const { k, procs, views } = fakeSystem(
    2,
    (kk, i) => {
      ep ??= newEndpoint(kk);
      if (i === 1) return [{ name: "ep", object: ep, rights: Rights.RECEIVE }];
      return [
        { name: "root", object: newRootDir(kk), rights: DIR_RIGHTS },
        { name: "ep", object: ep, rights: Rights.SEND | Rights.DUPLICATE },
      ];
    },
    { fastIpc: true },
  );
  const [client, server] = procs;
  const mem = views.get(client.pid)!;
  const put = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) mem.setUint8(at + i, s.charCodeAt(i));
  };
  put(MOUNT_AT, "/m");
  put(PATH_AT, "/m/f");
  mem.setUint32(DESC_AT, Constants.IO_STAT, true); // op; form 0 (buffer); the rest 0 but buf and len
  mem.setUint32(DESC_AT + 16, OUT_AT, true);
  mem.setUint32(DESC_AT + 20, Constants.STAT_SIZE, true);
  const dir = client.names.get("root")!;
  const cep = client.names.get("ep")!;
  const sep = server.names.get("ep")!;
  k.sched.setPriority(server, client.basePriority + 16, server.sched.policy, server);
  const last = (p: Process) => (p.runtime as unknown as FakeRuntime).resumed.pop()!;
  // The server waits in receive (it runs first: above the client).
  if (k.current !== server) k.yieldCurrent(k.current!);
  expect(H.receive(k, server, sep, BUF_AT, 4096, Constants.DEADLINE_INFINITE)).toBe(BLOCK);
  expect(H.ns_mount(k, client, dir, MOUNT_AT, 2, cep, 0)).toBe(0);
  let ocb = 1n;
  /** The client opens /m/f and the server answers it: the FILE handle. */
  const open = (): number => {
    expect(H.ns_open(k, client, dir, PATH_AT, 4, Constants.O_READ)).toBe(BLOCK);
    const rcvid = last(server);
    expect(rcvid).toBeGreaterThan(0);
    expect(H.reply(k, server, rcvid, 0, ocb++, 0n, 0, 0)).toBe(0);
    expect(H.receive(k, server, sep, BUF_AT, 4096, Constants.DEADLINE_INFINITE)).toBe(BLOCK);
    const h = last(client);
    expect(h).toBeGreaterThan(0);
    return h;
  };
  const endpoint = ep! as Endpoint;
  return { k, client, server, dir, cep, open, endpoint, last };
}

afterEach(() => mutateFileCapForTest(null));

describe("a FILE's capability on its server", () => {
  it("is still ended by the mounter's revoke after an unmount", () => {
    const { k, client, dir, cep, open } = system();
    const f = open();
    expect(H.ns_unmount(k, client, dir, MOUNT_AT, 2)).toBe(0);
    const file = client.handles.get(f, FileObject, 0) as FileObject;
    expect(file.dead).toBe(false); // the open still reaches its server after the unmount
    expect(H.handle_revoke(k, client, cep)).toBe(0); // no handle derived from it lives in a table: held caps only
    expect(H.io_call(k, client, f, DESC_AT)).toBe(-Errno.ECLOSED);
    expect(H.handle_close(k, client, f)).toBe(0);
  });

  it("is ended by the mounter's revoke while mounted, as every open's", () => {
    const { k, client, cep, open } = system();
    const f1 = open();
    const f2 = open();
    expect(H.handle_revoke(k, client, cep)).toBe(0);
    expect(H.io_call(k, client, f1, DESC_AT)).toBe(-Errno.ECLOSED);
    expect(H.io_call(k, client, f2, DESC_AT)).toBe(-Errno.ECLOSED);
  });

  it("goes with the last FILE once the mount has left its table, and the server hears of every close", () => {
    const { k, client, server, dir, open, endpoint, last } = system();
    const before = endpoint.handleCount; // the client's and the server's handles, and the mount's
    const f1 = open();
    const f2 = open();
    expect(endpoint.handleCount).toBe(before);
    expect(H.ns_unmount(k, client, dir, MOUNT_AT, 2)).toBe(0);
    expect(endpoint.handleCount).toBe(before); // two FILEs still hold it
    expect(H.handle_close(k, client, f1)).toBe(0);
    expect(endpoint.handleCount).toBe(before);
    expect(H.handle_close(k, client, f2)).toBe(0);
    expect(endpoint.handleCount).toBe(before - 1); // the mount's capability released with the last FILE
    // Both closes reached the server (two close pulses; the first woke it, the second is queued).
    if (k.current !== server) k.yieldCurrent(k.current!);
    expect(last(server)).toBe(0);
    expect(H.receive(k, server, server.names.get("ep")!, BUF_AT, 4096, Constants.DEADLINE_INFINITE)).toBe(0);
  });

  it("fails these tests with the mount's capability released at the unmount, or never", () => {
    mutateFileCapForTest("release-at-unmount");
    expect(() => {
      const { k, client, dir, cep, open } = system();
      const f = open();
      expect(H.ns_unmount(k, client, dir, MOUNT_AT, 2)).toBe(0);
      H.handle_revoke(k, client, cep);
      expect(H.io_call(k, client, f, DESC_AT)).toBe(-Errno.ECLOSED);
    }).toThrow();
    mutateFileCapForTest("keep-after-last");
    expect(() => {
      const { k, client, dir, open, endpoint } = system();
      const before = endpoint.handleCount;
      const f = open();
      expect(H.ns_unmount(k, client, dir, MOUNT_AT, 2)).toBe(0);
      expect(H.handle_close(k, client, f)).toBe(0);
      expect(endpoint.handleCount).toBe(before - 1);
    }).toThrow();
  });
});
