// A/B probe for the PCM pipeline's guests (docs/fastpath.md, "The PCM
// pipeline, third pass"): the pipeline with the guests built from two source
// folders ("a" and "b", each holding some of guests/pcm/<role>.ts; a role a
// folder lacks comes from guests/pcm), alternating in one Node process so both
// see the same machine load and JIT state. Not part of `npm run bench`.
//
//   node bench/pcm-ab.ts --a DIR [--b DIR] [--rounds 4] [--seconds 30] [--warmups 1] [--hash]
//
// Per run: the lowest mean period over 50-period chunks (the VU meter's line a
// period, as bench/figures/pcm.ts), the steady state's CPU time a period, and
// each guest's wall time in its slices a period (its lowest mean over the same
// chunks; the kernel's beginSlice/endSlice timed from the outside, ≈0.1 µs a
// slice), and "host", the best chunk's period less its guests' slices. With
// --hash, one 4 s run a side first hashes every presented frame (SHA-256) and
// the WAV, and the probe stops unless both sides agree byte for byte.

import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compileGuest } from "../build/compile.ts";
import { PCM_ENABLE, PCM_GUESTS_DIR, PCM_ROLES, type PcmRole } from "../cli/demo/build.ts";
import { runPcmDemo, PERIOD_MS } from "../cli/demo/pcm.ts";
import { FramebufferDevice } from "../hal/framebuffer/framebuffer.ts";
import { CpuScheduler } from "../kernel/sched/cpu.ts";
import type { Process } from "../kernel/objects/process.ts";

/** Wall time in slices, ns, by image name (reset per run). */
let inSlices = new Map<string, number>();
let sliceStart = 0;
const begin = CpuScheduler.prototype.beginSlice;
const end = CpuScheduler.prototype.endSlice;
CpuScheduler.prototype.beginSlice = function (p: Process) {
  sliceStart = performance.now();
  begin.call(this, p);
};
CpuScheduler.prototype.endSlice = function (p: Process) {
  end.call(this, p);
  const name = p.image.name;
  inSlices.set(name, (inSlices.get(name) ?? 0) + (performance.now() - sliceStart) * 1e6);
};
/** Every presented frame's SHA-256 while hashing (null: off). */
let frameHashes: string[] | null = null;
const present = FramebufferDevice.prototype.present;
FramebufferDevice.prototype.present = function (this: FramebufferDevice) {
  if (frameHashes !== null) frameHashes.push(createHash("sha256").update(this.pixels()).digest("hex"));
  return present.call(this);
};

const args = process.argv.slice(2);
let rounds = 4;
let seconds = 30;
let hash = false;
let warmups = 1;
const dirs: Record<string, string> = { a: PCM_GUESTS_DIR, b: PCM_GUESTS_DIR };
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--rounds") rounds = Number(args[++i]);
  else if (args[i] === "--seconds") seconds = Number(args[++i]);
  else if (args[i] === "--a") dirs.a = resolve(args[++i]);
  else if (args[i] === "--b") dirs.b = resolve(args[++i]);
  else if (args[i] === "--hash") hash = true;
  else if (args[i] === "--warmups") warmups = Number(args[++i]);
}
const CHUNK = 50;

async function imagesOf(dir: string): Promise<Partial<Record<PcmRole, Uint8Array>>> {
  const images: Partial<Record<PcmRole, Uint8Array>> = {};
  for (const role of PCM_ROLES) {
    const file = join(dir, `${role}.ts`);
    if (!existsSync(file)) continue;
    const r = await compileGuest(file, { enable: PCM_ENABLE[role] });
    if (!r.ok || r.binary === null) throw new Error(`${file} does not compile:\n${r.diagnostics}`);
    images[role] = r.binary;
  }
  return images;
}
const images = { a: await imagesOf(dirs.a), b: await imagesOf(dirs.b) };

async function once(
  side: "a" | "b",
  secs = seconds,
): Promise<{ bestUs: number; cpuUs: number; guests: string; stdout: string; wav: string }> {
  inSlices = new Map();
  const outDir = mkdtempSync(join(tmpdir(), "wasmos-pcm-ab-"));
  try {
    const lines: number[] = [];
    const snaps: Map<string, number>[] = [];
    const r = await runPcmDemo({
      duration: secs,
      outDir,
      pingBatches: 0,
      images: images[side],
      onLine: (line) => {
        if (line.startsWith("vu ")) {
          lines.push(performance.now());
          snaps.push(new Map(inSlices));
        }
      },
    });
    if (r.init.status !== 0 || r.steady === null) throw new Error(`pcm run failed: ${r.init.message}`);
    let best = Infinity;
    let bestAt = 0;
    for (let k = CHUNK; k + CHUNK < lines.length; k += CHUNK) {
      const us = ((lines[k + CHUNK] - lines[k]) * 1000) / CHUNK;
      if (us < best) [best, bestAt] = [us, k];
    }
    const periods = (secs * 1000) / PERIOD_MS;
    const names = [...inSlices.keys()].filter((name) => name !== "pcm-init");
    const per = (name: string, k: number) => ((snaps[k + CHUNK].get(name) ?? 0) - (snaps[k].get(name) ?? 0)) / CHUNK / 1000;
    // Each guest's lowest mean over the same chunks (µs a period), and the host's share of the best chunk.
    const guests = names.map((name) => {
      let g = Infinity;
      for (let k = CHUNK; k + CHUNK < snaps.length; k += CHUNK) g = Math.min(g, per(name, k));
      return `${name.replace("pcm-", "")} ${g.toFixed(2)}`;
    });
    const host = best - names.reduce((s, name) => s + per(name, bestAt), 0);
    guests.push(`host ${host.toFixed(2)}`);
    return {
      bestUs: best,
      cpuUs: (r.steady.cpuMs * 1000) / periods,
      guests: guests.join(", "),
      stdout: r.stdout.replace(/rtt_ns .*/, ""),
      wav: createHash("sha256").update(readFileSync(r.wavPath)).digest("hex"),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (hash) {
  const seen: Record<string, { frames: string[]; wav: string; stdout: string }> = {};
  for (const side of ["a", "b"] as const) {
    frameHashes = [];
    const r = await once(side, 4);
    seen[side] = { frames: frameHashes, wav: r.wav, stdout: r.stdout };
    frameHashes = null;
  }
  const diff = seen.a.frames.findIndex((h, i) => h !== seen.b.frames[i]);
  console.log(
    `frames a ${seen.a.frames.length} b ${seen.b.frames.length}, first differing ${diff}; wav ${seen.a.wav === seen.b.wav ? "same" : "DIFFERS"}; stdout (but rtt) ${seen.a.stdout === seen.b.stdout ? "same" : "DIFFERS"}`,
  );
  if (diff >= 0 || seen.a.frames.length !== seen.b.frames.length || seen.a.wav !== seen.b.wav || seen.a.stdout !== seen.b.stdout)
    process.exit(1);
}

// Untimed runs a side first: the kernel's code and the guests tier up (the figure runs ten: "Warm-up: when the JIT has settled").
for (let i = 0; i < warmups; i++) {
  await once("a");
  await once("b");
}
for (let round = 0; round < rounds; round++) {
  for (const side of round % 2 === 0 ? (["a", "b"] as const) : (["b", "a"] as const)) {
    const load = loadavg()[0].toFixed(2);
    const r = await once(side);
    console.log(
      `${side}  best chunk ${r.bestUs.toFixed(2)} µs/period  steady CPU ${r.cpuUs.toFixed(2)} µs/period  load ${load}\n   lowest chunk, µs/period: ${r.guests}`,
    );
  }
}
