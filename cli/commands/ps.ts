// `wasmos ps` and `wasmos top`: the process table of a system, as QNX's
// pidin shows it. A wasmos kernel lives inside one Node process, so there is
// no running system to attach to from another: both commands boot the
// manifest themselves (exactly as `wasmos boot` does) and look at it from
// inside: procfs (guests/procfs, holding a KINFO capability) serves /proc in
// a namespace of the monitor's own, and the ps guest (guests/ps) reads the
// table from /proc/ps there. Both are processes of the system like any
// other, and show in the table.
// In deterministic mode the same manifest gives the same table, byte for byte.

import { dirname, join, resolve } from "node:path";
import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { REPO_ROOT } from "../../build/compile.ts";
import { hostMount } from "../../kernel/ns/host.ts";
import type { KernelObject } from "../../kernel/object.ts";
import { BootError, bootSystem, type BootedSystem } from "../../host/manifest/boot.ts";
import { ModuleRefusedError } from "../../loader/loader.ts";
import { CliError, type Command, EXIT, UsageError } from "../command.ts";
import { compileGuestFile, GuestCompileError } from "../run-guest.ts";
import { loadSystemFiles } from "./boot.ts";

const PS_GUEST = join(REPO_ROOT, "guests", "ps", "main.ts");
const PROCFS_GUEST = join(REPO_ROOT, "guests", "procfs", "main.ts");

function number(flags: Record<string, unknown>, name: string, dflt: number, min: number): number {
  const v = flags[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} wants a number >= ${min}, got "${String(v)}"`);
  return n;
}

/**
 * Boot the manifest with its output going to stderr (stdout is the table's), and the ps image loaded in it.
 * Its errors are `command`'s (ps or top): an exit status, the error printed.
 */
async function bootForMonitor(file: string, realtime: boolean, command: "ps" | "top") {
  const loaded = await loadSystemFiles(file, command);
  if (typeof loaded === "number") return loaded;
  let psBytes: Uint8Array;
  let procfsBytes: Uint8Array;
  try {
    psBytes = await compileGuestFile(PS_GUEST);
    procfsBytes = await compileGuestFile(PROCFS_GUEST);
  } catch (e) {
    if (e instanceof GuestCompileError) throw new CliError(e.message, EXIT.INTERNAL);
    throw e;
  }
  if (realtime) loaded.manifest.realtime = true;
  let sys: BootedSystem;
  // Each process's output, a line at a time, tagged with its name.
  const partial = new Map<string, string>();
  const decoder = new TextDecoder();
  const tagged = (name: string, b: Uint8Array) => {
    const text = (partial.get(name) ?? "") + decoder.decode(b);
    const nl = text.lastIndexOf("\n");
    partial.set(name, text.slice(nl + 1));
    if (nl >= 0) process.stderr.write(text.slice(0, nl + 1).replace(/^(?=.)/gm, `[${name}] `));
  };
  try {
    sys = bootSystem(loaded.manifest, loaded.images, {
      baseDir: dirname(resolve(file)),
      stdout: tagged,
      log: (line) => {
        // The system's notes (host/manifest/boot.ts) say "wasmos boot: "; here they are this command's.
        if (!line.startsWith("wasmos boot: ") || / (restart|give up) /.test(line))
          process.stderr.write(line.replace(/^wasmos boot: /, `wasmos ${command}: `) + "\n");
      },
    });
  } catch (e) {
    if (e instanceof BootError) throw new CliError(`${file}: ${e.pointer}: ${e.message}`, EXIT.REFUSED);
    if (e instanceof ModuleRefusedError) throw new CliError(e.describe(), EXIT.REFUSED);
    throw e;
  }
  return { sys, ps: sys.kernel.loadImage(psBytes, "ps"), proc: startProcfs(sys, procfsBytes) };
}

/**
 * /proc for the monitor: a namespace of its own with procfs (holding the
 * system's KINFO) mounted at /proc. ps reads /proc/ps or /proc/<pid> there,
 * so the table it prints comes from /proc. procfs is a process of the system
 * too, and shows in the table. Returns the handles ps gets and a cleanup.
 */
function startProcfs(sys: BootedSystem, bytes: Uint8Array) {
  const k = sys.kernel;
  const root = k.createRootDir();
  const ep = k.createEndpoint();
  hostMount(root, "/proc", ep);
  const image = k.loadImage(bytes, "procfs");
  const procfs = k.spawn(image, {
    args: ["procfs"],
    priority: 160,
    handles: [
      { name: "endpoint", object: ep, rights: Rights.RECEIVE | Rights.SEND | Rights.DUPLICATE },
      { name: "kinfo", object: sys.kernelInfo(), rights: Rights.READ },
    ],
    stdout: (b) => process.stderr.write(b),
  });
  k.release(image);
  return {
    handles: [{ name: "root", object: root as KernelObject, rights: Rights.READ }],
    stop: () => {
      if (!procfs.process.exited) k.core.terminate(procfs.process, 0, ExitReason.KILLED, "system shutdown");
      procfs.close();
      k.release(ep);
      k.release(root as KernelObject);
    },
  };
}

export const psCommand: Command = {
  name: "ps",
  summary: "show the process table of a system booted from a manifest (pidin)",
  synopsis: "wasmos ps [--at MS] [--pid N] <system.json>",
  details: [
    "Boots the manifest as `wasmos boot` does and prints its process table: pid, parent, name (argv[0]),",
    "state, the call a blocked process waits in, priority, CPU time, memory and handles. With --at, the",
    "table at that virtual time (ms since boot); without, once the system has gone quiet. --pid prints",
    "one process's status instead (the text of /proc/<pid>/status). The system's own output goes to",
    "stderr. Then every process still alive is ended.",
    "",
    "Exit status: 0; 1 when --pid names no process; 65, 66, 64 as for wasmos boot.",
  ].join("\n"),
  flags: [
    { name: "at", value: "MS", doc: "take the table at this virtual time, ms since boot" },
    { name: "pid", value: "N", doc: "one process's status instead of the table" },
  ],
  async run(positional, flags) {
    const [file, extra] = positional;
    if (!file) throw new UsageError("ps: which manifest?");
    if (extra !== undefined) throw new UsageError(`ps: one manifest at a time (also got "${extra}")`);
    const at = flags.at === undefined ? null : number(flags, "at", 0, 0);
    const pid = flags.pid === undefined ? null : number(flags, "pid", 1, 1);
    const booted = await bootForMonitor(file, false, "ps");
    if (typeof booted === "number") return booted;
    const { sys, ps, proc } = booted;
    if (at === null) await sys.settle();
    const snap = sys.monitor(ps, pid === null ? [] : [String(pid)], at === null ? 0 : at * 1e6, proc.handles);
    await sys.settle();
    const { output, exit } = await snap;
    sys.shutdown();
    proc.stop();
    process.stdout.write(output);
    return exit.status === 0 ? 0 : 1;
  },
};

export const topCommand: Command = {
  name: "top",
  summary: "show the process table of a system booted from a manifest, refreshed",
  synopsis: "wasmos top [--interval MS] [--count N] [--realtime] <system.json>",
  details: [
    "Boots the manifest as `wasmos boot` does and prints its process table every --interval ms of the",
    "kernel's clock (default 100), --count times (default 10), each frame headed by its time. In",
    "deterministic mode the frames come as fast as the system runs; with --realtime at wall-clock pace,",
    "and on a terminal each frame replaces the last. Then every process still alive is ended.",
  ].join("\n"),
  flags: [
    { name: "interval", value: "MS", doc: "time between frames, ms (default 100)" },
    { name: "count", value: "N", doc: "frames to show (default 10)" },
    { name: "realtime", doc: "wall-clock time instead of the virtual clock (overrides the manifest)" },
  ],
  async run(positional, flags) {
    const [file, extra] = positional;
    if (!file) throw new UsageError("top: which manifest?");
    if (extra !== undefined) throw new UsageError(`top: one manifest at a time (also got "${extra}")`);
    const interval = number(flags, "interval", 100, 1);
    const count = Math.floor(number(flags, "count", 10, 1));
    const realtime = flags.realtime === true;
    const booted = await bootForMonitor(file, realtime, "top");
    if (typeof booted === "number") return booted;
    const { sys, ps, proc } = booted;
    const clear = realtime && process.stdout.isTTY;
    const t0 = sys.kernel.core.clock.now();
    const frames = Array.from({ length: count }, (_, i) => sys.monitor(ps, [], t0 + i * interval * 1e6, proc.handles));
    for (let i = 0; i < count; i++) {
      const { output } = await (i === count - 1 ? Promise.all([frames[i], sys.settle()]).then(([f]) => f) : frames[i]);
      const head = `wasmos top: ${file} at ${((t0 + i * interval * 1e6) / 1e6).toFixed(3)} ms (frame ${i + 1} of ${count})\n`;
      process.stdout.write((clear ? "\x1b[H\x1b[2J" : i > 0 ? "\n" : "") + head + output);
    }
    sys.shutdown();
    proc.stop();
    return 0;
  },
};
