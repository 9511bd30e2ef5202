// The PCM audio pipeline demo (`npm start`, `wasmos demo pcm`): boots the
// kernel with an audio device (a WAV file plus statistics), a framebuffer
// (PNG snapshot) and a console, runs guests/pcm/init.ts as the root process,
// and reports what happened. See README "The demo" and docs/hal.md.

import type { Platform } from "../../kernel/platform.ts";
import { ExitReason } from "../../abi/gen/abi.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AudioOutDevice } from "../../hal/audio/audio-out.ts";
import { NullSink } from "../../hal/audio/sink.ts";
import { WAV_HEADER_BYTES } from "../../hal/audio/wav.ts";
import { ConsoleDevice } from "../../hal/console.ts";
import { PngFileSnapshot, WavFileSink } from "../../hal/node/index.ts";
import { DEVICE_GRANT_RIGHTS, IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { ImageLoader } from "../../loader/loader.ts";
import type { ExitInfo, Process } from "../../kernel/objects/process.ts";
import type { KernelObject } from "../../kernel/object.ts";
import { buildPcmGuests, type PcmRole } from "./build.ts";
import { RootBlockedError } from "../run-guest.ts";
import { FRAMES, PERIOD_BYTES } from "./signal.ts";

export const PERIOD_MS = 20;
export const FB_WIDTH = 480;
export const FB_HEIGHT = 200;
/** The most WAV data the deterministic demo gathers before a write: 16 MiB, 87 s of audio. */
export const WAV_GATHER_BYTES = 16 << 20;

export interface PcmDemoOptions {
  /** Seconds of audio (rounded to whole 20 ms periods; default 3). */
  duration?: number;
  /** Wall-clock time instead of the deterministic virtual clock. */
  realtime?: boolean;
  /** Where pcm.wav and waveform.png go (default "out"). */
  outDir?: string;
  /** Each line the system prints (console device and process output), as it is printed. */
  onLine?: (line: string) => void;
  /** The round-trip probe after the audio: batches of empty exchanges (default 21 x 200; 0 disables). */
  pingBatches?: number;
  pingsPerBatch?: number;
  /** Kernel log lines (why a process died, ...). */
  log?: (line: string) => void;
  /** Record the kernel event trace (PcmDemoResult.trace). */
  trace?: boolean;
  /** Long steps (compiling the guests on a first run) announce themselves here. */
  progress?: (line: string) => void;
  /** Called with the kernel before anything runs (to observe its syscalls). */
  onKernel?: (kernel: Kernel) => void;
  /** Called once the run is over (init ended, or blocked forever), before the kernel is shut down: write a trace here. */
  onEnd?: (kernel: Kernel) => void;
  /** The kernel's fast paths (Kernel fastPath; default on): off only to compare a run with them (tests). */
  fastPath?: boolean;
  /** Real-time services (host/record/ passes a recorder or a replayer). */
  platform?: Platform;
  /** Images to run instead of the built ones, by role (A/B measurements of a guest's variants). */
  images?: Partial<Record<PcmRole, Uint8Array>>;
  /** The framebuffer's size (default FB_WIDTH x FB_HEIGHT): tests draw other geometries. */
  framebuffer?: { width: number; height: number };
  /** Each presented frame, as it is presented (n from 1; the pixels are live: copy what you keep). */
  onFrame?: (pixels: Uint8Array, n: number) => void;
  /**
   * A wall-clock limit, ms (`wasmos demo pcm --timeout`, as `wasmos run --timeout`): when it passes, init and then
   * every other process of the run are ended (KILLED, status -1, "wall-clock timeout of N ms") and the run ends as
   * one whose init was killed (PcmDemoResult.init). The WAV and PNG hold what was played and drawn until then.
   */
  timeoutMs?: number;
}

export interface VuReading {
  period: number;
  peak: number;
  rms: number;
}

export interface PcmDemoResult {
  periods: number;
  /** Everything printed, in order (deterministic mode: identical run to run). */
  stdout: string;
  wavPath: string;
  pngPath: string;
  init: ExitInfo;
  /** init's pid. */
  initPid: number;
  audio: AudioOutDevice["stats"];
  /**
   * Statistics of what the audio device played: the WAV's samples, a period per write (silence, after an
   * underrun, counts as zero samples in `frames`), computed after the run.
   */
  levels: NullSink;
  /** Bytes the kernel copied between processes: IPC bodies and window bulk reads/writes. */
  copied: { ipcBytes: number; windowBytes: number };
  /** What the kernel itself counted: messages accepted, replies, pulses (interrupts included). */
  ipc: { messages: number; replies: number; pulses: number };
  /** Buffer-ready messages the producer sent (3 a period), and init's after the revoke. */
  messages: { bufferReady: number; afterRevoke: number; pings: number; interrupts: number };
  /** Median send->reply per consumer on the kernel's clock (ns; virtual time in deterministic mode). */
  rttNs: { driver: number; vu: number; vis: number; ping: number };
  /** Wall-clock ns per empty round trip (median over the probe's batches), or null without a probe. */
  pingWallNs: number | null;
  /** The VU meter's readings, from its lines (parsed when first read). */
  vu: VuReading[];
  /** The lines each side printed about the revoke. */
  revoke: { driver: string; vu: string; visualizer: string; init: string[] };
  /** Wall time of the run (not the build), ms: boot of init to the end of every process. */
  wallMs: number;
  /**
   * The steady state alone: wall and CPU (this Node process, every thread) ms from
   * the producer's first period to its last reply, without start-up (spawning the
   * pipeline) or the end (drain, revoke) or the PNG encode (after the run);
   * startMs: its start on performance.now()'s clock (to place other events in it); pageFaults: the minor page
   * faults this Node process took in it (bin/steady-heap.js says why they matter).
   */
  steady: { wallMs: number; cpuMs: number; startMs: number; pageFaults: number } | null;
  /** Guests compiled for this run (the rest came from the build cache). */
  built: PcmRole[];
  jitterMaxNs: number;
  /** The kernel's text event trace (when options.trace). */
  trace: string;
}

const NL = 0x0a;
const MARK = new TextEncoder().encode("~mark ");
const MARK_AUDIO = new TextEncoder().encode("~mark-audio ");

/**
 * Everything the system prints, kept as bytes (decoded once, after the run),
 * with a callback at each line's end. It was a string a line (a decoded chunk
 * and a slice of it, about 1,500 of them a 30 s run, in an array), all kept
 * to the end of the run: a run outlives the young generation's collections,
 * so each line was promoted to the old generation as garbage-to-be, and what
 * a run adds to the old generation (and to external memory, which V8 counts
 * with it) is what starts V8's full collections (docs/fastpath.md "What a
 * run leaves behind"). Here a line is a string only
 * for `onLine` (dropped at once), and what stays to the end is one buffer.
 */
class OutputLog {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;
  /** Where the line being gathered starts. */
  private lineStart = 0;
  private readonly onEnd: (start: number, end: number) => void;
  /** Decodes one line for a caller's onLine (a BOM is stripped at the start of the output only, as the stream did). */
  private readonly first = new TextDecoder();
  private readonly rest = new TextDecoder("utf-8", { ignoreBOM: true });
  constructor(onEnd: (start: number, end: number) => void) {
    this.onEnd = onEnd;
  }
  push(chunk: Uint8Array): void {
    const need = this.length + chunk.length;
    if (need > this.bytes.length) {
      let n = this.bytes.length * 2;
      while (n < need) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    const from = this.length;
    this.bytes.set(chunk, from);
    this.length = need;
    let nl = chunk.indexOf(NL);
    while (nl >= 0) {
      const end = from + nl;
      this.onEnd(this.lineStart, end);
      this.lineStart = end + 1;
      nl = chunk.indexOf(NL, nl + 1);
    }
  }
  /** Ends an unterminated last line (as its newline would). */
  flush(): void {
    if (this.lineStart < this.length) {
      const start = this.lineStart;
      this.lineStart = this.length;
      this.onEnd(start, this.length);
    }
  }
  /** Whether the bytes start..end begin with `prefix`. */
  startsWith(start: number, end: number, prefix: Uint8Array): boolean {
    if (end - start < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (this.bytes[start + i] !== prefix[i]) return false;
    return true;
  }
  line(start: number, end: number): string {
    return (start === 0 ? this.first : this.rest).decode(this.bytes.subarray(start, end));
  }
  /** Everything printed, decoded as one stream. */
  text(): string {
    return new TextDecoder().decode(this.bytes.subarray(0, this.length));
  }
  /** The lines of `text` (the last one unterminated if the output did not end with one). */
  static lines(text: string): string[] {
    if (text.length === 0) return [];
    return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
  }
}

/**
 * The level statistics of the WAV the demo wrote: its data, FRAMES frames per write. From the gathered data
 * when the whole run stayed in memory (the deterministic demo), else from the file as written.
 */
function levelsOf(wav: WavFileSink): NullSink {
  const levels = new NullSink();
  // (A 5.76 MB file for 30 s, read back: not copied again; the data starts 4-byte aligned, as NullSink's fast path wants.)
  const data = wav.gathered() ?? readFileSync(wav.path).subarray(WAV_HEADER_BYTES);
  levels.writeEach(data, PERIOD_BYTES);
  levels.close();
  return levels;
}

/** The VU meter's readings: its "vu <period> peak <dBFS> rms <dBFS> ..." lines. */
function vuReadings(lines: readonly string[]): VuReading[] {
  const vu: VuReading[] = [];
  const reading = /^vu (\d+) peak (\S+) rms (\S+) /;
  for (const l of lines) {
    const m = l.startsWith("vu ") ? reading.exec(l) : null;
    if (m) vu.push({ period: Number(m[1]), peak: Number(m[2].replace("inf", "Infinity")), rms: Number(m[3].replace("inf", "Infinity")) });
  }
  return vu;
}

/**
 * The deterministic demo's WAV gather buffer, kept for the process's next run: a 30 s run's is 5.76 MB, whose
 * pages were mapped before each run (prefault) and which, as external memory a run holds to its end, only a
 * full collection gave back (V8 counts external memory allocated since its last full collection against the
 * old generation's room: two or three runs' buffers started one). One buffer is kept (the largest given back);
 * a run that finds none (the first, or one running beside another) makes one.
 */
let spareGather: Uint8Array | null = null;
function takeGatherBuffer(bytes: number): Uint8Array {
  const spare = spareGather;
  if (spare !== null && spare.length >= bytes) {
    spareGather = null;
    return spare.subarray(0, bytes);
  }
  return new Uint8Array(bytes).fill(0); // a write to each page maps it (WavFileOptions.prefault)
}
function giveGatherBuffer(view: Uint8Array): void {
  const whole = new Uint8Array(view.buffer);
  if (spareGather === null || spareGather.length < whole.length) spareGather = whole;
}

/**
 * The loader every deterministic run of the demo in this process shares (KernelConfig.loader: "share compiled
 * images between kernels"): a run's images were verified, prepared and compiled again for each kernel (about
 * 0.8 MB allocated a run, new module objects the engine keeps until a full collection); now once a process.
 * The same options as a kernel's own loader in the deterministic demo (fuel variant, the default policy,
 * $WASMOS_CACHE_DIR's disk cache when set). The real-time demo keeps a loader a kernel (its variant follows the
 * host's epoch ticker).
 */
let sharedLoader: ImageLoader | null = null;
function deterministicLoader(): ImageLoader {
  return (sharedLoader ??= new ImageLoader(undefined, { instrument: true, preemption: "fuel" }));
}

export async function runPcmDemo(options: PcmDemoOptions = {}): Promise<PcmDemoResult> {
  const duration = options.duration ?? 3;
  const periods = Math.max(1, Math.round((duration * 1000) / PERIOD_MS));
  const outDir = options.outDir ?? "out";
  const wavPath = join(outDir, "pcm.wav");
  const pngPath = join(outDir, "waveform.png");
  const batches = options.pingBatches ?? 21;
  const perBatch = batches > 0 ? (options.pingsPerBatch ?? 200) : 0;
  const build = await buildPcmGuests(undefined, options.progress);
  const images = { ...build.images, ...options.images };
  const built = build.built;

  const marks: number[] = [];
  // The producer's "~mark-audio start|end" lines bound the steady state (PcmDemoResult.steady).
  const audioMarks: { wall: number; cpu: number; faults: number }[] = [];
  const onLine = options.onLine;
  const lines: OutputLog = new OutputLog((start, end) => {
    if (lines.startsWith(start, end, MARK)) marks.push(performance.now());
    else if (lines.startsWith(start, end, MARK_AUDIO)) {
      const c = process.cpuUsage();
      audioMarks.push({ wall: performance.now(), cpu: (c.user + c.system) / 1000, faults: process.resourceUsage().minorPageFault });
    }
    if (onLine !== undefined) onLine(lines.line(start, end));
  });
  const kernel = new Kernel({
    deterministic: !options.realtime,
    ...(options.realtime ? {} : { loader: deterministicLoader() }),
    platform: options.platform,
    stdout: (b) => lines.push(b),
    log: options.log,
    trace: options.trace ?? false,
    ...(options.fastPath === undefined ? {} : { fastPath: options.fastPath }),
  });
  options.onKernel?.(kernel);
  // The WAV is gathered in memory and written when the device closes with the run (or each WAV_GATHER_BYTES
  // of a longer run; a second at a time in real time, where the host has 20 ms a period to spare): its file
  // writes are a fixed cost, and in the steady state each write of a second of audio (192 KB) took 50 µs to
  // over 1 ms here, 2 to 40 periods of the pipeline, with the machine's other I/O. The buffer's pages are
  // mapped before the run (prefault), not one a period as it fills: a page fault a period cost more than the
  // writes saved. The level statistics (PcmDemoResult.levels) are computed from the WAV after the run: per
  // period they cost more than the WAV itself (a pass over every sample), and nothing in the pipeline needs
  // them while it plays.
  const periodBytes = FRAMES * 4;
  const gather = options.realtime ? null : takeGatherBuffer(Math.min(periods * periodBytes, WAV_GATHER_BYTES));
  const wav = new WavFileSink(wavPath, gather === null ? { bufferBytes: (1000 / PERIOD_MS) * periodBytes } : { buffer: gather });
  const audioModel = new AudioOutDevice({ sink: wav });
  const audio = kernel.createDevice(audioModel);
  // A live view, not a 384 KB copy per frame: the PNG is written after every process has ended, when the
  // pixels are the visualizer's last presented frame (it is ended by the revoke before it draws again). Only
  // then: not when the device closes (with init's last handle, inside the timed run), since its encode
  // (deflate at level 9) takes longer than a thousand periods of the pipeline.
  const png = new PngFileSnapshot(pngPath, { live: true, writeOnClose: false });
  const onFrame = options.onFrame;
  const fb = kernel.createFramebuffer({
    width: options.framebuffer?.width ?? FB_WIDTH,
    height: options.framebuffer?.height ?? FB_HEIGHT,
    listeners: onFrame === undefined ? [png] : [png, { present: (frame, n) => onFrame(frame.pixels, n) }],
  });
  const con = kernel.createDevice(new ConsoleDevice({ write: (b) => lines.push(b) }));
  const handles: { name: string; object: KernelObject; rights: number }[] = [
    { name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS },
    { name: "fb", object: fb, rights: DEVICE_GRANT_RIGHTS },
    { name: "console", object: con, rights: DEVICE_GRANT_RIGHTS },
  ];
  for (const role of ["producer", "driver", "vu", "visualizer"] as const) {
    const img = kernel.loadImage(images[role], `pcm-${role}`);
    handles.push({ name: role, object: img, rights: IMAGE_GRANT_RIGHTS });
  }
  const initImage = kernel.loadImage(images.init, "pcm-init");

  const t0 = performance.now();
  const init = kernel.spawn(initImage, { args: ["pcm-init", String(periods), String(batches), String(perBatch)], handles });
  kernel.release(initImage);
  for (const h of handles) kernel.release(h.object);
  // In a function of its own: a closure made here would put `kernel` in this function's context, which the
  // closures handed to the kernel share, and keep every run's kernel reachable (test/pcm/release.test.ts).
  const timer = options.timeoutMs === undefined ? undefined : killAfter(kernel, init.process, options.timeoutMs);
  try {
    // Until init has ended and the rest is quiet, or the system is quiet with init still blocked: then nothing can wake it.
    await Promise.race([init.exited, kernel.run()]);
    await kernel.run();
  } finally {
    // However this ends: a timer left armed would hold the kernel and the event loop until it fired.
    if (timer !== undefined) clearTimeout(timer);
  }
  const wallMs = performance.now() - t0;
  const exit = init.process.exit;
  // The run is over: the trace as it left things (onEnd, PcmDemoResult.trace), then the kernel is shut down,
  // so nothing stays suspended (a process init left blocked would keep the whole kernel).
  const blocked = kernel.core.blockedProcesses().map((p) => ({ pid: p.pid, name: p.image.name, blockedIn: p.blockedIn }));
  const rootBlockedIn = init.process.blockedIn;
  options.onEnd?.(kernel);
  const trace = kernel.traceText();
  init.close();
  kernel.shutdown();
  if (exit === null) throw new RootBlockedError(init.pid, rootBlockedIn, kernel, trace, blocked);
  lines.flush();
  const copied = { ...kernel.core.copied };
  const ipc = { ...kernel.core.ipc };
  const stats = structuredClone(audioModel.stats);
  png.write(); // the last frame, now
  wav.close(); // (the device has ended with the processes: nothing more comes)
  const levels = levelsOf(wav);
  if (gather !== null) giveGatherBuffer(gather);

  const text = lines.text();
  const all = OutputLog.lines(text);
  // Every line and a newline after each: the text itself when it ended with one (no line was unterminated).
  const stdout = text === "" || text.endsWith("\n") ? text : text + "\n";
  // The VU readings, parsed when asked for (a match and three strings a period, 1,500 of them a 30 s run, that
  // a caller timing the pipeline never reads).
  let vu: VuReading[] | null = null;
  const prod = all.find((l) => l.startsWith("producer: periods="));
  const num = (re: RegExp) => Number(prod?.match(re)?.[1] ?? NaN);
  const intervals = marks
    .slice(1)
    .map((t, i) => t - marks[i])
    .sort((a, b) => a - b);
  const pingWallNs = perBatch > 0 && intervals.length > 0 ? (intervals[intervals.length >> 1] * 1e6) / perBatch : null;
  const find = (prefix: string) => all.find((l) => l.startsWith(prefix) && /revoke|EREVOKED|ESTALE/.test(l)) ?? "";
  return {
    periods,
    stdout,
    wavPath,
    pngPath,
    init: exit,
    initPid: init.pid,
    audio: stats,
    levels,
    copied,
    ipc,
    messages: {
      bufferReady: num(/messages=(\d+)/),
      afterRevoke: 3,
      pings: batches * perBatch,
      interrupts: stats.taken + stats.drains + stats.underruns,
    },
    rttNs: { driver: num(/driver=(\d+)/), vu: num(/ vu=(\d+)/), vis: num(/vis=(\d+)/), ping: num(/ping=(\d+)/) },
    pingWallNs,
    get vu(): VuReading[] {
      return (vu ??= vuReadings(all));
    },
    revoke: {
      driver: find("driver:"),
      vu: find("vu:"),
      visualizer: all.find((l) => l.startsWith("init:   visualizer")) ?? "",
      init: all.filter((l) => (l.startsWith("init:") && /revoke/.test(l)) || l.startsWith("init:   ")),
    },
    wallMs,
    steady:
      audioMarks.length === 2
        ? {
            wallMs: audioMarks[1].wall - audioMarks[0].wall,
            cpuMs: audioMarks[1].cpu - audioMarks[0].cpu,
            startMs: audioMarks[0].wall,
            pageFaults: audioMarks[1].faults - audioMarks[0].faults,
          }
        : null,
    built,
    jitterMaxNs: stats.jitter.maxNs,
    trace,
  };
}

/** `--timeout`: after `ms` of wall time, end init (its end is the run's), then every process it started. */
function killAfter(kernel: Kernel, init: Process, ms: number): ReturnType<typeof setTimeout> {
  return setTimeout(() => {
    const why = `wall-clock timeout of ${ms} ms`;
    kernel.core.terminate(init, -1, ExitReason.KILLED, why);
    for (const p of [...kernel.core.processes.values()]) kernel.core.terminate(p, -1, ExitReason.KILLED, why);
    // A kill from outside the kernel's own work: the kernel looks again only when asked (as run-guest.ts).
    void kernel.run();
  }, ms);
}
