// Record and replay of host-directory reads (--dir): every answer the
// host-directory backend gave the kernel is in the recording, and a replay
// serves those answers without touching the host directory, so it reproduces
// the run after the files changed or were deleted.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { EXIT_DIVERGED } from "../../cli/commands/replay.ts";
import { HostError } from "../../hal/hostdir/hostdir.ts";
import { NodeHostDir } from "../../hal/node/hostdir.ts";
import { replayHostDir, recordingHostDir } from "../../host/record/hostdir.ts";
import type { RecordedHostCall } from "../../host/record/recording.ts";

const BIN = join(REPO_ROOT, "bin", "wasmos.js");
const CLIENT = join(REPO_ROOT, "guests", "ppsclient", "main.ts");
const tmp = mkdtempSync(join(tmpdir(), "wasmos-replay-dir-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const wasmos = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmp, input: "", timeout: 120_000 });

describe("recording and replaying host-directory reads (wasmos run --dir --record)", () => {
  it("replays a run that read a file after the file changed, and after the directory was deleted: same output, same trace", () => {
    const data = join(tmp, "data");
    mkdirSync(data);
    writeFileSync(join(data, "a.txt"), "alpha\nbeta\n");
    const rec = join(tmp, "read.rec");
    const a = wasmos(["run", "--realtime", "--record", rec, "--dir", `${data}::/mnt`, CLIENT, "read", "/mnt/a.txt"]);
    expect(a.stderr).toBe("");
    expect(a.stdout).toBe("main.ts: alpha|beta|\n");
    const recording = JSON.parse(readFileSync(rec, "utf8"));
    expect(recording.run.dirs).toEqual([{ host: data, guest: "/mnt", readOnly: false }]);
    expect(
      recording.hostdir.some((c: RecordedHostCall) => c.op === "readFile" && c.data === Buffer.from("alpha\nbeta\n").toString("base64")),
    ).toBe(true);
    // hostfs opened the file once in the device, and read it by its open-file id.
    expect(recording.hostdir.filter((c: RecordedHostCall) => c.op === "open").map((c: RecordedHostCall) => c.args)).toEqual([
      '[["a.txt"],false,false,false,false]',
    ]);

    writeFileSync(join(data, "a.txt"), "changed since\n");
    const b = wasmos(["replay", rec]);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/^wasmos: replay matched the recording: \d+ trace events, \d+ outside events, \d+ clock readings\n$/);
    expect(b.status).toBe(0);

    rmSync(data, { recursive: true });
    const c = wasmos(["replay", rec]);
    expect(c.stdout).toBe(a.stdout);
    expect(c.stderr).toBe(b.stderr);
    expect(c.status).toBe(0);
    expect(existsSync(data)).toBe(false); // the replay did not make it again
  }, 120_000);

  it("replays a directory listing (deterministic mode) after the directory was deleted", () => {
    const data = join(tmp, "listed");
    mkdirSync(data);
    for (const n of ["x", "y", "z"]) writeFileSync(join(data, n), n);
    const rec = join(tmp, "ls.rec");
    const a = wasmos(["run", "--record", rec, "--dir", `${data}::/d`, CLIENT, "ls", "/d"]);
    expect(a.stdout).toBe("main.ts: x y z\n");
    rmSync(data, { recursive: true });
    const b = wasmos(["replay", rec]);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/replay matched the recording/);
    expect(b.status).toBe(0);
  }, 120_000);

  it("diverges, naming both calls, when the replay asks the host directory for something the run did not", () => {
    const data = join(tmp, "asked");
    mkdirSync(data);
    writeFileSync(join(data, "a.txt"), "alpha");
    writeFileSync(join(data, "b.txt"), "bravo");
    const rec = join(tmp, "asked.rec");
    expect(wasmos(["run", "--record", rec, "--dir", `${data}::/mnt`, CLIENT, "read", "/mnt/a.txt"]).stdout).toBe("main.ts: alpha\n");
    // The same recording, replayed with the program asked to read another file.
    const r = JSON.parse(readFileSync(rec, "utf8"));
    writeFileSync(rec, JSON.stringify({ ...r, run: { ...r.run, args: ["read", "/mnt/b.txt"] } }));
    const c = wasmos(["replay", rec]);
    expect(c.status).toBe(EXIT_DIVERGED);
    expect(c.stdout).not.toContain("bravo");
    expect(c.stderr).toMatch(
      /replay diverged at trace event \d+: host-directory call #1 is not the one the run made here\n {2}recorded: hostdir 0 open\(\["a\.txt"\],false,false,false,false\)\n {2}replayed: hostdir 0 open\(\["b\.txt"\],false,false,false,false\)/,
    );
  }, 120_000);
});

describe("recording and replaying a booted system's host directories (wasmos boot --record)", () => {
  it("replays a system whose hostfs served a host directory, after the directory was deleted", () => {
    const data = join(tmp, "booted");
    mkdirSync(data);
    writeFileSync(join(data, "note.txt"), "from the host");
    const manifest = join(tmp, "sys.json");
    writeFileSync(
      manifest,
      JSON.stringify({
        version: 1,
        images: { hostfs: join(REPO_ROOT, "guests", "hostfs", "main.ts"), client: CLIENT },
        objects: {
          fs: { type: "dir", mounts: { "/host": "host-ep" } },
          "host-ep": { type: "endpoint" },
          io: { type: "memory", size: 65536 },
          data: { type: "hostdir", path: "unused" },
        },
        processes: [
          {
            name: "hostfs",
            image: "hostfs",
            daemon: true,
            handles: [
              { name: "endpoint", object: "host-ep", rights: ["receive", "send", "duplicate"] },
              "io",
              { name: "hostdir", object: "data" },
            ],
          },
          {
            name: "reader",
            image: "client",
            args: ["read", "/host/note.txt"],
            handles: [{ name: "root", object: "fs", rights: ["read"] }],
          },
        ],
      }),
    );
    const rec = join(tmp, "boot.rec");
    const a = wasmos(["boot", "--record", rec, "--dir", `data=${data}:ro`, manifest]);
    expect(a.stdout).toBe("reader: from the host\n");
    expect(a.status).toBe(0);
    expect(JSON.parse(readFileSync(rec, "utf8")).run.dirs).toEqual([{ host: data, guest: "data", readOnly: true }]);
    rmSync(data, { recursive: true });
    const b = wasmos(["replay", rec]);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/replay matched the recording/);
    expect(b.status).toBe(0);
  }, 120_000);
});

describe("the host-directory backend's recording seam", () => {
  it("records answers and errors, and a replay gives them back without touching the host (writes are not made again)", () => {
    const root = join(tmp, "seam");
    mkdirSync(root);
    writeFileSync(join(root, "f"), "0123456789");
    const log: RecordedHostCall[] = [];
    const real = new NodeHostDir(root);
    const rec = recordingHostDir(0, real, log);
    const buf = new Uint8Array(4);
    expect(rec.read(["f"], 3, buf)).toBe(4);
    expect(rec.stat(["f"], true).size).toBe(10);
    expect(() => rec.read(["missing"], 0, buf)).toThrow(HostError);
    expect(rec.write(["g"], 0, new TextEncoder().encode("new"), true)).toBe(3);
    expect(rec.list([]).map((e) => e.name)).toEqual(["f", "g"]);
    real.close();
    rmSync(root, { recursive: true });

    let at = 0;
    const diverged: string[] = [];
    const rep = replayHostDir(0, {
      nextHostCall(dev, op, args) {
        const c = log[at];
        if (c === undefined || c.dev !== dev || c.op !== op || c.args !== args) {
          diverged.push(`${op}${args}`);
          return null;
        }
        at++;
        return c;
      },
    });
    const again = new Uint8Array(4);
    expect(rep.read(["f"], 3, again)).toBe(4);
    expect(new TextDecoder().decode(again)).toBe("3456");
    expect(rep.stat(["f"], true).size).toBe(10);
    expect(() => rep.read(["missing"], 0, again)).toThrow(expect.objectContaining({ errno: "ENOENT" }));
    expect(rep.write(["g"], 0, new TextEncoder().encode("new"), true)).toBe(3);
    expect(existsSync(root)).toBe(false);
    // A call the run did not make: the replay says so, and the kernel gets EIO, not the host's answer.
    expect(() => rep.list(["other"])).toThrow(expect.objectContaining({ errno: "EIO" }));
    expect(diverged).toEqual(['list[["other"]]']);
  });

  it("records open files (open, readFile, writeFile, statFile, setSizeFile, setTimesFile) and replays them by the recorded file number, after the directory is gone", () => {
    const root = join(tmp, "seam-open");
    mkdirSync(root);
    writeFileSync(join(root, "f"), "0123456789");
    const log: RecordedHostCall[] = [];
    const real = new NodeHostDir(root);
    const rec = recordingHostDir(0, real, log);
    const file = rec.open(["f"], true, false, false, false);
    const buf = new Uint8Array(4);
    expect(rec.readFile(file, 6, buf)).toBe(4);
    expect(rec.writeFile(file, 10, new TextEncoder().encode("ab"))).toBe(2);
    expect(rec.statFile(file).size).toBe(12);
    rec.setSizeFile(file, 11);
    rec.setTimesFile(file, 5e18);
    expect(() => rec.open(["missing"], false, false, false, false)).toThrow(HostError);
    rec.closeFile(file);
    real.close();
    rmSync(root, { recursive: true });
    expect(log.map((c) => c.op)).toEqual(["open", "readFile", "writeFile", "statFile", "setSizeFile", "setTimesFile", "open"]);

    let at = 0;
    const rep = replayHostDir(0, {
      nextHostCall(dev, op, args) {
        const c = log[at];
        if (c === undefined || c.dev !== dev || c.op !== op || c.args !== args) return null;
        at++;
        return c;
      },
    });
    const again = rep.open(["f"], true, false, false, false);
    expect(again).toBe(file);
    const into = new Uint8Array(4);
    expect(rep.readFile(again, 6, into)).toBe(4);
    expect(new TextDecoder().decode(into)).toBe("6789");
    expect(rep.writeFile(again, 10, new TextEncoder().encode("ab"))).toBe(2);
    expect(rep.statFile(again).size).toBe(12);
    rep.setSizeFile(again, 11);
    rep.setTimesFile(again, 5e18);
    expect(() => rep.open(["missing"], false, false, false, false)).toThrow(expect.objectContaining({ errno: "ENOENT" }));
    rep.closeFile(again); // not recorded, does nothing
    // Another file number than the run's is another call: the replay refuses it.
    expect(() => rep.readFile(again + 1, 0, into)).toThrow(expect.objectContaining({ errno: "EIO" }));
    expect(at).toBe(log.length);
  });
});
