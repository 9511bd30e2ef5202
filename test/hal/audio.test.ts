// The audio output device model on a stand-in kernel: pacing on the kernel
// clock, reading each buffer in place at its turn, underruns, drains, dropped
// sources, jitter, failure; and the null sink's statistics.
import { describe, expect, it } from "vitest";
import { Constants, Limits } from "../../abi/gen/abi.ts";
import { AudioOutDevice, type SampleSource } from "../../hal/audio/audio-out.ts";
import { NullSink, TeeSink, type AudioSink } from "../../hal/audio/sink.ts";
import { parseWav, WavRecorder } from "../../hal/audio/wav.ts";
import { concat, FakeContext, testSignal } from "./helpers.ts";

const MS = 1e6;
const { IRQ_AUDIO_PERIOD, IRQ_AUDIO_UNDERRUN, IRQ_AUDIO_DRAINED } = Constants;

/** A source reading `bytes` in place when asked, counting reads and releases. */
function source(bytes: Uint8Array | null) {
  const s = { reads: 0, released: 0, bytes } as { reads: number; released: number; bytes: Uint8Array | null } & SampleSource;
  s.read = () => {
    s.reads++;
    return s.bytes;
  };
  s.release = () => {
    s.released++;
  };
  return s;
}

/** A sink that records what it was given and when. */
class LogSink implements AudioSink {
  readonly log: { at: number; what: string; bytes?: Uint8Array; frames?: number }[] = [];
  write(samples: Uint8Array, at: number): void {
    this.log.push({ at, what: "write", bytes: samples.slice() });
  }
  silence(frames: number, at: number): void {
    this.log.push({ at, what: "silence", frames });
  }
}

function device(sink: AudioSink = new LogSink()) {
  const ctx = new FakeContext();
  const dev = new AudioOutDevice({ sink });
  dev.bind(ctx);
  return { ctx, dev };
}

describe("the audio output device", () => {
  it("plays buffers back to back at 48 kHz: a 960-frame period lasts exactly 20 ms of kernel time", () => {
    const sink = new LogSink();
    const { ctx, dev } = device(sink);
    const a = testSignal(960, 0);
    const b = testSignal(960, 960);
    expect(dev.submit(960, source(a), false)).toBe(0);
    expect(dev.submit(960, source(b), true)).toBe(1);
    expect(dev.queued).toBe(1); // the first was taken at once
    ctx.advance(100 * MS);
    expect(sink.log.map((e) => [e.at, e.what])).toEqual([
      [0, "write"],
      [20 * MS, "write"],
    ]);
    expect(sink.log[0].bytes).toEqual(a);
    expect(sink.log[1].bytes).toEqual(b);
    expect(ctx.irqs).toEqual([
      { at: 0, kind: IRQ_AUDIO_PERIOD, datum: 0 },
      { at: 20 * MS, kind: IRQ_AUDIO_PERIOD, datum: 1 },
      { at: 40 * MS, kind: IRQ_AUDIO_DRAINED, datum: 1 },
    ]);
    expect(dev.stats).toMatchObject({ submitted: 2, taken: 2, frames: 1920, underruns: 0, drains: 1, silentFrames: 0 });
    expect(dev.isRunning).toBe(false);
    expect(ctx.pending).toBe(0);
  });

  it("reads a queued buffer when its turn comes, not when it is submitted (no copy at submit)", () => {
    const sink = new LogSink();
    const { ctx, dev } = device(sink);
    const first = source(testSignal(960));
    const shared = new Uint8Array(3840);
    const second = source(shared);
    dev.submit(960, first, false);
    dev.submit(960, second, true);
    expect(second.reads).toBe(0);
    shared.fill(7); // the driver's buffer changes before the device gets to it
    ctx.advance(20 * MS);
    expect(second.reads).toBe(1);
    expect(second.released).toBe(1);
    expect(sink.log[1].bytes).toEqual(new Uint8Array(3840).fill(7));
  });

  it("keeps slot ends on the stream's timeline, so odd buffer sizes never drift", () => {
    const { ctx, dev } = device();
    for (let i = 0; i < 3; i++) dev.submit(1, source(new Uint8Array(4)), i === 2);
    ctx.advance(MS);
    // 1 frame = 20833.33 ns: slot ends at round(n * 1e9 / 48000)
    expect(ctx.irqs.map((i) => i.at)).toEqual([0, 20833, 41667, 62500]);
  });

  it("counts an underrun when the next buffer is late, and plays silence as long as the gap", () => {
    const rec = new WavRecorder();
    const { ctx, dev } = device(rec);
    const a = testSignal(960, 0);
    const b = testSignal(480, 5);
    dev.submit(960, source(a), false);
    ctx.advance(30 * MS); // 10 ms late
    expect(ctx.irqs.at(-1)).toEqual({ at: 20 * MS, kind: IRQ_AUDIO_UNDERRUN, datum: 1 });
    expect(dev.info(Constants.DEVINFO_AUDIO_RUNNING)).toBe(0);
    dev.submit(480, source(b), true);
    ctx.advance(100 * MS);
    expect(dev.stats).toMatchObject({ underruns: 1, silentFrames: 480, frames: 960 + 480 + 480, drains: 1 });
    expect(parseWav(rec.bytes()).data).toEqual(concat(a, new Uint8Array(480 * 4), b));
    expect(dev.info(Constants.DEVINFO_AUDIO_UNDERRUNS)).toBe(1);
    expect(dev.info(Constants.DEVINFO_AUDIO_SILENT_FRAMES)).toBe(480);
  });

  it("a buffer flagged end is not an underrun when nothing follows; a new stream starts without a gap", () => {
    const rec = new WavRecorder();
    const { ctx, dev } = device(rec);
    dev.submit(960, source(testSignal(960)), true);
    ctx.advance(50 * MS);
    dev.submit(960, source(testSignal(960, 9)), true);
    ctx.advance(100 * MS);
    expect(dev.stats).toMatchObject({ underruns: 0, drains: 2, silentFrames: 0 });
    expect(parseWav(rec.bytes()).data).toEqual(concat(testSignal(960), testSignal(960, 9)));
    expect(ctx.irqs.map((i) => [i.at, i.kind])).toEqual([
      [0, IRQ_AUDIO_PERIOD],
      [20 * MS, IRQ_AUDIO_DRAINED],
      [50 * MS, IRQ_AUDIO_PERIOD],
      [70 * MS, IRQ_AUDIO_DRAINED],
    ]);
  });

  it("plays a buffer whose source is gone at its turn as silence and counts it dropped", () => {
    const sink = new NullSink();
    const { ctx, dev } = device(sink);
    const gone = source(null);
    dev.submit(960, source(testSignal(960, 1)), false);
    dev.submit(960, gone, true);
    ctx.advance(100 * MS);
    expect(gone.released).toBe(1);
    expect(dev.stats).toMatchObject({ dropped: 1, silentFrames: 960, frames: 1920, taken: 2 });
    expect(sink.silentFrames).toBe(960);
  });

  it("measures how late each period boundary fires (jitter) without drifting the timeline", () => {
    const { ctx, dev } = device();
    ctx.lateness = 1.5 * MS;
    for (let i = 0; i < 3; i++) dev.submit(960, source(testSignal(960)), i === 2);
    ctx.advance(200 * MS);
    expect(dev.stats.jitter).toEqual({ count: 3, maxNs: 1.5 * MS, totalNs: 4.5 * MS });
    expect(dev.info(Constants.DEVINFO_AUDIO_JITTER_MAX_NS)).toBe(1.5 * MS);
    // taken at 0, then at 21.5 and 41.5 ms (late timers), each slot still due at 20 ms multiples
    expect(ctx.irqs.map((i) => i.at)).toEqual([0, 21.5 * MS, 41.5 * MS, 61.5 * MS]);
  });

  it("refuses (RangeError) what the kernel would have refused: bad sizes and a full queue", () => {
    const { dev } = device();
    expect(() => dev.submit(0, source(new Uint8Array(0)), false)).toThrow(RangeError);
    expect(() => dev.submit(Limits.MAX_AUDIO_FRAMES + 1, source(null), false)).toThrow(RangeError);
    for (let i = 0; i <= Limits.MAX_AUDIO_QUEUED; i++) dev.submit(1, source(new Uint8Array(4)), false);
    expect(dev.queued).toBe(Limits.MAX_AUDIO_QUEUED);
    expect(() => dev.submit(1, source(new Uint8Array(4)), false)).toThrow(RangeError);
  });

  it("fails (and stops, releasing queued buffers) when its sink throws, instead of throwing into the kernel", () => {
    const sink: AudioSink = {
      write() {
        throw new Error("disk full");
      },
      silence() {},
    };
    const { ctx, dev } = device(sink);
    const queued = source(testSignal(960));
    expect(() => dev.submit(960, source(testSignal(960)), false)).not.toThrow();
    expect(dev.failure).toBe("write: disk full");
    expect(ctx.logs).toEqual(["wasmos: device audio failed: write: disk full"]);
    expect(dev.info(Constants.DEVINFO_AUDIO_RUNNING)).toBe(0);
    expect(ctx.pending).toBe(0);
    dev.close();
    expect(queued.released).toBe(0); // never queued: the kernel refuses submissions to a failed device (EIO)
  });

  it("close cancels its timer, releases queued buffers and closes the sink once", () => {
    const sink = new NullSink();
    const { ctx, dev } = device(sink);
    dev.submit(960, source(testSignal(960)), false);
    const waiting = source(testSignal(960));
    dev.submit(960, waiting, false);
    dev.close();
    dev.close();
    expect(waiting.released).toBe(1);
    expect(ctx.pending).toBe(0);
    expect(sink.closed).toBe(true);
    expect(dev.failure).toBe("shut down");
  });
});

describe("the null sink", () => {
  it("keeps per-channel peak and RMS, frames, silence and a checksum that tells streams apart", () => {
    const full = new Uint8Array(8);
    const v = new DataView(full.buffer);
    v.setInt16(0, 32767, true);
    v.setInt16(2, -16384, true);
    v.setInt16(4, -32768, true);
    v.setInt16(6, 16384, true);
    const s = new NullSink();
    s.write(full);
    expect(s.frames).toBe(2);
    expect(s.channels.map((c) => c.peak)).toEqual([32768, 16384]);
    expect(s.rmsDbfs(1)).toBeCloseTo(20 * Math.log10(0.5), 10);
    const t = new NullSink();
    t.write(full);
    expect(t.checksum).toBe(s.checksum);
    s.silence(2);
    t.write(new Uint8Array(8));
    expect(t.checksum).toBe(s.checksum); // silence hashes as zero bytes
    t.write(full);
    expect(t.checksum).not.toBe(s.checksum);
    expect(new NullSink().rmsDbfs(0)).toBe(-Infinity);
  });

  it("a tee gives every sink the same periods", () => {
    const a = new NullSink();
    const rec = new WavRecorder();
    const tee = new TeeSink(a, rec);
    tee.write(testSignal(4), 0);
    tee.silence(1, 0);
    tee.close();
    expect(a.frames).toBe(5);
    expect(parseWav(rec.bytes()).data.length).toBe(20);
    expect(a.closed).toBe(true);
  });
});
