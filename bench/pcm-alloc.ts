// Per-period allocation of the PCM pipeline: a sampling heap profile
// (including objects collected since) of one run after untimed ones (the
// deterministic kernel, as pcm_realtime_factor runs it; --realtime: the
// wall clock, whose idle waits arm the host's timers too),
// grouped by the allocating function and file, and the young collections in
// the run (PerformanceObserver). A/B tool for the pcmalloc pass
// (docs/fastpath.md "Per-period allocation in the PCM pipeline"):
//
//   node bench/pcm-alloc.ts [--seconds S] [--warmups N] [--top K] [--realtime]
import { mkdtempSync, rmSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { runPcmDemo } from "../cli/demo/pcm.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    warmups: { type: "string", default: "2" },
    top: { type: "string", default: "25" },
    realtime: { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const run = async () => {
  const outDir = mkdtempSync(join(tmpdir(), "wasmos-pcm-alloc-"));
  try {
    return await runPcmDemo({ duration: seconds, realtime: values.realtime, outDir, pingBatches: 0 });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
};
for (let i = 0; i < Number(values.warmups); i++) await run();

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}
const session = new Session();
session.connect();
let scavenges = 0;
let majors = 0;
const obs = new PerformanceObserver((l) => {
  for (const e of l.getEntries()) {
    const kind = (e as unknown as { detail: { kind: number } }).detail.kind;
    if (kind === 1) scavenges++;
    else if (kind === 4) majors++;
  }
});
obs.observe({ entryTypes: ["gc"] });
await session.post("HeapProfiler.startSampling", {
  samplingInterval: 512,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
} as never);
const r = await run();
const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: Node } };
obs.disconnect();
const by = new Map<string, number>();
let total = 0;
const walk = (n: Node) => {
  if (n.selfSize > 0) {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/wt\/[^/]+\//, "");
    const key = `${f.functionName || "(anon)"} ${file}:${f.lineNumber + 1}`;
    by.set(key, (by.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
  }
  for (const c of n.children) walk(c);
};
walk(profile.head);
const periods = Math.round((seconds * 1000) / 20);
console.log(
  `total ${(total / 1e6).toFixed(2)} MB over ${periods} periods: ${(total / periods).toFixed(0)} B a period; scavenges ${scavenges}, mark-compacts ${majors}; steady ${r.steady ? "yes" : "no"}`,
);
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
  console.log(`${(v / periods).toFixed(0).padStart(7)} B/period  ${k}`);
