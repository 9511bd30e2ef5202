// A/B probe for the server guests' own code (docs/fastpath.md, "The namespace's open and close, sixth
// pass"): fs-client's open-close (bench/cpu-ops.ts's measurement: CPU time per operation, the median of
// the batches after the first) in the default system booted alternately with two builds of its servers
// (tmpfs.wasm and devfs.wasm from two directories: this checkout's dist/guests and another's), in one
// process with one kernel build, so that only the guests differ and the machine's load moves both alike.
// Not part of `npm run bench`.
//
//   node bench/server-ab.ts <other dist/guests dir> [--rounds 6] [--batch 20000] [--batches 10] [--mode open-close]

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { GUESTS_OUT } from "../build/build-guests.ts";
import { serverBinaries } from "../cli/system.ts";
import { Kernel } from "../host/kernel.ts";
import { bootSystem, type ServerBinaries } from "../host/system.ts";
import { ImageLoader } from "../loader/loader.ts";
import { BenchImages } from "./images.ts";

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const otherDir = args[0];
if (otherDir === undefined || otherDir.startsWith("--")) {
  console.error("usage: node bench/server-ab.ts <other dist/guests dir> [--rounds n] [--batch n] [--batches n] [--mode m]");
  process.exit(64);
}
const rounds = Number(opt("--rounds", "6"));
const batch = Number(opt("--batch", "20000"));
const batches = Number(opt("--batches", "10"));
const mode = opt("--mode", "open-close");

await serverBinaries(); // builds this checkout's servers into dist/guests if they are stale
const load = (dir: string): ServerBinaries =>
  ({
    devfs: new Uint8Array(readFileSync(join(dir, "devfs.wasm"))),
    tmpfs: new Uint8Array(readFileSync(join(dir, "tmpfs.wasm"))),
  }) as ServerBinaries;
const variants = { here: load(GUESTS_OUT), other: load(otherDir) };
const client = await new BenchImages().guest("fs-client");
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(bins: ServerBinaries): Promise<{ median: number; min: number }> {
  const kernel = new Kernel({ loader: new ImageLoader() });
  const sys = bootSystem({ kernel, stdout: () => {}, stderr: (b) => process.stderr.write(b), stdin: null }, bins);
  sys.start();
  const image = kernel.loadImage(client, "fs-client");
  const marks: number[] = [];
  const p = kernel.spawn(image, {
    args: ["fs-client", String(batch), String(batches), mode],
    handles: sys.programHandles(),
    stdout: () => {
      marks.push(cpuMs());
    },
  });
  const exit = await p.exited;
  p.close();
  kernel.release(image);
  sys.shutdown();
  await kernel.run();
  if (exit.status !== 0 || marks.length !== batches + 1) throw new Error(`${mode}: fs-client ended with status ${exit.status}`);
  const per: number[] = [];
  for (let i = 2; i < marks.length; i++) per.push(((marks[i] - marks[i - 1]) * 1e6) / batch); // the first batch warms up
  per.sort((a, b) => a - b);
  return { median: per[per.length >> 1], min: per[0] };
}

// One untimed run first: the kernel's own JavaScript warms up in the first system a process boots, and
// whichever variant ran first would pay for it.
await measure(variants.here);
const rows: Record<string, string[]> = { here: [], other: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? (["here", "other"] as const) : (["other", "here"] as const);
  for (const v of order) {
    const s = await measure(variants[v]);
    rows[v].push(`${s.median.toFixed(0)}/${s.min.toFixed(0)}`);
  }
}
console.log(`${mode}, CPU ns per operation (median/min of batches), load ${loadavg()[0].toFixed(2)}`);
for (const [v, list] of Object.entries(rows)) console.log(`${v.padEnd(6)} ${list.join(" ")}`);
