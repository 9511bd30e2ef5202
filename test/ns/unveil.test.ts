// unveil: a process narrows its own view of the namespace; a later call can
// only narrow it further, children inherit it, and each refusal is an errno
// (EUNVEIL) that is counted. Paths are MOUNT_ENDPOINT mounts, so no server is
// needed: ns_open answers from the mount table alone.
import { expect, it } from "vitest";
import { Constants, Errno, ExitReason } from "../../abi/gen/abi.ts";
import { DIR_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { nsCounters, unveilViolations } from "../../kernel/ns/host.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const { UNVEIL_READ, UNVEIL_WRITE, UNVEIL_CREATE, UNVEIL_EXEC, O_READ } = Constants;
const ALL = UNVEIL_READ | UNVEIL_WRITE | UNVEIL_CREATE | UNVEIL_EXEC;

const prog = guest(`
  (data (i32.const 0) "root")
  (data (i32.const 8) "self")
  (data (i32.const 16) "/a")
  (data (i32.const 24) "/a/b")
  (data (i32.const 32) "/c")
  (data (i32.const 40) "/")
  (data (i32.const 48) "child\\00x\\00")
  (func $rule (param $at i32) (param $path i32) (param $len i32) (param $perms i32)
    (i32.store (local.get $at) (local.get $path))
    (i32.store (i32.add (local.get $at) (i32.const 4)) (local.get $len))
    (i32.store (i32.add (local.get $at) (i32.const 8)) (local.get $perms)))
  (func $open (param $dir i32) (param $path i32) (param $len i32) (param $flags i32) (result i32)
    (local $h i32)
    (local.set $h (call $ns_open (local.get $dir) (local.get $path) (local.get $len) (local.get $flags)))
    (if (result i32) (i32.gt_s (local.get $h) (i32.const 0)) (then (drop (call $handle_close (local.get $h))) (i32.const 1)) (else (local.get $h))))
  (func (export "_start") (local $dir i32) (local $ep i32) (local $c i32)
    (local.set $dir (call $handle_get (i32.const 0) (i32.const 4)))
    (if (i32.eq (call $arg_count) (i32.const 2)) (then
      ;; the child: it inherited the view of /a/b only
      (call $rec (call $open (local.get $dir) (i32.const 24) (i32.const 4) (i32.const ${O_READ})))
      (call $rec (call $open (local.get $dir) (i32.const 16) (i32.const 2) (i32.const ${O_READ})))
      (call $rec (call $unveil (i32.const 100) (i32.const 0)))            ;; nothing at all now
      (call $rec (call $open (local.get $dir) (i32.const 24) (i32.const 4) (i32.const ${O_READ})))
      (call $flush)
      (return)))
    (local.set $ep (call $endpoint_create))
    (drop (call $ns_mount (local.get $dir) (i32.const 16) (i32.const 2) (local.get $ep) (i32.const 1)))
    (drop (call $ns_mount (local.get $dir) (i32.const 24) (i32.const 4) (local.get $ep) (i32.const 1)))
    (drop (call $ns_mount (local.get $dir) (i32.const 32) (i32.const 2) (local.get $ep) (i32.const 1)))
    ;; everything visible before the first call
    (call $rec (call $open (local.get $dir) (i32.const 32) (i32.const 2) (i32.const ${O_READ})))
    ;; /a readable, nothing else
    (call $rule (i32.const 100) (i32.const 16) (i32.const 2) (i32.const ${UNVEIL_READ}))
    (call $rec (call $unveil (i32.const 100) (i32.const 1)))
    (call $rec (call $open (local.get $dir) (i32.const 16) (i32.const 2) (i32.const ${O_READ})))
    (call $rec (call $open (local.get $dir) (i32.const 24) (i32.const 4) (i32.const ${O_READ})))   ;; below /a
    (call $rec (call $open (local.get $dir) (i32.const 32) (i32.const 2) (i32.const ${O_READ})))   ;; not unveiled
    (call $rec (call $open (local.get $dir) (i32.const 16) (i32.const 2) (i32.const 2)))           ;; O_WRITE: not allowed
    ;; a later call that asks for everything gets nothing back
    (call $rule (i32.const 100) (i32.const 40) (i32.const 1) (i32.const ${ALL}))
    (call $rec (call $unveil (i32.const 100) (i32.const 1)))
    (call $rec (call $open (local.get $dir) (i32.const 32) (i32.const 2) (i32.const ${O_READ})))
    (call $rec (call $open (local.get $dir) (i32.const 16) (i32.const 2) (i32.const 2)))
    ;; narrower: /a/b only
    (call $rule (i32.const 100) (i32.const 24) (i32.const 4) (i32.const ${ALL}))
    (call $rec (call $unveil (i32.const 100) (i32.const 1)))
    (call $rec (call $open (local.get $dir) (i32.const 16) (i32.const 2) (i32.const ${O_READ})))
    (call $rec (call $open (local.get $dir) (i32.const 24) (i32.const 4) (i32.const ${O_READ})))
    ;; a scoped DIR does not escape it: "/b" under /a is /a/b, ".." stays inside
    (call $rec (call $open (call $ns_scope (local.get $dir) (i32.const 16) (i32.const 2) (i32.const 4)) (i32.const 26) (i32.const 2) (i32.const ${O_READ})))
    ;; the child inherits the view
    (i32.store (i32.const 200) (local.get $dir))
    (i32.store (i32.const 204) (i32.const 0))
    (i32.store (i32.const 208) (i32.const 4))
    (call $flush)
    (local.set $c (call $spawn (call $handle_get (i32.const 8) (i32.const 4)) (i32.const 48) (i32.const 8) (i32.const 200) (i32.const 1)))
    (drop (call $wait (local.get $c) (i32.const 300) (i64.const 0x7fffffffffffffff))))
`);

it("narrows the view, never widens it, passes it to children, and counts each refusal", async () => {
  const logs: string[] = [];
  const kernel = new Kernel({ log: (l) => logs.push(l) });
  const root = kernel.createRootDir();
  const run = await runSystem(
    [{ name: "main", bytes: prog, handles: [{ name: "root", object: root, rights: DIR_GRANT_RIGHTS }] }],
    {},
    kernel,
    [root],
  );
  expect(run.exit.main.reason, run.exit.main.message).toBe(ExitReason.NORMAL);
  const E = Errno.EUNVEIL;
  // parent: before; /a read ok, /a/b ok, /c no, /a write no; widen: still no; /a/b only; scoped
  // child: /a/b ok, /a no, unveil(0) ok, /a/b no
  expect(run.rec.main).toEqual([1, 0, 1, 1, -E, -E, 0, -E, -E, 0, -E, 1, 1, 1, -E, 0, -E]);
  const p = run.procs.main.process;
  expect(unveilViolations(kernel.core, p)).toBe(5);
  expect(nsCounters(kernel.core).violations).toBe(7); // 5 + the child's 2
  expect(logs.filter((l) => l.includes("unveil refused")).length).toBe(7);
  closeAll(run);
  await kernel.run();
  expect(kernel.core.objects.liveTotal()).toBe(0);
});
