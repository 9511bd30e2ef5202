// The steady heap (cli/steady-heap.ts): the commands that run a steady state (`demo`, `boot`) run under V8's
// young generation fixed at one size, so that V8 never gives its pages back and the steady state takes no page
// fault for them; the other commands run as Node starts them; WASMOS_STEADY_HEAP=0 leaves the heap to V8 (and to
// the user's own flags). bin/wasmos.js re-runs itself with the flags, passes its exit status on, and passes
// SIGTERM on to the run it waits for.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { STEADY_HEAP_FLAGS, hasSteadyHeap, steadyHeapReexec, youngGeneration } from "../../cli/steady-heap.ts";

const BIN = join(REPO_ROOT, "bin", "wasmos.js");
const tmp = mkdtempSync(join(tmpdir(), "wasmos-steady-heap-"));

describe("which runs get the steady heap", () => {
  it("re-runs demo and boot with the flags after Node's own, and nothing else", () => {
    expect(steadyHeapReexec("/w.js", ["demo", "pcm"], ["--no-warnings"], {})).toEqual([
      "--no-warnings",
      ...STEADY_HEAP_FLAGS,
      "/w.js",
      "demo",
      "pcm",
    ]);
    expect(steadyHeapReexec("/w.js", ["boot", "system.json"], [], {})).toEqual([...STEADY_HEAP_FLAGS, "/w.js", "boot", "system.json"]);
    for (const argv of [["run", "x.wasm"], ["check", "demo"], ["--help"], []]) expect(steadyHeapReexec("/w.js", argv, [], {})).toBeNull();
  });

  it("does not re-run a process that has the flags, nor with WASMOS_STEADY_HEAP=0", () => {
    expect(hasSteadyHeap([...STEADY_HEAP_FLAGS])).toBe(true);
    expect(hasSteadyHeap([STEADY_HEAP_FLAGS[0]])).toBe(false);
    expect(steadyHeapReexec("/w.js", ["demo", "pcm"], ["--x", ...STEADY_HEAP_FLAGS], {})).toBeNull();
    // The user's own sizing wins, in either spelling V8 takes.
    for (const own of ["--max-semi-space-size=64", "--min_semi_space_size=2", "--semi-space-growth-factor=4"])
      expect(steadyHeapReexec("/w.js", ["boot", "s.json"], [own], {}), own).toBeNull();
    expect(steadyHeapReexec("/w.js", ["boot", "s.json"], ["--max-old-space-size=4096"], {})).not.toBeNull();
    expect(youngGeneration([...STEADY_HEAP_FLAGS])).toBe("V8 young generation fixed at 16 MB");
    expect(youngGeneration(["--max-semi-space-size=64"])).toBe("V8 young generation sized by the Node flags given");
    expect(youngGeneration([])).toBe("V8 young generation resized by V8");
    expect(steadyHeapReexec("/w.js", ["demo", "pcm"], [], { WASMOS_STEADY_HEAP: "0" })).toBeNull();
    expect(steadyHeapReexec("/w.js", ["demo", "pcm"], [], { WASMOS_STEADY_HEAP: "1" })).not.toBeNull();
  });
});

describe("wasmos demo pcm under the steady heap", () => {
  const demo = (env: Record<string, string>) =>
    spawnSync(process.execPath, [BIN, "demo", "pcm", "--duration", "0.1", "--out", join(tmp, "out")], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    });

  it("runs with the young generation fixed and says so, with the steady state's page faults", () => {
    const r = demo({});
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\n {2}steady state {4}[\d.]+ ms wall .*\), \d+ page faults; V8 young generation fixed at 16 MB\n/);
  });

  it("leaves the young generation to the user's own Node flags", () => {
    const r = spawnSync(process.execPath, ["--max-semi-space-size=8", BIN, "demo", "pcm", "--duration", "0.1", "--out", join(tmp, "out")], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/, \d+ page faults; V8 young generation sized by the Node flags given\n/);
  });

  it("leaves the heap to V8 with WASMOS_STEADY_HEAP=0", () => {
    const r = demo({ WASMOS_STEADY_HEAP: "0" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/, \d+ page faults; V8 young generation resized by V8\n/);
  });

  it("passes the run's exit status on, and SIGTERM to the run (which it then ends by)", async () => {
    expect(spawnSync(process.execPath, [BIN, "demo", "pcm", "--duration", "-1"], { encoding: "utf8" }).status).toBe(64);
    const child = spawn(process.execPath, [BIN, "demo", "pcm", "--duration", "30", "--realtime", "--out", join(tmp, "out")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Once the pipeline plays (a VU line), the run is the re-run child: SIGTERM to the parent alone must end it.
    await new Promise<void>((resolve) => child.stdout!.on("data", (d: Buffer) => d.toString().includes("VU left") && resolve()));
    const run = Number(spawnSync("ps", ["--ppid", String(child.pid), "-o", "pid="], { encoding: "utf8" }).stdout.trim());
    expect(run).toBeGreaterThan(0);
    child.kill("SIGTERM");
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on("exit", (c, s) => resolve([c, s])),
    );
    expect([code, signal]).toEqual([null, "SIGTERM"]);
    const alive = () => {
      try {
        process.kill(run, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(false); // the parent ends only once the run has
  }, 60_000);
});
