// Audio out through WebAudio: each period the audio device takes (s16le
// stereo, 48 kHz) becomes an AudioBuffer scheduled back to back on an
// AudioContext, so the browser plays what the guests produce. The sink also
// counts what it was given (periods, frames, silence): the page shows it and
// the browser test reads it. Works with an OfflineAudioContext too (render
// afterwards).

import type { AudioSink } from "../audio/sink.ts";

const RATE = 48_000;

export class WebAudioSink implements AudioSink {
  readonly context: BaseAudioContext;
  /** Periods and frames given to the context (silence included), silence alone. */
  periods = 0;
  frames = 0;
  silentFrames = 0;
  /** Context time at which the next period starts (back to back, never in the past). */
  private next = 0;
  private readonly lead: number;
  private readonly destination: AudioNode;

  /** `lead`: seconds of latency before the first period plays (absorbs the page's jitter). */
  constructor(context: BaseAudioContext, options: { lead?: number; destination?: AudioNode } = {}) {
    this.context = context;
    this.lead = options.lead ?? 0.1;
    this.destination = options.destination ?? context.destination;
  }

  write(samples: Uint8Array, _atNs: number): void {
    const frames = samples.byteLength >> 2;
    const view = new DataView(samples.buffer, samples.byteOffset, frames * 4);
    const buf = this.context.createBuffer(2, Math.max(1, frames), RATE);
    const left = buf.getChannelData(0);
    const right = buf.getChannelData(1);
    for (let i = 0; i < frames; i++) {
      left[i] = view.getInt16(i * 4, true) / 32768;
      right[i] = view.getInt16(i * 4 + 2, true) / 32768;
    }
    this.schedule(buf, frames);
  }

  silence(frames: number, _atNs: number): void {
    this.silentFrames += frames;
    this.schedule(this.context.createBuffer(2, Math.max(1, frames), RATE), frames);
  }

  private schedule(buf: AudioBuffer, frames: number): void {
    this.periods++;
    this.frames += frames;
    const src = this.context.createBufferSource();
    src.buffer = buf;
    src.connect(this.destination);
    const now = this.context.currentTime;
    if (this.next < now) this.next = now + this.lead;
    src.start(this.next);
    this.next += frames / RATE;
  }
}
