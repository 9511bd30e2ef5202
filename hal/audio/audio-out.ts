// Audio output device: AUDIO_RATE frames per second of interleaved s16le
// stereo, consumed one submitted buffer at a time at the device's own pace on
// the kernel clock (virtual in deterministic mode; in real-time mode the
// kernel's timers follow the wall clock, and how late each period boundary
// fires is recorded as jitter).
//
// Timeline of a stream. The first submission starts the device at once. When
// a buffer's turn comes (its slot starts) the device reads its bytes straight
// from the source and hands them to the sink — the only read; nothing was
// copied at submit — and raises IRQ_AUDIO_PERIOD(ticket): the buffer may be
// reused from now on, and the next one is due when this slot ends. Slot ends
// are computed from the stream's start and the frames taken, so jitter never
// accumulates into drift. At a slot end with nothing queued the device stops:
// an underrun (IRQ_AUDIO_UNDERRUN), or, after a buffer flagged end, a drain
// (IRQ_AUDIO_DRAINED). A submission after an underrun starts a new stream
// after silence as long as the gap, so the output keeps real time.

import { Constants, Limits, ObjectType } from "../../abi/gen/abi.ts";
import { BaseDevice } from "../device.ts";
import type { AudioSink } from "./sink.ts";

/** Where a buffer's bytes are (kernel/devices/contract.ts SampleSource): read once at its turn, then released. */
export interface SampleSource {
  /** The bytes now (a view, valid during the call), or null if the source is gone. */
  read(): Uint8Array | null;
  /** Done with the buffer (taken or discarded). Called once. */
  release(): void;
}

interface QueuedBuffer {
  readonly ticket: number;
  readonly frames: number;
  readonly source: SampleSource;
  readonly end: boolean;
}

export interface AudioStats {
  submitted: number;
  /** Buffers taken (played), dropped ones included. */
  taken: number;
  /** Frames played, silence included. */
  frames: number;
  silentFrames: number;
  underruns: number;
  /** Buffers whose source was gone at their turn (played as silence). */
  dropped: number;
  drains: number;
  /** Lateness of period-boundary timers (kernel ns): how many were measured, the largest, the sum. */
  jitter: { count: number; maxNs: number; totalNs: number };
}

const NS_PER_S = 1e9;
const RATE = Constants.AUDIO_RATE;
const FRAME_BYTES = Constants.AUDIO_FRAME_BYTES;

export class AudioOutDevice extends BaseDevice {
  readonly objectType = ObjectType.DEV_AUDIO;
  readonly sink: AudioSink;
  readonly stats: AudioStats = {
    submitted: 0,
    taken: 0,
    frames: 0,
    silentFrames: 0,
    underruns: 0,
    dropped: 0,
    drains: 0,
    jitter: { count: 0, maxNs: 0, totalNs: 0 },
  };
  private readonly queue: QueuedBuffer[] = [];
  private running = false;
  /** Kernel time the current stream started, and the frames of it taken so far. */
  private streamStart = 0;
  private streamFrames = 0;
  /** The buffer playing now. */
  private current: QueuedBuffer | null = null;
  /** When the device ran dry without an end flag (a gap of silence precedes the next stream). */
  private dryAt: number | null = null;
  private cancelTimer: (() => void) | null = null;
  /** The armed slot end (at most one timer is armed at a time), for onSlotEnd. */
  private dueAt = 0;
  /** The buffer take() hands the sink, and where it goes, for writeTaken. */
  private takenBytes: Uint8Array | null = null;
  private takenAt = 0;
  /**
   * The timer's callback and the guarded sink write, made once: a closure a
   * period each was part of the period's garbage (docs/fastpath.md
   * "Per-period allocation in the PCM pipeline").
   */
  private readonly onSlotEnd = (): void => this.slotEnded(this.dueAt);
  private readonly writeTaken = (): void => this.sink.write(this.takenBytes!, this.takenAt);

  constructor(options: { sink: AudioSink; name?: string }) {
    super(options.name ?? "audio");
    this.sink = options.sink;
  }

  /** Buffers submitted and not yet taken. */
  get queued(): number {
    return this.queue.length;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Queue a buffer of `frames` frames; returns its ticket. The kernel checked
   * the range and that fewer than MAX_AUDIO_QUEUED wait; a host calling this
   * directly gets a RangeError for either.
   */
  submit(frames: number, source: SampleSource, end: boolean): number {
    if (!(frames >= 1 && frames <= Limits.MAX_AUDIO_FRAMES) || this.queue.length >= Limits.MAX_AUDIO_QUEUED) {
      throw new RangeError(`audio submit of ${frames} frames with ${this.queue.length} queued`);
    }
    const ticket = this.stats.submitted++;
    this.queue.push({ ticket, frames, source, end });
    if (!this.running && this.failure === null) this.start();
    return ticket;
  }

  private start(): void {
    const now = this.ctx.now();
    if (this.dryAt !== null) {
      const gap = Math.round(((now - this.dryAt) * RATE) / NS_PER_S);
      if (gap > 0 && !this.guard("silence", () => this.sink.silence(gap, this.dryAt!))) return;
      if (gap > 0) this.played(gap, true);
      this.dryAt = null;
    }
    this.running = true;
    this.streamStart = now;
    this.streamFrames = 0;
    this.take();
  }

  /** Kernel time at which the frames taken so far in this stream end. */
  private slotEnd(): number {
    return this.streamStart + Math.round((this.streamFrames * NS_PER_S) / RATE);
  }

  /** The next buffer's turn: read it from its source into the sink, arm the end of its slot, interrupt. */
  private take(): void {
    const b = this.queue.shift()!;
    const at = this.slotEnd();
    const bytes = b.source.read();
    b.source.release();
    let ok: boolean;
    if (bytes !== null && bytes.length === b.frames * FRAME_BYTES) {
      this.takenBytes = bytes;
      this.takenAt = at;
      ok = this.guard("write", this.writeTaken);
      this.takenBytes = null; // a view of the source's memory: not kept past the call
    } else ok = this.guard("silence", () => this.sink.silence(b.frames, at));
    if (!ok) return; // failed: onFail stopped the device
    if (bytes === null) this.stats.dropped++;
    this.stats.taken++;
    this.played(b.frames, bytes === null);
    this.streamFrames += b.frames;
    this.current = b;
    this.dueAt = this.slotEnd();
    this.cancelTimer = this.ctx.setTimer(this.dueAt, this.onSlotEnd);
    this.ctx.interrupt(Constants.IRQ_AUDIO_PERIOD, b.ticket);
  }

  private played(frames: number, silent: boolean): void {
    this.stats.frames += frames;
    if (silent) this.stats.silentFrames += frames;
  }

  private slotEnded(due: number): void {
    this.cancelTimer = null;
    const late = Math.max(0, this.ctx.now() - due);
    const j = this.stats.jitter;
    j.count++;
    j.totalNs += late;
    if (late > j.maxNs) j.maxNs = late;
    if (this.queue.length > 0) {
      this.take();
      return;
    }
    const last = this.current!;
    this.current = null;
    this.running = false;
    if (last.end) {
      this.stats.drains++;
      this.ctx.interrupt(Constants.IRQ_AUDIO_DRAINED, last.ticket);
    } else {
      this.stats.underruns++;
      this.dryAt = due;
      this.ctx.interrupt(Constants.IRQ_AUDIO_UNDERRUN, this.stats.underruns);
    }
  }

  override info(key: number): number | null {
    const s = this.stats;
    switch (key) {
      case Constants.DEVINFO_AUDIO_RATE:
        return RATE;
      case Constants.DEVINFO_AUDIO_CHANNELS:
        return Constants.AUDIO_CHANNELS;
      case Constants.DEVINFO_AUDIO_QUEUED:
        return this.queue.length;
      case Constants.DEVINFO_AUDIO_RUNNING:
        return this.running ? 1 : 0;
      case Constants.DEVINFO_AUDIO_FRAMES:
        return s.frames;
      case Constants.DEVINFO_AUDIO_UNDERRUNS:
        return s.underruns;
      case Constants.DEVINFO_AUDIO_SILENT_FRAMES:
        return s.silentFrames;
      case Constants.DEVINFO_AUDIO_DROPPED:
        return s.dropped;
      case Constants.DEVINFO_AUDIO_SUBMITTED:
        return s.submitted;
      case Constants.DEVINFO_AUDIO_JITTER_MAX_NS:
        return s.jitter.maxNs;
      default:
        return null;
    }
  }

  private stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    for (const b of this.queue.splice(0)) b.source.release();
    this.current = null;
    this.running = false;
  }

  protected override onFail(): void {
    this.stop();
  }

  protected override onClose(): void {
    this.stop();
    this.sink.close?.();
  }
}
