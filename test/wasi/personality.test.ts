// The WASI personality's calls that need no files: arguments, environment,
// clocks (the kernel's, virtual in deterministic mode), random (the kernel's
// seeded generator), exit, yield, poll_oneoff blocking in the kernel, the
// socket calls' errno; and that it implements every preview 1 function.
import { describe, expect, it } from "vitest";
import table from "../../abi/personalities/wasi_snapshot_preview1.json" with { type: "json" };
import { ExitReason } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { WasiPersonality, DETERMINISTIC_EPOCH_NS } from "../../host/personality/wasi/personality.ts";
import { ImageLoader } from "../../loader/loader.ts";
import { wat } from "../helpers/wat.ts";
import { results, runWasi, WASI_E, wasiProgram } from "./helpers.ts";

describe("the WASI personality", () => {
  it("implements every one of the 46 wasi_snapshot_preview1 functions the loader accepts", () => {
    const k = new Kernel();
    const w = new WasiPersonality(k.core, { env: [] } as never, {});
    expect(table.functions).toHaveLength(46);
    expect(Object.keys(w.imports()).sort()).toEqual(table.functions.map((f) => f.name).sort());
  });

  it("is told apart from a native guest by the loader", () => {
    const report = new ImageLoader().check(wasiProgram(`(nop)`));
    expect(report.ok).toBe(true);
    expect(report.info.personality).toBe("wasi_snapshot_preview1");
  });

  it("refuses a wasi import with the wrong signature, naming both", () => {
    const report = new ImageLoader().check(
      wat(
        `(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32))) (memory (export "memory") 1) (func (export "_start")))`,
      ),
    );
    expect(report.ok).toBe(false);
    expect(report.errors[0].message).toContain(`expected (i32, i32, i32, i32) -> i32, found (i32) -> i32`);
  });

  it("gives argv (argv[0] first) and exactly the environment it was given", async () => {
    // args_sizes_get, environ_sizes_get: counts and byte sizes (NULs included)
    const run = await runWasi(
      wasiProgram(`
        (drop (call $args_sizes_get (i32.const 0x10) (i32.const 0x14)))
        (call $rec (i32.load (i32.const 0x10))) (call $rec (i32.load (i32.const 0x14)))
        (drop (call $environ_sizes_get (i32.const 0x10) (i32.const 0x14)))
        (call $rec (i32.load (i32.const 0x10))) (call $rec (i32.load (i32.const 0x14)))
        (call $flush)`),
      { argv0: "prog", args: ["one", "two"], wasi: { env: ["A=1", "BB=22"] } },
    );
    expect(results(run)).toEqual([3, 13, 2, 10]);
  });

  it("exits with the status given to proc_exit", async () => {
    const run = await runWasi(wasiProgram(`(call $proc_exit (i32.const 42)) (unreachable)`));
    expect(run.exit).toMatchObject({ reason: ExitReason.NORMAL, status: 42 });
  });

  it("reads the kernel's virtual clock: realtime is a fixed epoch plus it, so runs reproduce", async () => {
    const prog = wasiProgram(`
      (call $rec (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 0x10)))
      (call $rec (i32.wrap_i64 (i64.sub (i64.load (i32.const 0x10)) (i64.const ${DETERMINISTIC_EPOCH_NS}))))
      (call $rec (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0x10)))
      (call $rec (i32.wrap_i64 (i64.load (i32.const 0x10))))
      (call $rec (call $clock_time_get (i32.const 9) (i64.const 1) (i32.const 0x10)))
      (call $flush)`);
    const first = results(await runWasi(prog));
    const again = results(await runWasi(prog));
    expect(first).toEqual(again);
    const [ok1, sinceEpoch, ok2, monotonic, bad] = first;
    expect([ok1, ok2, bad]).toEqual([0, 0, WASI_E.INVAL]);
    // Virtual time since boot: a few microseconds of dispatch and work, and the later read is the later time.
    expect(sinceEpoch).toBeGreaterThan(0);
    expect(sinceEpoch).toBeLessThan(1_000_000);
    expect(monotonic).toBeGreaterThanOrEqual(sinceEpoch);
  });

  it("blocks poll_oneoff on a clock in the kernel: one second of virtual time passes, without spinning", async () => {
    // subscription at 0x100: userdata 7, tag CLOCK, MONOTONIC, relative 1 s; event at 0x200
    const run = await runWasi(
      wasiProgram(`
        (i64.store (i32.const 0x100) (i64.const 7))
        (i32.store8 (i32.const 0x108) (i32.const 0))
        (i32.store (i32.const 0x110) (i32.const 1))
        (i64.store (i32.const 0x118) (i64.const 1000000000))
        (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0x10)))
        (call $rec (call $poll_oneoff (i32.const 0x100) (i32.const 0x200) (i32.const 1) (i32.const 0x20)))
        (call $rec (i32.load (i32.const 0x20)))
        (call $rec (i32.wrap_i64 (i64.load (i32.const 0x200))))
        (call $rec (i32.load8_u (i32.const 0x20a)))
        (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0x18)))
        (call $rec (i64.ge_u (i64.sub (i64.load (i32.const 0x18)) (i64.load (i32.const 0x10))) (i64.const 1000000000)))
        (call $flush)`),
      { trace: true },
    );
    expect(results(run)).toEqual([0, 1, 7, 0, 1]);
    // It slept in the kernel (a "sleep" block in the trace), not in a loop of polls.
    expect(run.trace).toMatch(/block\s+sleep/);
    expect(run.kernel.core.processes.size).toBe(0);
  });

  it("fills random_get from the kernel's seeded generator: the same seed gives the same bytes", async () => {
    const prog = wasiProgram(`
      (call $rec (call $random_get (i32.const 0x10) (i32.const 8)))
      (call $rec (i32.load (i32.const 0x10))) (call $rec (i32.load (i32.const 0x14)))
      (call $flush)`);
    const a = results(await runWasi(prog, { seed: 1 }));
    const b = results(await runWasi(prog, { seed: 1 }));
    const c = results(await runWasi(prog, { seed: 2 }));
    expect(a[0]).toBe(0);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("yields with sched_yield and answers the socket calls as a careful host does", async () => {
    const run = await runWasi(
      wasiProgram(`
        (call $rec (call $sched_yield))
        (call $rec (call $sock_shutdown (i32.const 1) (i32.const 2)))
        (call $rec (call $sock_shutdown (i32.const 99) (i32.const 2)))
        (call $rec (call $sock_accept (i32.const 0) (i32.const 0) (i32.const 0x10)))
        (call $rec (call $proc_raise (i32.const 2)))
        (call $flush)`),
    );
    expect(results(run)).toEqual([0, WASI_E.NOTSOCK, WASI_E.BADF, WASI_E.NOTSOCK, WASI_E.NOTSUP]);
  });

  it("writes stderr to the stream the spawner gave, apart from stdout", async () => {
    const err: Uint8Array[] = [];
    const run = await runWasi(
      wasiProgram(
        `(i32.store (i32.const 0x80) (i32.const 0x300)) (i32.store (i32.const 0x84) (i32.const 3))
         (drop (call $fd_write (i32.const 2) (i32.const 0x80) (i32.const 1) (i32.const 0x88)))`,
        { data: `(data (i32.const 0x300) "err")` },
      ),
      { wasi: { stderr: (b) => err.push(b.slice()) } },
    );
    expect(run.stdout).toBe("");
    expect(Buffer.concat(err).toString()).toBe("err");
  });
});

describe("poll_oneoff with stdin and a clock", () => {
  const POLL = wasiProgram(`
    (i64.store (i32.const 0x100) (i64.const 7))
    (i32.store8 (i32.const 0x108) (i32.const 1))
    (i32.store (i32.const 0x110) (i32.const 0))
    (i64.store (i32.const 0x130) (i64.const 9))
    (i32.store8 (i32.const 0x138) (i32.const 0))
    (i32.store (i32.const 0x140) (i32.const 1))
    (i64.store (i32.const 0x148) (i64.const 1000000))
    (call $rec (call $poll_oneoff (i32.const 0x100) (i32.const 0x200) (i32.const 2) (i32.const 0x20)))
    (call $rec (i32.load (i32.const 0x20)))
    (call $rec (i32.load (i32.const 0x200)))
    (call $rec (i32.load (i32.const 0x210)))
    (call $flush)`);

  it("answers the clock when no input comes before its deadline (the process blocked in the kernel meanwhile)", async () => {
    // Input that never arrives (the stdin of a terminal nobody types into).
    const silent = { read: () => new Promise<null>(() => {}), buffered: () => 0, wait: () => new Promise<void>(() => {}) };
    const run = await runWasi(POLL, { wasi: { stdin: silent }, trace: true });
    expect(results(run)).toEqual([0, 1, 9, 0]);
    expect(run.trace).toMatch(/block wasi poll_oneoff/);
  });

  it("answers stdin at once, with the bytes buffered, when input is already there", async () => {
    const ready = { read: () => null, buffered: () => 5, wait: () => Promise.resolve() };
    const run = await runWasi(POLL, { wasi: { stdin: ready } });
    expect(results(run)).toEqual([0, 1, 7, 5]);
  });
});
