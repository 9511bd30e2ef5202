// The scale figures' own Node process (forked by figures/scale.ts), so that
// memory is measured from a fresh heap and running out of it (or of address
// space, or of mappings) cannot take the bench down with it.
//
//   node --expose-gc bench/figures/scale-child.ts <kernel|bare> <target> <chunk> <quick|full>
//
// kernel: spawn blocker processes (bench/guests/blocker.ts, sleeping an hour
//   of real time) in chunks through a real-time Kernel until `target` are
//   alive or something fails; then measure context switches and round trips
//   with all of them alive, against the same measurements taken before they
//   were spawned (and with the first of them alive: one timer armed). Each is
//   taken in turns with the bare ping-pong (InTurns), since minutes pass
//   between the two and the machine's speed can change by ≈1.7x meanwhile.
// bare: the same module as bare suspended instances (baselines/bare-instances.ts).
//
// Messages to the parent (process.send): {type: "checkpoint", ...Snapshot}
// after the start and after each chunk, then {type: "done", ...}.

import { readFileSync } from "node:fs";
import { ExitReason, ProcessState } from "../../abi/gen/abi.ts";
import { type HostProcess, Kernel } from "../../host/kernel.ts";
import { ImageLoader } from "../../loader/loader.ts";
import { describeExit } from "../../kernel/objects/process.ts";
import { BareInstances } from "../baselines/bare-instances.ts";
import { BenchImages } from "../images.ts";
import { alternate, chunkPlans, FULL_PLAN, mergeSummaries, type Plan, QUICK_PLAN, type Summary } from "../stats.ts";
import { BESIDE_CHUNKS, pingpongFloor } from "../baselines/jspi-pingpong.ts";
import { measureCtxSwitch } from "./ctx-switch.ts";
import { IPC_MODE, ipcAvailability, measureIpc } from "./ipc.ts";

export interface Snapshot {
  /** Processes (or instances) alive. */
  count: number;
  rss: number;
  heapUsed: number;
  external: number;
  /** Address space reserved (VmSize), bytes. */
  vmSize: number;
  /** Memory mappings (lines of /proc/self/maps; the kernel allows vm.max_map_count). */
  maps: number;
  /** Milliseconds since the first checkpoint. */
  ms: number;
}

/**
 * A measurement taken in turns with the bare JSPI ping-pong in this child (stats.ts alternate): its merged summary,
 * each chunk's median over the ping-pongs just before and after it, and the ping-pongs' medians. This child's
 * speed changes by up to ≈1.9x between minutes (the before and at-scale measurements are minutes apart, the
 * spawns between them): the at-scale ratio compares the chunks' ratios, the kernel against the engine's floor at
 * each time, as well as the raw medians.
 */
export interface InTurns {
  summary: Summary;
  ratios: number[];
  floors: number[];
}

export interface ChildDone {
  type: "done";
  mode: "kernel" | "bare";
  count: number;
  /** Why it stopped: "target reached" or what failed. */
  stopped: string;
  ctxSwitchBefore?: InTurns;
  /**
   * The same with one blocked process alive (one timer armed): the reference runs with no timer armed, and in
   * real time an armed timer costs every dispatch a clock reading (the check for due timers). Between this and
   * ctxSwitchAtScale is what the other processes cost.
   */
  ctxSwitchOneTimer?: Summary;
  ctxSwitchAtScale?: InTurns;
  /** Absent when the kernel has no IPC yet (ipcAvailability). */
  ipcBefore?: InTurns;
  ipcAtScale?: InTurns;
  /** A figure that could not be measured, and why. */
  errors: string[];
}

const send = (msg: object): void => {
  process.send!(msg);
};

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const t0 = performance.now();

function snapshot(count: number): Snapshot {
  gc();
  const mu = process.memoryUsage();
  const status = readFileSync("/proc/self/status", "utf8");
  const vm = /VmSize:\s+(\d+) kB/.exec(status);
  return {
    count,
    rss: mu.rss,
    heapUsed: mu.heapUsed,
    external: mu.external,
    vmSize: vm ? Number(vm[1]) * 1024 : 0,
    maps: readFileSync("/proc/self/maps", "utf8").split("\n").length - 1,
    ms: performance.now() - t0,
  };
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Wait (macrotask by macrotask) until none of procs is READY or RUNNING; false if that takes over `ms`. */
async function settle(procs: readonly HostProcess[], ms = 60_000): Promise<boolean> {
  const until = performance.now() + ms;
  for (;;) {
    await new Promise((r) => setImmediate(r));
    if (procs.every((p) => p.process.state === ProcessState.BLOCKED || p.process.state === ProcessState.EXITED)) return true;
    if (performance.now() > until) return false;
  }
}

/** Stop before the machine runs short: no more than this share of its memory. */
const RSS_CEILING = 0.6 * Number(readFileSync("/proc/meminfo", "utf8").match(/MemTotal:\s+(\d+)/)![1]) * 1024;

async function runKernel(target: number, chunk: number, quick: boolean): Promise<ChildDone> {
  const images = new BenchImages();
  const plan = quick ? QUICK_PLAN : FULL_PLAN;
  const kernel = new Kernel({ deterministic: false, loader: new ImageLoader(), limits: { maxProcesses: target + 16 } });
  const image = kernel.loadImage(await images.guest("blocker"), "blocker");
  // Warm the spawn path.
  const warm = Array.from({ length: 4 }, () => kernel.spawn(image));
  if (!(await settle(warm))) throw new Error("warm-up processes neither blocked nor exited within 60 s");
  for (const p of warm) {
    kernel.core.terminate(p.process, 0, ExitReason.KILLED, "bench warm-up");
    p.close();
  }
  // The reference figures, with the kernel near empty.
  const errors: string[] = [];
  const hasIpc = ipcAvailability() === null;
  const measure = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (e) {
      errors.push(`${what}: ${describe(e)}`);
      return undefined;
    }
  };
  const floor = await pingpongFloor({ images });
  const inTurns = async (f: (p: Plan) => Promise<Summary>): Promise<InTurns> => {
    const t = await alternate(chunkPlans(plan, BESIDE_CHUNKS), floor, f);
    return { summary: mergeSummaries(t.parts), ratios: t.ratios, floors: t.baselines };
  };
  const ctxSwitchBefore = await measure("ctx switch before", () => inTurns((p) => measureCtxSwitch(kernel, images, p)));
  const ipcBefore = hasIpc ? await measure("ipc before", () => inTurns((p) => measureIpc(kernel, images, p, IPC_MODE))) : undefined;
  // One blocked process first (the first checkpoint counts it): the switch with one timer armed.
  const alive: HostProcess[] = [];
  let ctxSwitchOneTimer: Summary | undefined;
  if (target > 0) {
    const first = kernel.spawn(image);
    if ((await settle([first])) && first.process.state === ProcessState.BLOCKED) {
      alive.push(first);
      ctxSwitchOneTimer = await measure("ctx switch with one timer", () => measureCtxSwitch(kernel, images, plan));
    } else errors.push(`ctx switch with one timer: the first process did not block (${first.process.state})`);
  }
  send({ type: "checkpoint", ...snapshot(alive.length) });
  let stopped = "target reached";
  outer: while (alive.length < target) {
    const batch: HostProcess[] = [];
    const n = Math.min(chunk, target - alive.length);
    for (let i = 0; i < n; i++) {
      try {
        batch.push(kernel.spawn(image));
      } catch (e) {
        stopped = `spawn refused after ${alive.length + batch.length}: ${describe(e)}`;
        break;
      }
    }
    if (!(await settle(batch))) {
      const running = batch.filter((p) => p.process.state !== ProcessState.BLOCKED && p.process.state !== ProcessState.EXITED).length;
      stopped = `${running} of processes ${alive.length + 1}..${alive.length + batch.length} neither blocked nor exited within 60 s`;
      alive.push(...batch.filter((p) => p.process.state === ProcessState.BLOCKED));
      send({ type: "checkpoint", ...snapshot(alive.length) });
      break outer;
    }
    const dead = batch.findIndex((p) => p.process.exit !== null);
    if (dead >= 0) {
      stopped = `process ${alive.length + dead + 1} did not stay alive: ${describeExit(batch[dead].process.exit!)}`;
      alive.push(...batch.filter((p) => p.process.exit === null));
      send({ type: "checkpoint", ...snapshot(alive.length) });
      break outer;
    }
    alive.push(...batch);
    const snap = snapshot(alive.length);
    send({ type: "checkpoint", ...snap });
    if (stopped !== "target reached") break;
    if (snap.rss > RSS_CEILING) {
      stopped = `stopped at ${alive.length}: RSS ${Math.round(snap.rss / 2 ** 20)} MiB passed 60% of the machine's memory`;
      break;
    }
  }
  const ctxSwitchAtScale = await measure("ctx switch at scale", () => inTurns((p) => measureCtxSwitch(kernel, images, p)));
  const ipcAtScale = hasIpc ? await measure("ipc at scale", () => inTurns((p) => measureIpc(kernel, images, p, IPC_MODE))) : undefined;
  return {
    type: "done",
    mode: "kernel",
    count: alive.length,
    stopped,
    ctxSwitchBefore,
    ctxSwitchOneTimer,
    ctxSwitchAtScale,
    ipcBefore,
    ipcAtScale,
    errors,
  };
}

async function runBare(target: number, chunk: number): Promise<ChildDone> {
  const images = new BenchImages();
  const loaded = new ImageLoader().load(await images.guest("blocker"), "blocker");
  const bare = new BareInstances(loaded.module);
  for (let i = 0; i < 4; i++) await bare.add(); // warm
  send({ type: "checkpoint", ...snapshot(0) });
  let stopped = "target reached";
  let added = 0;
  while (added < target) {
    const n = Math.min(chunk, target - added);
    try {
      for (let i = 0; i < n; i++) {
        await bare.add();
        added++;
      }
    } catch (e) {
      stopped = `instance ${added + 1} failed: ${describe(e)}`;
    }
    const snap = snapshot(added);
    send({ type: "checkpoint", ...snap });
    if (stopped !== "target reached") break;
    if (snap.rss > RSS_CEILING) {
      stopped = `stopped at ${added}: RSS passed 60% of the machine's memory`;
      break;
    }
  }
  return { type: "done", mode: "bare", count: added, stopped, errors: [] };
}

const [mode, target, chunk, size] = process.argv.slice(2);
try {
  const done =
    mode === "bare" ? await runBare(Number(target), Number(chunk)) : await runKernel(Number(target), Number(chunk), size === "quick");
  process.send!(done, () => process.exit(0));
} catch (e) {
  process.send!({ type: "error", message: describe(e) }, () => process.exit(1));
}
