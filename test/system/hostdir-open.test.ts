// Files a guest holds open in a host-directory device (HOSTDIR_OPEN) are
// closed on the host when the guest no longer can use them: when it ends
// (normally or killed in the middle), when it holds no handle to the device
// any more, and when the device goes. Counted by the host process's own
// descriptors (/proc/self/fd) before and after. Ids are the opener's: another
// process gets EBADF for them.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Errno, ExitReason, Rights } from "../../abi/gen/abi.ts";
import { compileGuestFile } from "../../cli/run-guest.ts";
import { HostDirDevice } from "../../hal/hostdir/hostdir.ts";
import { NodeHostDir } from "../../hal/node/hostdir.ts";
import { serveHostDirs } from "../../host/hostdirs.ts";
import { DEVICE_GRANT_RIGHTS, DIR_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { REPO_ROOT } from "../../build/compile.ts";
import type { Device } from "../../kernel/devices/device.ts";

const dir = mkdtempSync(join(tmpdir(), "wasmos-hostdir-open-"));
let bytes: Uint8Array;
let hostfsBytes: Uint8Array;
beforeAll(async () => {
  writeFileSync(join(dir, "a.txt"), "hello");
  bytes = await compileGuestFile(join(import.meta.dirname, "fixtures", "hostdir-open.ts"));
  hostfsBytes = await compileGuestFile(join(REPO_ROOT, "guests", "hostfs", "main.ts"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fds = () => readdirSync("/proc/self/fd").length;

/** A kernel with one host-directory device (its root descriptor open from here on) and the fixture's image. */
function setup() {
  const out: string[] = [];
  const k = new Kernel({ stdout: (b) => out.push(new TextDecoder().decode(b)) });
  const model = new HostDirDevice(new NodeHostDir(dir));
  const dev = k.createDevice(model) as unknown as Device<HostDirDevice>;
  const img = k.loadImage(bytes, "hostdir-open");
  const spawn = (...args: string[]) =>
    k.spawn(img, {
      args: ["hostdir-open", ...args],
      handles: [{ name: "hostdir", object: dev, rights: DEVICE_GRANT_RIGHTS & ~Rights.ATTACH }],
    });
  return { k, model, dev, img, spawn, out };
}

it("a guest that ends without closing its open files leaves no host descriptor open; another process cannot use its ids (EBADF)", async () => {
  const { k, model, dev, img, spawn, out } = setup();
  const base = fds();
  const p = spawn("exit");
  await p.exited;
  expect(out.join("")).toMatch(/^opened (\d+) ok ok read 5\n$/);
  expect(model.openFiles).toBe(0);
  expect(fds()).toBe(base);
  const id = /^opened (\d+)/.exec(out.join(""))![1];
  out.length = 0;
  const q = spawn("steal", id);
  await q.exited;
  expect(out.join("")).toBe(`steal -${Errno.EBADF}\n`);
  p.close();
  q.close();
  k.release(img);
  k.release(dev);
  await k.run();
  expect(k.core.objects.liveTotal()).toBe(0);
}, 60_000);

it("a guest killed while it holds files open: its files are closed when it ends, not when the device goes", async () => {
  const { k, model, dev, img, spawn, out } = setup();
  const base = fds();
  const p = spawn("hang");
  await k.run(); // it has opened its files and waits for ever
  expect(out.join("")).toMatch(/^opened \d+ ok ok read 5\n$/);
  expect(model.openFiles).toBe(3);
  expect(fds()).toBe(base + 3);
  k.core.terminate(p.process, 0, ExitReason.KILLED, "killed by the test");
  expect((await p.exited).reason).toBe(ExitReason.KILLED);
  expect(model.openFiles).toBe(0);
  expect(fds()).toBe(base);
  expect(model.failure).toBe(null); // the device serves on
  p.close();
  k.release(img);
  k.release(dev);
  await k.run();
}, 60_000);

it("a guest that no longer holds a handle to the device loses its open files (revoking one of its two handles keeps them; closing the last closes them)", async () => {
  const { k, model, dev, img, spawn, out } = setup();
  const base = fds();
  const p = spawn("drop");
  await k.run();
  expect(out.join("")).toBe(
    `opened ${/opened (\d+)/.exec(out.join(""))![1]} ok ok read 5\nrevoke 1 open 3\nclose 0 read -${Errno.ESTALE}\n`,
  );
  expect(p.process.exited).toBe(false);
  expect(model.openFiles).toBe(0);
  expect(fds()).toBe(base);
  k.core.terminate(p.process, 0, ExitReason.KILLED, "done");
  p.close();
  k.release(img);
  k.release(dev);
  await k.run();
}, 60_000);

it("the device's last handle going closes every file still open in it", async () => {
  const { k, model, dev, img, spawn } = setup();
  const base = fds();
  const p = spawn("hang");
  await k.run();
  expect(fds()).toBe(base + 3);
  // The host ends the process after dropping its own reference: the device goes with the process's handle.
  k.release(dev);
  k.core.terminate(p.process, 0, ExitReason.KILLED, "shutdown");
  p.close();
  k.release(img);
  await k.run();
  expect(model.closed).toBe(true);
  expect(fds()).toBe(base - 1); // its root descriptor too
}, 60_000);

it("hostfs killed while a client holds files open through it: the host descriptors of those opens are closed when hostfs ends", async () => {
  const out: string[] = [];
  const k = new Kernel({ stdout: (b) => out.push(new TextDecoder().decode(b)) });
  const root = k.createRootDir();
  const io = k.createMemory(65536);
  const hostfs = k.loadImage(hostfsBytes, "hostfs");
  const backend = new NodeHostDir(dir);
  const base = fds();
  const stop = serveHostDirs(k, root, io, hostfs, [{ guest: "/host", backend, readOnly: false }], {
    stderr: (b) => out.push(new TextDecoder().decode(b)),
  });
  const img = k.loadImage(bytes, "hostdir-open");
  const client = k.spawn(img, {
    args: ["hostdir-open", "hold", "/host/a.txt"],
    handles: [{ name: "root", object: root, rights: DIR_GRANT_RIGHTS }],
  });
  await k.run(); // the client holds two opens, hostfs waits for requests
  expect(out.join("")).toBe("holding 0 0 read 5\n");
  expect(fds()).toBe(base + 2); // one descriptor per open, nothing else
  const server = [...k.core.processes.values()].find((p) => p.image.name === "hostfs")!;
  k.core.terminate(server, 0, ExitReason.KILLED, "killed by the test");
  expect(fds()).toBe(base);
  k.core.terminate(client.process, 0, ExitReason.KILLED, "done");
  client.close();
  stop();
  k.release(img);
  k.release(hostfs);
  io.releaseHandle();
  root.releaseHandle();
  await k.run();
  expect(fds()).toBe(base - 1); // the device went with the host's reference: its root descriptor too
}, 60_000);

it("hostfs answers a 1 MiB read of an open file in one request (one READ_OPEN of the device), not in 64 KiB pieces", async () => {
  const big = new Uint8Array(2 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  writeFileSync(join(dir, "big.bin"), big);
  const out: string[] = [];
  const k = new Kernel({ stdout: (b) => out.push(new TextDecoder().decode(b)) });
  const root = k.createRootDir();
  const io = k.createMemory(65536);
  const hostfs = k.loadImage(hostfsBytes, "hostfs");
  const backend = new NodeHostDir(dir);
  const reads: number[] = [];
  const readFile = backend.readFile.bind(backend);
  backend.readFile = (file, offset, into) => (reads.push(into.length), readFile(file, offset, into));
  const stop = serveHostDirs(k, root, io, hostfs, [{ guest: "/host", backend, readOnly: false }]);
  const img = k.loadImage(bytes, "hostdir-open");
  const client = k.spawn(img, {
    args: ["hostdir-open", "big", "/host/big.bin"],
    handles: [{ name: "root", object: root, rights: DIR_GRANT_RIGHTS }],
  });
  await client.exited;
  expect(out.join("")).toBe(`big ${1 << 20} ${big[(1 << 20) - 1]}\n`);
  expect(reads).toEqual([1 << 20]);
  client.close();
  stop();
  k.release(img);
  k.release(hostfs);
  io.releaseHandle();
  root.releaseHandle();
  await k.run();
}, 60_000);

it("a file opened through hostfs to be read and truncated (its FILE may write) is cut, written and read back by its open, after a rename of its path", async () => {
  writeFileSync(join(dir, "t.txt"), "old content");
  const out: string[] = [];
  const k = new Kernel({ stdout: (b) => out.push(new TextDecoder().decode(b)) });
  const root = k.createRootDir();
  const io = k.createMemory(65536);
  const hostfs = k.loadImage(hostfsBytes, "hostfs");
  const stop = serveHostDirs(k, root, io, hostfs, [{ guest: "/host", backend: new NodeHostDir(dir), readOnly: false }]);
  const img = k.loadImage(bytes, "hostdir-open");
  const client = k.spawn(img, {
    args: ["hostdir-open", "trunc", "/host/t.txt"],
    handles: [{ name: "root", object: root, rights: DIR_GRANT_RIGHTS }],
  });
  await client.exited;
  expect(out.join("")).toBe("trunc 0 moved 0 wrote 2 read xy\n");
  expect(readFileSync(join(dir, "t.txt.moved"), "utf8")).toBe("xy");
  client.close();
  stop();
  k.release(img);
  k.release(hostfs);
  io.releaseHandle();
  root.releaseHandle();
  await k.run();
}, 60_000);
