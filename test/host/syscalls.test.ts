// Syscalls through the real ABI: WAT guests record each result with $rec and
// the test compares the sequence. Every pointer a guest passes is checked.
import { describe, expect, it } from "vitest";
import { Errno, ExitReason, Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { guest, results } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const E = (name: keyof typeof Errno) => -Errno[name];

async function recorded(body: string, opts: Parameters<typeof runGuest>[1] = {}) {
  const r = await runGuest(guest(body), opts);
  expect(r.exit, r.exit.message).toMatchObject({ reason: ExitReason.NORMAL });
  return results(r.stdoutBytes);
}

describe("pointer checks", () => {
  it("console_write accepts the last valid byte and refuses one past it, -1, and bad lengths", async () => {
    const r = await recorded(`
      (func (export "_start")
        (call $rec (call $console_write (i32.const 65535) (i32.const 0)))
        (call $rec (call $console_write (i32.const 65536) (i32.const 0)))
        (call $rec (call $console_write (i32.const 65537) (i32.const 0)))
        (call $rec (call $console_write (i32.const 65535) (i32.const 2)))
        (call $rec (call $console_write (i32.const -1) (i32.const 1)))
        (call $rec (call $console_write (i32.const 0) (i32.const -1)))
        (call $rec (call $console_write (i32.const 0) (i32.const 65537)))
        (call $flush))`);
    expect(r).toEqual([0, 0, E("EFAULT"), E("EFAULT"), E("EFAULT"), E("EINVAL"), E("EINVAL")]);
  });

  it("random_get, arg_get, process_info, wait, spawn and handle_get refuse buffers outside memory", async () => {
    const r = await recorded(`
      (data (i32.const 0) "self")
      (func (export "_start")
        (call $rec (call $random_get (i32.const 65532) (i32.const 4)))
        (call $rec (call $random_get (i32.const 65533) (i32.const 4)))
        (call $rec (call $random_get (i32.const 0) (i32.const -4)))
        (call $rec (call $arg_get (i32.const 0) (i32.const 65535) (i32.const 100)))
        (call $rec (call $arg_get (i32.const 0) (i32.const 70000) (i32.const 0)))
        (call $rec (call $process_info (i32.const -1) (i32.const 65500) (i32.const 40)))
        (call $rec (call $handle_get (i32.const 65534) (i32.const 4)))
        (call $rec (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 65535) (i32.const 4) (i32.const 0) (i32.const 0)))
        (call $rec (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 0) (i32.const 0) (i32.const 65530) (i32.const 1)))
        (call $flush))`);
    expect(r).toEqual([0, E("EFAULT"), E("EINVAL"), E("EFAULT"), "guest.wasm".length, E("EFAULT"), E("EFAULT"), E("EFAULT"), E("EFAULT")]);
  });

  it("sees memory grown by the guest itself", async () => {
    const r = await runGuest(
      guest(`
      (func (export "_start")
        (drop (memory.grow (i32.const 1)))
        (i32.store8 (i32.const 70000) (i32.const 0x21))
        (drop (call $console_write (i32.const 70000) (i32.const 1))))`),
    );
    expect(r.stdout).toBe("!");
  });
});

describe("processes", () => {
  // A guest that is its own child: with argument "child" it sleeps a second and exits 7.
  const family = (parentBody: string) =>
    guest(`
    (data (i32.const 0) "self")
    (data (i32.const 16) "child\\00")
    (func $is_child (result i32)
      (if (result i32) (i32.eq (call $arg_count) (i32.const 1))
        (then (drop (call $arg_get (i32.const 0) (i32.const 32) (i32.const 1)))
              (i32.eq (i32.load8_u (i32.const 32)) (i32.const 0x63)))
        (else (i32.const 0))))
    (func $spawn_child (result i32)
      (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 6) (i32.const 0) (i32.const 0)))
    (func (export "_start") (local $a i32) (local $b i32)
      (if (call $is_child) (then
        (drop (call $sleep (i64.const 1000000000)))
        (call $exit (i32.const 7))))
      ${parentBody}
      (call $flush))`);

  it("spawn, wait with a deadline, kill, wait again, and the errors of each", async () => {
    const r = await runGuest(
      family(`
      (local.set $a (call $spawn_child))
      (call $rec (i32.gt_s (local.get $a) (i32.const 0)))
      (call $rec (call $wait (local.get $a) (i32.const 100) (i64.add (call $clock_now) (i64.const 1000000))))
      (call $rec (call $kill (local.get $a) (i32.const 42)))
      (call $rec (call $wait (local.get $a) (i32.const 100) ${INF}))
      (call $rec (i32.load (i32.const 100)))
      (call $rec (i32.load (i32.const 104)))
      (call $rec (call $kill (local.get $a) (i32.const 1)))
      (local.set $b (call $spawn_child))
      (call $rec (call $wait (local.get $b) (i32.const 100) ${INF}))
      (call $rec (i32.load (i32.const 100)))
      (call $rec (i32.load (i32.const 104)))
      (call $rec (call $handle_close (local.get $b)))
      (call $rec (call $wait (local.get $b) (i32.const 100) ${INF}))
      (call $rec (call $handle_close (local.get $b)))
      (call $rec (call $wait (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 100) ${INF}))
      (call $rec (call $wait (i32.const 0x00050001) (i32.const 100) ${INF}))
      (call $rec (call $wait (local.get $a) (i32.const 65532) ${INF}))
      (call $rec (call $wait (local.get $a) (i32.const 100) (i64.const 0)))
      (call $rec (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 5) (i32.const 0) (i32.const 0)))
      (call $rec (call $spawn (local.get $a) (i32.const 16) (i32.const 6) (i32.const 0) (i32.const 0)))
      (call $rec (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 70000) (i32.const 0) (i32.const 0)))
      (call $rec (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 6) (i32.const 0) (i32.const 65)))
      (call $rec (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const -1) (i32.const 0) (i32.const 0)))
      (call $rec (call $process_info (local.get $a) (i32.const 200) (i32.const 39)))
      (call $rec (call $process_info (local.get $a) (i32.const 200) (i32.const 40)))
      (call $rec (i32.load (i32.const 208)))
      (call $rec (i32.load (i32.const 212)))`),
      { args: [] },
    );
    expect(r.exit.reason).toBe(ExitReason.NORMAL);
    expect(results(r.stdoutBytes)).toEqual([
      1,
      E("ETIMEDOUT"),
      0, // kill
      0,
      42,
      ExitReason.KILLED,
      E("ESRCH"),
      0,
      7,
      ExitReason.NORMAL,
      0,
      E("ESTALE"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EBADH"),
      E("EFAULT"),
      0, // an exited child answers at once, even with a past deadline
      E("EINVAL"), // arguments not NUL-terminated
      E("EWRONGTYPE"),
      E("E2BIG"),
      E("E2BIG"),
      E("EINVAL"),
      E("EINVAL"),
      40,
      3 /* EXITED */,
      128,
    ]);
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });

  it("refuses process operations the handle's rights do not allow", async () => {
    const k = new Kernel();
    const sleeper = k.spawn(k.loadImage(guest(`(func (export "_start") (drop (call $sleep (i64.const 5000000))))`), "sleeper"));
    let bytes = new Uint8Array();
    const prober = k.spawn(
      k.loadImage(
        guest(`
      (data (i32.const 0) "target")
      (func (export "_start") (local $t i32)
        (local.set $t (call $handle_get (i32.const 0) (i32.const 6)))
        (call $rec (call $kill (local.get $t) (i32.const 0)))
        (call $rec (call $wait (local.get $t) (i32.const 100) ${INF}))
        (call $rec (call $process_info (local.get $t) (i32.const 100) (i32.const 40)))
        (call $rec (i32.load (i32.const 100)))
        (call $rec (i32.load (i32.const 108)))
        (call $rec (call $spawn (local.get $t) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
        (call $flush))`),
        "prober",
      ),
      { stdout: (b) => (bytes = b.slice()), handles: [{ name: "target", object: sleeper.process, rights: Rights.INSPECT }] },
    );
    await prober.exited;
    expect(results(bytes)).toEqual([E("EACCES"), E("EACCES"), 40, sleeper.pid, 2 /* BLOCKED */, E("EWRONGTYPE")]);
    expect((await sleeper.exited).reason).toBe(ExitReason.NORMAL);
  });

  it("spawn passes named handles; a child finds them with handle_get and the parent keeps its own", async () => {
    const r = await recorded(`
      (data (i32.const 0) "self")
      (data (i32.const 16) "kid\\00")
      (data (i32.const 32) "nope")
      (func (export "_start") (local $c i32)
        (if (i32.eq (call $arg_count) (i32.const 1))
          (then (drop (call $arg_get (i32.const 0) (i32.const 48) (i32.const 3)))
            (if (i32.eq (i32.load8_u (i32.const 48)) (i32.const 0x6b))
              (then (call $exit (i32.gt_s (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 0)))))))
        ;; entry {handle, name_ptr=0, name_len=4} at 64
        (i32.store (i32.const 64) (call $handle_get (i32.const 0) (i32.const 4)))
        (i32.store (i32.const 68) (i32.const 0))
        (i32.store (i32.const 72) (i32.const 4))
        (local.set $c (call $spawn (i32.load (i32.const 64)) (i32.const 16) (i32.const 4) (i32.const 64) (i32.const 1)))
        (call $rec (call $wait (local.get $c) (i32.const 100) ${INF}))
        (call $rec (i32.load (i32.const 100)))
        (call $rec (call $handle_get (i32.const 32) (i32.const 4)))
        (call $rec (call $handle_get (i32.const 0) (i32.const 0)))
        (call $rec (i32.gt_s (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 0)))
        ;; the same name twice is EINVAL
        (i32.store (i32.const 76) (i32.load (i32.const 64)))
        (i32.store (i32.const 80) (i32.const 0))
        (i32.store (i32.const 84) (i32.const 4))
        (call $rec (call $spawn (i32.load (i32.const 64)) (i32.const 16) (i32.const 4) (i32.const 64) (i32.const 2)))
        (call $flush))`);
    expect(r).toEqual([0, 1, E("ENOENT"), E("EINVAL"), 1, E("EINVAL")]);
  });

  it("exit status and return from _start are reported, and handles are released at exit", async () => {
    const a = await runGuest(guest(`(func (export "_start") (call $exit (i32.const 3)))`));
    expect(a.exit).toMatchObject({ status: 3, reason: ExitReason.NORMAL });
    const b = await runGuest(guest(`(func (export "_start"))`));
    expect(b.exit).toMatchObject({ status: 0, reason: ExitReason.NORMAL });
    expect(b.kernel.core.objects.liveTotal()).toBe(0);
  });

  it("a start section runs first, inside the process, and may block", async () => {
    const r = await runGuest(
      guest(`
      (data (i32.const 0) "init main ")
      (func $init
        (drop (call $sleep (i64.const 1000)))
        (drop (call $console_write (i32.const 0) (i32.const 5))))
      (start $init)
      (func (export "_start") (drop (call $console_write (i32.const 5) (i32.const 5))))`),
    );
    expect(r.exit.reason).toBe(ExitReason.NORMAL);
    expect(r.stdout).toBe("init main ");
  });
});

describe("time", () => {
  it("sleepers wake in deadline order on the virtual clock, not in spawn order", async () => {
    let out = "";
    const k = new Kernel({ stdout: (b) => (out += new TextDecoder().decode(b)) });
    const sleeper = (ms: number, tag: string) =>
      k.loadImage(
        guest(`
        (data (i32.const 0) "${tag}")
        (func (export "_start")
          (call $rec (call $sleep (i64.const ${ms * 1_000_000})))
          (drop (call $console_write (i32.const 0) (i32.const 1))))`),
        tag,
      );
    const ps = [k.spawn(sleeper(30, "c")), k.spawn(sleeper(10, "a")), k.spawn(sleeper(20, "b"))];
    await Promise.all(ps.map((p) => p.exited));
    expect(out).toBe("abc");
    const now = k.core.clock.now();
    expect(now).toBeGreaterThanOrEqual(30_000_000);
    expect(now).toBeLessThan(31_000_000);
  });

  it("sleep refuses a negative duration and treats 0 as yield; clock_now never decreases", async () => {
    const r = await recorded(`
      (func (export "_start") (local $t i64)
        (call $rec (call $sleep (i64.const -1)))
        (call $rec (call $sleep (i64.const 0)))
        (local.set $t (call $clock_now))
        (call $rec (call $yield))
        (call $rec (i64.ge_s (call $clock_now) (local.get $t)))
        (call $rec (call $sleep (i64.const 5000000)))
        (call $rec (i64.ge_s (call $clock_now) (i64.add (local.get $t) (i64.const 5000000))))
        (call $flush))`);
    expect(r).toEqual([E("EINVAL"), 0, 0, 1, 0, 1]);
  });
});

describe("the numbered entry sys(nr, ...)", () => {
  it("gives the same results as the named imports, blocking calls and exit included", async () => {
    const r = await runGuest(
      guest(`
      (data (i32.const 0) "via sys\\n")
      (func $sys1 (param i32 i64) (result i32)
        (i32.wrap_i64 (call $sys (local.get 0) (local.get 1) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
      (func (export "_start")
        (call $rec (i32.wrap_i64 (call $sys (i32.const 6) (i64.const 0) (i64.const 8) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
        (call $rec (call $console_write (i32.const 0) (i32.const 8)))
        (call $rec (i32.wrap_i64 (call $sys (i32.const 6) (i64.const 65535) (i64.const 2) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
        (call $rec (i32.wrap_i64 (call $sys (i32.const 6) (i64.const 0) (i64.const -1) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
        (call $rec (call $sys1 (i32.const 3) (i64.const 1000)))
        (call $rec (call $sys1 (i32.const 3) (i64.const -1)))
        (call $rec (call $sys1 (i32.const 10) (i64.const 12345)))
        (call $rec (call $sys1 (i32.const 999) (i64.const 0)))
        (call $rec (call $sys1 (i32.const 0) (i64.const 0)))
        (call $rec (i64.gt_s (call $sys (i32.const 4) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)) (i64.const 0)))
        (call $flush)
        (drop (call $sys1 (i32.const 1) (i64.const 9))))`),
    );
    expect(r.exit).toMatchObject({ reason: ExitReason.NORMAL, status: 9 });
    expect(r.stdout.slice(0, 16)).toBe("via sys\nvia sys\n");
    expect(results(r.stdoutBytes.slice(16))).toEqual([
      8,
      8, // console_write through sys and by name
      E("EFAULT"),
      E("EINVAL"),
      0,
      E("EINVAL"), // sleep blocks through sys, and refuses a negative duration
      E("EBADH"), // handle_close of a forged handle
      E("ENOSYS"),
      E("ENOSYS"), // unknown numbers, 0 included
      1, // clock_now as i64
    ]);
  });
});

describe("determinism", () => {
  const noisy = guest(`
    (data (i32.const 0) "self")
    (data (i32.const 16) "child\\00")
    (func (export "_start") (local $c i32) (local $i i32)
      (if (i32.eq (call $arg_count) (i32.const 1)) (then
        (drop (call $arg_get (i32.const 0) (i32.const 32) (i32.const 1)))
        (if (i32.eq (i32.load8_u (i32.const 32)) (i32.const 0x63)) (then
          (drop (call $random_get (i32.const 40) (i32.const 2)))
          (drop (call $sleep (i64.extend_i32_u (i32.load16_u (i32.const 40)))))
          (drop (call $random_get (i32.const 40) (i32.const 8)))
          (drop (call $console_write (i32.const 40) (i32.const 8)))
          (call $exit (i32.load8_u (i32.const 41)))))))
      (loop $l
        (drop (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 16) (i32.const 6) (i32.const 0) (i32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 8))))
      (drop (call $yield)))`);

  it("the same boot twice gives byte-identical event traces and output", async () => {
    const a = await runGuest(noisy, { trace: true, seed: 5 });
    const b = await runGuest(noisy, { trace: true, seed: 5 });
    expect(a.trace.length).toBeGreaterThan(200);
    expect(a.trace).toBe(b.trace);
    expect(a.stdoutBytes).toEqual(b.stdoutBytes);
    expect(a.stdoutBytes.length).toBe(64);
  });

  it("another seed gives another run", async () => {
    const a = await runGuest(noisy, { trace: true, seed: 5 });
    const c = await runGuest(noisy, { trace: true, seed: 6 });
    expect(a.stdoutBytes).not.toEqual(c.stdoutBytes);
    expect(a.trace).not.toBe(c.trace);
  });
});
