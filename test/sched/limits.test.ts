// Per-process limits: hitting one affects only that process, and every way
// a guest can die has its own exit reason, reported by wait and the CLI.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Constants, EXIT_REASON_DOCS, EXIT_REASON_NAMES, ExitReason } from "../../abi/gen/abi.ts";
import { REPO_ROOT } from "../../build/compile.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { Kernel } from "../../host/kernel.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { describeExit } from "../../kernel/objects/process.ts";
import { guest, results } from "../helpers/wat.ts";
import { SPIN } from "./guests.ts";

const SURVIVOR = guest(`
  (data (i32.const 0) "survivor ok\\n")
  (func (export "_start")
    (drop (call $sleep (i64.const 5000000)))
    (drop (call $console_write (i32.const 0) (i32.const 12))))`);

/** Runs `bad` next to a survivor that sleeps 5 ms and prints; returns bad's exit and what was printed. */
async function nextToSurvivor(bad: Uint8Array, config = {}) {
  let out = "";
  const k = new Kernel({ ...config, stdout: (b) => (out += new TextDecoder().decode(b)) });
  const s = k.spawn(k.loadImage(SURVIVOR, "survivor"));
  const b = k.spawn(k.loadImage(bad, "bad"), { stdout: () => {} });
  const exit = await b.exited;
  expect((await s.exited).reason).toBe(ExitReason.NORMAL);
  expect(out).toBe("survivor ok\n");
  return { exit, kernel: k, bad: b };
}

const CPU_HOG_LIMITED = guest(`
  (func (export "_start")
    (drop (call $set_limit (i32.const -1) (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const 2000000)))
    (loop $l (br $l)))`);

describe("per-process limits", () => {
  it("a process over its CPU limit is ended with CPU_LIMIT, at the limit, and nothing else is affected", async () => {
    const { exit, bad } = await nextToSurvivor(CPU_HOG_LIMITED);
    expect(exit.reason).toBe(ExitReason.CPU_LIMIT);
    expect(exit.status).toBe(-1);
    expect(exit.message).toMatch(/CPU limit exceeded: used \d+ ns of 2000000 ns/);
    expect(bad.process.cpuTimeNs).toBeGreaterThanOrEqual(2_000_000);
    expect(bad.process.cpuTimeNs).toBeLessThan(2_000_100); // stopped within a few instructions of it
    expect(describeExit(exit)).toMatch(/^CPU_LIMIT \(status -1\): CPU limit/);
  });

  it("a parent limits its child's CPU; wait reports CPU_LIMIT; the child cannot raise its limit", async () => {
    const r = await runGuest(
      guest(`
      (data (i32.const 0) "hog")
      (func (export "_start") (local $c i32)
        (local.set $c (call $spawn (call $handle_get (i32.const 0) (i32.const 3)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
        (call $rec (call $set_limit (local.get $c) (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const 3000000)))
        (call $rec (call $wait (local.get $c) (i32.const 100) (i64.const 0x7fffffffffffffff)))
        (call $rec (i32.load (i32.const 100)))
        (call $rec (i32.load (i32.const 104)))
        (call $flush))`),
      {
        images: {
          hog: guest(`(func (export "_start")
          (if (i32.ne (call $set_limit (i32.const -1) (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const 4000000)) (i32.const -30)) (then unreachable))
          (loop $l (br $l)))`),
        },
      },
    );
    expect(results(r.stdoutBytes)).toEqual([0, 0, -1, ExitReason.CPU_LIMIT]);
  });

  it("a limit set below the CPU already used ends the process at once", async () => {
    const r = await runGuest(
      guest(`
      (func (export "_start") (local $i i32)
        (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
        (drop (call $set_limit (i32.const -1) (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const 1000)))
        unreachable)`),
    );
    expect(r.exit.reason).toBe(ExitReason.CPU_LIMIT);
  });

  it("memory past the page limit: memory.grow returns -1 and the process carries on; others are unaffected", async () => {
    const grower = guest(`
      (data (i32.const 0) "grown\\n")
      (func (export "_start") (local $n i32)
        (loop $l (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l))))
        (if (i32.ne (memory.size) (i32.const 4)) (then unreachable))
        (call $exit (local.get $n)))`);
    const { exit } = await nextToSurvivor(grower, { policy: defaultPolicy({ maxMemoryPages: 4 }) });
    expect(exit).toMatchObject({ reason: ExitReason.NORMAL, status: 3 });
  });

  it("a table past the element limit: table.grow returns -1 and the process carries on", async () => {
    const r = await runGuest(
      guest(`(table $t 1 funcref)
      (func (export "_start")
        (call $rec (table.grow $t (ref.null func) (i32.const 100)))
        (call $rec (table.grow $t (ref.null func) (i32.const 1000)))
        (call $rec (table.size $t))
        (call $flush))`),
      { policy: defaultPolicy({ maxTableElements: 500 }) },
    );
    expect(results(r.stdoutBytes)).toEqual([1, -1, 101]);
  });

  it("unbounded recursion ends only that process, with TRAP_STACK_OVERFLOW (the stack depth limit is the engine's)", async () => {
    const { exit } = await nextToSurvivor(
      guest(`(func $f (param i32) (call $f (i32.add (local.get 0) (i32.const 1)))) (func (export "_start") (call $f (i32.const 0)))`),
    );
    expect(exit.reason).toBe(ExitReason.TRAP_STACK_OVERFLOW);
  });

  it("the handle limit makes handle-creating calls fail with EMFILE, and only for that process", async () => {
    const r = await runGuest(
      guest(`
      (func (export "_start")
        (call $rec (call $set_limit (i32.const -1) (i32.const ${Constants.LIMIT_HANDLES}) (i64.const 3)))
        (call $rec (i32.gt_s (call $port_create) (i32.const 0)))
        (call $rec (call $port_create))
        (call $rec (call $endpoint_create))
        (call $flush))`),
    );
    expect(results(r.stdoutBytes)).toEqual([0, 1, -12, -12]);
  });
});

describe("exit reasons", () => {
  it("every way a process can end has its own documented reason", () => {
    const values = Object.values(ExitReason);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) {
      expect(EXIT_REASON_NAMES[v]).toBeTruthy();
      expect(EXIT_REASON_DOCS[v].length).toBeGreaterThan(10);
    }
    expect(ExitReason.CPU_LIMIT).toBe(12);
  });

  it("the CLI reports CPU_LIMIT on stderr and exits with 100 + 12 (wasmos statuses never read as signals)", () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmos-limit-"));
    writeFileSync(join(dir, "hog.wasm"), CPU_HOG_LIMITED);
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "wasmos.js"), "run", "hog.wasm"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toMatch(/hog\.wasm \(pid 1\) ended: CPU_LIMIT \(status -1\): CPU limit exceeded/);
    expect(r.status).toBe(100 + ExitReason.CPU_LIMIT);
  });

  it("a process killed while it spins (not in a syscall) is reported KILLED", async () => {
    const k = new Kernel();
    const p = k.spawn(k.loadImage(guest(SPIN), "spin"));
    await new Promise<void>((resolve) => k.core.addTimer(2_000_000, () => resolve()));
    k.core.terminate(p.process, 9, ExitReason.KILLED, "by the host");
    expect(await p.exited).toMatchObject({ reason: ExitReason.KILLED, status: 9 });
  });
});
