// The pipeline's shared facts and the producer's signal. Everything here is
// integer math, so host code (cli/demo/signal.ts) computes the same samples
// bit for bit.

/** One period: 960 frames = 20 ms at 48 kHz; 4 bytes a frame (s16le stereo). */
export const FRAMES: i32 = 960;
export const FRAME_BYTES: i32 = 4;
export const PERIOD_BYTES: i32 = FRAMES * FRAME_BYTES;

/** Phase increments per frame, floor(hz * 2^32 / 48000): 440 Hz left, 660 Hz right. */
export const LEFT_INC: u32 = 39370533;
export const RIGHT_INC: u32 = 59055800;
/** Right channel amplitude (-6 dBFS); the left one follows envelope(). */
export const RIGHT_AMP: i32 = 16384;

/** The word a message carries instead of a buffer id: "just answer" (the round-trip probe). */
export const PING: i64 = 0;

/**
 * sin(2π · phase / 2^32) in Q15 (-32768..32768): the parabola 4x(1-|x|)
 * refined by 0.225 · (y|y| - y). Max error about 0.1 %.
 */
export function isin(phase: u32): i32 {
  const x: i32 = <i32>(phase >>> 16) - 32768; // angle - π, Q15 in [-1, 1)
  const ax: i32 = x < 0 ? -x : x;
  let y: i32 = (x * (32768 - ax)) >> 13;
  const ay: i32 = y < 0 ? -y : y;
  y = y + ((((y * ay) >> 15) - y) * 7373 >> 15);
  return -y;
}

/** Left amplitude of period p: a triangle from 2048 (-24 dBFS) to 32048 (-0.2 dBFS) and back, every 100 periods (2 s). */
export function envelope(p: i32): i32 {
  const t = p % 100;
  const u = t < 50 ? t : 100 - t;
  return 2048 + u * 600;
}

/** Left sample of frame f (period p = f / FRAMES). */
export function leftSample(f: i32, amp: i32): i16 {
  return <i16>((isin(<u32>f * LEFT_INC) * amp) >> 15);
}

/** Right sample of frame f. */
export function rightSample(f: i32): i16 {
  return <i16>((isin(<u32>f * RIGHT_INC) * RIGHT_AMP) >> 15);
}

/** Median of a list of nanosecond counts (0 for none). */
export function median(xs: i64[]): i64 {
  if (xs.length == 0) return 0;
  const s = xs.slice(0);
  s.sort((a: i64, b: i64): i32 => (a < b ? -1 : a > b ? 1 : 0));
  return s[s.length >> 1];
}
