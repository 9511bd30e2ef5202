// Nothing the namespace holds outlives its owner: opens are closed (the
// server hears of each) and mounts removed when their process ends; a
// server that ends answers its clients ECLOSED.
import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
import { Constants, Errno, ExitReason } from "../../abi/gen/abi.ts";
import { bootDefaultSystem } from "../../cli/system.ts";
import { compileGuestFile, runGuest } from "../../cli/run-guest.ts";
import { DIR_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { nsCounters } from "../../kernel/ns/host.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const bytes = await compileGuestFile(new URL("./fixtures/lifecycle.ts", import.meta.url).pathname);

it("closes a dead process's opens: the server gets a close for every open", async () => {
  const r = await runGuest(bytes, { args: ["leave-open"], system: { stdin: null } });
  expect(r.stdout).toBe("opened 000\n");
  const c = nsCounters(r.kernel.core);
  expect(c.opens).toBe(3);
  expect(c.closes).toBe(3);
  expect(r.kernel.core.objects.liveTotal()).toBe(0);
});

it("answers a client blocked in a server that ends with ECLOSED, and every later request too", async () => {
  const out: Uint8Array[] = [];
  const input = new PassThrough(); // never ends: the read blocks in devfs
  const sys = await bootDefaultSystem({ stdin: input, stdout: (b) => out.push(b.slice()), stderr: () => {} });
  const k = sys.kernel;
  const img = k.loadImage(bytes, "lifecycle");
  const p = sys.spawn(img, { args: ["lifecycle", "server-dies"] });
  k.release(img);
  await k.run(); // quiet: the client waits in devfs for input
  expect(p.process.blockedIn).toBe("send");
  k.core.terminate(sys.servers.devfs!.process, 0, ExitReason.KILLED, "test");
  const exit = await p.exited;
  expect(exit.reason).toBe(ExitReason.NORMAL);
  expect(Buffer.concat(out).toString()).toBe("read ECLOSED\nagain ECLOSED\nreopen ECLOSED\ntmp 0\n");
  p.close();
  sys.shutdown();
  await k.run();
  expect(k.core.objects.liveTotal()).toBe(0);
});

const mounter = guest(`
  (data (i32.const 0) "root")
  (data (i32.const 8) "self")
  (data (i32.const 16) "/m")
  (data (i32.const 24) "child\\00x\\00")
  (func (export "_start") (local $dir i32) (local $c i32)
    (local.set $dir (call $handle_get (i32.const 0) (i32.const 4)))
    (if (i32.eq (call $arg_count) (i32.const 2)) (then
      ;; the child mounts an endpoint and ends
      (call $rec (call $ns_mount (local.get $dir) (i32.const 16) (i32.const 2) (call $endpoint_create) (i32.const ${Constants.MOUNT_ENDPOINT})))
      (call $flush)
      (return)))
    (i32.store (i32.const 200) (local.get $dir))
    (i32.store (i32.const 204) (i32.const 0))
    (i32.store (i32.const 208) (i32.const 4))
    (local.set $c (call $spawn (call $handle_get (i32.const 8) (i32.const 4)) (i32.const 24) (i32.const 8) (i32.const 200) (i32.const 1)))
    (drop (call $wait (local.get $c) (i32.const 300) (i64.const 0x7fffffffffffffff)))
    ;; its mount went with it
    (call $rec (call $ns_open (local.get $dir) (i32.const 16) (i32.const 2) (i32.const ${Constants.O_READ})))
    (call $flush))
`);

it("removes a process's mounts when it ends", async () => {
  const kernel = new Kernel();
  const root = kernel.createRootDir();
  const run = await runSystem(
    [{ name: "main", bytes: mounter, handles: [{ name: "root", object: root, rights: DIR_GRANT_RIGHTS }] }],
    {},
    kernel,
    [root],
  );
  expect(run.rec.main).toEqual([0, -Errno.ENOENT]);
  expect(nsCounters(kernel.core).mountOwners).toBe(0);
  closeAll(run);
  await kernel.run();
  expect(kernel.core.objects.liveTotal()).toBe(0);
});
