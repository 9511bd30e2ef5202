// A guest that never blocks is preempted when its fuel runs out: an infinite
// loop in _start, in a start function or in a port handler does not stop the
// other processes. (If preemption were broken these tests would hang: a
// looping guest never gives the JS event loop back.)
import { describe, expect, it } from "vitest";
import { ExitReason, ProcessState } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { guest } from "../helpers/wat.ts";

const utf8 = new TextDecoder();

/** Prints "survivor ok" after sleeping 3 ms of virtual time, while the looper spins. */
const SURVIVOR = guest(`
  (data (i32.const 0) "survivor ok\\n")
  (func (export "_start")
    (drop (call $sleep (i64.const 3000000)))
    (drop (call $console_write (i32.const 0) (i32.const 12))))`);

async function loopsWhileOthersRun(looperWat: Uint8Array) {
  let out = "";
  const k = new Kernel({ stdout: (b) => (out += utf8.decode(b)) });
  const images = [k.loadImage(looperWat, "looper"), k.loadImage(SURVIVOR, "survivor")];
  const looper = k.spawn(images[0]);
  const survivor = k.spawn(images[1]);
  for (const img of images) k.release(img);
  const exit = await survivor.exited;
  const state = looper.process.state;
  const cpu = k.core.sched.cpuTime(looper.process);
  k.core.terminate(looper.process, 0, ExitReason.KILLED, "test over");
  await k.run();
  looper.close();
  survivor.close();
  return { exit, out, state, cpu, kernel: k };
}

describe("preemption of guests that never block", () => {
  it("an infinite loop in _start does not stop other processes", async () => {
    const r = await loopsWhileOthersRun(guest(`(func (export "_start") (loop $l (br $l)))`));
    expect(r.exit.reason).toBe(ExitReason.NORMAL);
    expect(r.out).toBe("survivor ok\n");
    expect(r.state).not.toBe(ProcessState.EXITED);
    // The looper had the CPU for the survivor's whole sleep.
    expect(r.cpu).toBeGreaterThan(3_000_000);
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });

  it("an infinite loop in a start function does not stop other processes", async () => {
    const r = await loopsWhileOthersRun(
      guest(`
      (func $init (loop $l (br $l)))
      (start $init)
      (func (export "_start"))`),
    );
    expect(r.exit.reason).toBe(ExitReason.NORMAL);
    expect(r.out).toBe("survivor ok\n");
    expect(r.cpu).toBeGreaterThan(3_000_000);
  });

  it("endless recursion through tail calls (no loop at all) does not stop other processes", async () => {
    const r = await loopsWhileOthersRun(
      guest(`
      (func $spin (param i32) (return_call $spin (i32.add (local.get 0) (i32.const 1))))
      (func (export "_start") (call $spin (i32.const 0)))`),
    );
    expect(r.out).toBe("survivor ok\n");
    expect(r.cpu).toBeGreaterThan(3_000_000);
  });

  it("an infinite loop in a port handler does not stop other processes", async () => {
    // The looper binds a port to a handler that spins, gives a child the port,
    // and returns from _start (it stays RESIDENT). The child sends a packet,
    // then sleeps and prints: it only prints if the spinning handler is preempted.
    const looper = guest(`
      (data (i32.const 0) "self")
      (data (i32.const 8) "on_packet")
      (data (i32.const 32) "child\\00")
      (data (i32.const 48) "port")
      (data (i32.const 64) "child survived\\n")
      (func $is_child (result i32) (i32.eq (call $arg_count) (i32.const 1)))
      (func (export "on_packet") (param i32 i32 i64) (loop $l (br $l)))
      (func (export "_start") (local $port i32)
        (if (call $is_child) (then
          (local.set $port (call $handle_get (i32.const 48) (i32.const 4)))
          (drop (call $port_send (local.get $port) (i32.const 1) (i64.const 0)))
          (drop (call $sleep (i64.const 2000000)))
          (drop (call $console_write (i32.const 64) (i32.const 15)))
          (return)))
        (local.set $port (call $port_create))
        (drop (call $port_bind (local.get $port) (i32.const 8) (i32.const 9) (i32.const 0) (i32.const 0)))
        ;; spawn entry {handle, name_ptr, name_len} at 128
        (i32.store (i32.const 128) (local.get $port))
        (i32.store (i32.const 132) (i32.const 48))
        (i32.store (i32.const 136) (i32.const 4))
        (drop (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 32) (i32.const 6) (i32.const 128) (i32.const 1))))`);
    let out = "";
    let resolve!: () => void;
    const survived = new Promise<void>((r) => (resolve = r));
    const k = new Kernel({
      stdout: (b) => {
        out += utf8.decode(b);
        if (out.includes("child survived")) resolve();
      },
    });
    const img = k.loadImage(looper, "looper");
    const p = k.spawn(img, { args: [], handles: [{ name: "self", object: img, rights: 0x13 }] });
    k.release(img);
    await survived;
    // The handler is still running (preempted, READY or RUNNING), not blocked.
    expect([ProcessState.READY, ProcessState.RUNNING]).toContain(p.process.state);
    expect(p.process.mainDone).toBe(true);
    expect(k.core.sched.cpuTime(p.process)).toBeGreaterThan(2_000_000);
    k.core.terminate(p.process, 0, ExitReason.KILLED, "test over");
    await k.run();
    p.close();
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a preempted process resumes exactly where it was: two counting loops both finish with the right totals", async () => {
    // Each sums 1..n in a loop (about 20 M instructions: many quanta) and prints the sum.
    const counter = (n: number) =>
      guest(`
      (func (export "_start") (local $i i32) (local $s i64)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (local.get $i))))
          (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
        (i64.store (i32.const 0) (local.get $s))
        (drop (call $console_write (i32.const 0) (i32.const 8))))`);
    const outs: Record<string, Uint8Array> = {};
    const k = new Kernel({ trace: true });
    const a = k.spawn(k.loadImage(counter(1_000_000), "a"), { stdout: (b) => (outs.a = b.slice()) });
    const b = k.spawn(k.loadImage(counter(1_500_000), "b"), { stdout: (b) => (outs.b = b.slice()) });
    await Promise.all([a.exited, b.exited]);
    const sum = (o: Uint8Array) => new DataView(o.buffer, o.byteOffset).getBigUint64(0, true);
    expect(sum(outs.a)).toBe(500_000_500_000n);
    expect(sum(outs.b)).toBe(1_125_000_750_000n);
    // They took turns: each was preempted at the end of a quantum several times.
    const preempts = k
      .traceText()
      .split("\n")
      .filter((l) => l.endsWith("preempt back"));
    expect(preempts.length).toBeGreaterThan(10);
    a.close();
    b.close();
  });
});
