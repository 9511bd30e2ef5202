// Blocking syscalls that return at once do not suspend (docs/fastpath.md,
// host/runtime/split-imports.ts): a plain entry completes the call or arms
// the wait, and the guard calls the Suspending entry only when it must wait.
// It must change nothing but the cost: each program runs with the split
// shape (fastPath on) and with every blocking import Suspending (fastPath
// off), and the results, exits, kernel trace and virtual clock must be the
// same; the split run must have waited far fewer times than it called.
import { describe, expect, it } from "vitest";
import { Errno, ExitReason, PledgeClass, Rights } from "../../abi/gen/abi.ts";
import { bootDefaultSystem } from "../../cli/system.ts";
import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { splitStats } from "../../host/runtime/split-imports.ts";
import { MAX_NESTED_STARTS, startStats } from "../../host/runtime/start-entry.ts";
import { mutateHints } from "../../kernel/fast/hints.ts";
import { runSystem } from "../helpers/system.ts";
import { ABI_IMPORTS, guest, openCloseClient, results as recorded, wat } from "../helpers/wat.ts";
import { results, runWasi, strings, WASI_E, wasiProgram } from "../wasi/helpers.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const N = 200;
const NR = { sleep: 3, wait: 12, receive: 23, futex_wait: 48 };

// Each blocking call that completes at once, N times in a loop (results summed), both by its
// named import and through sys(nr, ...), then each one's errors, then the same under pledge(stdio).
const READY = guest(`
  (data (i32.const 0) "child")
  (func (export "_start") (local $ep i32) (local $i i32) (local $s i32) (local $m i32) (local $c i32) (local $t i64)
    (local.set $ep (call $endpoint_create))
    (call $rec (i32.gt_s (local.get $ep) (i32.const 0)))
    ;; receive with a pulse queued
    (local.set $i (i32.const 0)) (local.set $s (i32.const 0))
    (loop $l
      (drop (call $pulse (local.get $ep) (local.get $i) (i64.extend_i32_u (local.get $i))))
      (local.set $s (i32.add (local.get $s) (call $receive (local.get $ep) (i32.const 1024) (i32.const 64) ${INF})))
      (local.set $s (i32.add (local.get $s) (i32.add (i32.load (i32.const 1024)) (i32.load (i32.const 1032)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
    (call $rec (local.get $s))
    ;; the same through sys
    (local.set $i (i32.const 0)) (local.set $t (i64.const 0))
    (loop $l
      (drop (call $pulse (local.get $ep) (i32.const 7) (i64.extend_i32_u (local.get $i))))
      (local.set $t (i64.add (local.get $t) (call $sys (i32.const ${NR.receive}) (i64.extend_i32_u (local.get $ep)) (i64.const 1024) (i64.const 64) (i64.const 0x7fffffffffffffff) (i64.const 0) (i64.const 0))))
      (local.set $t (i64.add (local.get $t) (i64.load (i32.const 1032))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
    (call $rec (i32.wrap_i64 (local.get $t)))
    ;; sleep(0) and yield, alone: the handler resumes its own process before it returns
    (local.set $i (i32.const 0)) (local.set $s (i32.const 0))
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $sleep (i64.const 0))))
      (local.set $s (i32.add (local.get $s) (call $yield)))
      (local.set $s (i32.add (local.get $s) (i32.wrap_i64 (call $sys (i32.const ${NR.sleep}) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
    (call $rec (local.get $s))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    ;; futex_wait on a word that does not hold the expected value
    (local.set $m (call $memory_create (i32.const 65536)))
    (call $rec (i32.gt_s (local.get $m) (i32.const 0)))
    (local.set $i (i32.const 0)) (local.set $s (i32.const 0))
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $futex_wait (local.get $m) (i32.const 0) (i32.const 1) ${INF})))
      (local.set $s (i32.add (local.get $s) (i32.wrap_i64 (call $sys (i32.const ${NR.futex_wait}) (i64.extend_i32_u (local.get $m)) (i64.const 4) (i64.const 9) (i64.const 0x7fffffffffffffff) (i64.const 0) (i64.const 0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
    (call $rec (local.get $s))
    ;; wait on a child that has exited (the first wait blocks until it has)
    (local.set $c (call $spawn (call $handle_get (i32.const 0) (i32.const 5)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $rec (i32.gt_s (local.get $c) (i32.const 0)))
    (call $rec (call $wait (local.get $c) (i32.const 2048) ${INF}))
    (call $rec (i32.load (i32.const 2048)))
    (local.set $i (i32.const 0)) (local.set $s (i32.const 0))
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $wait (local.get $c) (i32.const 2048) ${INF})))
      (local.set $s (i32.add (local.get $s) (i32.wrap_i64 (call $sys (i32.const ${NR.wait}) (i64.extend_i32_u (local.get $c)) (i64.const 2048) (i64.const 0x7fffffffffffffff) (i64.const 0) (i64.const 0) (i64.const 0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
    (call $rec (local.get $s))
    ;; errors, each returned at once
    (call $rec (call $receive (i32.const 9999) (i32.const 1024) (i32.const 64) ${INF}))
    (call $rec (call $receive (local.get $ep) (i32.const 1024) (i32.const 64) (i64.const 0)))
    (call $rec (call $receive (local.get $ep) (i32.const 0x7fffffff) (i32.const 64) ${INF}))
    (call $rec (call $sleep (i64.const -1)))
    (call $rec (call $futex_wait (local.get $m) (i32.const 2) (i32.const 0) ${INF}))
    (call $rec (call $futex_wait (local.get $m) (i32.const 0) (i32.const 0) (i64.const 0)))
    (call $rec (call $futex_wait (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
    (call $rec (call $wait (i32.const 9999) (i32.const 2048) ${INF}))
    (call $rec (i32.wrap_i64 (call $sys (i32.const ${NR.receive}) (i64.const 9999) (i64.const 1024) (i64.const 64) (i64.const 0) (i64.const 0) (i64.const 0))))
    (call $rec (i32.wrap_i64 (call $sys (i32.const ${NR.sleep}) (i64.const -1) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
    ;; pledged away: the calls of those classes answer EPLEDGE at once; sleep (core) still runs
    (call $rec (call $pledge (i32.const ${1 << PledgeClass.stdio})))
    (call $rec (call $receive (local.get $ep) (i32.const 1024) (i32.const 64) ${INF}))
    (call $rec (call $futex_wait (local.get $m) (i32.const 0) (i32.const 1) ${INF}))
    (call $rec (call $wait (local.get $c) (i32.const 2048) ${INF}))
    (call $rec (i32.wrap_i64 (call $sys (i32.const ${NR.futex_wait}) (i64.extend_i32_u (local.get $m)) (i64.const 0) (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0))))
    (call $rec (call $sleep (i64.const 0)))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

const CHILD = guest(`(func (export "_start") (call $exit (i32.const 3)))`);

async function runReady(fastPath: boolean, splitImports = true) {
  const k = new Kernel({ trace: true, fastPath, splitImports });
  const child = k.loadImage(CHILD, "child");
  const waitsBefore = splitStats.waits;
  const chosenBefore = splitStats.chosen;
  const r = await runSystem(
    [{ name: "ready", bytes: READY, handles: [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }] }],
    { trace: true, fastPath },
    k,
    [child],
  );
  return {
    rec: r.rec,
    exit: r.exit,
    trace: k.traceText(),
    now: k.core.clock.now(),
    waits: splitStats.waits - waitsBefore,
    chosen: splitStats.chosen - chosenBefore,
  };
}

/**
 * A guest with only these imports (no port_bind, no sys, so it has no guard of its own in front of receive):
 * it pulses its own endpoint N times, receiving each pulse at once, and writes the sum of their codes and
 * values as an i64.
 */
function narrowPulseGuest(): Uint8Array {
  const only = ["endpoint_create", "pulse", "receive", "msg_word", "console_write"];
  return wat(`(module
    ${ABI_IMPORTS.split("\n")
      .filter((l) => only.some((n) => l.includes(`"${n}"`)))
      .join("\n")}
    (memory (export "memory") 1)
    (func (export "_start") (local $ep i32) (local $i i32) (local $s i64)
      (local.set $ep (call $endpoint_create))
      (loop $l
        (drop (call $pulse (local.get $ep) (i32.const 3) (i64.extend_i32_u (local.get $i))))
        (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (call $receive (local.get $ep) (i32.const 1024) (i32.const 64) ${INF}))))
        (local.set $s (i64.add (local.get $s) (i64.add (call $msg_word (i32.const 0)) (call $msg_word (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
      (i64.store (i32.const 0) (local.get $s))
      (drop (call $console_write (i32.const 0) (i32.const 8)))))`);
}

describe("blocking syscalls that return at once (the split imports)", () => {
  // yield is a Suspending import (it nearly always waits: SPLIT_SYSCALLS in the bridge), so by its name it
  // suspends as before; receive is chosen before calling (CHOSEN_SYSCALLS): with a pulse queued the kernel's
  // hint sends it to its plain entry; through sys (split whatever it calls) neither suspends.
  it("receive with a message queued, sleep(0), yield, futex_wait on a changed word and wait on an exited child return the same results, errors, trace and clock, and the split ones do not suspend", async () => {
    const fast = await runReady(true);
    const slow = await runReady(false);
    const unsplit = await runReady(true, false); // every other fast path on, the blocking imports Suspending
    expect(fast.exit.ready).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    const rec = fast.rec.ready;
    expect(rec[0]).toBe(1);
    expect(rec[3]).toBe(0); // sleep(0), yield, sys sleep(0): 0 each
    expect(rec[6]).toBe(-2 * N * Errno.ECHANGED);
    expect(rec[9]).toBe(3); // the child's exit status in its exit info
    expect(rec.slice(11, 21)).toEqual([
      -Errno.EBADH,
      -Errno.ETIMEDOUT,
      -Errno.EFAULT,
      -Errno.EINVAL,
      -Errno.EINVAL,
      -Errno.ETIMEDOUT,
      -Errno.EWRONGTYPE,
      -Errno.EBADH,
      -Errno.EBADH,
      -Errno.EINVAL,
    ]);
    expect(rec.slice(21, 27)).toEqual([0, -Errno.EPLEDGE, -Errno.EPLEDGE, -Errno.EPLEDGE, -Errno.EPLEDGE, 0]);
    expect(fast.trace.split("\n").length).toBeGreaterThan(2 * N);
    // Identical both ways: every result, the exit, the kernel's trace and the virtual clock.
    expect({ ...fast, waits: 0, chosen: 0 }).toEqual({ ...slow, waits: 0, chosen: 0 });
    expect({ ...fast, waits: 0, chosen: 0 }).toEqual({ ...unsplit, waits: 0, chosen: 0 });
    expect(unsplit.waits).toBe(0);
    expect(unsplit.chosen).toBe(0);
    expect(slow.chosen).toBe(0);
    // The named receives found their pulse queued: the hint chose the plain entry for each but the first
    // (before it, the kernel does not know ep is the endpoint the process receives on), and for the errors
    // after them nothing was queued: the Suspending import answered them, as before.
    expect(fast.chosen).toBe(N - 1);
    // Of the ~9 N split calls only the few that gave the host's event loop its turn suspended (at most one per
    // HOST_YIELD_MS of wall time). Not even the first wait on the child: that wait dispatched the child, which
    // started inside it and exited before it returned (start-entry.ts; the next test).
    expect(slow.waits).toBe(0);
    expect(fast.waits).toBeLessThan(N / 2);
  });

  // A client pulses twice, then sends and waits for the reply; the server receives in a loop and replies to
  // each message. So the server's receives both find something queued (the second pulse, or the message
  // behind it) and really wait (nothing queued yet): the hint must say which, and a wrong hint must change
  // nothing but the cost.
  const SERVER = guest(`
    (data (i32.const 0) "ep")
    (func (export "_start") (local $ep i32) (local $i i32) (local $r i32) (local $s i64)
      (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
      (loop $l
        (local.set $r (call $receive (local.get $ep) (i32.const 1024) (i32.const 64) ${INF}))
        (if (i32.gt_s (local.get $r) (i32.const 0))
          (then
            (local.set $s (i64.add (local.get $s) (call $msg_word (i32.const 0))))
            (drop (call $reply (local.get $r) (i32.wrap_i64 (i64.add (call $msg_word (i32.const 0)) (i64.const 1))) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))))
          (else
            (local.set $s (i64.add (local.get $s) (i64.add (call $msg_word (i32.const 0)) (call $msg_word (i32.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${3 * N}))))
      (call $rec (i32.wrap_i64 (local.get $s)))
      (call $rec (i32.wrap_i64 (call $clock_now)))
      (call $flush))`);
  const CLIENT = guest(`
    (data (i32.const 0) "ep")
    (func (export "_start") (local $ep i32) (local $i i32) (local $s i32)
      (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
      (loop $l
        (drop (call $pulse (local.get $ep) (i32.const 1) (i64.extend_i32_u (local.get $i))))
        (drop (call $pulse (local.get $ep) (i32.const 2) (i64.const 7)))
        (local.set $s (i32.add (local.get $s) (call $send (local.get $ep) (i64.extend_i32_u (local.get $i)) (i64.const 0) (i64.const 0) (i64.const 0) ${INF})))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
      (call $rec (local.get $s))
      (call $rec (i32.wrap_i64 (call $clock_now)))
      (call $flush))`);

  async function runPair(fastPath: boolean, splitImports: boolean, wrongHints: boolean) {
    const k = new Kernel({ trace: true, fastPath, splitImports });
    const ep = k.createEndpoint();
    const waitsBefore = splitStats.waits;
    const chosenBefore = splitStats.chosen;
    mutateHints(wrongHints);
    try {
      const r = await runSystem(
        [
          { name: "server", bytes: SERVER, handles: [{ name: "ep", object: ep, rights: Rights.RECEIVE }] },
          { name: "client", bytes: CLIENT, handles: [{ name: "ep", object: ep, rights: Rights.SEND }] },
        ],
        { trace: true, fastPath },
        k,
      );
      return {
        rec: r.rec,
        exit: r.exit,
        trace: k.traceText(),
        now: k.core.clock.now(),
        waits: splitStats.waits - waitsBefore,
        chosen: splitStats.chosen - chosenBefore,
      };
    } finally {
      mutateHints(false);
    }
  }

  it("a receive chosen before calling takes the plain entry only when something is queued, and a wrong hint changes nothing but the cost", async () => {
    const hinted = await runPair(true, true, false);
    const slow = await runPair(false, true, false);
    const unsplit = await runPair(true, false, false);
    const wrong = await runPair(true, true, true); // every hint inverted: "ready" when it must wait, and back
    expect(hinted.exit.server).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(hinted.exit.client).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    const sum = (N * (N - 1)) / 2;
    expect(hinted.rec.client[0]).toBe(sum + N); // each reply: its message's word + 1
    expect(hinted.rec.server[0]).toBe(sum + N + sum + 2 * N + 7 * N); // word 0 of each message; each pulse's code and value
    // Identical every way: results, exits, the kernel's trace, the virtual clock.
    const same = (x: typeof hinted) => ({ ...x, waits: 0, chosen: 0 });
    expect(same(hinted)).toEqual(same(slow));
    expect(same(hinted)).toEqual(same(unsplit));
    expect(same(hinted)).toEqual(same(wrong));
    expect(slow.chosen + unsplit.chosen + slow.waits + unsplit.waits).toBe(0);
    // Right hints: the receives that found something queued went to the plain entry, and none of them had to
    // wait after all; those that waited went straight to the Suspending import (no split wait).
    expect(hinted.chosen).toBeGreaterThan(0);
    expect(hinted.chosen).toBeLessThan(3 * N);
    expect(hinted.waits).toBe(0);
    // Wrong hints: every receive that had to wait went to the plain entry, which armed the wait (a split
    // wait), and those that were ready went to the Suspending import.
    expect(wrong.chosen).toBe(3 * N - hinted.chosen);
    expect(wrong.waits).toBe(wrong.chosen);
  });

  it("a process that cannot bind a port calls receive's Suspending import directly, unless the kernel chooses in every process (receiveHint), and the run is the same", async () => {
    const narrow = narrowPulseGuest();
    const run = async (fastPath: boolean, receiveHint: boolean) => {
      const k = new Kernel({ trace: true, fastPath, receiveHint });
      const chosenBefore = splitStats.chosen;
      const r = await runSystem([{ name: "narrow", bytes: narrow }], { trace: true, fastPath }, k);
      return { rec: r.rec, exit: r.exit, trace: k.traceText(), now: k.core.clock.now(), chosen: splitStats.chosen - chosenBefore };
    };
    const plain = await run(true, false);
    const everywhere = await run(true, true);
    const slow = await run(false, true);
    expect(plain.exit.narrow).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(plain.rec.narrow).toEqual([3 * N + (N * (N - 1)) / 2, 0]); // each pulse's code and value, as an i64
    expect(plain.chosen).toBe(0);
    expect(everywhere.chosen).toBe(N - 1); // all but the first (ep is not yet known as the one it receives on)
    expect(slow.chosen).toBe(0);
    expect({ ...plain, chosen: 0 }).toEqual({ ...everywhere, chosen: 0 });
    expect({ ...plain, chosen: 0 }).toEqual({ ...slow, chosen: 0 });
  });

  it("a process spawned with receiveHint chooses its receive before calling in a kernel that does not for every process, and the run is the same", async () => {
    const narrow = narrowPulseGuest();
    const run = async (hinted: boolean) => {
      const k = new Kernel({ trace: true });
      const img = k.loadImage(narrow, "narrow");
      const out: Uint8Array[] = [];
      const chosenBefore = splitStats.chosen;
      const p = k.spawn(img, { receiveHint: hinted, stdout: (b) => void out.push(b.slice()) });
      k.release(img);
      await k.run();
      const exit = p.process.exit;
      p.close();
      return {
        out: Buffer.concat(out).toString("hex"),
        exit,
        trace: k.traceText(),
        now: k.core.clock.now(),
        chosen: splitStats.chosen - chosenBefore,
      };
    };
    const plain = await run(false);
    const hinted = await run(true);
    expect(plain.exit).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(plain.chosen).toBe(0);
    expect(hinted.chosen).toBe(N - 1); // all but the first (ep is not yet known as the one it receives on)
    expect({ ...plain, chosen: 0 }).toEqual({ ...hinted, chosen: 0 });
  });

  it("the default system's resource managers choose their receive: tmpfs, woken by a close at its client's priority, takes the client's next open without suspending", async () => {
    const client = openCloseClient(N);
    const sys = await bootDefaultSystem({ stdout: () => {}, stderr: () => {}, stdin: null });
    const img = sys.kernel.loadImage(client, "client");
    const out: Uint8Array[] = [];
    const chosenBefore = splitStats.chosen;
    const p = sys.spawn(img, { stdout: (b) => void out.push(b.slice()) });
    sys.kernel.release(img);
    expect(await p.exited).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(recorded(new Uint8Array(Buffer.concat(out)))).toEqual([N]);
    // Every open but the first finds tmpfs not yet waiting (the close before it woke tmpfs, which runs only
    // when the client blocks): tmpfs takes the close, then finds the open queued and takes it at once.
    expect(splitStats.chosen - chosenBefore).toBeGreaterThanOrEqual(N - 1);
    p.close();
    sys.shutdown();
    await sys.kernel.run();
  });

  it("a child its parent's wait dispatches starts inside that wait, and the run, trace and clock are those with Suspending imports", async () => {
    // 20 children that return at once, one that calls exit(3), one that yields once (a Suspending import: it
    // suspends whatever it returns) before it returns: each spawned, then waited for.
    const ret = guest(`(func (export "_start"))`);
    const exit3 = guest(`(func (export "_start") (call $exit (i32.const 3)))`);
    const yielder = guest(`(func (export "_start") (drop (call $yield)))`);
    const parent = guest(`
      (data (i32.const 0) "ret") (data (i32.const 16) "exit3") (data (i32.const 32) "yielder")
      (func $life (param $name i32) (param $len i32) (local $c i32)
        (local.set $c (call $spawn (call $handle_get (local.get $name) (local.get $len)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
        (call $rec (call $wait (local.get $c) (i32.const 2048) ${INF}))
        (call $rec (i32.load (i32.const 2048)))
        (call $rec (call $handle_close (local.get $c))))
      (func (export "_start") (local $i i32)
        (loop $l
          (call $life (i32.const 0) (i32.const 3))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 20))))
        (call $life (i32.const 16) (i32.const 5))
        (call $life (i32.const 32) (i32.const 7))
        (call $rec (i32.wrap_i64 (call $clock_now)))
        (call $flush))`);
    const run = async (fastPath: boolean) => {
      const k = new Kernel({ trace: true, fastPath });
      const imgs = [k.loadImage(ret, "ret"), k.loadImage(exit3, "exit3"), k.loadImage(yielder, "yielder")];
      const handles = imgs.map((object, i) => ({ name: ["ret", "exit3", "yielder"][i], object, rights: IMAGE_GRANT_RIGHTS }));
      const waitsBefore = splitStats.waits;
      const nestedBefore = startStats.nested;
      const r = await runSystem([{ name: "parent", bytes: parent, handles }], { trace: true, fastPath }, k, imgs);
      return {
        rec: r.rec,
        exit: r.exit,
        trace: k.traceText(),
        now: k.core.clock.now(),
        waits: splitStats.waits - waitsBefore,
        nested: startStats.nested - nestedBefore,
      };
    };
    const fast = await run(true);
    const slow = await run(false);
    expect(fast.exit.parent).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
    expect(fast.rec.parent.slice(0, 3)).toEqual([0, 0, 0]);
    expect(fast.rec.parent.slice(60, 66)).toEqual([0, 3, 0, 0, 0, 0]);
    expect({ ...fast, waits: 0, nested: 0 }).toEqual({ ...slow, waits: 0, nested: 0 });
    // Every child started inside its parent's wait (none with the fast path off: no split imports). Only the
    // wait on the yielder suspended (its child suspended in yield), and any turn of the host's event loop
    // falling due meanwhile (at most one per HOST_YIELD_MS).
    expect(fast.nested).toBe(22);
    expect(slow.nested).toBe(0);
    expect(fast.waits).toBeGreaterThanOrEqual(1);
    expect(fast.waits).toBeLessThanOrEqual(3);
  });

  it("a chain of 1000 processes, each spawning the next and waiting for it, ends with every status: the starts nest on the host's stack at most MAX_NESTED_STARTS deep", async () => {
    // Each level spawns itself with one argument fewer (passing on its image handle), waits, and exits with its
    // child's status + 1. Unbounded, the chain's nested starts exhausted the host's stack at ≈600 levels.
    const D = 1000;
    const chain = guest(`
      (data (i32.const 0) "img")
      (data (i32.const 64) "${"x\\00".repeat(D + 1)}")
      (func (export "_start") (local $n i32) (local $c i32)
        (local.set $n (call $arg_count))
        (if (i32.le_s (local.get $n) (i32.const 1)) (then (call $exit (i32.const 0))))
        (i32.store (i32.const 16) (call $handle_get (i32.const 0) (i32.const 3)))
        (i32.store (i32.const 20) (i32.const 0))
        (i32.store (i32.const 24) (i32.const 3))
        (i32.store (i32.const 28) (i32.const 0))
        (local.set $c (call $spawn (i32.load (i32.const 16)) (i32.const 64) (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 1)) (i32.const 16) (i32.const 1)))
        (if (i32.lt_s (local.get $c) (i32.const 0)) (then (call $exit (i32.sub (i32.const -1000000) (local.get $c)))))
        (drop (call $wait (local.get $c) (i32.const 2048) ${INF}))
        (call $exit (i32.add (i32.load (i32.const 2048)) (i32.const 1))))`);
    const k = new Kernel();
    const img = k.loadImage(chain, "chain");
    const nestedBefore = startStats.nested;
    const root = k.spawn(img, {
      args: ["chain", ...Array.from({ length: D }, () => "x")],
      handles: [{ name: "img", object: img, rights: IMAGE_GRANT_RIGHTS }],
    });
    const exit = await root.exited;
    expect(exit).toMatchObject({ reason: ExitReason.NORMAL, status: D });
    // Levels 1..D started inside their parents' waits but every (MAX_NESTED_STARTS + 1)th, which ran in a microtask.
    expect(startStats.nested - nestedBefore).toBe(D - Math.floor(D / (MAX_NESTED_STARTS + 1)));
    root.close();
    k.release(img);
  });

  it("a process killed while it waits in a split import ends, and the run is the same as with Suspending imports", async () => {
    // The victim waits in futex_wait (the word holds what it expects: it must wait); the killer sleeps, then kills it.
    // The victim yields first: the killer starts then (inside that sleep, start-entry.ts) and is already running
    // when the victim waits, so the futex_wait suspends.
    const victim = guest(`
      (func (export "_start") (local $m i32)
        (drop (call $sleep (i64.const 0)))
        (local.set $m (call $memory_create (i32.const 65536)))
        (call $rec (call $futex_wait (local.get $m) (i32.const 0) (i32.const 0) ${INF}))
        (call $flush))`);
    const { fast, slow } = await killedWhileWaiting(victim);
    expect(fast.victim).toMatchObject({ reason: ExitReason.KILLED, status: 9 });
    expect(fast.rec.killer).toEqual([0, 0, 0, 0]);
    expect({ ...fast, waits: 0 }).toEqual({ ...slow, waits: 0 });
    // The victim's futex_wait waited, and the killer's first sleep(0) (the victim was ready). The killer's
    // sleep(1 ms) did not: with nothing else ready the scheduler jumps the virtual clock to its deadline and
    // resumes it inside its own syscall. (A turn of the host's event loop falling due during a resumption
    // would add a wait: at most one per HOST_YIELD_MS.)
    expect(fast.waits).toBeGreaterThanOrEqual(2);
    expect(fast.waits).toBeLessThanOrEqual(4);
  });

  it("a process its own wait started (the first dispatch of another process) and that was killed by it before the wait returned ends, and the run is the same as with Suspending imports", async () => {
    // The victim waits in futex_wait (the word holds what it expects: it must wait), which dispatches the killer for
    // the first time: the killer starts inside the victim's futex_wait (start-entry.ts), sleeps, and kills the victim
    // before that import has returned. The victim's stack unwinds from there: no suspension, nothing left waiting.
    const victim = guest(`
      (func (export "_start") (local $m i32)
        (local.set $m (call $memory_create (i32.const 65536)))
        (call $rec (call $futex_wait (local.get $m) (i32.const 0) (i32.const 0) ${INF}))
        (call $flush))`);
    const { fast, slow } = await killedWhileWaiting(victim);
    expect(fast.victim).toMatchObject({ reason: ExitReason.KILLED, status: 9 });
    expect(fast.rec.killer).toEqual([0, 0, 0, 0]);
    expect({ ...fast, waits: 0 }).toEqual({ ...slow, waits: 0 });
    // Neither the victim's futex_wait nor the killer's sleeps waited (each resumed inside its own syscall; a turn
    // of the host's event loop falling due during a resumption would add a wait: at most one per HOST_YIELD_MS).
    expect(fast.waits).toBeLessThanOrEqual(1);
    expect(fast.victim!.message).toBe("killed by pid 2");
  });

  it("a WASI program with a preopen: its fd_write to stdout and sched_yield alone do not suspend, its namespace calls wait, and the run is the same as with Suspending imports", async () => {
    // N writes of 4 bytes to stdout, then x in the preopen written, read back and closed (namespace calls: they wait).
    const prog = wasiProgram(
      `
      (local $i i32) (local $s i32)
      (i32.store (i32.const 0x20) (i32.const 0x210))
      (i32.store (i32.const 0x24) (i32.const 4))
      (loop $l
        (drop (call $fd_write (i32.const 1) (i32.const 0x20) (i32.const 1) (i32.const 0x28)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
      (local.set $i (i32.const 0))
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $sched_yield)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
      (call $rec (local.get $s))
      (call $rec (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 1) (i32.const 9)
        (i64.const 70) (i64.const 0) (i32.const 0) (i32.const 0x10)))
      (i32.store (i32.const 0x24) (i32.const 11))
      (call $rec (call $fd_write (i32.load (i32.const 0x10)) (i32.const 0x20) (i32.const 1) (i32.const 0x28)))
      (call $rec (i32.load (i32.const 0x28)))
      (call $rec (call $fd_seek (i32.load (i32.const 0x10)) (i64.const 0) (i32.const 0) (i32.const 0x30)))
      (i32.store (i32.const 0x40) (i32.const 0x300))
      (i32.store (i32.const 0x44) (i32.const 64))
      (call $rec (call $fd_read (i32.load (i32.const 0x10)) (i32.const 0x40) (i32.const 1) (i32.const 0x48)))
      (call $rec (i32.load (i32.const 0x48)))
      (call $rec (call $fd_close (i32.load (i32.const 0x10))))
      (call $rec (call $fd_write (i32.const 99) (i32.const 0x20) (i32.const 1) (i32.const 0x28)))
      (call $flush)`,
      {
        data: strings([
          { at: 0x200, s: "x" },
          { at: 0x210, s: "hello\nwasi\n" },
        ]),
      },
    );
    const run = async (splitImports: boolean) => {
      const before = splitStats.waits;
      const r = await runWasi(prog, { trace: true, splitImports, wasi: { dirs: [{ guest: "/tmp", path: "/tmp" }] } });
      return { exit: r.exit, out: r.stdoutBytes, trace: r.trace, waits: splitStats.waits - before };
    };
    const split = await run(true);
    const whole = await run(false);
    expect(split.exit.reason).toBe(ExitReason.NORMAL);
    const out = split.out;
    expect(new TextDecoder().decode(out.subarray(0, 4 * N))).toBe("hell".repeat(N));
    expect(results({ stdoutBytes: out.subarray(4 * N) } as never)).toEqual([
      WASI_E.SUCCESS, // N sched_yield, alone
      WASI_E.SUCCESS,
      WASI_E.SUCCESS,
      11,
      WASI_E.SUCCESS,
      WASI_E.SUCCESS,
      11,
      WASI_E.SUCCESS,
      WASI_E.BADF,
    ]);
    expect({ ...split, waits: 0 }).toEqual({ ...whole, waits: 0 });
    expect(whole.waits).toBe(0);
    // The namespace calls waited for their server (at least path_open, the file's write, read and close);
    // the N writes to stdout and the N sched_yield alone did not.
    expect(split.waits).toBeGreaterThanOrEqual(4);
    expect(split.waits).toBeLessThan(N / 2);
  });
});

/**
 * The victim (a guest's bytes) spawned first, then a killer that sleeps 0, sleeps 1 ms, kills it (status 9) and
 * sleeps 0 again, each result recorded; run with split imports (fastPath) and with Suspending imports. Each
 * run's records, exits, the victim's exit, trace, virtual time, and the split imports that waited.
 */
async function killedWhileWaiting(victim: Uint8Array) {
  const killer = guest(`
    (data (i32.const 0) "victim")
    (func (export "_start")
      (call $rec (call $sleep (i64.const 0)))
      (call $rec (call $sleep (i64.const 1000000)))
      (call $rec (call $kill (call $handle_get (i32.const 0) (i32.const 6)) (i32.const 9)))
      (call $rec (call $sleep (i64.const 0)))
      (call $flush))`);
  const run = async (fastPath: boolean) => {
    const k = new Kernel({ trace: true, fastPath });
    const img = k.loadImage(victim, "victim");
    const v = k.spawn(img, { args: ["victim"] });
    k.release(img);
    const waitsBefore = splitStats.waits;
    const r = await runSystem(
      [{ name: "killer", bytes: killer, handles: [{ name: "victim", object: v.process, rights: Rights.KILL }] }],
      { trace: true, fastPath },
      k,
    );
    const out = {
      rec: r.rec,
      exit: r.exit,
      victim: v.process.exit,
      trace: k.traceText(),
      now: k.core.clock.now(),
      waits: splitStats.waits - waitsBefore,
    };
    v.close();
    return out;
  };
  return { fast: await run(true), slow: await run(false) };
}
