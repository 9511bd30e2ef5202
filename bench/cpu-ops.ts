// CPU time per operation of the bench's file and IPC guests, for A/B
// comparisons on a shared machine: the clock at each of the guest's marks is
// this Node process's CPU time (user + system, process.cpuUsage), which the
// load of other processes moves far less than wall time. Not a figure (the
// harness's figures are wall time against a baseline beside them); a tool.
//
//   node bench/cpu-ops.ts [batch] [batches] mode...
//     modes: fs-client's (open-close, open-close-ep, stat, grant, buffer, regs, memcpy),
//            ipc-call, ipc-send, ipc-pulse (ipc-client's call, send, pulse round trips);
//            a "@same" suffix on an fs-client mode runs the client at the servers' priority.
//   prints "mode median min" (ns per operation, over the batches after the first) for each mode.
//
// Both sides of an A/B: run it alternately in each checkout (copy it into one that lacks it).

import { Constants } from "../abi/gen/abi.ts";
import { bootDefaultSystem } from "../cli/system.ts";
import { IMAGE_GRANT_RIGHTS, Kernel } from "../host/kernel.ts";
import { SERVER_PRIORITY } from "../host/system.ts";
import { hostMount } from "../kernel/ns/host.ts";
import { ImageLoader } from "../loader/loader.ts";
import { BenchImages } from "./images.ts";

const args = process.argv.slice(2);
const batch = Number(args[0] ?? 20000);
const batches = Number(args[1] ?? 12);
const modes = args.slice(2);
if (!(batch > 0 && batches > 1 && modes.length > 0)) {
  console.error("usage: node bench/cpu-ops.ts <batch> <batches> <mode>...");
  process.exit(64);
}

const images = new BenchImages();
const kernel = new Kernel({ loader: new ImageLoader() });
const sys = await bootDefaultSystem({ kernel, stdout: () => {}, stderr: (b) => process.stderr.write(b), stdin: null });
sys.start();
const svc = kernel.createEndpoint();
hostMount(sys.root, "/svc", svc, Constants.MOUNT_ENDPOINT); // fs-client open-close-ep
const fs = kernel.loadImage(await images.guest("fs-client"), "fs-client");
const client = kernel.loadImage(await images.guest("ipc-client"), "ipc-client");
const server = kernel.loadImage(await images.guest("ipc-server"), "ipc-server");
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const out: string[] = [];
try {
  for (const mode of modes) {
    const ipc = mode.startsWith("ipc-");
    const same = mode.endsWith("@same");
    const image = ipc ? client : fs;
    const marks: number[] = [];
    const p = kernel.spawn(image, {
      args: [image.name, String(batch), String(batches), ipc ? mode.slice(4) : mode.replace(/@same$/, "")],
      handles: ipc ? [{ name: "server", object: server, rights: IMAGE_GRANT_RIGHTS }] : sys.programHandles(),
      stdout: () => {
        marks.push(cpuMs());
      },
      priority: same ? SERVER_PRIORITY : undefined,
    });
    const exit = await p.exited;
    p.close();
    if (exit.status !== 0 || marks.length !== batches + 1) throw new Error(`${mode}: the guest ended with status ${exit.status}`);
    const per: number[] = [];
    for (let i = 2; i < marks.length; i++) per.push(((marks[i] - marks[i - 1]) * 1e6) / batch); // the first batch warms up
    per.sort((a, b) => a - b);
    out.push(`${mode} ${per[per.length >> 1].toFixed(0)} ${per[0].toFixed(0)}`);
  }
} finally {
  kernel.release(fs);
  kernel.release(client);
  kernel.release(server);
  kernel.release(svc);
  sys.shutdown();
  await kernel.run();
}
console.log(out.join(" | "));
