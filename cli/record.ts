// `--record FILE` and `wasmos replay FILE`: the CLI side of host/record/.
// A recorded run is run again with the replayer in place of the platform, the
// host clock and standard input; the trace and output are checked as they
// are produced.

import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { Readable } from "node:stream";
import type { Kernel } from "../host/kernel.ts";
import { Recorder } from "../host/record/recorder.ts";
import type { RecordedRun, Recording } from "../host/record/recording.ts";
import { type Divergence, Replayer } from "../host/record/replayer.ts";
import { setHostClock } from "../host/runtime/process-runtime.ts";
import type { Platform } from "../kernel/platform.ts";
import type { InputSource } from "./system.ts";
import type { DirSpec } from "./hostdirs.ts";
import type { HostDirBackend } from "../hal/hostdir/hostdir.ts";
import { NodeHostDir } from "../hal/node/hostdir.ts";
import { CliError, EXIT } from "./command.ts";
import { fsReason, readAtMost } from "./input.ts";

/** What a run needs from a recorder or a replayer. */
export interface RunHooks {
  platform: Platform;
  /** Standard input as the run should see it. */
  stdin(real: InputSource | undefined): InputSource | undefined;
  stdout(bytes: Uint8Array): void;
  /** The backend of host directory i (--dir): the host's, recorded; or the recording's answers. */
  hostDir(dir: DirSpec, i: number): HostDirBackend;
  onKernel(kernel: Kernel): void;
  /** Put the host clock back (after the run). */
  done(): void;
}

export function recordingHooks(rec: Recorder): RunHooks {
  setHostClock(rec.hostClock());
  return {
    platform: rec.platform(),
    stdin: (real) => (real !== undefined && real !== null && typeof real === "object" && "on" in real ? rec.input(real as Readable) : real),
    stdout: (b) => rec.stdout(b),
    hostDir: (d, i) => {
      rec.noteDir(i, d);
      return rec.hostDir(i, new NodeHostDir(d.host));
    },
    onKernel: (k) => rec.observe(k.core),
    done: () => setHostClock(() => performance.now()),
  };
}

export function replayHooks(rep: Replayer, recordedStdin: boolean): RunHooks {
  setHostClock(rep.hostClock());
  // Node empties its event loop only when nothing can come any more: a replay still running then waits for an
  // outside event its recording does not have (rep.stalled() says so, and ends the run), instead of Node
  // exiting 13 with a warning about an unsettled await.
  const stalled = () => rep.stalled();
  process.on("beforeExit", stalled);
  return {
    platform: rep.platform(),
    stdin: (real) => (recordedStdin ? rep.input() : real),
    stdout: (b) => rep.stdout(b),
    hostDir: (_d, i) => rep.hostDir(i),
    onKernel: (k) => rep.observe(k.core),
    done: () => {
      process.off("beforeExit", stalled);
      setHostClock(() => performance.now());
    },
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function describeRun(run: RecordedRun): string {
  return run.command === "run"
    ? `wasmos run ${run.file} ${run.args.join(" ")}`.trim()
    : run.command === "boot"
      ? `wasmos boot ${run.file}`
      : `wasmos demo pcm --duration ${run.options?.duration ?? 3}${run.realtime ? " --realtime" : ""}`;
}

/** Write a recording; a file that cannot be written is a CliError (CANT_CREATE) naming it. */
export function writeRecording(path: string, rec: Recording): void {
  try {
    writeFileSync(path, JSON.stringify(rec) + "\n");
  } catch (e) {
    throw new CliError(`cannot write recording ${path}: ${fsReason(e)}`, EXIT.CANT_CREATE);
  }
}

/** The largest recording read: about the longest string V8 makes (a recording's JSON is one). */
export const MAX_RECORDING_BYTES = 512 << 20;

/** A recording's text (fs errors and TooLargeError pass through: the caller names the file). */
export function readRecordingText(path: string): string {
  return readAtMost(path, MAX_RECORDING_BYTES).toString("utf8");
}

/** "replay diverged at trace event 12 (standard output differs at byte 40, after trace event 12): recorded "...", replayed "..."" */
export function describeDivergence(d: Divergence): string {
  return `replay diverged at trace event ${d.event}: ${d.message}\n  recorded: ${d.recorded}\n  replayed: ${d.replayed}`;
}

export { Recorder, Replayer };
