// pcm producer: writes each 20 ms period of the tone (440 Hz left with a
// moving level, 660 Hz right) into the shared PCM buffer through its
// read-write bound grant, then tells each consumer (audio driver, VU meter,
// visualizer) with a short message carrying only the buffer's id (a call: one
// word in its IPC buffer), and does not touch the buffer again until all three
// have answered.
//
//   pcm-producer <periods> <ping batches> <pings per batch>
//
// Handles: "pcm" (the buffer, READ|WRITE: bound as a grant), "driver", "vu",
// "vis" (send-only endpoints of the consumers).
// It prints "~mark-audio start" before the first period and "~mark-audio end"
// after the last reply (hidden by the CLI): the host's steady-state timing.
// Afterwards it sends batches of empty messages (PING) to the VU meter and
// prints a marker line after each batch, so the host can time the kernel's
// round trip against the wall clock; then it reports the median send->reply
// time per consumer on the kernel's clock.
import { args, call, errnoName, exit, forever, handle, now, println, setIpcWord } from "@wasmos/sdk";
import * as pcm from "@wasmos/sdk/grants/pcm";
import { FRAMES, LEFT_INC, PING, RIGHT_AMP, RIGHT_INC, envelope, isin, median } from "./signal";

const argv = args();
const periods = I32.parseInt(argv[1]);
const batches = argv.length > 2 ? I32.parseInt(argv[2]) : 0;
const perBatch = argv.length > 3 ? I32.parseInt(argv[3]) : 0;
const id: i64 = <i64>handle(pcm.NAME); // the buffer's id, all a message carries
const consumers: i32[] = [handle("driver"), handle("vu"), handle("vis")];
const names: string[] = ["driver", "vu", "vis"];
const rtt: i64[][] = [[], [], []];

/**
 * isin(phase) for every value of phase >>> 16, the only bits it reads: a
 * lookup gives the same samples as signal.ts's leftSample/rightSample bit for
 * bit, at a fraction of the arithmetic (the table is built once, at start-up).
 */
const SINE = new StaticArray<i32>(65536);
for (let i = 0; i < 65536; i++) SINE[i] = isin(<u32>i << 16);

/**
 * Period p into the grant: interleaved s16le, left then right (leftSample, rightSample of signal.ts). The table is
 * read through its raw address (as the visualizer's): through the managed reference AssemblyScript stored the
 * reference on its shadow stack at every read, two stores a frame for the collector's sake. Two frames a turn
 * (FRAMES is even): half the loop's back edges, each of which pays the engine's interrupt check and a fuel charge.
 */
function fill(p: i32): void {
  const amp = envelope(p);
  const base = <u32>(p * FRAMES);
  const sine = changetype<usize>(SINE);
  for (let i: u32 = 0; i < <u32>FRAMES; i += 2) {
    const f = base + i;
    const l0 = <i16>((load<i32>(sine + (<usize>((f * LEFT_INC) >>> 16) << 2)) * amp) >> 15);
    const r0 = <i16>((load<i32>(sine + (<usize>((f * RIGHT_INC) >>> 16) << 2)) * RIGHT_AMP) >> 15);
    const l1 = <i16>((load<i32>(sine + (<usize>(((f + 1) * LEFT_INC) >>> 16) << 2)) * amp) >> 15);
    const r1 = <i16>((load<i32>(sine + (<usize>(((f + 1) * RIGHT_INC) >>> 16) << 2)) * RIGHT_AMP) >> 15);
    pcm.store_i16(i << 2, l0);
    pcm.store_i16((i << 2) + 2, r0);
    pcm.store_i16((i << 2) + 4, l1);
    pcm.store_i16((i << 2) + 6, r1);
  }
}

let p = 0;
/** One period: fill the buffer, tell each consumer, wait for all three (called through forever: see the SDK's loop.ts). */
function period(): bool {
  if (p >= periods) return false;
  fill(p);
  // Four clock readings, not six: the reading after one consumer's reply is the next one's send time (only
  // this loop's bookkeeping lies between the two), so each round trip is still send -> reply on the kernel's clock.
  let t0 = now();
  for (let c = 0; c < 3; c++) {
    setIpcWord(0, <i32>id);
    const r = call(consumers[c], 1);
    const t1 = now();
    rtt[c].push(t1 - t0);
    t0 = t1;
    if (r < 0) {
      println("producer: period " + p.toString() + ": " + names[c] + " answered " + errnoName(-r));
      exit(1);
    }
  }
  p++;
  return true;
}
println("~mark-audio start"); // the host times the steady state between these two lines
forever(period);
println("~mark-audio end");

// The round-trip probe: empty exchanges with the VU meter, which answers at once.
const ping: i64[] = [];
for (let b = 0; b < batches; b++) {
  for (let k = 0; k < perBatch; k++) {
    const t0 = now();
    setIpcWord(0, <i32>PING);
    call(consumers[1], 1);
    ping.push(now() - t0);
  }
  println("~mark " + b.toString());
}

println(
  "producer: periods=" + periods.toString() + " messages=" + (periods * 3).toString() +
  " rtt_ns driver=" + median(rtt[0]).toString() + " vu=" + median(rtt[1]).toString() +
  " vis=" + median(rtt[2]).toString() + " ping=" + median(ping).toString(),
);
