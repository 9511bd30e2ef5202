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
  /**
   * FNV-1a (32-bit) over every frame played as one little-endian 32-bit word (a
   * trailing partial frame byte by byte), silence included as zero words: equal
   * streams give equal checksums. A word a step, not a byte: a quarter of the
   * dependent multiplies, for the same power to tell streams apart.
   */
  checksum = 0x811c9dc5;
  closed = false;

  write(samples: Uint8Array): void {
    const frames = Math.floor(samples.length / Constants.AUDIO_FRAME_BYTES);
    if ((samples.byteOffset & 3) === 0) {
      // Aligned (every buffer the kernel hands over is): typed views, no DataView calls.
      const n = frames * Constants.AUDIO_CHANNELS;
      this.scan(
        new Int16Array(samples.buffer, samples.byteOffset, n),
        new Uint32Array(samples.buffer, samples.byteOffset, frames),
        0,
        frames,
      );
    } else {
      let peak0 = this.channels[0].peak;
      let peak1 = this.channels[1].peak;
      let sum0 = 0;
      let sum1 = 0;
      let h = this.checksum;
      const v = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
      for (let f = 0; f < frames; f++) {
        const l = v.getInt16(4 * f, true);
        const r = v.getInt16(4 * f + 2, true);
        if (Math.abs(l) > peak0) peak0 = Math.abs(l);
        if (Math.abs(r) > peak1) peak1 = Math.abs(r);
        sum0 += l * l;
        sum1 += r * r;
        h = Math.imul(h ^ v.getUint32(4 * f, true), 0x01000193) >>> 0;
      }
      this.channels[0].peak = peak0;
      this.channels[1].peak = peak1;
      this.channels[0].sumSquares += sum0;
      this.channels[1].sumSquares += sum1;
      this.checksum = h;
    }
    let h = this.checksum;
    for (let i = frames * Constants.AUDIO_FRAME_BYTES; i < samples.length; i++) h = Math.imul(h ^ samples[i], 0x01000193) >>> 0;
    this.checksum = h;
    this.periods++;
    this.frames += frames;
  }

  /**
   * The same as write() of each `bytes`-long piece of `data` in turn (the last may be shorter), with one pair
   * of views over the whole instead of a pair a piece: the statistics of a recording after the fact (the demo's
   * levels), where views a period were most of what the pass allocated.
   */
  writeEach(data: Uint8Array, bytes: number): void {
    const aligned = (data.byteOffset & 3) === 0 && bytes % Constants.AUDIO_FRAME_BYTES === 0 && bytes > 0;
    const whole = Math.floor(data.length / Constants.AUDIO_FRAME_BYTES);
    const s16 = aligned ? new Int16Array(data.buffer, data.byteOffset, whole * Constants.AUDIO_CHANNELS) : null;
    const u32 = aligned ? new Uint32Array(data.buffer, data.byteOffset, whole) : null;
    for (let at = 0; at < data.length; at += bytes) {
      const end = Math.min(at + bytes, data.length);
      if (s16 === null || u32 === null || (end - at) % Constants.AUDIO_FRAME_BYTES !== 0) {
        this.write(data.subarray(at, end));
        continue;
      }
      const frames = (end - at) / Constants.AUDIO_FRAME_BYTES;
      this.scan(s16, u32, at / Constants.AUDIO_FRAME_BYTES, frames);
      this.periods++;
      this.frames += frames;
    }
  }

  /** Peaks, energy and checksum over frames f0 .. f0 + frames of the views (s16: two samples a frame; u32: a word a frame). */
  private scan(s16: Int16Array, u32: Uint32Array, f0: number, frames: number): void {
    let peak0 = this.channels[0].peak;
    let peak1 = this.channels[1].peak;
    let sum0 = 0;
    let sum1 = 0;
    let h = this.checksum;
    for (let f = f0, e = f0 + frames; f < e; f++) {
      const l = s16[2 * f];
      const r = s16[2 * f + 1];
      const al = l < 0 ? -l : l;
      const ar = r < 0 ? -r : r;
      if (al > peak0) peak0 = al;
      if (ar > peak1) peak1 = ar;
      sum0 += l * l;
      sum1 += r * r;
      h = Math.imul(h ^ u32[f], 0x01000193) >>> 0;
    }
    this.channels[0].peak = peak0;
    this.channels[1].peak = peak1;
    this.channels[0].sumSquares += sum0;
    this.channels[1].sumSquares += sum1;
    this.checksum = h;
  }

  silence(frames: number): void {
    let h = this.checksum;
    for (let i = frames; i > 0; i--) h = Math.imul(h, 0x01000193) >>> 0; // a zero word a frame
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
