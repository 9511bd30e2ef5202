// `wasmos run --record FILE` and `wasmos replay FILE` from the command line.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { EXIT_DIVERGED } from "../../cli/commands/replay.ts";

const BIN = join(REPO_ROOT, "bin", "wasmos.js");
const tmp = mkdtempSync(join(tmpdir(), "wasmos-replay-cli-"));
const wasmos = (args: string[], input = "") =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmp, input, timeout: 120_000 });

describe("wasmos run --record and wasmos replay", () => {
  const rec = join(tmp, "upper.rec");
  it("records a real-time run with console input, and replays it with the same output and exit status", () => {
    const a = wasmos(["run", "--realtime", "--record", rec, join(REPO_ROOT, "guests", "examples", "upper.ts")], "record me\nand replay\n");
    expect(a.stderr).toBe("");
    expect(a.stdout).toBe("RECORD ME\nAND REPLAY\n");
    expect(a.status).toBe(0);
    expect(JSON.parse(readFileSync(rec, "utf8")).format).toBe("wasmos-recording");
    const b = wasmos(["replay", rec]); // no input: it comes from the recording
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/^wasmos: replay matched the recording: \d+ trace events, \d+ outside events, \d+ clock readings\n$/);
    expect(b.status).toBe(0);
  });

  it("says where a replay with a changed program diverges, and exits with its own status", () => {
    const r = wasmos(["replay", "--program", join(REPO_ROOT, "test", "record", "fixtures", "upper-changed.ts"), rec]);
    expect(r.status).toBe(EXIT_DIVERGED);
    expect(r.stderr).toMatch(/is not the recorded program \(SHA-256 differs\)/);
    expect(r.stderr).toMatch(
      /replay diverged at trace event \d+: standard output differs at byte 0, after trace event \d+\n {2}recorded: "RECORD ME/,
    );
  });

  it("records a booted system (wasmos boot --record) and replays it; a changed manifest diverges where its behaviour does", () => {
    const bootRec = join(tmp, "counter.rec");
    const manifest = join(REPO_ROOT, "systems", "counter.json");
    const a = wasmos(["boot", "--record", bootRec, manifest]);
    expect(a.status).toBe(0);
    const b = wasmos(["replay", bootRec]);
    expect(b.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/replay matched the recording: \d+ trace events/);
    const changed = join(tmp, "counter-changed.json");
    writeFileSync(
      changed,
      readFileSync(manifest, "utf8")
        .replace('"../guests/', `"${join(REPO_ROOT, "guests")}/`)
        .replace('"20", "10"', '"21", "10"'),
    );
    const c = wasmos(["replay", "--program", changed, bootRec]);
    expect(c.status).toBe(EXIT_DIVERGED);
    expect(c.stderr).toMatch(/replay diverged at trace event \d+: trace event \d+ differs\n {2}recorded: .*\n {2}replayed: /);
  });

  it("records the PCM demo in real time (wasmos demo pcm --record) and replays it byte for byte: output, trace, the WAV and PNG it wrote", () => {
    const demoRec = join(tmp, "pcm.rec");
    const out = join(tmp, "pcm-out");
    const a = wasmos(["demo", "pcm", "--duration", "0.2", "--realtime", "--record", demoRec, "--out", out]);
    expect(a.status).toBe(0);
    const recording = JSON.parse(readFileSync(demoRec, "utf8"));
    expect(recording.run).toMatchObject({ command: "demo-pcm", realtime: true, options: { duration: 0.2 } });
    expect(recording.events.some((e: { kind: string }) => e.kind === "timer")).toBe(true); // paced by host timers
    expect(recording.files.map((f: { name: string }) => f.name)).toEqual(["pcm.wav", "waveform.png"]);
    for (const f of recording.files)
      expect(
        createHash("sha256")
          .update(readFileSync(join(out, f.name)))
          .digest("hex"),
      ).toBe(f.sha256);

    const b = wasmos(["replay", demoRec]);
    expect(b.stderr).toMatch(
      /wasmos: replay matched the recording: \d+ trace events, \d+ outside events, \d+ clock readings; pcm\.wav and waveform\.png written again byte for byte\n$/,
    );
    expect(b.status).toBe(0);
    expect(b.stdout.length).toBeGreaterThan(0);
    expect(a.stdout.startsWith(b.stdout)).toBe(true); // the same lines, then the recorded run's summary
    expect(a.stdout.slice(b.stdout.length)).toMatch(/^\npcm pipeline: 10 periods/);
  });

  it("stops a demo replay at the trace event where the recording and the run part, and at a WAV that differs", () => {
    const demoRec = join(tmp, "pcm.rec");
    const recording = JSON.parse(readFileSync(demoRec, "utf8"));
    const at = Math.floor(recording.trace.length / 2);
    const changed = join(tmp, "pcm-changed.rec");
    writeFileSync(
      changed,
      JSON.stringify({ ...recording, trace: recording.trace.map((l: string, i: number) => (i === at ? l + " (changed)" : l)) }),
    );
    const c = wasmos(["replay", changed]);
    expect(c.status).toBe(EXIT_DIVERGED);
    expect(c.stderr).toMatch(
      new RegExp(`replay diverged at trace event ${at}: trace event ${at} differs\n {2}recorded: .*\\(changed\\)\\n {2}replayed: `),
    );
    const wav = join(tmp, "pcm-wav.rec");
    writeFileSync(wav, JSON.stringify({ ...recording, files: [{ ...recording.files[0], sha256: "0".repeat(64) }, recording.files[1]] }));
    const d = wasmos(["replay", wav]);
    expect(d.status).toBe(EXIT_DIVERGED);
    expect(d.stderr).toMatch(
      /replay diverged at trace event \d+: the replay wrote pcm\.wav differently\n {2}recorded: \d+ bytes, SHA-256 0{64}\n {2}replayed: \d+ bytes, SHA-256 [0-9a-f]{64}/,
    );
  });

  it("records the host entropy a real-time run takes (random_get): the replay prints the recorded bytes; a program that asks for other amounts diverges there", () => {
    const dice = join(REPO_ROOT, "test", "record", "fixtures", "dice.ts");
    const diceRec = join(tmp, "dice.rec");
    const a = wasmos(["run", "--realtime", "--record", diceRec, dice]);
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^roll 0: [0-9a-f]{16}\nroll 1: [0-9a-f]{16}\n$/);
    expect(wasmos(["run", "--realtime", dice]).stdout).not.toBe(a.stdout); // host entropy: another run rolls other numbers
    expect(JSON.parse(readFileSync(diceRec, "utf8")).entropy).toHaveLength(2);
    const b = wasmos(["replay", diceRec]);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/replay matched the recording/);
    expect(b.status).toBe(0);
    const c = wasmos(["replay", "--program", join(REPO_ROOT, "test", "record", "fixtures", "dice-changed.ts"), diceRec]);
    expect(c.status).toBe(EXIT_DIVERGED);
    expect(c.stdout).toBe(a.stdout.split("\n")[0] + "\nroll 1: " + "00".repeat(16) + "\n"); // the first roll as recorded; the second gets no host bytes
    expect(c.stderr).toMatch(
      /replay diverged at trace event \d+: random_get #2 asked the host for entropy the run did not take here\n {2}recorded: 8 bytes\n {2}replayed: 16 bytes/,
    );
  });

  it("refuses a file that is not a recording, naming it", () => {
    const r = wasmos(["replay", join(REPO_ROOT, "package.json")]);
    expect(r.status).toBe(66);
    expect(r.stderr).toMatch(/package\.json: not a recording/);
  });
});
