// The producer's signal (guests/pcm/signal.ts), computed on the host the same
// way, integer for integer, so tests compare it with the WAV bit for bit.

export const FRAMES = 960;
export const FRAME_BYTES = 4;
export const PERIOD_BYTES = FRAMES * FRAME_BYTES;
export const LEFT_INC = 39370533; // floor(440 * 2^32 / 48000)
export const RIGHT_INC = 59055800; // floor(660 * 2^32 / 48000)
export const RIGHT_AMP = 16384;

/** sin(2π · phase / 2^32) in Q15, as the guest computes it (i32 arithmetic; every product fits in 31 bits). */
export function isin(phase: number): number {
  const x = (phase >>> 16) - 32768;
  const ax = x < 0 ? -x : x;
  let y = (x * (32768 - ax)) >> 13;
  const ay = y < 0 ? -y : y;
  y = y + (((((y * ay) >> 15) - y) * 7373) >> 15);
  return -y;
}

export function envelope(p: number): number {
  const t = p % 100;
  const u = t < 50 ? t : 100 - t;
  return 2048 + u * 600;
}

const i16 = (v: number) => (v << 16) >> 16;

export function leftSample(f: number, amp: number): number {
  return i16((isin(Math.imul(f, LEFT_INC) >>> 0) * amp) >> 15);
}

export function rightSample(f: number): number {
  return i16((isin(Math.imul(f, RIGHT_INC) >>> 0) * RIGHT_AMP) >> 15);
}

/** Periods 0..periods-1 as interleaved s16le stereo bytes. */
export function expectedPcm(periods: number): Uint8Array {
  const out = new Uint8Array(periods * PERIOD_BYTES);
  const v = new DataView(out.buffer);
  for (let p = 0; p < periods; p++) {
    const amp = envelope(p);
    for (let i = 0; i < FRAMES; i++) {
      const f = p * FRAMES + i;
      v.setInt16(f * 4, leftSample(f, amp), true);
      v.setInt16(f * 4 + 2, rightSample(f), true);
    }
  }
  return out;
}

/** What the VU meter should read for period p: left-channel peak and RMS in dBFS (full scale 32768). */
export function expectedVu(p: number): { peak: number; rms: number } {
  const amp = envelope(p);
  let peak = 0;
  let sum = 0;
  for (let i = 0; i < FRAMES; i++) {
    const s = leftSample(p * FRAMES + i, amp);
    peak = Math.max(peak, Math.abs(s));
    sum += s * s;
  }
  return { peak: 20 * Math.log10(peak / 32768), rms: 20 * Math.log10(Math.sqrt(sum / FRAMES) / 32768) };
}

/** The visualizer's colours (guests/pcm/visualizer.ts) as RGBA bytes. */
export const VIS_COLOURS = {
  background: [0x12, 0x18, 0x20, 0xff],
  axis: [0x30, 0x38, 0x40, 0xff],
  left: [0x70, 0xe0, 0x60, 0xff],
  right: [0xf0, 0xb0, 0x30, 0xff],
};

/**
 * The frame the visualizer presents for period p in a width x height framebuffer, drawn from scratch: the
 * background, each band's axis (its middle row), and per column a stroke from its smallest to its largest sample
 * (left channel in the upper band, right in the lower; column x covers frames [x·F/w, (x+1)·F/w), at least one,
 * and the next column's first frame too). The guest draws only what changed; every frame it presents must equal this.
 * `samples`: frame f's left and right sample (default: the producer's signal).
 */
export function expectedFrame(
  p: number,
  width: number,
  height: number,
  samples: { left: (f: number) => number; right: (f: number) => number } = {
    left: (f) => leftSample(f, envelope(Math.floor(f / FRAMES))),
    right: rightSample,
  },
): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  const fill = (x: number, y: number, c: number[]) => out.set(c, (y * width + x) * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) fill(x, y, VIS_COLOURS.background);
  const band = height >> 1;
  const bands = [
    { top: 0, h: band, colour: VIS_COLOURS.left, sample: samples.left },
    { top: band, h: height - band, colour: VIS_COLOURS.right, sample: samples.right },
  ];
  for (const { top, h, colour, sample } of bands) {
    const mid = top + (h >> 1);
    const half = (h >> 1) - 1;
    for (let x = 0; x < width; x++) fill(x, mid, VIS_COLOURS.axis);
    for (let x = 0; x < width; x++) {
      const f0 = Math.floor((x * FRAMES) / width);
      let f1 = Math.floor(((x + 1) * FRAMES) / width);
      if (f1 <= f0) f1 = f0 + 1;
      const end = f1 < FRAMES ? f1 + 1 : FRAMES;
      let lo = Infinity;
      let hi = -Infinity;
      for (let f = f0; f < end; f++) {
        const s = sample(p * FRAMES + f);
        lo = Math.min(lo, s);
        hi = Math.max(hi, s);
      }
      for (let y = mid - ((hi * half) >> 15); y <= mid - ((lo * half) >> 15); y++) fill(x, y, colour);
    }
  }
  return out;
}
