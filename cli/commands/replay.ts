// `wasmos replay FILE`: run a recorded run again (wasmos run --record FILE)
// with every input from outside the kernel taken from the recording, and
// check as it goes that the kernel's trace and standard output are the
// recorded ones. A replay that diverges (the guest or the kernel changed)
// stops at the first divergence and says where.

import { bytesStdin } from "../host-stdin.ts";
import { readFileSync } from "node:fs";
import { parseRecording, type Recording } from "../../host/record/recording.ts";
import { type Divergence, Replayer } from "../../host/record/replayer.ts";
import { replayPcmDemo } from "../demo/cli.ts";
import { CliError, type Command, EXIT, type Flags, UsageError } from "../command.ts";
import { fsReason, readInput, TooLargeError } from "../input.ts";
import { describeDivergence, describeRun, readRecordingText, replayHooks, sha256 } from "../record.ts";
import { bootLoaded, loadSystemFiles } from "./boot.ts";
import { isWasiModule, runProgram } from "./run.ts";
import { parsePreopen } from "../run-options.ts";

/** The exit status of a replay that diverged from its recording. */
export const EXIT_DIVERGED = 79;

export const replayCommand: Command = {
  name: "replay",
  summary: "replay a run recorded with --record, exactly, and report the first divergence",
  synopsis: "wasmos replay [--program FILE] <recording>",
  details: [
    "Runs the recorded command (`wasmos run`, `wasmos boot` or `wasmos demo pcm` with --record) again with every input from outside the kernel (clock readings,",
    "timer firings, console input, entropy, the answers of --dir host directories) taken from the recording, at the",
    "same points of the run: a --dir directory is not read again (it may have changed or gone).",
    "Standard output and the kernel's event trace are compared with the recorded ones as they are",
    "produced; the replay stops at the first difference and prints where it is (the trace event,",
    "the byte of output) and both versions. --program replays with another build of the program",
    "(to find where a change first shows). Exit status: the recorded run's on a faithful replay,",
    `${EXIT_DIVERGED} on a divergence.`,
  ].join("\n"),
  flags: [{ name: "program", value: "FILE", doc: "run this file instead of the recorded one (the recording's inputs are kept)" }],
  async run(positional, flags) {
    const [path] = positional;
    if (!path) throw new UsageError("replay: which recording?");
    if (positional.length > 1) throw new UsageError(`one recording at a time (also got "${positional[1]}")`);
    let text: string;
    try {
      text = readRecordingText(path);
    } catch (e) {
      if (e instanceof TooLargeError) throw new CliError(`recording ${e.message}: not a recording this wasmos can read`, EXIT.NO_INPUT);
      throw new CliError(`cannot read ${path}: ${fsReason(e)}`, EXIT.NO_INPUT);
    }
    let rec;
    try {
      rec = parseRecording(text);
    } catch (e) {
      throw new CliError(`${path}: ${e instanceof Error ? e.message : String(e)}`, EXIT.NO_INPUT);
    }
    if (rec.run.command === "boot") return replayBoot(rec, flags);
    if (rec.run.command === "demo-pcm") {
      if (typeof flags.program === "string")
        throw new UsageError("replay: --program does not apply to a demo recording (the demo's guests are built in)");
      const { divergence, code, rep, blocked } = await replayPcmDemo(rec);
      return verdict(rep, rec, { code, blocked }, divergence);
    }
    if (rec.run.command !== "run")
      throw new CliError(`${path}: replaying "${describeRun(rec.run)}" is not supported by the CLI yet`, EXIT.USAGE);
    const file = typeof flags.program === "string" ? flags.program : rec.run.file!;
    const bytes = readInput(file, file.endsWith(".ts") ? "guest source" : "module");
    if (rec.run.sha256 !== undefined && sha256(bytes) !== rec.run.sha256) {
      process.stderr.write(`wasmos: ${file} is not the recorded program (SHA-256 differs): replaying to find where it diverges\n`);
    }
    // A WASI program's directories are its preopens (its host directories served from the recording as for a native guest).
    const wasi = !file.endsWith(".ts") && isWasiModule(bytes);
    const preopens = typeof rec.run.options?.preopens === "string" ? rec.run.options.preopens.split("\n").map(parsePreopen) : [];
    const rep = new Replayer(rec);
    // Standard input is the recording's, always: a run that took none before it ended (no input events) gets
    // none, rather than the replay's own stdin, whose end would reach the kernel where the run's never did.
    const hooks = replayHooks(rep, true);
    // A WASI program's stdin: the recording's bytes, whole (as a recorded run reads a piped stdin).
    const wasiStdin = wasi ? bytesStdin(recordedInput(rec)) : null;
    let code: number;
    let blocked: string | null = null;
    try {
      code = await runProgram({
        onBlocked: (m) => (blocked = m),
        file,
        bytes,
        args: [...rec.run.args],
        images: {},
        seed: rec.run.seed,
        flags: rec.run.realtime ? { realtime: true } : {},
        dirs: wasi ? [] : (rec.run.dirs ?? []),
        ...(wasi
          ? {
              wasi: {
                dirs: [
                  ...(rec.run.dirs ?? []).map((d) => ({ guest: d.guest, host: d.host, readOnly: d.readOnly })),
                  ...preopens.map((p) => ({ guest: p.guest, path: p.path, readOnly: p.readOnly })),
                ],
                stdin: wasiStdin!,
                stderr: (b: Uint8Array) => process.stderr.write(b),
              },
            }
          : {}),
        hooks,
        name: rec.run.file!.replace(/^.*[\\/]/, ""),
        argv0: rec.run.argv0,
        env: rec.run.env,
      });
    } catch (e) {
      // The root blocked forever: how this replay ended, which verdict() weighs against the recording.
      if (blocked !== null) code = EXIT.DEADLOCK;
      else if (rep.divergence === null) throw e;
      else code = EXIT_DIVERGED;
    } finally {
      hooks.done();
      wasiStdin?.close();
    }
    return verdict(rep, rec, { code, blocked });
  },
};

/** How a replay's run ended: its exit code, and, when its root never ended, the blocked-forever line. */
interface ReplayEnd {
  code: number;
  blocked: string | null;
}

/**
 * Whether the replay matched: print the verdict, return the exit status. A replay whose root ends blocked
 * forever matches only a recorded run that ended blocked the same way (then: the verdict, the blocked line,
 * and 69, as the run); blocked where the run was not, or not where it was, is a divergence (79).
 */
function verdict(rep: Replayer, rec: Recording, end: ReplayEnd, divergence?: Divergence | null): number {
  const { code, blocked } = end;
  const d = (divergence === undefined ? rep.finish(blocked ?? undefined) : divergence) ?? endingDiffers(rep, rec, end);
  if (d !== null) {
    process.stderr.write(`wasmos: ${describeDivergence(d)}\n`);
    return EXIT_DIVERGED;
  }
  const p = rep.progress;
  const files = (rec.files ?? []).map((f) => f.name);
  process.stderr.write(
    `wasmos: replay matched the recording: ${p.trace} trace events, ${p.events} outside events, ${p.clock} clock readings` +
      (files.length > 0 ? `; ${files.join(" and ")} written again byte for byte` : "") +
      "\n",
  );
  if (blocked !== null) {
    process.stderr.write(`wasmos: ${blocked} (as in the recorded run)\n`);
    return EXIT.DEADLOCK;
  }
  if (rec.exit !== null && code !== rec.exit.code) {
    process.stderr.write(`wasmos: the replay exited ${code}, the recorded run ${rec.exit.code}\n`);
    return EXIT_DIVERGED;
  }
  return code;
}

/**
 * The one divergence the trace cannot show: a root blocked forever in one run and not in the other, once
 * every recorded event was reproduced (a root's exit is a trace event, so this is a safety net), or blocked
 * otherwise. Null when both ended the same way.
 */
function endingDiffers(rep: Replayer, rec: Recording, end: ReplayEnd): Divergence | null {
  const recorded = rec.blocked ?? null;
  if (end.blocked === recorded) return null;
  const ended = (code: number) => `pid 1 ended (exit status ${code})`;
  return {
    event: rep.progress.trace,
    what: "end",
    recorded: recorded ?? (rec.exit === null ? "(how the run ended was not recorded)" : ended(rec.exit.code)),
    replayed: end.blocked ?? ended(end.code),
    message:
      end.blocked === null
        ? "the recorded run ended with its root blocked forever, the replay did not"
        : recorded === null
          ? "the replay ended with its root blocked forever, the recorded run did not"
          : "the replay's root is blocked forever otherwise than the recorded run's",
  };
}

/** Replay `wasmos boot FILE --record`: the same manifest (or --program: another manifest), booted with the replayer's hooks. */
async function replayBoot(rec: Recording, flags: Flags): Promise<number> {
  const file = typeof flags.program === "string" ? flags.program : rec.run.file!;
  const loaded = await loadSystemFiles(file, "replay");
  if (typeof loaded === "number") return loaded;
  if (rec.run.sha256 !== undefined && sha256(readFileSync(file)) !== rec.run.sha256) {
    process.stderr.write(`wasmos: ${file} is not the recorded manifest (SHA-256 differs): replaying to find where it diverges\n`);
  }
  const rep = new Replayer(rec);
  const hooks = replayHooks(rep, false);
  let code: number;
  try {
    const dirs = new Map((rec.run.dirs ?? []).map((d) => [d.guest, { path: d.host, readOnly: d.readOnly }]));
    code = await bootLoaded(file, loaded, {}, hooks, dirs, "replay");
  } finally {
    hooks.done();
  }
  return verdict(rep, rec, { code, blocked: null });
}

/** Everything the recorded run read from its standard input, in order. */
function recordedInput(rec: Recording): Uint8Array {
  const parts = rec.events.flatMap((e) => (e.kind === "input" ? [Buffer.from(e.data, "base64")] : []));
  return new Uint8Array(Buffer.concat(parts));
}
