// Every promise handed to a WebAssembly.Suspending import settles when its process ends (docs/fastpath.md
// "Every promise given to a Suspending import settles"). V8 keeps a suspended JSPI stack as a root until it
// resumes, so a process ended while blocked whose promise never settled kept its instance and, through the
// imports' closures, its whole kernel reachable for the life of the JavaScript engine. release-child.ts runs,
// in a Node process of its own with --expose-gc, one scenario per kind of blocking call (each ended while
// blocked there) and counts what of each scenario's Kernel, KernelCore and processes is still reachable.
// The other half of the rule: the unwinding must run no guest code, so no guest may catch it.
//
// The child runs with --no-concurrent-recompilation (CHILD_FLAGS). With V8's default, Maglev and TurboFan
// compile hot functions on a background thread, and a compile job holds what it compiles against (the
// function, constants it folded in from feedback: a process's closures, a counter accessor's wasm export)
// through handles that are GC roots until the main thread installs its code. A job still in flight when the
// child calls gc() kept a scenario's kernel reachable: the count then depended on how fast the compile thread
// ran, which is why this test failed once on a loaded machine and not in the 12 runs after. Reproduce it:
//   node --expose-gc --no-maglev --concurrent-recompilation-delay=100 test/host/release-child.ts
// ("spin (preempted by fuel)": 2, or a neighbour loop scenario); the same with %FinalizeOptimization() before
// each gc() (--allow-natives-syntax), or with --no-concurrent-recompilation, reads 0 everywhere. Compiled on
// the main thread, a job is done before anything else runs, so the count is what the program holds.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { Kernel, ModuleRefusedError } from "../../host/kernel.ts";
import { defaultPolicy, DEFAULT_FEATURES } from "../../loader/policy.ts";
import { guest } from "../helpers/wat.ts";

/** How release-child.ts must be started: gc() exposed, and no compile job in flight when it collects (above). */
const CHILD_FLAGS = ["--expose-gc", "--no-concurrent-recompilation"];

const SCENARIOS = [
  "receive",
  "receive, fast path off",
  "receive, syscalls observed",
  "sys(receive)",
  "call to a server that never replies, both killed",
  "call whose server dies, then the client killed in receive",
  "pulse_wait",
  "reply_wait, waiting",
  "futex_wait",
  "futex_wait, killed by the process it started",
  "sched_wait_period",
  "sleep",
  "yield loop (preempted or yielding)",
  "two yielders served by the yield vDSO",
  "spin (preempted by fuel)",
  "spin, epoch variant (preempted by the ticker)",
  "sleep, epoch variant",
  "a direct binder after direct activations, its sender in receive",
  "the port loop, parked",
  "a handler activation blocked in sleep",
  "wasi fd_read on stdin",
  "wasi fd_read on stdin, fast path off",
  "wasi poll_oneoff on stdin and a clock",
  "wasi poll_oneoff on a clock",
  "wasi namespace call to a server that never answers, the client killed mid-call",
  "wasi namespace call whose server dies, the client then killed in poll_oneoff",
  "Kernel.shutdown with a server in receive, its client in call, a wasi reader and a parked port loop",
  "runGuest whose root blocks forever (RootBlockedError)",
  "runGuest whose root ends leaving a child blocked forever",
  "DefaultSystem.shutdown with a program blocked and stdin a stream that never ends",
  "a booted manifest's shutdown with a child a manifest process spawned, blocked",
  "wasi sched_yield loop",
];

describe("a process ended while blocked", () => {
  it("leaves nothing of its kernel reachable, whatever it was blocked in and however it ended (forced collections in a child process)", () => {
    const r = spawnSync(process.execPath, [...CHILD_FLAGS, join(REPO_ROOT, "test", "host", "release-child.ts")], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const alive = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, number>;
    expect(Object.keys(alive)).toEqual(SCENARIOS);
    for (const name of SCENARIOS) expect({ name, alive: alive[name] }).toEqual({ name, alive: 0 });
  }, 70_000);
});

describe("the kernel's unwinding", () => {
  // A guest that catches everything around its blocking call: were it loaded, the UNWIND thrown at its
  // suspension point when it is killed would land in its handler and it would run on after it ended.
  const CATCHER = guest(`
    (func (export "_start")
      (block $caught
        (try_table (catch_all $caught)
          (drop (call $sleep (i64.const 3600000000000)))))
      (loop $l (br $l)))`);

  it("cannot be caught by a guest: a module using exception handling is refused, naming the reason", () => {
    const k = new Kernel();
    expect(() => k.loadImage(CATCHER, "catcher")).toThrow(ModuleRefusedError);
    expect(() => k.loadImage(CATCHER, "catcher")).toThrow(/exception handling is refused: a guest could catch the kernel's unwinding/);
  });

  it("cannot be made catchable by a load policy: a kernel refuses a policy that allows exception handling", () => {
    const policy = defaultPolicy({ allowedFeatures: new Set([...DEFAULT_FEATURES, "exceptions"]) });
    expect(() => new Kernel({ policy })).toThrow(/cannot allow exception handling: a guest could catch the kernel's unwinding/);
  });
});
