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
  let peak: i32 = 0;
  let sum: i64 = 0;
  let err: i32 = 0;
  // window_get_packed itself, not Window.getPacked: the handle in a local and the result in a register (no object
  // field written and read back, no shadow-stack traffic per call). Three samples a call, packed lowest first, each
  // zero-extended (so a call never answers a negative value but an -errno), and two calls a turn (FRAMES is a
  // multiple of six): a third of window_get's calls (each a call into the kernel's dispatcher, another instance,
  // which the engine cannot inline) and a sixth of the loop's back edges, each of which pays the engine's
  // interrupt check and a fuel charge; each call still checked before its samples are used.
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
    const s0 = <i32><i16>a;
    const s1 = <i32><i16>(a >> 16);
    const s2 = <i32><i16>(a >> 32);
    const s3 = <i32><i16>b;
    const s4 = <i32><i16>(b >> 16);
    const s5 = <i32><i16>(b >> 32);
    peak = max(peak, max(max(max(abs(s0), abs(s1)), max(abs(s2), abs(s3))), max(abs(s4), abs(s5))));
    // Two squares add up to at most 2^31 (both samples -32768): past i32, within u32, so summed as u32.
    sum += <i64>(<u32>(s0 * s0 + s1 * s1)) + <i64>(<u32>(s2 * s2 + s3 * s3)) + <i64>(<u32>(s4 * s4 + s5 * s5));
  }
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
