// A probe for port_rtt_ns and port_rtt_ns_queued (docs/fastpath.md "The port
// round trip, second pass"): the bench's ping-pong (bench/guests/port-pingpong.ts)
// in one kernel, `rounds` samples of each shape, each sample's batches timed by
// the process's CPU time (process.cpuUsage) instead of the wall clock: on a
// shared machine a process that waits for a core is not charged for it, so
// fresh processes of two checkouts alternated compare better than the bench's
// wall-clock medians do (a sibling's load still slows what runs). Prints, per
// shape, each sample's lowest and median batch (ns per round trip).
// Not part of `npm run bench`.
//
//   node bench/port-ab.ts [rounds] [direct,queued] [--wall]

import { IMAGE_GRANT_RIGHTS, Kernel } from "../host/kernel.ts";
import { ImageLoader } from "../loader/loader.ts";
import { BenchImages } from "./images.ts";
import { runMarked } from "./marks.ts";
import { type Plan, sampleMarked } from "./stats.ts";

const args = process.argv.slice(2).filter((a) => a !== "--wall");
const wall = process.argv.includes("--wall");
const rounds = Number(args[0] ?? 3);
const shapes = (args[1] ?? "direct,queued").split(",");
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const clock = wall ? () => performance.now() : cpu;
const plan: Plan = { warmup: 10, warmupMs: 300, samples: 60, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };
const kernel = new Kernel({ loader: new ImageLoader() });
const image = kernel.loadImage(await new BenchImages().guest("port-pingpong"), "port-pingpong");
const handles = [{ name: "peer", object: image, rights: IMAGE_GRANT_RIGHTS }];
const out = new Map<string, string[]>();
for (let r = 0; r < rounds; r++)
  for (const shape of shapes) {
    const mode = shape === "direct" ? ["ping", "direct"] : ["ping"];
    const s = await sampleMarked(plan, (batch, batches) =>
      runMarked(kernel, [{ image, args: [batch, batches, ...mode], handles, marks: true }], undefined, clock),
    );
    out.set(shape, [...(out.get(shape) ?? []), `${s.min.toFixed(1)}/${s.median.toFixed(1)}`]);
  }
kernel.release(image);
for (const [shape, list] of out) console.log(`${shape.padEnd(7)} ${wall ? "wall" : "cpu"} lowest/median ns: ${list.join("  ")}`);
