// Counts per operation of fs-client's open-close (and the other fs-client modes, ipc-call) in the
// default system: the syscalls each process made through the kernel's table, by name (what the vDSO
// serves in wasm never reaches the table, so a call pair it served counts nothing), and the kernel's
// IPC counters (messages, answers, pulses, handoffs: switches straight to the woken peer). Not a
// figure: what an operation consists of, counted, beside bench/cpu-ops.ts's CPU time for it
// (docs/fastpath.md, "The namespace's open and close, sixth pass").
//
//   node bench/oc-count.ts [ops] [mode]...     (default 20000 open-close; modes as fs-client's, ipc-call)

import { Constants } from "../abi/gen/abi.ts";
import { bootDefaultSystem } from "../cli/system.ts";
import { IMAGE_GRANT_RIGHTS, Kernel } from "../host/kernel.ts";
import { hostMount } from "../kernel/ns/host.ts";
import type { Process } from "../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../kernel/syscalls/index.ts";
import { ImageLoader } from "../loader/loader.ts";
import { BenchImages } from "./images.ts";

const args = process.argv.slice(2);
const ops = Number(args[0] ?? 20000);
const modes = args.length > 1 ? args.slice(1) : ["open-close"];

// Every syscall handler counted by the pid that made it (a wrapper around the table's entries).
const calls = new Map<number, Map<string, number>>();
const table = SYSCALL_HANDLERS as unknown as Record<string, (k: unknown, p: Process, ...a: unknown[]) => unknown>;
for (const name of Object.keys(table)) {
  const f = table[name];
  table[name] = (k, p, ...a) => {
    let m = calls.get(p.pid);
    if (m === undefined) calls.set(p.pid, (m = new Map()));
    m.set(name, (m.get(name) ?? 0) + 1);
    return f(k, p, ...a);
  };
}

const images = new BenchImages();
const kernel = new Kernel({ loader: new ImageLoader() });
const sys = await bootDefaultSystem({ kernel, stdout: () => {}, stderr: (b) => process.stderr.write(b), stdin: null });
sys.start();
const svc = kernel.createEndpoint();
hostMount(sys.root, "/svc", svc, Constants.MOUNT_ENDPOINT);
const fs = kernel.loadImage(await images.guest("fs-client"), "fs-client");
const client = kernel.loadImage(await images.guest("ipc-client"), "ipc-client");
const server = kernel.loadImage(await images.guest("ipc-server"), "ipc-server");
const core = kernel.core;
// Every dispatch (a process put on the CPU: one resumption of its wasm stack, or its first run), counted
// through the instance (the flat paths call this.dispatch too).
let dispatches = 0;
const coreDispatch = core as unknown as { dispatch(p: Process): void };
const dispatch = coreDispatch.dispatch.bind(core);
coreDispatch.dispatch = (p: Process) => {
  dispatches++;
  dispatch(p);
};

type Snap = { dispatches: number; ipc: typeof core.ipc; calls: Map<number, Map<string, number>> };
const snap = (): Snap => ({ dispatches, ipc: { ...core.ipc }, calls: new Map([...calls].map(([pid, m]) => [pid, new Map(m)])) });

try {
  for (const mode of modes) {
    const ipc = mode.startsWith("ipc-");
    const image = ipc ? client : fs;
    const snaps: Snap[] = [];
    const p = kernel.spawn(image, {
      args: [image.name, String(ops), "3", ipc ? mode.slice(4) : mode],
      handles: ipc ? [{ name: "server", object: server, rights: IMAGE_GRANT_RIGHTS }] : sys.programHandles(),
      stdout: () => {
        snaps.push(snap());
      },
    });
    const exit = await p.exited;
    p.close();
    if (exit.status !== 0 || snaps.length < 3) throw new Error(`${mode}: status ${exit.status}`);
    // The last batch: between the last two marks.
    const [a, b] = [snaps[snaps.length - 2], snaps[snaps.length - 1]];
    const servers = sys.servers;
    const name = (pid: number) =>
      pid === p.pid ? mode : pid === servers.tmpfs?.pid ? "tmpfs" : pid === servers.devfs?.pid ? "devfs" : `pid ${pid}`;
    console.log(`${mode}: per operation over ${ops}`);
    for (const [pid, m] of b.calls) {
      const before = a.calls.get(pid) ?? new Map();
      const parts = [...m].map(([n, c]) => [n, (c - (before.get(n) ?? 0)) / ops] as const).filter(([, c]) => c > 0);
      if (parts.length > 0) console.log(`  ${name(pid)} syscalls: ${parts.map(([n, c]) => `${n} ${c.toFixed(2)}`).join(", ")}`);
    }
    const ipcD = Object.entries(b.ipc).map(([k, v]) => `${k} ${((v - a.ipc[k as keyof typeof a.ipc]) / ops).toFixed(2)}`);
    console.log(`  ipc: ${ipcD.join(", ")}; dispatches ${((b.dispatches - a.dispatches) / ops).toFixed(2)}`);
  }
} finally {
  kernel.release(fs);
  kernel.release(client);
  kernel.release(server);
  kernel.release(svc);
  sys.shutdown();
  await kernel.run();
}
