// Record and replay (host/record/): real-time runs recorded with every input
// from outside the kernel, replayed exactly (the same output byte for byte,
// the same exit statuses, the same kernel trace), and a changed guest caught
// at the first event where it behaves differently.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { Recorder } from "../../host/record/recorder.ts";
import { parseRecording, type Recording } from "../../host/record/recording.ts";
import { Replayer } from "../../host/record/replayer.ts";
import { recordingHooks, replayHooks, type RunHooks } from "../../cli/record.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { runPcmDemo } from "../../cli/demo/pcm.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

const UPPER = join(REPO_ROOT, "guests", "examples", "upper.ts");
const UPPER_CHANGED = join(REPO_ROOT, "test", "record", "fixtures", "upper-changed.ts");

/** upper.ts (a program and the devfs and tmpfs servers it talks to over IPC) in real time, with `hooks`. */
async function runUpper(program: string, hooks: RunHooks, stdin: PassThrough | undefined) {
  try {
    return await runGuest(program, {
      name: "upper.ts",
      deterministic: false,
      trace: true,
      platform: hooks.platform,
      onStdout: (b) => hooks.stdout(b),
      onKernel: (k) => hooks.onKernel(k),
      system: { stdin: hooks.stdin(stdin) },
    });
  } finally {
    hooks.done();
  }
}

/** Standard input that arrives in pieces, in real time. */
function typing(pieces: string[], gapMs: number): PassThrough {
  const s = new PassThrough();
  let i = 0;
  const next = () => {
    if (i === pieces.length) return s.end();
    s.write(pieces[i++]);
    setTimeout(next, gapMs);
  };
  setTimeout(next, gapMs);
  return s;
}

/** The recording, through its file format (what replay reads). */
const roundTrip = (r: Recording): Recording => parseRecording(JSON.stringify(r));

describe("record and replay", () => {
  let recorded: { recording: Recording; stdout: Uint8Array; trace: string; firstOutputEvent: number };

  it("records a real-time run of a multi-process IPC program with console input", async () => {
    const rec = new Recorder({ command: "run", file: UPPER, args: [], seed: 0, realtime: true });
    const hooks = recordingHooks(rec);
    let firstOutputEvent = -1;
    const stdout = hooks.stdout;
    hooks.stdout = (b) => {
      if (firstOutputEvent < 0) firstOutputEvent = rec.trace.length;
      stdout(b);
    };
    const r = await runUpper(UPPER, hooks, typing(["hello\n", "wasm", "os\n", "bye\n"], 30));
    expect(new TextDecoder().decode(r.stdoutBytes)).toBe("HELLO\nWASMOS\nBYE\n");
    const recording = roundTrip(rec.finish({ status: r.exit.status, reason: r.exit.reason, code: 0 }));
    expect(recording.events.filter((e) => e.kind === "input").length).toBeGreaterThan(0);
    expect(recording.events.at(-1)?.kind).toBe("input-end");
    expect(recording.clock.length).toBeGreaterThan(0);
    recorded = { recording, stdout: r.stdoutBytes, trace: r.trace, firstOutputEvent };
  });

  it("replays it exactly: the same output byte for byte, the same exit, the same trace", async () => {
    for (let i = 0; i < 2; i++) {
      const rep = new Replayer(recorded.recording);
      const r = await runUpper(UPPER, replayHooks(rep, true), undefined);
      expect(rep.finish()).toBeNull();
      expect(r.stdoutBytes).toEqual(recorded.stdout);
      expect(r.trace).toBe(recorded.trace);
      expect({ status: r.exit.status, reason: r.exit.reason }).toEqual({
        status: recorded.recording.exit!.status,
        reason: recorded.recording.exit!.reason,
      });
    }
  });

  it("stops a replay with a changed guest at the first event where it differs, and says where", async () => {
    const rep = new Replayer(recorded.recording);
    await runUpper(UPPER_CHANGED, replayHooks(rep, true), undefined);
    const d = rep.finish();
    expect(d).not.toBeNull();
    expect(d!.what).toBe("stdout");
    expect(d!.event).toBe(recorded.firstOutputEvent); // every trace event up to the first write matched
    expect(d!.message).toBe(`standard output differs at byte 0, after trace event ${recorded.firstOutputEvent}`);
    expect(d!.recorded).toContain("HELLO");
    expect(d!.replayed).toContain("IFMMP");
  });

  it("records a real-time run of the PCM demo and replays it byte for byte (output, trace, the WAV it wrote)", async () => {
    const run = async (hooks: RunHooks, outDir: string) => {
      try {
        return await runPcmDemo({
          duration: 0.2,
          realtime: true,
          pingBatches: 0,
          outDir,
          trace: true,
          platform: hooks.platform,
          onKernel: (k) => hooks.onKernel(k),
          onLine: (line) => hooks.stdout(new TextEncoder().encode(line + "\n")),
        });
      } finally {
        hooks.done();
      }
    };
    const rec = new Recorder({ command: "demo-pcm", args: [], seed: 0, realtime: true, options: { duration: 0.2 } });
    const dirA = mkdtempSync(join(tmpdir(), "wasmos-rec-"));
    const a = await run(recordingHooks(rec), dirA);
    const recording = roundTrip(rec.finish({ status: a.init.status, reason: a.init.reason, code: 0 }));
    expect(recording.events.some((e) => e.kind === "timer")).toBe(true); // real time: the periods were paced by host timers

    const rep = new Replayer(recording);
    const dirB = mkdtempSync(join(tmpdir(), "wasmos-rep-"));
    const b = await run(replayHooks(rep, false), dirB);
    expect(rep.finish()).toBeNull();
    expect(b.stdout).toBe(a.stdout);
    expect(b.trace).toBe(a.trace);
    expect(b.init).toEqual(a.init);
    expect(readFileSync(b.wavPath)).toEqual(readFileSync(a.wavPath));
  });
});
