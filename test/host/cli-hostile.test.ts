// The wasmos command given hostile input, as a person (or a script) might: every refusal is one line on stderr
// naming the culprit, with a nonzero status, never a Node stack. One test per class of input that once ended
// in a stack or an internal error (70): recordings whose fields have the wrong shape, files that never end
// (/dev/zero) or are far too large, files where folders should be, usage errors (the one line, not the whole
// help after it), a reader that goes away mid-run (EPIPE), and a real-time --timeout whose root sleeps. Every
// refusal is named for the command that refused (`wasmos ps: ...`, never another command's name): the
// sweep at the end gives every command hostile input and checks the name.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { guest } from "../helpers/wat.ts";

const BIN = join(REPO_ROOT, "bin", "wasmos.js");
const tmp = mkdtempSync(join(tmpdir(), "wasmos-cli-hostile-"));
const wasmos = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: tmp,
    timeout: 120_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** No Node stack, no internal error: what a refusal must never show. */
const NOT_A_STACK = /^\s+at |node:internal|file:\/\/|internal error|Warning:/m;
const oneLine = (stderr: string) => {
  expect(stderr).not.toMatch(NOT_A_STACK);
  expect(stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
};

let recording: Record<string, unknown>;
beforeAll(() => {
  writeFileSync(join(tmp, "ok.wasm"), guest(`(func (export "_start"))`));
  writeFileSync(join(tmp, "hour.wasm"), guest(`(func (export "_start") (drop (call $sleep (i64.const 3600000000000))))`));
  writeFileSync(join(tmp, "a-file"), "not a folder\n");
  mkdirSync(join(tmp, "empty-dir"));
  const r = wasmos(["run", "--record", "ok.rec", "ok.wasm"]);
  expect(r.code).toBe(0);
  recording = JSON.parse(readFileSync(join(tmp, "ok.rec"), "utf8"));
});

describe("wasmos replay of a recording whose fields have the wrong shape", () => {
  const cases: [string, (r: Record<string, unknown>) => unknown, RegExp][] = [
    ["no run", (r) => ({ ...r, run: undefined }), /recording's run is not an object/],
    [
      "a number for the program's file",
      (r) => ({ ...r, run: { ...(r.run as object), file: 42 } }),
      /recording's run\.file is not a string/,
    ],
    ["a number for the arguments", (r) => ({ ...r, run: { ...(r.run as object), args: 7 } }), /recording's run\.args is not a list/],
    [
      "an environment that is not a list",
      (r) => ({ ...r, run: { ...(r.run as object), env: "X=1" } }),
      /recording's run\.env is not a list/,
    ],
    [
      "a directory without a host path",
      (r) => ({ ...r, run: { ...(r.run as object), dirs: [{ guest: "/d", readOnly: false }] } }),
      /run\.dirs\[0\]\.host is not a string/,
    ],
    [
      "an event with no place",
      (r) => ({ ...r, events: [{ at: "soon", kind: "timer", id: 0 }] }),
      /recording's events\[0\]\.at is not a count/,
    ],
    [
      "input that is not base64",
      (r) => ({ ...r, events: [{ at: 0, kind: "input", data: 12 }] }),
      /recording's events\[0\]\.data is not base64 text/,
    ],
    [
      "an event of no known kind",
      (r) => ({ ...r, events: [{ at: 0, kind: "bogus" }] }),
      /events\[0\]\.kind is not "timer", "input" or "input-end"/,
    ],
    ["a trace line that is not text", (r) => ({ ...r, trace: [1] }), /recording's trace\[0\] is not a string/],
    ["entropy that is not a list", (r) => ({ ...r, entropy: "zz" }), /recording's entropy is not a list/],
    ["a host-directory call that is null", (r) => ({ ...r, hostdir: [null] }), /recording's hostdir\[0\] is not an object/],
    [
      "a written file named to lead out of the scratch folder",
      (r) => ({ ...r, files: [{ name: "../../x", sha256: "0", bytes: 1 }] }),
      /files\[0\]\.name is not a plain file name/,
    ],
    [
      "an exit status that is not a number",
      (r) => ({ ...r, exit: { status: 0, reason: 0, code: "x" } }),
      /recording's exit\.code is not an integer/,
    ],
    [
      "a demo a million years long",
      (r) => ({ ...r, run: { command: "demo-pcm", args: [], seed: 0, realtime: false, options: { duration: 3e13 } } }),
      /run\.options\.duration is not a number of seconds in \(0, 600\]/,
    ],
  ];
  for (const [what, change, message] of cases)
    it(`is refused in one line naming the field, status 66: ${what}`, () => {
      const file = `bad-${what.replace(/\W+/g, "-")}.rec`;
      writeFileSync(join(tmp, file), JSON.stringify(change(recording)));
      const r = wasmos(["replay", file]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.startsWith(`wasmos replay: ${file}: recording's `)).toBe(true);
      oneLine(r.stderr);
      expect(r.code).toBe(66);
    });
});

describe("an input that never ends, or is larger than any module, manifest or recording", () => {
  const zero = "/dev/zero";
  it.skipIf(!existsSync(zero))(
    "is refused once past the limit, in one line, never read whole (run, check, boot, ps, top, replay, --image)",
    () => {
      for (const [args, code, message] of [
        [["run", zero], 65, "module /dev/zero is larger than 128 MiB, the most the loader accepts"],
        [["check", zero], 65, "module /dev/zero is larger than 128 MiB, the most the loader accepts"],
        [["run", "--image", `a=${zero}`, "ok.wasm"], 65, "image /dev/zero is larger than 128 MiB, the most the loader accepts"],
        [["boot", zero], 65, "/dev/zero is larger than 16 MiB: no manifest is"],
        [["ps", zero], 65, "/dev/zero is larger than 16 MiB: no manifest is"],
        [["top", zero], 65, "/dev/zero is larger than 16 MiB: no manifest is"],
        [["replay", zero], 66, "recording /dev/zero is larger than 512 MiB: not a recording this wasmos can read"],
      ] as const) {
        const r = wasmos([...args]);
        expect(r.stderr, args.join(" ")).toBe(`wasmos ${args[0]}: ${message}\n`);
        oneLine(r.stderr);
        expect(r.code, args.join(" ")).toBe(code);
      }
    },
  );
});

describe("a file where a folder should be, or no folder at all", () => {
  it("wasmos new FILE: the file is named, status 73", () => {
    const r = wasmos(["new", "a-file"]);
    expect(r.stderr).toBe("wasmos new: a-file is a file: the project needs a folder of its own\n");
    expect(r.code).toBe(73);
  });

  it("wasmos demo pcm --out FILE, or a path through a file: refused before the run, status 73", () => {
    for (const out of ["a-file", "a-file/out"]) {
      const r = wasmos(["demo", "pcm", "--duration", "0.02", "--out", out]);
      expect(r.stderr).toMatch(
        new RegExp(`^wasmos demo: cannot write to ${out}: (a file of that name is in the way|a part of the path is not a directory)\\n$`),
      );
      expect(r.code).toBe(73);
      expect(r.stdout).toBe(""); // nothing ran
    }
  });

  it("wasmos wasi-testsuite with a missing folder or a file: status 66", () => {
    const missing = wasmos(["wasi-testsuite", "no-such-dir"]);
    expect(missing.stderr).toBe("wasmos wasi-testsuite: cannot read no-such-dir: no such file\n");
    expect(missing.code).toBe(66);
    const file = wasmos(["wasi-testsuite", "a-file"]);
    expect(file.stderr).toBe("wasmos wasi-testsuite: a-file is not a directory (the WASI test suite's, or a folder of it)\n");
    expect(file.code).toBe(66);
  });
});

describe("a usage error", () => {
  it("is one line naming what is wrong and where the usage is (not the whole help after it), status 64", () => {
    for (const [args, line] of [
      [
        ["run", "--bogus", "ok.wasm"],
        "wasmos run: unknown option --bogus (options go before the program; what follows the program is its own)",
      ],
      [["run"], "wasmos run: which program?"],
      [["run", "--fuel", "-5", "ok.wasm"], 'wasmos run: --fuel wants a positive integer, got "-5"'],
      [["conformance", "extra"], "wasmos conformance: unexpected extra (--filter PATTERN chooses cases)"],
      [["replay", "a.rec", "b.rec"], 'wasmos replay: one recording at a time (also got "b.rec")'],
      [["demo", "bogus"], 'wasmos demo: unknown demo "bogus" (the demos: pcm)'],
    ] as const) {
      const r = wasmos([...args]);
      const command = args[0];
      expect(r.stderr, args.join(" ")).toBe(`${line}; wasmos ${command} --help shows the usage\n`);
      expect(r.code).toBe(64);
    }
  });
});

describe("a reader that goes away mid-run (EPIPE)", () => {
  it("ends `wasmos demo pcm | head -1` quietly, status 0, no Node stack", async () => {
    const child = spawn(process.execPath, [BIN, "demo", "pcm", "--duration", "0.2", "--out", "pipe-out"], {
      cwd: tmp,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (b) => (stderr += b));
    child.stdout.once("data", () => child.stdout.destroy()); // as head -1 does after its line
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).not.toMatch(NOT_A_STACK);
    expect(code).toBe(0);
  });
});

describe("wasmos run --realtime --timeout", () => {
  it("ends a root asleep for an hour at the timeout: status 101 and one line, not Node's unsettled-await warning (13)", () => {
    const r = wasmos(["run", "--realtime", "--timeout", "200ms", "hour.wasm"]);
    expect(r.stderr).toBe("wasmos: hour.wasm (pid 1) ended: KILLED (status -1): wall-clock timeout of 200 ms\n");
    expect(r.code).toBe(101);
  });
});

describe("every command names itself in its errors", () => {
  const wrongShape = () => ({ ...recording, run: undefined });
  const bootRecording = (manifest: string) => ({
    ...recording,
    run: { command: "boot", file: manifest, args: [], seed: 0, realtime: false, dirs: [] },
  });
  beforeAll(() => {
    writeFileSync(join(tmp, "not-a-manifest.json"), '{ "version": 1, ');
    writeFileSync(
      join(tmp, "no-image.json"),
      JSON.stringify({ version: 1, name: "x", images: { x: "no-such.wasm" }, processes: [{ name: "x", image: "x" }] }),
    );
    writeFileSync(join(tmp, "wrong-shape.rec"), JSON.stringify(wrongShape()));
    writeFileSync(join(tmp, "boot-missing.rec"), JSON.stringify(bootRecording("no-such.json")));
    writeFileSync(join(tmp, "boot-bad.rec"), JSON.stringify(bootRecording("not-a-manifest.json")));
  });

  // The manifest's errors under each command that boots one: the same words, named for the command.
  const manifests: [string, number, RegExp][] = [
    ["no-such.json", 66, /^cannot read no-such\.json: no such file$/],
    ["not-a-manifest.json", 65, /^not-a-manifest\.json is not a valid manifest \(1 problem\):$/],
    ["no-image.json", 66, /^image "x": cannot read .*no-such\.wasm: no such file$/],
  ];
  for (const command of ["boot", "ps", "top"])
    it(`wasmos ${command}: a missing manifest, one that is not a manifest, one whose image is missing`, () => {
      for (const [file, code, first] of manifests) {
        const r = wasmos([command, file]);
        expect(r.stderr).not.toMatch(NOT_A_STACK);
        const [line] = r.stderr.split("\n");
        expect(line.startsWith(`wasmos ${command}: `), `${command} ${file}: ${line}`).toBe(true);
        expect(line.slice(`wasmos ${command}: `.length)).toMatch(first);
        expect(r.code, `${command} ${file}`).toBe(code);
      }
    });

  it("wasmos replay of a boot recording whose manifest is missing or not a manifest", () => {
    const missing = wasmos(["replay", "boot-missing.rec"]);
    expect(missing.stderr).toBe("wasmos replay: cannot read no-such.json: no such file\n");
    expect(missing.code).toBe(66);
    const bad = wasmos(["replay", "boot-bad.rec"]);
    expect(bad.stderr.split("\n")[0]).toBe("wasmos replay: not-a-manifest.json is not a valid manifest (1 problem):");
    expect(bad.code).toBe(65);
  });

  // One refusal of each command (beyond the usage errors above): its first line names it, and no line names another.
  const refusals: [string[], number][] = [
    [["run", "no-such.wasm"], 66],
    [["check", "no-such.wasm"], 66],
    [["build", "no-such.ts"], 66],
    [["replay", "wrong-shape.rec"], 66],
    [["boot", "no-such.json"], 66],
    [["ps", "--pid", "0", "no-such.json"], 64],
    [["top", "--count", "0", "no-such.json"], 64],
    [["new", "a-file"], 73],
    [["demo", "pcm", "--duration", "0.02", "--out", "a-file"], 73],
    [["wasi-testsuite", "no-such-dir"], 66],
    [["conformance", "--filter", "x", "--json", "a-file/out.json"], 73],
  ];
  it("a refusal by any command is named for that command, never for another", () => {
    const others = (command: string) =>
      ["run", "replay", "build", "boot", "ps", "top", "check", "new", "demo", "conformance", "wasi-testsuite"].filter((c) => c !== command);
    for (const [args, code] of refusals) {
      const r = wasmos(args);
      const command = args[0];
      expect(r.stderr, args.join(" ")).not.toMatch(NOT_A_STACK);
      expect(r.stderr.startsWith(`wasmos ${command}: `), `${args.join(" ")}: ${r.stderr}`).toBe(true);
      for (const other of others(command)) expect(r.stderr, args.join(" ")).not.toContain(`wasmos ${other}: `);
      expect(r.code, args.join(" ")).toBe(code);
    }
  });
});
