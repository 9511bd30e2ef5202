// pcm waveform visualizer: reads the PCM buffer through a READ-ONLY bound
// grant ("pcm": plain loads, no kernel call, no copy) and draws the period's
// waveform with plain stores into the framebuffer's pixels, bound as a
// read-write grant ("fb", from fb_memory), then fb_present. Left channel in
// the upper half (green), right in the lower half (amber): each column is a
// vertical stroke from the smallest to the largest sample it covers.
//
// Only what changes is drawn: the first frame paints the background and the
// axes; after that each column's previous stroke is erased (background, and
// the axis on its row) and the new one drawn, which leaves exactly the pixels
// a full redraw would (test/pcm/frames.test.ts checks every frame). Where each
// column covers two frames (the demo's 480 columns) eight columns are drawn at
// once with SIMD (traceGrouped: 16-byte loads and stores, built with asc
// --enable simd, cli/demo/build.ts PCM_ENABLE); other geometries a column at a
// time (trace). Each message is handled by serveOne(), called through
// forever() (SDK loop.ts) so that V8 optimizes it: a loop in _start stays in
// baseline code.
//
//   pcm-visualizer
//
// Handles: "pcm" (READ|MAP, bound read-only), "fb" (the framebuffer memory,
// bound read-write), "fbdev" (the framebuffer device, WRITE for fb_present),
// "ep" (its endpoint). Once init revokes the buffer the kernel ends this
// process (GRANT_REVOKED) before it runs again: it never sees it.
import {
  deviceInfo, errnoName, exit, fbPresent, forever, handle, ipcWord, println, replyError, replyWait,
  DEVINFO_FB_HEIGHT, DEVINFO_FB_WIDTH,
} from "@wasmos/sdk";
import * as pcm from "@wasmos/sdk/grants/pcm";
import * as fb from "@wasmos/sdk/grants/fb";
import { FRAMES, PING } from "./signal";

const BACKGROUND: u32 = 0xff201812; // RGBA bytes 12 18 20 ff (little-endian u32)
const AXIS: u32 = 0xff403830;
const LEFT: u32 = 0xff60e070;
const RIGHT: u32 = 0xff30b0f0;

const dev = handle("fbdev");
const ep = handle("ep");
const W = <i32>deviceInfo(dev, DEVINFO_FB_WIDTH);
const H = <i32>deviceInfo(dev, DEVINFO_FB_HEIGHT);
if (W <= 0 || H <= 0) {
  println("visualizer: no framebuffer geometry");
  exit(1);
}

@inline function px(x: i32, y: i32, c: u32): void {
  fb.store_u32(<u32>(y * W + x) << 2, c);
}

/** Rows [y0, y1] of each column's stroke on screen, per channel (before the first: the axis row). */
const strokeTop: StaticArray<i32>[] = [new StaticArray<i32>(W), new StaticArray<i32>(W)];
const strokeBottom: StaticArray<i32>[] = [new StaticArray<i32>(W), new StaticArray<i32>(W)];
let painted = false;
/** Frames [colFirst[x], colEnd[x]) each column scans: fixed, so computed once (two divisions a column otherwise). */
const colFirst = new StaticArray<i32>(W);
const colEnd = new StaticArray<i32>(W);
for (let x = 0; x < W; x++) {
  const f0 = x * FRAMES / W;
  let f1 = (x + 1) * FRAMES / W;
  if (f1 <= f0) f1 = f0 + 1;
  colFirst[x] = f0;
  // Include the next column's first frame so consecutive strokes join up.
  colEnd[x] = f1 < FRAMES ? f1 + 1 : FRAMES;
}

/** Background and both axes: the frame before any stroke. */
function paintBackground(): void {
  for (let i = 0; i < W * H; i++) fb.store_u32(<u32>i << 2, BACKGROUND);
  const band = H >> 1;
  const mids: i32[] = [band >> 1, band + ((H - band) >> 1)];
  for (let c = 0; c < 2; c++) {
    for (let x = 0; x < W; x++) px(x, mids[c], AXIS);
    // As if each column held a one-row stroke on the axis: trace erases it and puts the axis back.
    for (let x = 0; x < W; x++) {
      strokeTop[c][x] = mids[c];
      strokeBottom[c][x] = mids[c];
    }
    for (let g = 0; g < W >> 3; g++) {
      groupEnds[(c * (W >> 3) + g) * 2] = mids[c];
      groupEnds[(c * (W >> 3) + g) * 2 + 1] = mids[c];
    }
  }
}

/**
 * Channel ch (0 left, 1 right) into the band of rows [top, top + h), columns [from, W): each column's old stroke
 * erased, its new one drawn. Per column: its smallest and largest sample (selects, no data-dependent branch), then
 * the old stroke's rows back to the background, the axis pixel, then the new stroke's rows in the colour. Rows in
 * both are written twice, ending in the colour: the pixels a full redraw would leave, in two short loops (unrolled
 * by two) instead of four with unpredictable ends, and no branch on a stroke's parity or on where the axis is. The
 * tables are read through raw addresses: no managed reference, so no shadow-stack store, per column.
 */
function trace(ch: i32, top: i32, h: i32, colour: u32, from: i32): void {
  const mid = top + (h >> 1);
  const half = (h >> 1) - 1;
  const tops = changetype<usize>(strokeTop[ch]);
  const bottoms = changetype<usize>(strokeBottom[ch]);
  const firsts = changetype<usize>(colFirst);
  const ends = changetype<usize>(colEnd);
  const w = W;
  const rowBytes = w << 2;
  const chOff = <u32>ch << 1;
  for (let x = from; x < w; x++) {
    const xo = <usize>x << 2;
    const first = load<i32>(firsts + xo);
    const end = load<i32>(ends + xo);
    const at = (<u32>first << 2) + chOff;
    let lo = <i32>pcm.load_i16(at);
    let hi = lo;
    if (end - first == 3) {
      // Three frames (every column but the last at the demo's 480 columns): no loop, whose back edge costs
      // the engine's interrupt check and a fuel charge.
      const s1 = <i32>pcm.load_i16(at + 4);
      const s2 = <i32>pcm.load_i16(at + 8);
      lo = min(lo, min(s1, s2));
      hi = max(hi, max(s1, s2));
    } else {
      for (let f = first + 1; f < end; f++) {
        const s = <i32>pcm.load_i16((<u32>f << 2) + chOff);
        lo = select(s, lo, s < lo);
        hi = select(s, hi, s > hi);
      }
    }
    // Sample s maps to row mid - s * (h/2 - 1) / 32768 (up is positive).
    const y0 = mid - ((hi * half) >> 15);
    const y1 = mid - ((lo * half) >> 15);
    const old0 = load<i32>(tops + xo);
    const old1 = load<i32>(bottoms + xo);
    // Two rows a turn, then the last row (again, for an even count: the same pixel, so no branch on the parity).
    let o = (old0 * w + x) << 2;
    const oldEnd = (old1 * w + x) << 2;
    for (; o < oldEnd; o += rowBytes << 1) {
      fb.store_u32(<u32>o, BACKGROUND);
      fb.store_u32(<u32>(o + rowBytes), BACKGROUND);
    }
    fb.store_u32(<u32>oldEnd, BACKGROUND);
    // The axis, whether or not the old stroke covered it (no branch): the new stroke overwrites it if it covers it.
    px(x, mid, AXIS);
    o = (y0 * w + x) << 2;
    const newEnd = (y1 * w + x) << 2;
    for (; o < newEnd; o += rowBytes << 1) {
      fb.store_u32(<u32>o, colour);
      fb.store_u32(<u32>(o + rowBytes), colour);
    }
    fb.store_u32(<u32>newEnd, colour);
    store<i32>(tops + xo, y0);
    store<i32>(bottoms + xo, y1);
  }
}

/**
 * Columns drawn eight at a time (SIMD), all of them, where each column covers frames [2x, 2x + 3) (two frames a
 * column and the next column's first, FRAMES == 2 W: the demo's 480 columns) and the width is a multiple of eight;
 * else none (trace() draws every column), as when the bands are under four rows, where a stroke's rows can run
 * backwards. A group reads frames 2x .. 2x + 19, inside the period but for the last group, which ends at the
 * period's last frame and is read without frame 2x + 16 (its last column has no next frame).
 */
const GROUPED: i32 = FRAMES == 2 * W && W % 8 == 0 && H >= 8 ? W : 0;

/** The smallest (min true) or largest of the eight lanes of a and b. */
@inline function across(a: v128, b: v128, min: bool): i32 {
  let m = min ? i32x4.min_s(a, b) : i32x4.max_s(a, b);
  m = min ? i32x4.min_s(m, v128.shuffle<i32>(m, m, 2, 3, 0, 1)) : i32x4.max_s(m, v128.shuffle<i32>(m, m, 2, 3, 0, 1));
  m = min ? i32x4.min_s(m, v128.shuffle<i32>(m, m, 1, 0, 3, 2)) : i32x4.max_s(m, v128.shuffle<i32>(m, m, 1, 0, 3, 2));
  return i32x4.extract_lane(m, 0);
}

/**
 * Splatted constants, read from memory where the loop needs them: as v128.const the optimizer puts them back in
 * the loop body and the engine builds each again on every row.
 */
const splats = new StaticArray<u32>(5 * 4);
for (let i = 0; i < 4; i++) {
  splats[i] = BACKGROUND;
  splats[4 + i] = LEFT ^ BACKGROUND;
  splats[8 + i] = RIGHT ^ BACKGROUND;
  splats[12 + i] = 1;
  splats[16 + i] = 0x80000000;
}
const SPLAT_BG = 0;
const SPLAT_LEFT = 16; // byte offsets into splats
const SPLAT_RIGHT = 32;
const SPLAT_ONE = 48;
const SPLAT_BIAS = 64;

/**
 * One channel of a group of eight columns [x, x + 8), row by row: every row from the highest to the lowest of the
 * columns' old and new strokes gets its eight pixels in two stores, each the colour if the row is in that column's
 * new stroke and the background otherwise; then the axis row again, the axis where no new stroke covers it. Rows
 * outside that range hold no old stroke, so they already are what a full redraw leaves: the frame equals a full
 * redraw pixel for pixel. One loop a group (two rows a turn, then the last row again: no branch on the parity),
 * where trace() has two loops a column with unpredictable ends. y0*, y1*: the new strokes' first and last rows of
 * columns x .. x + 3 (a) and x + 4 .. x + 7 (b); `ends`: the group's pair in groupEnds, the first and last row its
 * strokes spanned a frame ago (all the old strokes' rows are inside it: the per-column tables are trace()'s only). A row y is in a column's stroke
 * when y - y0 <= y1 - y0 unsigned, i.e. (y - y0) ^ 2^31 <= (y1 - y0) ^ 2^31 signed: one add and one compare a
 * row for four columns (d counts y - y0 + 2^31 up), and the pixel is bg ^ (in & (colour ^ bg)).
 */
@inline function drawGroup(x: i32, y0a: v128, y1a: v128, y0b: v128, y1b: v128, ends: usize, mid: i32, colour: usize): void {
  const w = W;
  // The old strokes' rows span what the group's new ones spanned a frame ago: kept per group (its first and last
  // row), not per column, so only the new strokes are reduced.
  const newFirst = across(y0a, y0b, true);
  const newLast = across(y1a, y1b, false);
  const first = min(load<i32>(ends), newFirst);
  const last = max(load<i32>(ends, 4), newLast);
  store<i32>(ends, newFirst);
  store<i32>(ends, newLast, 4);
  const k = changetype<usize>(splats);
  const bg = v128.load(k + SPLAT_BG);
  const diff = v128.load(colour);
  const one = v128.load(k + SPLAT_ONE);
  const bias = v128.load(k + SPLAT_BIAS);
  // limit: (y1 - y0) ^ 2^31, plus one (so that in = limit > d, a strict compare); d: (first - y0) ^ 2^31.
  const limA = i32x4.add(i32x4.add(i32x4.sub(y1a, y0a), bias), one);
  const limB = i32x4.add(i32x4.add(i32x4.sub(y1b, y0b), bias), one);
  const f = i32x4.splat(first);
  let da = i32x4.add(i32x4.sub(f, y0a), bias);
  let db = i32x4.add(i32x4.sub(f, y0b), bias);
  const rowBytes = w << 2;
  let o = (first * w + x) << 2;
  const end = (last * w + x) << 2;
  for (; o < end; o += rowBytes << 1) {
    fb.store_v128(<u32>o, v128.xor(bg, v128.and(i32x4.gt_s(limA, da), diff)));
    fb.store_v128(<u32>(o + 16), v128.xor(bg, v128.and(i32x4.gt_s(limB, db), diff)));
    da = i32x4.add(da, one);
    db = i32x4.add(db, one);
    fb.store_v128(<u32>(o + rowBytes), v128.xor(bg, v128.and(i32x4.gt_s(limA, da), diff)));
    fb.store_v128(<u32>(o + rowBytes + 16), v128.xor(bg, v128.and(i32x4.gt_s(limB, db), diff)));
    da = i32x4.add(da, one);
    db = i32x4.add(db, one);
  }
  // The last row (again, for an even count): d for it is (last - y0) ^ 2^31.
  const l = i32x4.splat(last);
  fb.store_v128(<u32>end, v128.xor(bg, v128.and(i32x4.gt_s(limA, i32x4.add(i32x4.sub(l, y0a), bias)), diff)));
  fb.store_v128(<u32>(end + 16), v128.xor(bg, v128.and(i32x4.gt_s(limB, i32x4.add(i32x4.sub(l, y0b), bias)), diff)));
  const m = i32x4.splat(mid);
  const axis = i32x4.splat(AXIS);
  const at = (mid * w + x) << 2;
  const c = v128.xor(bg, diff);
  fb.store_v128(<u32>at, v128.bitselect(c, axis, i32x4.gt_s(limA, i32x4.add(i32x4.sub(m, y0a), bias))));
  fb.store_v128(<u32>(at + 16), v128.bitselect(c, axis, i32x4.gt_s(limB, i32x4.add(i32x4.sub(m, y0b), bias))));
}

/**
 * Four columns' smallest and largest sample of frames 2x, 2x + 1, 2x + 2, both channels at once: each 32-bit lane a
 * column (left sample low, right high, as in the buffer), from frames 2x .. 2x + 8 in three loads; `end`: the four
 * end the period, so the last column has frames 2x, 2x + 1 only (its second stands in for its third) and frame
 * 2x + 8 is not read.
 */
@inline function range4(at: u32, lo: usize, hi: usize, end: bool): void {
  const a = pcm.load_v128(at); // frames 2x .. 2x + 3
  const b = pcm.load_v128(at + 16); // 2x + 4 .. 2x + 7
  const even = v128.shuffle<i32>(a, b, 0, 2, 4, 6); // each column's first frame
  const odd = v128.shuffle<i32>(a, b, 1, 3, 5, 7); // its second
  // Its third (the next column's first, from frames 2x + 8 .. of which only the first lane is used).
  const next = end ? v128.shuffle<i32>(even, odd, 1, 2, 3, 7) : v128.shuffle<i32>(even, pcm.load_v128(at + 32), 1, 2, 3, 4);
  v128.store(lo, i16x8.min_s(even, i16x8.min_s(odd, next)));
  v128.store(hi, i16x8.max_s(even, i16x8.max_s(odd, next)));
}

/** Rows of samples s (16-bit lanes of v, low or high half of each 32-bit lane): mid - ((s * half) >> 15), as trace(). */
@inline function rows(v: v128, high: bool, m: v128, h: v128): v128 {
  const s = high ? i32x4.shr_s(v, 16) : i32x4.shr_s(i32x4.shl(v, 16), 16);
  return i32x4.sub(m, i32x4.shr_s(i32x4.mul(s, h), 15));
}

const ranges = new StaticArray<i32>(16); // lo and hi of two groups of four columns (raw v128 scratch)
/** Each group's strokes' first and last row, per channel: [channel][group][first, last] (before the first frame: the axis). */
const groupEnds = new StaticArray<i32>(2 * (W >> 3) * 2);

/** Both channels of the columns [0, GROUPED), eight at a time: range4 twice, then drawGroup per channel. */
function traceGrouped(): void {
  const band = H >> 1;
  const midL = band >> 1;
  const midR = band + ((H - band) >> 1);
  const endsL = changetype<usize>(groupEnds);
  const endsR = endsL + ((<usize>W >> 3) << 3);
  const left = changetype<usize>(splats) + SPLAT_LEFT;
  const right = changetype<usize>(splats) + SPLAT_RIGHT;
  const mL = i32x4.splat(midL);
  const hL = i32x4.splat(midL - 1);
  const mR = i32x4.splat(midR);
  const hR = i32x4.splat(((H - band) >> 1) - 1);
  const r = changetype<usize>(ranges);
  const last = GROUPED - 8;
  for (let x = 0; x <= last; x += 8) {
    const at = <u32>x << 3; // frame 2x, 4 bytes a frame
    range4(at, r, r + 16, false);
    // The last group ends the period (a branch taken once a frame, which the predictor keeps).
    if (x < last) range4(at + 32, r + 32, r + 48, false);
    else range4(at + 32, r + 32, r + 48, true);
    const loA = v128.load(r);
    const hiA = v128.load(r, 16);
    const loB = v128.load(r, 32);
    const hiB = v128.load(r, 48);
    const g = <usize>x; // group x / 8, its pair of ends 8 bytes in: byte offset x
    drawGroup(x, rows(hiA, false, mL, hL), rows(loA, false, mL, hL), rows(hiB, false, mL, hL), rows(loB, false, mL, hL), endsL + g, midL, left);
    drawGroup(x, rows(hiA, true, mR, hR), rows(loA, true, mR, hR), rows(hiB, true, mR, hR), rows(loB, true, mR, hR), endsR + g, midR, right);
  }
}

function draw(): void {
  if (!painted) {
    paintBackground();
    painted = true;
  }
  const band = H >> 1;
  traceGrouped();
  trace(0, 0, band, LEFT, GROUPED);
  trace(1, band, H - band, RIGHT, GROUPED);
}

let answer = 0; // the message served last, answered (status 0) by the next replyWait
/** One message: answer the last one and wait (replyWait); a PING is then answered at once, a buffer-ready one once drawn and presented. */
function serveOne(): bool {
  const r = replyWait(ep, answer, 0);
  answer = r > 0 ? r : 0;
  if (r <= 0) return true;
  if (<i64>ipcWord(0) == PING) return true;
  draw();
  const n = fbPresent(dev);
  if (n < 0) {
    println("visualizer: fb_present failed: " + errnoName(-n));
    replyError(r, -n);
    answer = 0;
  }
  return true;
}

forever(serveOne);
