// The recording side: a Platform, a host clock and a standard input that
// pass the real ones through and write down what they gave the kernel, plus
// the trace and output they produced (recording.ts says what and why).

import { EventEmitter } from "node:events";
import type { Readable } from "node:stream";
import type { KernelCore } from "../../kernel/core.ts";
import type { Platform } from "../../kernel/platform.ts";
import type { HostDirBackend } from "../../hal/hostdir/hostdir.ts";
import { recordingHostDir } from "./hostdir.ts";
import {
  b64,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type RecordedEvent,
  type RecordedHostCall,
  type RecordedRun,
  type Recording,
} from "./recording.ts";

/** What the console backend reads standard input from (cli/system.ts InputSource, stream form). */
export type InputStream = Readable;

export class Recorder {
  readonly clock: number[] = [];
  readonly events: RecordedEvent[] = [];
  readonly trace: string[] = [];
  readonly entropy: string[] = [];
  readonly hostCalls: RecordedHostCall[] = [];
  private readonly out: Uint8Array[] = [];
  private timers = 0;
  private readonly run: RecordedRun;

  constructor(run: RecordedRun) {
    this.run = run;
  }

  /** A clock reading from `read`, written down. */
  private read(read: () => number): number {
    const v = read();
    this.clock.push(v);
    return v;
  }

  /** The kernel's Platform: the real one, recorded. */
  platform(real: Platform = { now: () => performance.now(), setTimer: defaultTimer, fillRandom: defaultEntropy }): Platform {
    return {
      now: () => this.read(() => real.now()),
      fillRandom: (out) => {
        real.fillRandom(out);
        this.entropy.push(b64(out));
      },
      setTimer: (ms, fn) => {
        const id = this.timers++;
        return real.setTimer(ms, () => {
          this.events.push({ at: this.clock.length, kind: "timer", id });
          fn();
        });
      },
    };
  }

  /** The host's yield clock (setHostClock), recorded. */
  hostClock(): () => number {
    return () => this.read(() => performance.now());
  }

  /** Standard input as the console backend sees it, recorded. */
  /** A standard input read whole before the run (a WASI program's, piped): recorded as one chunk and its end. */
  wholeInput(bytes: Uint8Array): void {
    if (bytes.length > 0) this.events.push({ at: this.clock.length, kind: "input", data: b64(bytes) });
    this.events.push({ at: this.clock.length, kind: "input-end" });
  }

  input(source: Readable): InputStream {
    const relay = new EventEmitter() as EventEmitter & { pause(): void; resume(): void; destroy(): void };
    relay.pause = () => source.pause();
    relay.resume = () => source.resume();
    relay.destroy = () => source.destroy();
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk);
      this.events.push({ at: this.clock.length, kind: "input", data: b64(bytes) });
      relay.emit("data", Buffer.from(bytes));
    };
    const onEnd = () => {
      this.events.push({ at: this.clock.length, kind: "input-end" });
      relay.emit("end");
    };
    // Listen only once the console does (it attaches its own listeners to the relay).
    relay.on("newListener", (event: string) => {
      if (event === "data" && source.listenerCount("data") === 0) {
        source.on("data", onData);
        source.on("end", onEnd);
        source.on("error", onEnd);
      }
    });
    return relay as unknown as InputStream;
  }

  /** Directory `dev` of a run whose directories are only known as it goes (a booted system's hostdir objects): written into the run. */
  noteDir(dev: number, d: { host: string; guest: string; readOnly: boolean }): void {
    const dirs = this.run.dirs as { host: string; guest: string; readOnly: boolean }[] | undefined;
    if (dirs !== undefined && dirs.length === dev) dirs.push({ host: d.host, guest: d.guest, readOnly: d.readOnly });
  }

  /** Host directory `dev` (index into the run's dirs) through `real`, recorded call by call. */
  hostDir(dev: number, real: HostDirBackend): HostDirBackend {
    return recordingHostDir(dev, real, this.hostCalls);
  }

  /** Standard output, as it is written. */
  stdout(bytes: Uint8Array): void {
    this.out.push(bytes.slice());
  }

  /** Record the kernel's trace lines as they are made (the kernel must have been made with trace on). */
  observe(core: KernelCore): void {
    const trace = core.trace;
    this.trace.push(
      ...trace
        .text()
        .split("\n")
        .filter((l) => l !== ""),
    ); // what it traced before we looked (spawns)
    const record = trace.record.bind(trace);
    trace.record = (t, pid, event, detail = "") => {
      this.trace.push(detail ? `${t} ${pid} ${event} ${detail}` : `${t} ${pid} ${event}`);
      record(t, pid, event, detail);
    };
  }

  /** Files the run wrote, to be written again by a replay and compared (Recording.files). */
  private readonly files: { name: string; sha256: string; bytes: number }[] = [];
  wrote(name: string, sha256: string, bytes: number): void {
    this.files.push({ name, sha256, bytes });
  }

  /** The recording of the run so far; `blocked`: the root never ended, blocked forever as this says (exit is then null). */
  finish(exit: Recording["exit"], blocked?: string): Recording {
    const total = this.out.reduce((n, b) => n + b.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const b of this.out) {
      all.set(b, at);
      at += b.length;
    }
    return {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      run: this.run,
      clock: this.clock,
      events: this.events,
      entropy: this.entropy,
      ...(this.hostCalls.length > 0 ? { hostdir: this.hostCalls } : {}),
      trace: this.trace,
      stdout: b64(all),
      ...(this.files.length > 0 ? { files: this.files } : {}),
      exit,
      ...(blocked !== undefined ? { blocked } : {}),
    };
  }
}

/** The host's entropy as the kernel facade takes it (Web Crypto caps one call at 65536 bytes). */
function defaultEntropy(out: Uint8Array): void {
  for (let i = 0; i < out.length; i += 65536)
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)) as Uint8Array<ArrayBuffer>);
}

function defaultTimer(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
}
