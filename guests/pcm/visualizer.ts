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
// a full redraw would. Each message is handled by serveOne(), called through
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
  }
}

/**
 * Channel ch (0 left, 1 right) into the band of rows [top, top + h): each column's old stroke erased, its new one
 * drawn. Per column: its smallest and largest sample (selects, no data-dependent branch), then the old stroke's
 * rows back to the background, the axis pixel, then the new stroke's rows in the colour. Rows in both are written
 * twice, ending in the colour: the pixels a full redraw would leave, in two short loops (unrolled by two) instead of
 * four with unpredictable ends, and no branch on a stroke's parity or on where the axis is. The tables are read
 * through raw addresses: no managed reference, so no shadow-stack store, per column.
 */
function trace(ch: i32, top: i32, h: i32, colour: u32): void {
  const mid = top + (h >> 1);
  const half = (h >> 1) - 1;
  const tops = changetype<usize>(strokeTop[ch]);
  const bottoms = changetype<usize>(strokeBottom[ch]);
  const firsts = changetype<usize>(colFirst);
  const ends = changetype<usize>(colEnd);
  const w = W;
  const rowBytes = w << 2;
  const chOff = <u32>ch << 1;
  for (let x = 0; x < w; x++) {
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

function draw(): void {
  if (!painted) {
    paintBackground();
    painted = true;
  }
  const band = H >> 1;
  trace(0, 0, band, LEFT);
  trace(1, band, H - band, RIGHT);
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
