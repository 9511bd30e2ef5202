// What a run of the PCM demo leaves behind: nothing of its kernel once it is done. V8 keeps a suspended
// JSPI stack as a root until it resumes, so a process ended while blocked must have its stack unwound
// (host/runtime/process-runtime.ts dispose, port-loop.ts stop), or its instance and, through the imports'
// closures, the whole kernel stay reachable for the life of the Node process: ≈4 MB of heap and ≈10 MB of
// external memory a run, and the PCM bench's later runs paid for them in full collections.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";

describe("a run of the PCM demo", () => {
  it("leaves neither its Kernel nor its KernelCore reachable once it is done (three runs, forced collections in a child process)", () => {
    // --no-concurrent-recompilation: a background compile job in flight at gc() holds what it compiles against (test/host/release.test.ts).
    const args = ["--expose-gc", "--no-concurrent-recompilation", join(REPO_ROOT, "test", "pcm", "release-child.ts"), "3", "0.2"];
    const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: "utf8", timeout: 170_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { refs: number; alive: number };
    expect(out.refs).toBe(6);
    expect(out.alive).toBe(0);
  }, 180_000);
});
