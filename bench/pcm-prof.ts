// Where a steady period of the PCM pipeline goes: a CPU profile (V8's
// sampling profiler through the inspector) of timed runs after untimed ones,
// as pcm_realtime_factor runs them (deterministic kernel, 30 s of audio,
// WARMUP_RUNS untimed first), keeping only the samples inside each run's
// steady state (the producer's "~mark-audio" lines), each put in a bucket by
// what ran: a guest's own wasm (its module's functions by name where the
// module keeps a name section), the kernel's wasm (host/runtime/fast-path.ts:
// window_get's dispatcher, the counter helpers; told apart as called from a
// guest's wasm), JavaScript by folder (kernel/ipc, kernel/sched, host/runtime,
// hal/audio, ...), the engine's own code ("(program)": JSPI's suspensions and
// resumptions, wrappers) and the collector; then the top functions. Whose
// time it is (each process's slices) is bench/pcm-ab.ts's measure: a sample's
// timestamp can be some µs from where it was taken on a loaded machine,
// longer than a slice, and a syscall's JavaScript on a JSPI stack shows no
// wasm caller. Not part of `npm run bench`.
//
//   node bench/pcm-prof.ts [--warmups N] [--runs N] [--seconds S] [--interval US] [--top K] [--out FILE.cpuprofile]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PERIOD_MS, runPcmDemo } from "../cli/demo/pcm.ts";
import { WARMUP_RUNS } from "./figures/pcm.ts";

const { values } = parseArgs({
  options: {
    warmups: { type: "string", default: String(WARMUP_RUNS) },
    runs: { type: "string", default: "5" },
    seconds: { type: "string", default: "30" },
    interval: { type: "string", default: "20" },
    top: { type: "string", default: "30" },
    out: { type: "string" },
  },
});
const seconds = Number(values.seconds);
/** performance.now() on the profiler's clock (monotonic, µs): both are the same monotonic clock, offset. */
const OFFSET_US = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
const usNow = () => OFFSET_US + performance.now() * 1000;

/** Steady-state windows on the profiler's clock (µs). */
const windows: [number, number][] = [];
let open = 0;
const run = async (timed: boolean) => {
  const outDir = mkdtempSync(join(tmpdir(), "wasmos-pcm-prof-"));
  try {
    return await runPcmDemo({
      duration: seconds,
      outDir,
      pingBatches: 0,
      onLine: (line) => {
        if (!timed || !line.startsWith("~mark-audio ")) return;
        if (line.endsWith("start")) open = usNow();
        else windows.push([open, usNow()]);
      },
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
};
for (let i = 0; i < Number(values.warmups); i++) await run(false);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: Number(values.interval) });
await session.post("Profiler.start");
let periods = 0;
let steadyMs = 0;
for (let i = 0; i < Number(values.runs); i++) {
  const r = await run(true);
  periods += r.periods;
  steadyMs += r.steady!.wallMs;
}
const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
session.disconnect();
if (values.out) writeFileSync(values.out, JSON.stringify(profile));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, Node>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
/**
 * Whether a wasm frame is a guest's own code: no wasm frame of another module above it. The kernel's modules
 * (host/runtime/fast-path.ts: window_get's dispatcher and accessors, the counter helpers) are called from a
 * guest's wasm; a guest's own functions are entered from JavaScript (the runtime's start, a resumption).
 */
const ownWasm = (n: Node): boolean => {
  for (let a = parentOf.get(n.id); a !== undefined; a = parentOf.get(a.id))
    if (a.callFrame.url.startsWith("wasm://") && a.callFrame.url !== n.callFrame.url) return false;
  return true;
};
/** What ran: the leaf's kind. */
const what = (n: Node): string => {
  const { functionName: f, url } = n.callFrame;
  if (f === "(program)" || f === "(garbage collector)" || f === "(idle)") return f;
  if (url.startsWith("wasm://")) return ownWasm(n) ? "wasm (own)" : "wasm (kernel's: window_get, counters)";
  const m = /\/(kernel|host|hal|loader|cli|bench|abi|wasm)\/(?:([^/]+)\/)?[^/]*$/.exec(url);
  if (m) return m[2] !== undefined && !m[2].includes(".") ? `js ${m[1]}/${m[2]}` : `js ${m[1]}`;
  if (url === "") return f === "wasm-to-js" || f === "js-to-wasm" ? `engine ${f}` : "native (builtins)";
  return "js node:";
};
const kinds = new Map<string, number>();
const funcs = new Map<string, number>();
const add = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
let kept = 0;
let t = profile.startTime;
let w = 0;
windows.sort((a, b) => a[0] - b[0]);
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  while (w < windows.length && windows[w][1] < t) w++;
  if (w >= windows.length || t < windows[w][0]) continue;
  kept++;
  const n = byId.get(profile.samples[i])!;
  add(kinds, what(n));
  const { functionName, url, lineNumber } = n.callFrame;
  add(
    funcs,
    `${functionName || "(anonymous)"} ${url.replace(/^.*\/(kernel|host|hal|loader|cli|wasm)\//, "$1/").replace(/^wasm:\/\/wasm\//, "wasm:")}:${lineNumber + 1}`,
  );
}
const usPer = (steadyMs * 1000) / periods;
console.log(
  `${periods} periods in ${steadyMs.toFixed(1)} ms of steady state (${usPer.toFixed(2)} µs a period, ${((PERIOD_MS * 1000) / usPer).toFixed(0)}x); ${kept} samples kept`,
);
const show = (title: string, m: Map<string, number>, k = 60) => {
  console.log(title);
  for (const [name, n] of [...m].sort((a, b) => b[1] - a[1]).slice(0, k))
    console.log(`  ${((100 * n) / kept).toFixed(1).padStart(5)} %  ${((usPer * n) / kept).toFixed(2).padStart(6)} µs  ${name}`);
};
show("what ran:", kinds);
show("by function:", funcs, Number(values.top));
