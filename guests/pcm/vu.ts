// pcm VU meter: sees only the LEFT channel of the PCM buffer, through a
// read-only strided window (memory_map(pcm, 0, 960, stride 4, elem 2)) read
// three elements at a time with window_get_packed (the values come back in a
// register: the kernel copies no sample data). Each period it computes peak and RMS in
// dBFS and prints one line:
//
//   vu <period> peak <dBFS> rms <dBFS> |<bar>|
//
// Once init has revoked the buffer, window_get_packed answers EREVOKED: it says so
// and ends.
//
//   pcm-vu <periods>
//
// Handles: "pcm" (READ|MAP, no WRITE), "ep" (its endpoint).
import { errnoName, exit, forever, handle, ipcWord, println, replyError, replyWait, sys_window_get_packed } from "@wasmos/sdk";
import { Window } from "@wasmos/sdk/memory";
import { FRAMES, PING } from "./signal";
import * as line from "./line";

const BAR = 40; // characters for 48 dB
const w = Window.map<i16>(handle("pcm"), 0, FRAMES, 4);
if (!w.ok) {
  println("vu: cannot map the left channel: " + errnoName(-w.handle));
  exit(1);
}
const ep = handle("ep");

function db(x: f64): f64 {
  return 20 * Math.log10(x / 32768);
}

/** The bar: '#' up to the RMS level, '|' at the peak, '.' elsewhere (48 dB over BAR characters). */
function bar(rms: f64, peak: f64): void {
  const n = <i32>Math.max(0, Math.min(BAR, Math.round((rms + 48) * BAR / 48)));
  const pk = <i32>Math.max(0, Math.min(BAR - 1, Math.round((peak + 48) * BAR / 48) - 1));
  for (let i = 0; i < BAR; i++) line.byte(i < n ? 35 : i == pk ? 124 : 46); // '#', '|', '.'
}

let period = 0;
let answer = 0; // the message served last, answered (status 0) by the next replyWait
/**
 * One message: answer the last one and wait (replyWait); a PING is then
 * answered at once, a buffer-ready one once scanned and printed (called
 * through forever).
 */
function serveOne(): bool {
  const r = replyWait(ep, answer, 0);
  answer = r > 0 ? r : 0;
  if (r <= 0) return true;
  const id = <i64>ipcWord(0);
  if (id == PING) return true;
  let err: i32 = 0;
  // window_get_packed itself, not Window.getPacked: the handle in a local and the result in a register (no object
  // field written and read back, no shadow-stack traffic per call). Three samples a call, packed lowest first, each
  // zero-extended (so a call never answers a negative value but an -errno), and two calls a turn (FRAMES is a
  // multiple of six): a third of window_get's calls (each a call into the kernel's dispatcher, another instance,
  // which the engine cannot inline) and a sixth of the loop's back edges, each of which pays the engine's
  // interrupt check and a fuel charge; each call still checked before its samples are used. The two results are
  // one vector of eight 16-bit lanes (the six samples and two zeros, which change neither sum): the peak by the
  // lanes' absolute values compared unsigned (|-32768| is 0x8000, 32768 unsigned), the sum of squares by
  // dot products of lane pairs (at most 2^31 each: exact as u32) widened to 64 bits. The same integers as one
  // sample at a time.
  let peaks = i16x8.splat(0);
  let sums = i64x2.splat(0);
  const wh = w.handle;
  for (let i = 0; i < FRAMES; i += 6) {
    const a = sys_window_get_packed(wh, i, 3);
    if (a < 0) {
      err = <i32>a;
      break;
    }
    const b = sys_window_get_packed(wh, i + 3, 3);
    if (b < 0) {
      err = <i32>b;
      break;
    }
    const v = i64x2.replace_lane(i64x2.splat(a), 1, b);
    peaks = i16x8.max_u(peaks, i16x8.abs(v));
    const d = i32x4.dot_i16x8_s(v, v);
    sums = i64x2.add(sums, i64x2.add(i64x2.extend_low_i32x4_u(d), i64x2.extend_high_i32x4_u(d)));
  }
  peaks = i16x8.max_u(peaks, v128.shuffle<i16>(peaks, peaks, 4, 5, 6, 7, 0, 1, 2, 3));
  peaks = i16x8.max_u(peaks, v128.shuffle<i16>(peaks, peaks, 2, 3, 0, 1, 6, 7, 4, 5));
  peaks = i16x8.max_u(peaks, v128.shuffle<i16>(peaks, peaks, 1, 0, 3, 2, 5, 4, 7, 6));
  const peak = <i32>i16x8.extract_lane_u(peaks, 0);
  const sum = i64x2.extract_lane(sums, 0) + i64x2.extract_lane(sums, 1);
  if (err != 0) {
    println("vu: buffer " + id.toString() + " after " + period.toString() + " periods: window_get_packed -> " + errnoName(-err));
    replyError(r, -err);
    exit(0);
  }
  const pk = db(<f64>peak);
  const rms = db(Math.sqrt(<f64>sum / FRAMES));
  // "vu <period> peak <dBFS> rms <dBFS> |<bar>|", built in place (line.ts: no allocation per period).
  line.begin();
  line.text("vu ");
  line.uint(<u64>period);
  line.text(" peak ");
  line.fixed2(pk);
  line.text(" rms ");
  line.fixed2(rms);
  line.text(" |");
  bar(rms, pk);
  line.text("|");
  line.end();
  period++;
  return true;
}
forever(serveOne);
