// The machine and runtime a run was measured on, recorded with every result.

import { execFileSync } from "node:child_process";
import { arch, cpus, freemem, loadavg, platform, release, totalmem } from "node:os";
import { REPO_ROOT } from "../build/compile.ts";

export interface Environment {
  readonly node: string;
  readonly v8: string;
  readonly cpu_model: string;
  readonly cpu_count: number;
  readonly platform: string;
  readonly arch: string;
  readonly kernel_release: string;
  readonly total_memory_bytes: number;
  readonly free_memory_bytes: number;
  /** 1, 5 and 15 minute load averages when the run started and ended: other work on the machine makes every figure noisier. */
  readonly load_average_start: readonly number[];
  readonly load_average_end: readonly number[];
  /** Node flags the bench ran with (they change what is measured). */
  readonly exec_argv: readonly string[];
  /** The checkout's commit, with "+dirty" when it has uncommitted changes; null outside git. */
  readonly commit: string | null;
  readonly date: string;
}

function commit(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

/** The environment now; `loadAtStart` is loadavg() as the run began. */
export function captureEnvironment(loadAtStart: readonly number[]): Environment {
  const cpu = cpus();
  return {
    node: process.versions.node,
    v8: process.versions.v8,
    cpu_model: cpu[0]?.model.trim() ?? "unknown",
    cpu_count: cpu.length,
    platform: platform(),
    arch: arch(),
    kernel_release: release(),
    total_memory_bytes: totalmem(),
    free_memory_bytes: freemem(),
    load_average_start: loadAtStart.map((l) => Number(l.toFixed(2))),
    load_average_end: loadavg().map((l) => Number(l.toFixed(2))),
    exec_argv: process.execArgv,
    commit: commit(),
    date: new Date().toISOString(),
  };
}
