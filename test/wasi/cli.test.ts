// `wasmos run` with a WASI program, as a user runs it: options before the
// program, the program's own arguments after it, stdin piped in, its exit
// status passed through; `wasmos check` names the personality.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strings, wasiProgram } from "./helpers.ts";

const BIN = fileURLToPath(new URL("../../bin/wasmos.js", import.meta.url));
const NODE = process.execPath;
let dir: string;

// cat: stdin to stdout, 4 KiB at a time, until end of input
const CAT = wasiProgram(`
  (block $eof (loop $more
    (i32.store (i32.const 0x80) (i32.const 0x1000)) (i32.store (i32.const 0x84) (i32.const 4096))
    (br_if $eof (i32.ne (call $fd_read (i32.const 0) (i32.const 0x80) (i32.const 1) (i32.const 0x90)) (i32.const 0)))
    (br_if $eof (i32.eqz (i32.load (i32.const 0x90))))
    (i32.store (i32.const 0x84) (i32.load (i32.const 0x90)))
    (drop (call $fd_write (i32.const 1) (i32.const 0x80) (i32.const 1) (i32.const 0x90)))
    (br $more)))`);

// readfile: open "in.txt" in the first preopen (fd 3), copy it to stdout, exit with argc
const READFILE = wasiProgram(
  `(if (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x300) (i32.const 6) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x10))
     (then (call $proc_exit (i32.const 99))))
   (i32.store (i32.const 0x80) (i32.const 0x1000)) (i32.store (i32.const 0x84) (i32.const 4096))
   (drop (call $fd_read (i32.load (i32.const 0x10)) (i32.const 0x80) (i32.const 1) (i32.const 0x90)))
   (i32.store (i32.const 0x84) (i32.load (i32.const 0x90)))
   (drop (call $fd_write (i32.const 1) (i32.const 0x80) (i32.const 1) (i32.const 0x90)))
   (drop (call $args_sizes_get (i32.const 0x20) (i32.const 0x24)))
   (call $proc_exit (i32.load (i32.const 0x20)))`,
  { data: strings([{ at: 0x300, s: "in.txt" }]) },
);

function wasmos(args: string[], input?: string | Buffer) {
  return spawnSync(NODE, [BIN, ...args], { input, encoding: "buffer", timeout: 60_000 });
}

beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), "wasmos-wasi-cli-"));
  fs.writeFileSync(join(dir, "cat.wasm"), CAT);
  fs.writeFileSync(join(dir, "readfile.wasm"), READFILE);
  fs.mkdirSync(join(dir, "data"));
  fs.writeFileSync(join(dir, "data", "in.txt"), "from the host\n");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("wasmos run with a WASI program", () => {
  it("pipes stdin through to stdout byte for byte, and ends at end of input", () => {
    const input = Buffer.alloc(300_000);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7919) & 0xff;
    const r = wasmos(["run", join(dir, "cat.wasm")], input);
    expect(r.status).toBe(0);
    expect(Buffer.compare(r.stdout, input)).toBe(0);
  });

  it("gives the program the --dir it names, and its arguments after the program (options included); the exit status is the program's", () => {
    const r = wasmos(["run", "--dir", `${join(dir, "data")}::data`, join(dir, "readfile.wasm"), "--dir", "x", "--"]);
    expect(r.stdout.toString()).toBe("from the host\n");
    expect(r.status).toBe(4); // argv: readfile.wasm --dir x --
  });

  it("without --dir the program has no directory: the open fails and it says so by its status", () => {
    expect(wasmos(["run", join(dir, "readfile.wasm")]).status).toBe(99);
  });

  it("treats an unknown option before the program as a usage error naming it", () => {
    const r = wasmos(["run", "--bogus", join(dir, "cat.wasm")]);
    expect(r.status).toBe(64);
    expect(r.stderr.toString()).toContain("unknown option --bogus");
  });

  it("wasmos check tells a WASI program apart from a native guest", () => {
    const r = wasmos(["check", join(dir, "cat.wasm")]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain("personality: wasi_snapshot_preview1");
  });
});

// poll: one poll_oneoff on {stdin readable (userdata 7), a 60 s monotonic clock (userdata 9)};
// records errno, nevents, then the first event's userdata, type, nbytes and flags.
const POLL = wasiProgram(`
  (i64.store (i32.const 0x100) (i64.const 7))
  (i32.store8 (i32.const 0x108) (i32.const 1))
  (i32.store (i32.const 0x110) (i32.const 0))
  (i64.store (i32.const 0x130) (i64.const 9))
  (i32.store8 (i32.const 0x138) (i32.const 0))
  (i32.store (i32.const 0x140) (i32.const 1))
  (i64.store (i32.const 0x148) (i64.const 60000000000))
  (call $rec (call $poll_oneoff (i32.const 0x100) (i32.const 0x200) (i32.const 2) (i32.const 0x20)))
  (call $rec (i32.load (i32.const 0x20)))
  (call $rec (i32.load (i32.const 0x200)))
  (call $rec (i32.load8_u (i32.const 0x20a)))
  (call $rec (i32.load (i32.const 0x210)))
  (call $rec (i32.load16_u (i32.const 0x218)))
  (call $flush)`);
const i32s = (b: Buffer) => Array.from({ length: b.length / 4 }, (_, i) => b.readInt32LE(i * 4));

describe("poll_oneoff on the console's input (wasmos run)", () => {
  beforeAll(() => fs.writeFileSync(join(dir, "poll.wasm"), POLL));

  it("blocks until input arrives (stdin left open), then reports stdin readable with the bytes waiting, before a 60 s clock", async () => {
    const child = spawn(NODE, [BIN, "run", "--realtime", join(dir, "poll.wasm")], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    // Its answer comes while stdin is still open (then stdin is closed, so the CLI can end).
    child.stdout.on("data", (b: Buffer) => {
      out.push(b);
      if (Buffer.concat(out).length >= 24) child.stdin.end();
    });
    // The program polls before any input exists (the write comes later); it must wait, not answer "ready, 0 bytes".
    setTimeout(() => child.stdin.write("hello\n"), 300);
    const status = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    expect(status).toBe(0);
    expect(i32s(Buffer.concat(out))).toEqual([0, 1, 7, 1, 6, 0]);
  });

  it("reports the end of input as readable with HANGUP", () => {
    // --realtime: in deterministic mode the virtual clock does not wait for the host (docs/wasi.md).
    const r = wasmos(["run", "--realtime", join(dir, "poll.wasm")], "");
    expect(r.status).toBe(0);
    expect(i32s(r.stdout)).toEqual([0, 1, 7, 1, 0, 1]);
  });
});

describe("wasmos run --record with a WASI program's directories", () => {
  it("replays its --dir reads from the recording after the file changed, and its --preopen /tmp again", () => {
    // readfile: in.txt from fd 3 (--dir data::/data) to stdout.
    fs.writeFileSync(join(dir, "data", "in.txt"), "recorded\n");
    const rec = join(dir, "run.rec");
    const a = wasmos(["run", "--record", rec, "--dir", `${join(dir, "data")}::/data`, "--preopen", "/tmp", join(dir, "readfile.wasm")], "");
    expect(a.stdout.toString()).toBe("recorded\n");
    const recording = JSON.parse(fs.readFileSync(rec, "utf8"));
    expect(recording.run.dirs).toEqual([{ host: join(dir, "data"), guest: "/data", readOnly: false }]);
    expect(recording.run.options).toEqual({ preopens: "/tmp::/tmp" });
    fs.writeFileSync(join(dir, "data", "in.txt"), "changed since\n");
    const b = wasmos(["replay", rec]);
    expect(b.stdout.toString()).toBe("recorded\n");
    expect(b.stderr.toString()).toMatch(/^wasmos: replay matched the recording: /);
    fs.writeFileSync(join(dir, "data", "in.txt"), "from the host\n");
  });
});
