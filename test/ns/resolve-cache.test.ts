// The mount table's resolved-prefix cache (kernel/ns/objects.ts MountTable):
// a path resolved once is looked up again in one step, and every change of
// the table (mount, unmount, a mount replaced, a mounter's capability
// revoked) is seen by the next open exactly as without the cache. Each way of
// skipping an invalidation is planted (mutateResolveCacheForTest) and shown
// to change what a guest sees, so the test can fail.
import { afterEach, expect, it } from "vitest";
import { Constants, Errno } from "../../abi/gen/abi.ts";
import { DIR_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { hostMount } from "../../kernel/ns/host.ts";
import { mutateResolveCacheForTest, RESOLVE_CACHE_MAX } from "../../kernel/ns/objects.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const EP = Constants.MOUNT_ENDPOINT;
const R = Constants.O_READ;

// Opens of an endpoint mount answer at once (no server): the object id of the
// handle each open gives (handle_info), or its errno, tells which mount served it.
const changes = guest(`
  (data (i32.const 0) "root")
  (data (i32.const 16) "/s/x")
  (func $id (param $h i32) (result i32)
    (if (i32.lt_s (local.get $h) (i32.const 0)) (then (return (local.get $h))))
    (drop (call $handle_info (local.get $h) (i32.const 100)))
    (drop (call $handle_close (local.get $h)))
    (i32.load (i32.const 108)))
  (func $open (param $dir i32) (param $len i32) (result i32)
    (call $id (call $ns_open (local.get $dir) (i32.const 16) (local.get $len) (i32.const ${R}))))
  (func (export "_start") (local $dir i32) (local $e1 i32) (local $e2 i32) (local $e3 i32)
    (local.set $dir (call $handle_get (i32.const 0) (i32.const 4)))
    (local.set $e1 (call $endpoint_create))
    (local.set $e2 (call $endpoint_create))
    (local.set $e3 (call $endpoint_create))
    (drop (call $handle_info (local.get $e1) (i32.const 100))) (call $rec (i32.load (i32.const 108)))
    (drop (call $handle_info (local.get $e2) (i32.const 100))) (call $rec (i32.load (i32.const 108)))
    (drop (call $handle_info (local.get $e3) (i32.const 100))) (call $rec (i32.load (i32.const 108)))
    ;; /s: /s/x resolves there (and is remembered), as does /s
    (call $rec (call $ns_mount (local.get $dir) (i32.const 16) (i32.const 2) (local.get $e1) (i32.const ${EP})))
    (call $rec (call $open (local.get $dir) (i32.const 4)))
    (call $rec (call $open (local.get $dir) (i32.const 2)))
    ;; a longer mount: /s/x is now its own
    (call $rec (call $ns_mount (local.get $dir) (i32.const 16) (i32.const 4) (local.get $e2) (i32.const ${EP})))
    (call $rec (call $open (local.get $dir) (i32.const 4)))
    ;; unmounted: back to /s
    (call $rec (call $ns_unmount (local.get $dir) (i32.const 16) (i32.const 4)))
    (call $rec (call $open (local.get $dir) (i32.const 4)))
    ;; mounted again, with another endpoint
    (call $rec (call $ns_mount (local.get $dir) (i32.const 16) (i32.const 4) (local.get $e3) (i32.const ${EP})))
    (call $rec (call $open (local.get $dir) (i32.const 4)))
    (call $rec (call $open (local.get $dir) (i32.const 2)))
    ;; the capability /s was mounted with is revoked: /s is no longer mounted, and nothing covers it
    (drop (call $handle_revoke (local.get $e1)))
    (call $rec (call $open (local.get $dir) (i32.const 2)))
    (call $rec (call $open (local.get $dir) (i32.const 4)))
    (call $flush))
`);

async function run(): Promise<number[]> {
  const kernel = new Kernel();
  const root = kernel.createRootDir();
  const r = await runSystem(
    [{ name: "main", bytes: changes, handles: [{ name: "root", object: root, rights: DIR_GRANT_RIGHTS }] }],
    {},
    kernel,
    [root],
  );
  const out = r.rec.main;
  closeAll(r);
  await kernel.run();
  expect(kernel.core.objects.liveTotal()).toBe(0);
  return out;
}

afterEach(() => mutateResolveCacheForTest(null));

it("sees every mount, unmount, remount and revocation at the next open", async () => {
  const [e1, e2, e3, ...rest] = await run();
  expect(new Set([e1, e2, e3]).size).toBe(3);
  expect(rest).toEqual([
    0, // mount /s
    -Errno.ENOTDIR, // /s/x: below an endpoint mount
    e1, // /s
    0, // mount /s/x
    e2, // /s/x: the longer mount
    0, // unmount /s/x
    -Errno.ENOTDIR, // /s/x: /s again
    0, // mount /s/x again
    e3, // /s/x: the new endpoint
    e1, // /s (remembered again)
    -Errno.ENOENT, // /s after the revocation
    e3, // /s/x is still mounted
  ]);
});

for (const mutation of ["keep-on-add", "keep-on-remove", "ignore-revoked"] as const) {
  it(`is caught when it skips an invalidation (${mutation})`, async () => {
    const good = await run();
    mutateResolveCacheForTest(mutation);
    const bad = await run();
    expect(bad.slice(3)).not.toEqual(good.slice(3));
  });
}

it("remembers at most RESOLVE_CACHE_MAX paths (a client cannot make it grow without bound)", () => {
  const kernel = new Kernel();
  const dir = kernel.createRootDir();
  const ep = kernel.createEndpoint();
  hostMount(dir, "/", ep, EP);
  for (let i = 0; i < 3 * RESOLVE_CACHE_MAX; i++) {
    expect(dir.table.resolve(`/f${i}`)?.rest).toBe(`f${i}`);
    expect(dir.table.cachedResolutions).toBeLessThanOrEqual(RESOLVE_CACHE_MAX);
  }
  kernel.release(dir);
  kernel.release(ep);
  expect(kernel.core.objects.liveTotal()).toBe(0);
});
