// How the PCM figure's runs warm up: each run's figures by its position in
// its process, the median over fresh processes, so the JIT's tier-up (which
// every process repeats) shows apart from the machine's noise (which it does
// not). A tool for choosing pcm_realtime_factor's untimed runs (WARMUP_RUNS,
// bench/figures/pcm.ts; docs/fastpath.md "Warm-up: when the JIT has
// settled"), not part of `npm run bench`:
//
//   node bench/pcm-positions.ts [--processes P] [--runs N] [--seconds S] [--long SECONDS] [-- V8 flags]
//
// Per position: the steady state's factor on wall time and on CPU time, the
// best 50-period chunk (µs a period) and the full collections inside the
// steady state (a sum over processes; for --long, over the whole runs).
// With --long, each process plays
// instead one run of that many seconds, its first, and the same figures are
// printed for each 30 s window of it: what a user who leaves the pipeline
// playing gets, to compare with the positions' plateau. V8 flags after `--` go to the
// processes (e.g. `-- --invocation-count-for-turbofan=500`).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PERIOD_MS } from "../cli/demo/pcm.ts";
import { pcmRuns } from "./figures/pcm-child.ts";
import { median } from "./stats.ts";

const CHUNK = 50;
/** Periods in a 30 s window of a long run. */
const WINDOW = 1500;

interface Row {
  factor: number;
  /** 0 for a long run's window (its CPU time is not split by window). */
  cpu: number;
  bestUs: number;
  major: number;
}

/** The lowest mean period (µs) over CHUNK consecutive lines in times[from, to). */
function best(times: readonly number[], from: number, to: number): number {
  let b = Infinity;
  for (let k = from; k + CHUNK < Math.min(to, times.length); k += CHUNK) b = Math.min(b, ((times[k + CHUNK] - times[k]) * 1000) / CHUNK);
  return b;
}

/** One process's rows (positions, then the long run's windows), as the child prints them. */
async function child(runs: number, seconds: number, long: number): Promise<{ positions: Row[]; windows: Row[] }> {
  const positions = (long > 0 ? [] : await pcmRuns(seconds, runs, 0, null)).map((r) => ({
    factor: (r.periods * PERIOD_MS) / r.steadyWallMs,
    cpu: (r.periods * PERIOD_MS) / r.steadyCpuMs,
    bestUs: best(r.lines, CHUNK, r.lines.length),
    major: r.gcInSteady.major,
  }));
  const windows: Row[] = [];
  if (long > 0) {
    const [r] = await pcmRuns(long, 1, 0, null);
    const t = r.lines;
    for (let k = 0; k + WINDOW < t.length; k += WINDOW)
      windows.push({
        factor: (WINDOW * PERIOD_MS) / (t[k + WINDOW] - t[k]),
        cpu: 0,
        bestUs: best(t, k === 0 ? CHUNK : k, k + WINDOW + 1),
        major: 0,
      });
    // (Collections are not split by window: the whole run's are counted on its first window's row.)
    if (windows.length > 0) windows[0].major = r.gcInSteady.major;
  }
  return { positions, windows };
}

const SELF = fileURLToPath(import.meta.url);
const dash = process.argv.indexOf("--");
const own = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
const flags = dash < 0 ? [] : process.argv.slice(dash + 1);
const { values } = parseArgs({
  args: own,
  options: {
    processes: { type: "string", default: "6" },
    runs: { type: "string", default: "16" },
    seconds: { type: "string", default: "30" },
    long: { type: "string", default: "0" },
    child: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const long = Number(values.long);

if (values.child) {
  process.stdout.write(JSON.stringify(await child(runs, seconds, long)) + "\n");
} else {
  const all: { positions: Row[]; windows: Row[] }[] = [];
  for (let p = 0; p < Number(values.processes); p++) {
    const args = [...flags, SELF, "--child", "--runs", String(runs), "--seconds", String(seconds), "--long", String(long)];
    all.push(
      JSON.parse(
        execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 })
          .trim()
          .split("\n")
          .at(-1)!,
      ),
    );
  }
  const table = (title: string, pick: (x: { positions: Row[]; windows: Row[] }) => Row[], cpu: boolean) => {
    const n = Math.min(...all.map((x) => pick(x).length));
    if (n === 0) return;
    const col = (f: (r: Row) => number, digits: number) =>
      Array.from({ length: n }, (_, i) =>
        median(all.map((x) => f(pick(x)[i])))
          .toFixed(digits)
          .padStart(6),
      ).join("");
    console.log(`${title} (median of ${all.length} processes)`);
    console.log(`  ${"".padEnd(14)}${Array.from({ length: n }, (_, i) => String(i + 1).padStart(6)).join("")}`);
    console.log(`  ${"factor (wall)".padEnd(14)}${col((r) => r.factor, 0)}`);
    if (cpu) console.log(`  ${"factor (CPU)".padEnd(14)}${col((r) => r.cpu, 0)}`);
    console.log(`  ${"best chunk µs".padEnd(14)}${col((r) => r.bestUs, 1)}`);
    if (cpu) {
      const majors = Array.from({ length: n }, (_, i) => String(all.reduce((a, x) => a + pick(x)[i].major, 0)).padStart(6)).join("");
      console.log(`  ${"full GCs (sum)".padEnd(14)}${majors}`);
    } else console.log(`  full collections inside the long runs' steady states: ${all.reduce((a, x) => a + pick(x)[0].major, 0)}`);
  };
  table(`${seconds} s runs by position in their process`, (x) => x.positions, true);
  table(`one ${long} s run, by 30 s window`, (x) => x.windows, false);
}
