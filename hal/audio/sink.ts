// Audio sinks: where an audio device's periods go. A sink is told each
// period when the device takes it: the bytes (interleaved s16le stereo, a
// view of the guest's buffer — consumed before write returns, never kept),
// or a count of silent frames (a gap after an underrun, a buffer whose source
// was gone). Backends: WavRecorder (wav.ts), WavFileSink (hal/node/), and the
// null sink here, which keeps only statistics.

import { Constants } from "../../abi/gen/abi.ts";

export interface AudioSink {
  /** A period's samples, starting at kernel time atNs. */
  write(samples: Uint8Array, atNs: number): void;
  /** `frames` frames of silence starting at kernel time atNs. */
  silence(frames: number, atNs: number): void;
  /** The device is done: flush and release. */
  close?(): void;
}

/** Per-channel level statistics of everything played. */
export interface ChannelStats {
  /** Largest |sample| (0..32768). */
  peak: number;
  /** Sum of squared samples (for RMS: sqrt(sumSquares / frames)). */
  sumSquares: number;
}

/** Discards the samples, keeps statistics: frames, silence, per-channel peak and energy, a checksum. */
export class NullSink implements AudioSink {
  periods = 0;
  frames = 0;
  silentFrames = 0;
  readonly channels: ChannelStats[] = Array.from({ length: Constants.AUDIO_CHANNELS }, () => ({ peak: 0, sumSquares: 0 }));
  /** FNV-1a (32-bit) over every byte played, silence included: equal streams give equal checksums. */
  checksum = 0x811c9dc5;
  closed = false;

  write(samples: Uint8Array): void {
    const v = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
    const frames = Math.floor(samples.length / Constants.AUDIO_FRAME_BYTES);
    for (let f = 0; f < frames; f++) {
      for (let c = 0; c < Constants.AUDIO_CHANNELS; c++) {
        const s = v.getInt16(f * Constants.AUDIO_FRAME_BYTES + c * 2, true);
        const ch = this.channels[c];
        const a = Math.abs(s);
        if (a > ch.peak) ch.peak = a;
        ch.sumSquares += s * s;
      }
    }
    let h = this.checksum;
    for (let i = 0; i < samples.length; i++) h = Math.imul(h ^ samples[i], 0x01000193) >>> 0;
    this.checksum = h;
    this.periods++;
    this.frames += frames;
  }

  silence(frames: number): void {
    let h = this.checksum;
    for (let i = frames * Constants.AUDIO_FRAME_BYTES; i > 0; i--) h = Math.imul(h, 0x01000193) >>> 0;
    this.checksum = h;
    this.frames += frames;
    this.silentFrames += frames;
  }

  /** RMS of channel c over everything played, in dBFS (full scale = 32768); -Infinity for silence. */
  rmsDbfs(c: number): number {
    if (this.frames === 0 || this.channels[c].sumSquares === 0) return -Infinity;
    return 20 * Math.log10(Math.sqrt(this.channels[c].sumSquares / this.frames) / 32768);
  }

  close(): void {
    this.closed = true;
  }
}

/** Sends every period to several sinks (a WAV file and statistics). */
export class TeeSink implements AudioSink {
  private readonly sinks: readonly AudioSink[];
  constructor(...sinks: AudioSink[]) {
    this.sinks = sinks;
  }
  write(samples: Uint8Array, atNs: number): void {
    for (const s of this.sinks) s.write(samples, atNs);
  }
  silence(frames: number, atNs: number): void {
    for (const s of this.sinks) s.silence(frames, atNs);
  }
  close(): void {
    for (const s of this.sinks) s.close?.();
  }
}
