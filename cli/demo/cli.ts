// `wasmos demo pcm` (and `npm start`): run the PCM pipeline, show live VU
// bars, then a summary.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Recording } from "../../host/record/recording.ts";
import type { Divergence } from "../../host/record/replayer.ts";
import { Recorder, Replayer, recordingHooks, replayHooks, type RunHooks, sha256, writeRecording } from "../record.ts";
import { parseArgs, type Flag, UsageError, usage } from "../args.ts";
import { CliError, EXIT, progressLine } from "../command.ts";
import { writeFileSync } from "node:fs";
import { ChromeTrace, observeSyscalls } from "../../host/trace/index.ts";
import { FB_HEIGHT, FB_WIDTH, runPcmDemo, type PcmDemoResult } from "./pcm.ts";
import { PCM_ROLES, type PcmRole } from "./build.ts";
import { fsReason, readInput } from "../input.ts";
import { ModuleRefusedError } from "../../loader/loader.ts";
import { RootBlockedError } from "../run-guest.ts";
import { parseDuration } from "../run-options.ts";
import { youngGeneration } from "../steady-heap.ts";
import { ExitReason } from "../../abi/gen/abi.ts";
import { describeExit } from "../../kernel/objects/process.ts";
import type { Kernel } from "../../host/kernel.ts";

export const PCM_DEMO_SYNOPSIS =
  "wasmos demo pcm [--duration SECONDS] [--realtime] [--timeout DUR] [--out DIR] [--trace FILE] [--record FILE] [--image ROLE=FILE]...";
export const PCM_DEMO_DETAILS = [
  "The four-process PCM audio pipeline (guests/pcm/): init creates one 3840-byte buffer (960 frames",
  "of 48 kHz s16le stereo = 20 ms) and spawns a producer (writes 440 Hz left, 660 Hz right, through a",
  "read-write bound grant), an audio driver (the audio device consumes the buffer in place), a VU meter",
  "(a read-only window on the left channel only) and a waveform visualizer (read-only grant, draws into",
  "the framebuffer). Each period the producer sends each consumer the buffer's id and waits for all three",
  "replies; the device's interrupts pace it. At the end init revokes the buffer and each consumer reports",
  "what it saw. Writes DIR/pcm.wav and DIR/waveform.png; prints periods, frames, IPC messages, bytes the",
  "kernel copied, the IPC round trip and the wall time. --record FILE writes down every input from outside",
  "the kernel (clock readings, timer firings, entropy) and what the run produced (trace, output, the WAV and",
  "PNG by SHA-256); `wasmos replay FILE` runs it again from the recording and checks it byte for byte.",
  "--image ROLE=FILE runs a module of your own as one role (init, producer, driver, vu, visualizer) instead of",
  "the built guests/pcm/ROLE.ts; a recording names it, and its replay runs that file again.",
].join("\n");
export const PCM_DEMO_FLAGS: readonly Flag[] = [
  { name: "duration", value: "SECONDS", doc: "seconds of audio, in 20 ms periods (default 3)" },
  { name: "realtime", doc: "pace the audio device to the wall clock (default: deterministic virtual clock)" },
  {
    name: "timeout",
    value: "DUR",
    doc: "wall-clock limit: 500ms, 10s, 2m (a bare number is seconds); every process of the pipeline is killed after it (status 101)",
  },
  { name: "out", value: "DIR", doc: "where pcm.wav and waveform.png go (default out)" },
  { name: "trace", value: "FILE", doc: "write a Chrome trace-event JSON trace (Perfetto) of the run to FILE" },
  { name: "record", value: "FILE", doc: "record every input from outside the kernel to FILE (replay it with `wasmos replay FILE`)" },
  { name: "image", value: "ROLE=FILE", repeat: true, doc: "run the module FILE as ROLE instead of the built guest (repeatable)" },
];

/** A module of the user's own run as one role of the pipeline (--image ROLE=FILE). */
export interface RoleImage {
  role: PcmRole;
  path: string;
  bytes: Uint8Array;
}

/** --image ROLE=FILE, each: the role checked, the file read (UsageError, or CliError NO_INPUT naming it). */
export function parseRoleImages(specs: readonly string[]): RoleImage[] {
  const out: RoleImage[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const role = spec.slice(0, Math.max(0, eq)) as PcmRole;
    if (eq <= 0 || eq === spec.length - 1 || !PCM_ROLES.includes(role))
      throw new UsageError(`--image wants ROLE=FILE with ROLE one of ${PCM_ROLES.join(", ")}; got "${spec}"`);
    if (out.some((i) => i.role === role)) throw new UsageError(`--image ${role}= given twice`);
    const path = spec.slice(eq + 1);
    out.push({ role, path, bytes: readInput(path, `${role} image`) });
  }
  return out;
}

/** Where a recording keeps a role's --image: its path, and its SHA-256 (RecordedRun.options). */
const imageKey = (role: PcmRole) => `image:${role}`;
const imageHashKey = (role: PcmRole) => `image:${role}:sha256`;

/** The --image modules a demo recording names, read again (a file changed since is replayed, with a warning, to find where it diverges). */
function recordedRoleImages(rec: Recording): RoleImage[] {
  const out: RoleImage[] = [];
  for (const role of PCM_ROLES) {
    const path = rec.run.options?.[imageKey(role)];
    if (typeof path !== "string") continue;
    const bytes = readInput(path, `${role} image`);
    if (sha256(bytes) !== rec.run.options?.[imageHashKey(role)])
      process.stderr.write(`wasmos: ${path} is not the recorded ${role} image (SHA-256 differs): replaying to find where it diverges\n`);
    out.push({ role, path, bytes });
  }
  return out;
}

const us = (ns: number) => `${(ns / 1000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
const ms = (ns: number) => `${(ns / 1e6).toFixed(2)} ms`;

/** Summary lines of a run. */
export function summary(r: PcmDemoResult, realtime: boolean): string {
  const frames = r.audio.frames;
  const seconds = frames / 48000;
  const wall = r.wallMs / 1000;
  const m = r.messages;
  const samples = r.copied.ipcBytes + r.copied.windowBytes;
  const lines = [
    `pcm pipeline: ${r.periods} periods x 960 frames = ${frames} frames (${seconds.toFixed(2)} s of 48 kHz stereo) ` +
      `in ${wall.toFixed(2)} s wall (${(seconds / wall).toFixed(1)}x realtime, ${realtime ? "real-time clock" : "deterministic"})`,
    `  audio device    ${r.audio.taken} buffers played, ${r.audio.underruns} underruns, ${r.audio.dropped} dropped, ` +
      `${r.audio.drains} drain${realtime ? `, period-boundary jitter max ${ms(r.jitterMaxNs)}` : ""}`,
    r.steady === null
      ? `  steady state    (not reached)`
      : `  steady state    ${r.steady.wallMs.toFixed(1)} ms wall from the first period to the last reply ` +
        `(${(seconds / (r.steady.wallMs / 1000)).toFixed(1)}x realtime), ${r.steady.pageFaults} page faults; ` +
        youngGeneration(process.execArgv),
    `  IPC messages    ${m.bufferReady} buffer-ready (the 4-byte buffer id in a message register, no body), ` +
      `${m.afterRevoke} after the revoke, ${m.pings} round-trip probes; ${m.interrupts} interrupt pulses`,
    `                  kernel counted ${r.ipc.messages} messages, ${r.ipc.replies} replies, ${r.ipc.pulses} pulses`,
    `  kernel copies   ${samples} bytes of sample data (IPC bodies ${r.copied.ipcBytes} B, window bulk reads ${r.copied.windowBytes} B)`,
    r.pingWallNs === null
      ? `  IPC round trip  (probe disabled)`
      : `  IPC round trip  median ${us(r.pingWallNs)} wall per empty send->reply (producer<->VU meter, median of batches); ` +
        `${us(r.rttNs.ping)} on the kernel clock`,
    `  send->reply     median per period on the kernel clock: driver ${ms(r.rttNs.driver)} (until the device takes the ` +
      `buffer), VU meter ${ms(r.rttNs.vu)}, visualizer ${ms(r.rttNs.vis)}`,
    `  revoke          ${r.revoke.driver || "driver: ?"}`,
    `                  ${r.revoke.vu || "vu: ?"}`,
    `                  visualizer: ${r.revoke.visualizer.replace(/^.*; /, "") || "?"}`,
    `  outputs         ${r.wavPath} (${statSync(r.wavPath).size} bytes), ${r.pngPath} (${FB_WIDTH}x${FB_HEIGHT})`,
  ];
  return lines.join("\n") + "\n";
}

/** `wasmos demo pcm ...`: argv after "pcm". Returns the exit code. */
export async function pcmDemoCommand(argv: readonly string[]): Promise<number> {
  const { positional, flags, help } = parseArgs(argv, PCM_DEMO_FLAGS);
  if (help) {
    process.stdout.write(usage(PCM_DEMO_SYNOPSIS, PCM_DEMO_DETAILS, PCM_DEMO_FLAGS));
    return 0;
  }
  if (positional.length > 0) throw new UsageError(`unexpected ${positional[0]}`);
  const duration = flags.duration === undefined ? 3 : Number(flags.duration);
  if (!(duration > 0 && duration <= 600)) throw new UsageError(`--duration wants seconds in (0, 600], got "${flags.duration}"`);
  const realtime = flags.realtime === true;
  const timeoutMs = typeof flags.timeout === "string" ? parseDuration(flags.timeout) : undefined;
  const outDir = typeof flags.out === "string" ? flags.out : "out";
  // The outputs' folder, made now: one that cannot be (a file in the way, no permission) is refused before the run.
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot write to ${outDir}: ${fsReason(e)}`, EXIT.CANT_CREATE);
  }
  const recordPath = typeof flags.record === "string" ? flags.record : null;
  const images = parseRoleImages((flags.image as string[] | undefined) ?? []);
  const options: Record<string, string | number> = { duration };
  for (const i of images) {
    options[imageKey(i.role)] = i.path;
    options[imageHashKey(i.role)] = sha256(i.bytes);
  }
  const recorder = recordPath === null ? null : new Recorder({ command: "demo-pcm", args: [], seed: 0, realtime, options });
  const hooks = recorder === null ? null : recordingHooks(recorder);
  let r: PcmDemoResult;
  try {
    r = await showPcmDemo({
      duration,
      realtime,
      outDir,
      tracePath: typeof flags.trace === "string" ? flags.trace : null,
      hooks,
      images,
      timeoutMs,
    });
  } catch (e) {
    if (!(e instanceof RootBlockedError)) throw e;
    // init blocked forever (its trace was written by onEnd): the recording says so (a replay that ends the same way
    // matches it), then one line and the deadlock status, never a stack.
    if (recorder !== null) writeRecording(recordPath!, recorder.finish(null, e.message));
    throw new CliError(e.message, EXIT.DEADLOCK);
  } finally {
    hooks?.done();
  }
  const code = r.init.reason === 0 ? r.init.status & 0xff : EXIT.ABNORMAL_BASE + r.init.reason;
  if (recorder !== null) {
    for (const path of [r.wavPath, r.pngPath]) {
      const bytes = readFileSync(path);
      recorder.wrote(basename(path), sha256(bytes), bytes.length);
    }
    writeRecording(recordPath!, recorder.finish({ status: r.init.status, reason: r.init.reason, code }));
  }
  if (r.init.reason === ExitReason.KILLED) {
    // Killed (the --timeout, as `wasmos run` says it): one line, no summary of a pipeline that did not finish.
    process.stderr.write(`wasmos: pcm-init (pid ${r.initPid}) ended: ${describeExit(r.init)}\n`);
    return code;
  }
  process.stdout.write("\n" + summary(r, realtime));
  return code;
}

/**
 * Run the demo, showing what the system prints as it prints it (VU bars on
 * one terminal line), with a recorder's or a replayer's hooks in place if
 * given: every line the system prints goes to the hooks as standard output.
 */
export async function showPcmDemo(o: {
  duration: number;
  realtime: boolean;
  outDir: string;
  tracePath: string | null;
  hooks: RunHooks | null;
  /** Modules to run instead of the built guests (--image). */
  images?: readonly RoleImage[];
  /** --timeout, ms (PcmDemoOptions.timeoutMs). */
  timeoutMs?: number;
}): Promise<PcmDemoResult> {
  const out = process.stdout;
  const tty = out.isTTY === true;
  let live = false; // a VU bar is on the current terminal line
  const { tracePath, hooks } = o;
  let chrome: ChromeTrace | null = null;
  const writeTrace = (k: Kernel) => {
    if (tracePath === null) return;
    try {
      writeFileSync(tracePath, chrome!.json(k.traceText()));
    } catch (e) {
      throw new CliError(`cannot write trace ${tracePath}: ${fsReason(e)}`, EXIT.CANT_CREATE);
    }
  };
  let r: PcmDemoResult;
  try {
    r = await runPcmDemo({
      trace: tracePath !== null || hooks !== null,
      progress: progressLine(),
      platform: hooks?.platform,
      onKernel: (k) => {
        hooks?.onKernel(k);
        if (tracePath !== null) observeSyscalls(k.core, (chrome = new ChromeTrace(k.core)));
      },
      // The run is over: the trace as it left things, before the kernel is shut down.
      onEnd: writeTrace,
      duration: o.duration,
      realtime: o.realtime,
      outDir: o.outDir,
      timeoutMs: o.timeoutMs,
      images: Object.fromEntries((o.images ?? []).map((i) => [i.role, i.bytes])),
      log: (line) => process.stderr.write(line + "\n"),
      onLine: (line) => {
        hooks?.stdout(new TextEncoder().encode(line + "\n"));
        if (line.startsWith("~mark")) return;
        const vu = /^vu (\d+) peak (\S+) rms (\S+) \|(.*)\|$/.exec(line);
        if (vu) {
          const n = Number(vu[1]);
          const text = `VU left  ${((n + 1) * 0.02).toFixed(2).padStart(6)} s  peak ${vu[2].padStart(6)} dBFS  rms ${vu[3].padStart(6)} dBFS  |${vu[4]}|`;
          if (tty) {
            out.write(`\r\x1b[K${text}`);
            live = true;
          } else if (n % 10 === 9) out.write(text + "\n");
          return;
        }
        if (live) out.write("\n");
        live = false;
        out.write(line + "\n");
      },
    });
  } catch (e) {
    // (RootBlockedError, init blocked forever, goes to the caller: a recording or a replay says how the run ended.)
    if (e instanceof ModuleRefusedError) {
      const image = o.images?.find((i) => `pcm-${i.role}` === e.imageName);
      throw new CliError(`refused to run ${image?.path ?? e.imageName}\n${e.describe()}`, EXIT.REFUSED);
    }
    throw e;
  } finally {
    if (live) out.write("\n");
  }
  return r;
}

/**
 * `wasmos replay` of a `wasmos demo pcm --record` recording: the demo again,
 * with the recording's options and every outside input from it, its WAV and
 * PNG written to a scratch directory and compared with the recorded ones.
 * Returns the replayer's divergence (trace, output, or a file that differs),
 * or null, and the run's exit code.
 */
export async function replayPcmDemo(
  rec: Recording,
): Promise<{ divergence: Divergence | null; code: number; rep: Replayer; blocked: string | null }> {
  const images = recordedRoleImages(rec);
  const rep = new Replayer(rec);
  const hooks = replayHooks(rep, false);
  const outDir = mkdtempSync(join(tmpdir(), "wasmos-replay-demo-"));
  try {
    let r: PcmDemoResult | null = null;
    // init blocked forever: how this replay ended (a divergence unless the recorded run ended so too).
    let blocked: string | null = null;
    try {
      r = await showPcmDemo({
        duration: Number(rec.run.options?.duration ?? 3),
        realtime: rec.run.realtime,
        outDir,
        tracePath: null,
        hooks,
        images,
      });
    } catch (e) {
      if (!(e instanceof RootBlockedError)) throw e;
      blocked = e.message;
    } finally {
      hooks.done();
    }
    const code = r === null ? EXIT.DEADLOCK : r.init.reason === 0 ? r.init.status & 0xff : EXIT.ABNORMAL_BASE + r.init.reason;
    let divergence = rep.finish(blocked ?? undefined);
    for (const f of divergence === null && r !== null ? (rec.files ?? []) : []) {
      let bytes: Uint8Array | null = null;
      try {
        bytes = readFileSync(join(outDir, f.name));
      } catch {
        bytes = null;
      }
      const got = bytes === null ? "(not written)" : `${bytes.length} bytes, SHA-256 ${sha256(bytes)}`;
      const want = `${f.bytes} bytes, SHA-256 ${f.sha256}`;
      if (got !== want) {
        divergence = {
          event: rep.progress.trace,
          what: "end",
          recorded: want,
          replayed: got,
          message: `the replay wrote ${f.name} differently`,
        };
        break;
      }
    }
    return { divergence, code, rep, blocked };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
