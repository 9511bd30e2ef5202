// `wasmos run`: options (cli/run-options.ts), then one program as the root
// process, native wasmos guest or WASI program alike. The exit status is the
// guest's own (0-255) when it ends normally; 128 + the exit reason when it
// traps, is killed or runs out of its limits (the reason on stderr); 65 when
// the module is refused; 64 for a usage error.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { ExitReason } from "../abi/gen/abi.ts";
import { describeExit } from "../kernel/objects/process.ts";
import { HostDir } from "../host/personality/wasi/host-dir.ts";
import type { WasiStdin } from "../host/personality/wasi/personality.ts";
import { ModuleRefusedError } from "../loader/loader.ts";
import { GuestCompileError, runGuest } from "./run-guest.ts";
import { type RunOptions } from "./run-options.ts";
import { UsageError } from "./args.ts";

export const EXIT_REFUSED = 65;
export const EXIT_ABNORMAL_BASE = 128;
/** The program (or an --image file) cannot be read (sysexits' EX_NOINPUT). */
export const EXIT_NO_INPUT = 66;

/** The host's standard input as a WASI stdin: read on demand, so an unused stdin never holds the process open. */
export function hostStdin(stream: NodeJS.ReadStream = process.stdin): WasiStdin & { close(): void } {
  const chunks: Buffer[] = [];
  let ended = false;
  let waiting: (() => void) | null = null;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    stream.on("data", (c: Buffer) => {
      chunks.push(c);
      stream.pause();
      waiting?.();
    });
    stream.on("end", () => {
      ended = true;
      waiting?.();
    });
    stream.on("error", () => {
      ended = true;
      waiting?.();
    });
  };
  const take = (max: number): Uint8Array | null => {
    const c = chunks[0];
    if (c === undefined) return null;
    if (c.length <= max) chunks.shift();
    else chunks[0] = c.subarray(max);
    return c.subarray(0, Math.min(max, c.length));
  };
  return {
    read(max: number) {
      if (chunks.length > 0) return take(max);
      if (ended) return null;
      start();
      return new Promise<Uint8Array | null>((resolve) => {
        waiting = () => {
          waiting = null;
          resolve(chunks.length > 0 ? take(max) : null);
        };
        stream.resume();
      });
    },
    close() {
      if (started) stream.destroy();
    },
  };
}

export async function runCommand(o: RunOptions, err: (s: string) => void): Promise<number> {
  for (const f of [o.program, ...o.images.map((im) => im.file)]) {
    if (!existsSync(f)) {
      err(`wasmos: cannot read ${f}: no such file\n`);
      return EXIT_NO_INPUT;
    }
  }
  const images: Record<string, Uint8Array> = {};
  for (const im of o.images) images[im.name] = readFileSync(im.file);
  const preopens = o.dirs.map((d) => {
    try {
      return { guest: d.guest, dir: new HostDir(d.host) };
    } catch (e) {
      throw new UsageError(`--dir ${d.host}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const stdin = hostStdin();
  try {
    const r = await runGuest(o.program, {
      args: o.args,
      argv0: o.argv0,
      images,
      seed: o.seed,
      deterministic: !o.realtime,
      trace: o.trace !== undefined,
      onStdout: (b) => process.stdout.write(b),
      log: (line) => err(line + "\n"),
      wasi: { env: o.env, preopens, stdin, stderr: (b) => process.stderr.write(b) },
      fuel: o.fuel,
      memoryBudgetPages: o.maxMemory === undefined ? undefined : Math.ceil(o.maxMemory / 65536),
      timeoutMs: o.timeoutMs,
    });
    if (o.trace !== undefined) writeFileSync(o.trace, r.trace);
    const stuck = r.kernel.core.blockedProcesses();
    if (stuck.length > 0) {
      err(
        `wasmos: ${stuck.length} process(es) still blocked when the system went quiet: ` +
          stuck.map((p) => `pid ${p.pid} in ${p.blockedIn}`).join(", ") +
          "\n",
      );
    }
    if (r.exit.reason === ExitReason.NORMAL) return r.exit.status & 0xff;
    err(`wasmos: ${o.program} (pid 1) ended: ${describeExit(r.exit)}\n`);
    return EXIT_ABNORMAL_BASE + r.exit.reason;
  } catch (e) {
    if (e instanceof ModuleRefusedError) {
      err(`wasmos: refused to run ${o.program}\n${e.describe()}\n`);
      return EXIT_REFUSED;
    }
    if (e instanceof GuestCompileError) {
      err(`wasmos: ${e.message}\n`);
      return EXIT_REFUSED;
    }
    throw e;
  } finally {
    stdin.close();
  }
}
