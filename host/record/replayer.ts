// The replaying side: a Platform, a host clock and a standard input that
// give the kernel exactly what the recording says, each outside event at the
// same point of the run (after the same number of clock readings), and a
// checker that compares the trace and the output as they are produced and
// stops at the first divergence, saying where.

import { EventEmitter } from "node:events";
import { ExitReason } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../../kernel/core.ts";
import type { Platform } from "../../kernel/platform.ts";
import type { HostDirBackend } from "../../hal/hostdir/hostdir.ts";
import { describeHostCall, type HostCallSource, replayHostDir } from "./hostdir.ts";
import type { InputStream } from "./recorder.ts";
import { type RecordedHostCall, type Recording, unb64 } from "./recording.ts";

/** Where a replay first differed from its recording. */
export interface Divergence {
  /** Index of the trace event (0-based) at which it differed, or the number of events that matched before an output differed. */
  readonly event: number;
  readonly what: "trace" | "stdout" | "timer" | "clock" | "entropy" | "hostdir" | "end";
  readonly recorded: string;
  readonly replayed: string;
  /** A sentence for people. */
  readonly message: string;
}

export class Replayer implements HostCallSource {
  private readonly rec: Recording;
  private reads = 0;
  private next = 0; // next event to deliver
  private queued = false;
  private readonly timers = new Map<number, () => void>();
  private timerIds = 0;
  private readonly stdin = new ReplayInput();
  private readonly expectedOut: Uint8Array;
  private outAt = 0;
  private traceAt = 0;
  private hostAt = 0;
  private core: KernelCore | null = null;
  divergence: Divergence | null = null;

  constructor(rec: Recording) {
    this.rec = rec;
    this.expectedOut = unb64(rec.stdout);
    this.pump();
  }

  private read(): number {
    const clock = this.rec.clock;
    const v = this.reads < clock.length ? clock[this.reads] : (clock[clock.length - 1] ?? 0);
    if (this.reads === clock.length && this.divergence === null) {
      this.diverge(
        "clock",
        "the recorded run read the clock no more",
        `a clock reading #${this.reads + 1}`,
        "the replay reads the clock more often than the run did",
      );
    }
    this.reads++;
    this.pump();
    return v;
  }

  /** Queue the next outside event once the run has made as many clock readings as when it happened. */
  private pump(): void {
    if (this.queued || this.divergence !== null) return;
    const e = this.rec.events[this.next];
    if (e === undefined || e.at > this.reads) return;
    this.queued = true;
    // Outside events reach the kernel from the event loop, never inside its own work: so here too, and
    // by the same route as in the run: a timer from the timers' turn of the loop, stream data as soon
    // as the running code has returned (Node hands a flowing stream's data on with process.nextTick).
    const later = e.kind === "timer" ? setImmediate : process.nextTick;
    later(() => {
      this.queued = false;
      if (this.divergence !== null) return;
      this.next++;
      if (e.kind === "timer") {
        const fn = this.timers.get(e.id);
        if (fn === undefined) {
          this.diverge(
            "timer",
            `timer ${e.id} fired`,
            "no such timer armed",
            `the run's timer ${e.id} fired here, but the replay has not armed it`,
          );
          return;
        }
        this.timers.delete(e.id);
        fn();
      } else if (e.kind === "input") this.stdin.push(Buffer.from(unb64(e.data)));
      else this.stdin.push(null);
      this.pump();
    });
  }

  platform(): Platform {
    return {
      now: () => this.read(),
      // The run's entropy, call by call: a replay that asks for more, or for another length, has diverged.
      fillRandom: (out) => {
        const recorded = this.rec.entropy?.[this.entropyAt++];
        const bytes = recorded === undefined ? null : unb64(recorded);
        if (bytes === null || bytes.length !== out.length) {
          this.diverge(
            "entropy",
            bytes === null ? "no more entropy taken" : `${bytes.length} bytes`,
            `${out.length} bytes`,
            `random_get #${this.entropyAt} asked the host for entropy the run did not take here`,
          );
          out.fill(0);
          return;
        }
        out.set(bytes);
      },
      setTimer: (_ms, fn) => {
        const id = this.timerIds++;
        this.timers.set(id, fn);
        this.pump();
        return () => this.timers.delete(id);
      },
    };
  }

  /** Host directory `dev` as the run saw it: answered from the recording, the host never touched. */
  hostDir(dev: number): HostDirBackend {
    return replayHostDir(dev, this);
  }

  nextHostCall(dev: number, op: string, args: string): RecordedHostCall | null {
    if (this.divergence !== null) return null;
    const c = this.rec.hostdir?.[this.hostAt];
    const asked = describeHostCall({ dev, op, args });
    if (c === undefined || c.dev !== dev || c.op !== op || c.args !== args) {
      this.diverge(
        "hostdir",
        c === undefined ? "no more host-directory calls" : describeHostCall(c),
        asked,
        `host-directory call #${this.hostAt + 1} is not the one the run made here`,
      );
      return null;
    }
    this.hostAt++;
    return c;
  }

  hostClock(): () => number {
    return () => this.read();
  }

  input(): InputStream {
    return this.stdin as unknown as InputStream;
  }

  /** Check output as it is written. */
  stdout(bytes: Uint8Array): void {
    if (this.divergence !== null) return;
    for (let i = 0; i < bytes.length; i++) {
      const want = this.expectedOut[this.outAt + i];
      if (want !== bytes[i]) {
        const ctx = (b: Uint8Array, at: number) => JSON.stringify(new TextDecoder().decode(b.subarray(Math.max(0, at - 8), at + 24)));
        this.diverge(
          "stdout",
          want === undefined ? "(end of output)" : ctx(this.expectedOut, this.outAt + i),
          ctx(bytes, i),
          `standard output differs at byte ${this.outAt + i}, after trace event ${this.traceAt}`,
        );
        return;
      }
    }
    this.outAt += bytes.length;
  }

  /** Check the kernel's trace lines as they are made (the kernel must have been made with trace on). */
  observe(core: KernelCore): void {
    this.core = core;
    const trace = core.trace;
    for (const line of trace.text().split("\n")) if (line !== "") this.check(line); // what it traced before we looked (spawns)
    const record = trace.record.bind(trace);
    trace.record = (t, pid, event, detail = "") => {
      record(t, pid, event, detail);
      this.check(detail ? `${t} ${pid} ${event} ${detail}` : `${t} ${pid} ${event}`);
    };
  }

  private check(line: string): void {
    if (this.divergence !== null) return;
    const want = this.rec.trace[this.traceAt];
    if (line !== want) {
      this.diverge("trace", want ?? "(end of trace)", line, `trace event ${this.traceAt} differs`);
      return;
    }
    this.traceAt++;
  }

  /**
   * After the run: everything recorded was reproduced (else the divergence says what was missing).
   * `endedAs`: how the replay's run ended when that is news beside its trace (its root blocked forever).
   */
  finish(endedAs?: string): Divergence | null {
    if (this.divergence !== null) return this.divergence;
    if (this.traceAt < this.rec.trace.length) {
      this.diverge(
        "end",
        this.rec.trace[this.traceAt],
        endedAs === undefined ? "(end of trace)" : `(end of trace: ${endedAs})`,
        `the replay ended after ${this.traceAt} of ${this.rec.trace.length} trace events`,
      );
    } else if (this.hostAt < (this.rec.hostdir?.length ?? 0)) {
      this.diverge(
        "end",
        describeHostCall(this.rec.hostdir![this.hostAt]),
        "(no more host-directory calls)",
        `the replay made ${this.hostAt} of the run's ${this.rec.hostdir!.length} host-directory calls`,
      );
    } else if (this.outAt < this.expectedOut.length) {
      this.diverge(
        "end",
        `${this.expectedOut.length} bytes`,
        `${this.outAt} bytes`,
        `the replay wrote ${this.outAt} of the ${this.expectedOut.length} bytes of standard output`,
      );
    }
    return this.divergence;
  }

  /** Stop at the first divergence: no more outside events, and every process ends (the run then winds down). */
  private entropyAt = 0;

  private diverge(what: Divergence["what"], recorded: string, replayed: string, message: string): void {
    if (this.divergence !== null) return;
    this.divergence = { event: this.traceAt, what, recorded, replayed, message };
    const core = this.core;
    if (core !== null) {
      setImmediate(() => {
        for (const p of [...core.processes.values()]) core.terminate(p, -1, ExitReason.KILLED, "replay diverged");
        // Killed from outside the kernel's own work: it looks again only when asked, and a host awaiting its
        // quiescence (the run's end) would otherwise wait for a timer the recording never fires.
        void core.whenQuiescent();
      });
    }
    this.stdin.push(null);
  }

  /**
   * The host's event loop ran dry while the run was still going (Node's "beforeExit"): the replay waits for an
   * outside event that can never come, since each one it gets is the recording's, delivered once the run has
   * read the clock as often as the recorded run had (a recording cut short, or a run that went idle earlier
   * than the recorded one). A divergence, which ends every process so the run winds down, never a hang.
   */
  stalled(): void {
    if (this.divergence !== null) return;
    const e = this.rec.events[this.next];
    const armed = this.timers.size === 0 ? "" : `, ${this.timers.size} timer${this.timers.size === 1 ? "" : "s"} armed`;
    this.diverge(
      "end",
      e === undefined ? "(no more outside events)" : `${e.kind === "timer" ? `timer ${e.id} fired` : e.kind} at clock reading ${e.at}`,
      `idle after ${this.reads} clock readings${armed}`,
      e === undefined
        ? `the replay waits for an outside event the run never had (all ${this.next} were delivered)`
        : `the replay went idle before the run's outside event #${this.next + 1}`,
    );
  }

  /** Counts, for reports. */
  get progress(): { events: number; trace: number; clock: number } {
    return { events: this.next, trace: this.traceAt, clock: this.reads };
  }
}

/**
 * Standard input for a replay: what the recording says arrived, handed on
 * like a paused stream (kept until the console listens, as the real stream
 * kept it), so no byte is lost to a listener that is not there yet.
 */
class ReplayInput extends EventEmitter {
  private readonly kept: (Buffer | null)[] = [];
  private ended = false;

  constructor() {
    super();
    this.on("newListener", (event: string) => {
      if (event === "data" || event === "end") setImmediate(() => this.flush());
    });
  }

  /** A chunk, or null for the end. */
  push(chunk: Buffer | null): void {
    if (this.ended) return;
    if (chunk === null) this.ended = true;
    this.kept.push(chunk);
    this.flush();
  }

  private flush(): void {
    if (this.listenerCount("data") === 0) return;
    while (this.kept.length > 0) {
      const c = this.kept.shift()!;
      if (c === null) this.emit("end");
      else this.emit("data", c);
    }
  }

  pause(): void {}
}
