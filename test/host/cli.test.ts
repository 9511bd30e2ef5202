// The wasmos command as a person runs it: a child process, real files.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { guest, wat } from "../helpers/wat.ts";

const BIN = join(REPO_ROOT, "bin", "wasmos.js");
const tmp = mkdtempSync(join(tmpdir(), "wasmos-cli-"));

function wasmos(args: string[], node = process.execPath) {
  // stdin /dev/null: read whole before the run, so traces are deterministic (a pipe is streamed).
  const r = spawnSync(node, [BIN, ...args], { encoding: "utf8", cwd: tmp, timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  writeFileSync(
    join(tmp, "exit3.wasm"),
    guest(
      `(data (i32.const 0) "bye\\n") (func (export "_start") (drop (call $console_write (i32.const 0) (i32.const 4))) (call $exit (i32.const 3)))`,
    ),
  );
  writeFileSync(join(tmp, "trap.wasm"), guest(`(func (export "_start") unreachable)`));
  writeFileSync(
    join(tmp, "named-trap.wasm"),
    wat(
      `(module (memory (export "memory") 1) (func $inner unreachable) (func $outer (call $inner)) (func (export "_start") (call $outer)))`,
      { names: true },
    ),
  );
  writeFileSync(
    join(tmp, "block.wasm"),
    guest(
      `(func (export "_start") (drop (call $receive (call $endpoint_create) (i32.const 0) (i32.const 0) (i64.const 9223372036854775807))))`,
    ),
  );
  writeFileSync(
    join(tmp, "chatty.wasm"),
    guest(
      `(func (export "_start") (local $i i32)
        (memory.fill (i32.const 0) (i32.const 120) (i32.const 1024))
        (loop $l (drop (call $console_write (i32.const 0) (i32.const 1024)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 4096)))))`,
    ),
  );
  writeFileSync(
    join(tmp, "env.wasm"),
    wat(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) (memory (export "memory") 1) (func (export "_start")))`),
  );
});

describe("wasmos run", () => {
  it("runs an AssemblyScript guest from source, passing its arguments", () => {
    const r = wasmos(["run", join(REPO_ROOT, "guests", "hello", "main.ts"), "one", "--two"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("hello from wasmos, pid 1\narg 1: one\narg 2: --two\n");
    expect(r.code).toBe(0);
  });

  it("gives a native guest the environment of --env and nothing of the host's; its children inherit it; a replay has it too", () => {
    writeFileSync(
      join(tmp, "env.ts"),
      `import { args, environ, getenv, handle, println, spawn, wait } from "@wasmos/sdk";
function show(name: string): string {
  const v = getenv(name);
  return v === null ? "unset" : v;
}
const argv = args();
if (argv.length > 1 && argv[1] == "child") {
  println("child: " + environ().join(";") + " B is " + show("B") + ", HOME is " + show("HOME"));
} else {
  println("parent: " + environ().join(";"));
  wait(spawn(handle("self"), ["env", "child"]));
}
`,
    );
    const rec = join(tmp, "env.rec.json");
    const r = wasmos(["run", "--record", rec, "--env", "A=1", "--env", "B=two words", "env.ts"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("parent: A=1;B=two words\nchild: A=1;B=two words B is two words, HOME is unset\n");
    expect(r.code).toBe(0);
    const again = wasmos(["replay", rec]);
    expect(again.stdout).toBe(r.stdout);
    expect(again.code).toBe(0);
    expect(wasmos(["run", "env.ts"]).stdout).toBe("parent: \nchild:  B is unset, HOME is unset\n");
  });

  it("exits with the guest's exit status", () => {
    const r = wasmos(["run", "exit3.wasm"]);
    expect(r.stdout).toBe("bye\n");
    expect(r.code).toBe(3);
  });

  it("reports a trap once on stderr, with the wasm backtrace by name, and exits with 100 + the exit reason", () => {
    const r = wasmos(["run", "named-trap.wasm"]);
    // _start has no name in the name section: its index stands in.
    expect(r.stderr).toMatch(
      /^wasmos: named-trap\.wasm \(pid 1\) ended: TRAP_UNREACHABLE \(status -1\): trap: unreachable\n  at inner\n  at outer\n  at wasm-function\[\d+\]\n$/,
    );
    expect(r.code).toBe(100 + 2);
    expect(wasmos(["run", "trap.wasm"]).code).toBe(102);
  });

  it("a missing or unreadable file is one line and status 66, never a stack", () => {
    for (const args of [
      ["run", "nope.wasm"],
      ["run", "nope.ts"],
      ["check", "nope.wasm"],
      ["check", "nope.ts"],
      ["run", "--image", "x=nope.wasm", "exit3.wasm"],
    ]) {
      const r = wasmos(args);
      expect(r.code).toBe(66);
      expect(r.stderr).toMatch(
        new RegExp(`^wasmos ${args[0]}: cannot read (module|guest source|image) nope\\.(wasm|ts): no such file\\n$`),
      );
      expect(r.stdout).toBe("");
    }
    expect(wasmos(["run", "."]).stderr).toBe("wasmos run: cannot read module .: is a directory\n");
  });

  it("a root process blocked forever is named with the syscall it waits in, status 69", () => {
    const r = wasmos(["run", "block.wasm"]);
    expect(r.stderr).toBe("wasmos run: pid 1 blocked in receive forever: nothing left that could wake it\n");
    expect(r.code).toBe(69);
  });

  it("writes the trace of a root blocked forever as the run left it, before its kernel is shut down", () => {
    const r = wasmos(["run", "--trace-text", "block.trace", "--trace", "block.json", "block.wasm"]);
    expect(r.stderr).toBe("wasmos run: pid 1 blocked in receive forever: nothing left that could wake it\n");
    expect(r.code).toBe(69);
    const lines = readFileSync(join(tmp, "block.trace"), "utf8").trim().split("\n");
    expect(lines.some((l) => / 1 block receive/.test(l))).toBe(true);
    // Written before the shutdown: the root has not ended in it (the shutdown's kill comes after).
    expect(lines.filter((l) => / 1 exit /.test(l))).toEqual([]);
    const chrome = JSON.parse(readFileSync(join(tmp, "block.json"), "utf8")) as { traceEvents: { name: string; tid: number }[] };
    expect(chrome.traceEvents.some((e) => e.name === "endpoint_create" && e.tid === 1)).toBe(true);
  });

  it("streams a guest's output as it is written, without keeping it", () => {
    // 4 MiB through the console: the CLI passes it on chunk by chunk.
    const r = spawnSync(process.execPath, [BIN, "run", "chatty.wasm"], { cwd: tmp, maxBuffer: 64 << 20, timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(4096 * 1024);
  });

  it("refuses a module outside the ABI before running it, naming the import", () => {
    const r = wasmos(["run", "env.wasm"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/refused/);
    expect(r.stderr).toMatch(/"env" "abort"/);
  });

  it("writes the kernel's text event trace, identical for two runs", () => {
    const spawner = join(REPO_ROOT, "guests", "spawner", "main.ts");
    expect(wasmos(["run", "--trace-text", "a.trace", spawner, "3"]).code).toBe(0);
    expect(wasmos(["run", "--trace-text", "b.trace", spawner, "3"]).code).toBe(0);
    const a = readFileSync(join(tmp, "a.trace"), "utf8");
    expect(a.split("\n").length).toBeGreaterThan(20);
    expect(readFileSync(join(tmp, "b.trace"), "utf8")).toBe(a);
  });

  it("writes a Chrome trace-event JSON trace: a track per process, syscall slices with arguments and results, IPC flows, the CPU", () => {
    const echo = join(REPO_ROOT, "guests", "echo", "main.ts");
    const r = wasmos(["run", "--trace", "echo.json", echo, "hi"]);
    expect(r.code).toBe(0);
    const text = readFileSync(join(tmp, "echo.json"), "utf8");
    const events = (
      JSON.parse(text) as {
        traceEvents: { name: string; ph: string; tid: number; ts: number; id?: number; args?: Record<string, string> }[];
      }
    ).traceEvents;
    const tracks = events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => e.args!.name);
    expect(tracks).toContain("CPU");
    expect(tracks.filter((t) => /^pid \d+: main\.ts$/.test(t)).length).toBe(3); // echo, its server and its client (besides devfs, tmpfs)
    const sends = events.filter((e) => e.ph === "X" && e.name === "sendmsg");
    expect(sends.length).toBeGreaterThan(0);
    expect(sends[0].args).toMatchObject({ endpoint: expect.any(String), result: expect.any(String) });
    const receive = events.find((e) => e.ph === "X" && e.name === "receive" && Number(e.args!.result) > 0);
    expect(receive).toBeDefined();
    // One flow: send (client) -> receive (server) -> reply (server) -> back in the client's send.
    const id = events.find((e) => e.ph === "s")!.id;
    const steps = events.filter((e) => e.id === id && "stf".includes(e.ph)).sort((a, b) => a.ts - b.ts);
    expect(steps.map((e) => e.ph)).toEqual(["s", "t", "t", "f"]);
    expect(steps[0].tid).toBe(steps[3].tid); // starts and ends in the client's send
    expect(new Set(steps.map((e) => e.tid)).size).toBe(2);
    expect(events.filter((e) => e.ph === "X" && e.tid === 0).length).toBeGreaterThan(3); // the CPU track's scheduling slices
    // Deterministic, like the text trace.
    expect(wasmos(["run", "--trace", "echo2.json", echo, "hi"]).code).toBe(0);
    expect(readFileSync(join(tmp, "echo2.json"), "utf8")).toBe(text);
  });

  it("--strace prints each syscall with decoded arguments and its result; without it nothing", () => {
    const r = wasmos(["run", "--strace", "exit3.wasm"]);
    expect(r.stdout).toBe("bye\n");
    // pid 1 is the program; the default system's servers (devfs, tmpfs) start on first use, and it opens no file.
    const mine = r.stderr.split("\n").filter((l) => l.startsWith("[pid 1] "));
    expect(mine).toEqual(['[pid 1] console_write(buf_ptr="bye\\n", buf_len=4) = 4', "[pid 1] exit(status=3) = ?"]);
    expect(r.stderr).not.toMatch(/^\[pid [2-9]\]/m);
    expect(r.code).toBe(3);
    const bad = wasmos(["run", "--strace", "block.wasm"]);
    expect(bad.stderr).toMatch(/^\[pid 1\] endpoint_create\(\) = \d+$/m);
    expect(wasmos(["run", "exit3.wasm"]).stderr).toBe("");
  });

  it("explains its usage with --help and refuses unknown options", () => {
    const h = wasmos(["run", "--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/usage: wasmos run/);
    expect(h.stdout).toMatch(/--seed N/);
    const bad = wasmos(["run", "--bogus", "x.wasm"]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/unknown option --bogus/);
    expect(wasmos(["--help"]).stdout).toMatch(/commands:/);
    for (const c of ["check", "new"]) expect(wasmos([c, "--help"]).stdout).toMatch(new RegExp(`usage: wasmos ${c}`));
  });
});

describe("the wasmos command", () => {
  it("prints its version, aligned help with the exit statuses, and lists the demos", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(wasmos(["--version"])).toMatchObject({ code: 0, stdout: `wasmos ${pkg.version}\n` });
    const h = wasmos(["--help"]);
    const rows = h.stdout.split("\n").filter((l) => /^  [a-z]+ +\S/.test(l) && h.stdout.indexOf(l) < h.stdout.indexOf("options:"));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(new Set(rows.map((l) => l.search(/(?<=^  \S+ +)\S/))).size).toBe(1); // one summary column
    expect(h.stdout).toMatch(/^  69 +the root process is blocked forever/m);
    const d = wasmos(["demo"]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/^  pcm +the four-process PCM audio pipeline/m);
    expect(wasmos(["demo", "nope"])).toMatchObject({ code: 64 });
    expect(wasmos(["frobnicate"]).stderr).toBe('wasmos: unknown command "frobnicate" (wasmos --help lists them)\n');
  });
});

describe("progress on long work", () => {
  it("announces a first compile of a .ts guest and the conformance run's count (on a terminal, or WASMOS_PROGRESS=1)", () => {
    const env = { ...process.env, WASMOS_PROGRESS: "1", WASMOS_CACHE_DIR: mkdtempSync(join(tmpdir(), "wasmos-cold-")) };
    const run = spawnSync(process.execPath, [BIN, "run", join(REPO_ROOT, "guests", "hello", "main.ts")], {
      cwd: tmp,
      env,
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^wasmos: compiling .*hello\/main\.ts \(first time; cached after\)\n$/);
    const conf = spawnSync(process.execPath, [BIN, "conformance", "--filter", "console_write"], { cwd: tmp, env, encoding: "utf8" });
    expect(conf.stderr).toMatch(/conformance: (\d+)\/\1 cases/);
    expect(conf.stdout).toMatch(/^\d+ passed, 0 failed/m);
  });
});

describe("wasmos check", () => {
  it("accepts an AssemblyScript source as run does", () => {
    const r = wasmos(["check", join(REPO_ROOT, "guests", "hello", "main.ts")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/console_write/);
  });

  it("prints imports, exports, memory and the verdict", () => {
    const ok = wasmos(["check", "exit3.wasm"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/console_write/);
    expect(ok.stdout).toMatch(/_start/);
    expect(ok.stdout).toMatch(/memory/i);
    expect(ok.stdout).toMatch(/valid|ok|accepted/i);
  });
});

describe("wasmos new", () => {
  // Installing and running the project is test/package/npm-package.test.ts (it needs the packed package).
  it("scaffolds a project that depends on wasmos by version, and refuses a folder that is not empty", () => {
    const dir = join(tmp, "proj");
    const made = wasmos(["new", dir]);
    expect(made.code).toBe(0);
    for (const f of ["main.ts", "asconfig.json", "tsconfig.json", "main.test.mjs", "package.json", "README.md"])
      expect(existsSync(join(dir, f))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const version = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version;
    expect(pkg.dependencies).toEqual({ wasmos: `^${version}`, "@wasmos/sdk": `^${version}` });
    expect(readFileSync(join(dir, "main.test.mjs"), "utf8") + readFileSync(join(dir, "README.md"), "utf8")).not.toContain(REPO_ROOT);
    expect(wasmos(["new", dir]).stderr).toMatch(/not empty/);
    expect(wasmos(["new", join(tmp, "Bad Name")]).code).toBe(64);
  });
});

describe("the runtime wasmos brings", () => {
  it("re-runs itself under the project's Node when started by an older one", () => {
    const old = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => existsSync(p) && p !== process.execPath);
    if (!old) return; // no second Node on this machine: nothing to show
    const v = execFileSync(old, ["--version"], { encoding: "utf8" });
    if (Number(v.slice(1).split(".")[0]) >= 24) return;
    const r = wasmos(["run", "exit3.wasm"], old);
    expect(r.stdout).toBe("bye\n");
    expect(r.code).toBe(3);
  });

  it("keeps V8's compile cache of its own modules beside the image cache, and none with WASMOS_NO_CACHE", () => {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [BIN, "--version"], { cwd: tmp, env: { ...process.env, ...env }, encoding: "utf8" });
    const dir = mkdtempSync(join(tmpdir(), "wasmos-cc-"));
    expect(run({ WASMOS_CACHE_DIR: dir }).status).toBe(0);
    expect(existsSync(join(dir, "node-compile-cache"))).toBe(true);
    const off = mkdtempSync(join(tmpdir(), "wasmos-cc-off-"));
    expect(run({ WASMOS_CACHE_DIR: off, WASMOS_NO_CACHE: "1" }).status).toBe(0);
    expect(existsSync(join(off, "node-compile-cache"))).toBe(false);
  });

  it("vitest itself runs on Node >= 24 with JSPI", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
    expect(typeof (WebAssembly as unknown as { Suspending: unknown }).Suspending).toBe("function");
  });
});
