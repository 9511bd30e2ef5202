// `wasmos run` options, in the conventions users know from wasmtime:
//
//   wasmos run [--dir HOST[::GUEST]]... [--env K[=V]]... [--argv0 NAME]
//              [--fuel N] [--max-memory SIZE] [--timeout DUR] [--realtime]
//              [--seed N] [--trace FILE] [--trace-text FILE] [--strace] [--record FILE]
//              [--image NAME=FILE]...
//              prog.wasm [--] [args...]
//
// Options come before the program; the first argument that is not an option
// is the program, and everything after it belongs to the guest, options
// included (`wasmos run prog.wasm --help` passes --help to prog). A `--`
// right after the program is dropped (wasmtime accepts it there too). Each
// option also takes its value after `=`.

import { UsageError } from "./args.ts";

export interface DirSpec {
  /** The directory on the host. */
  host: string;
  /** The name a WASI program sees it under (fd_prestat_dir_name): GUEST, or HOST as given (wasmtime's convention). */
  guest: string;
  /** `:ro` at the end: no writes, creations or removals. */
  readOnly: boolean;
  /** The option's value as given (a native guest's hostfs mount reads it: cli/hostdirs.ts). */
  spec: string;
}

/** `--preopen NSPATH[::GUEST][:ro]`: a path of the system's namespace (/tmp, /dev) a WASI program gets as a preopen. */
export interface PreopenSpec {
  /** The namespace path (absolute). */
  path: string;
  /** The name the program sees (default: the path as written). */
  guest: string;
  readOnly: boolean;
}

export interface RunOptions {
  program: string;
  args: string[];
  dirs: DirSpec[];
  preopens: PreopenSpec[];
  /** KEY=VALUE each, in order; `--env K` takes K's value from the host's environment. */
  env: string[];
  argv0?: string;
  fuel?: number;
  /** Bytes. */
  maxMemory?: number;
  /** Milliseconds. */
  timeoutMs?: number;
  realtime: boolean;
  seed: number;
  /** Chrome trace-event JSON (Perfetto). */
  trace?: string;
  /** The kernel's text event trace. */
  traceText?: string;
  strace: boolean;
  /** Record every input from outside the kernel (wasmos replay). */
  record?: string;
  images: { name: string; file: string }[];
  help: boolean;
}

export const RUN_SYNOPSIS =
  "wasmos run [--dir HOST[::GUEST]]... [--preopen NSPATH[::GUEST]]... [--env K=V]... [--argv0 NAME] [--fuel N] [--max-memory SIZE] [--timeout DUR] [--realtime] prog.wasm [--] [args...]";

export const RUN_FLAGS = [
  {
    name: "dir",
    value: "HOST[::GUEST]",
    repeat: true,
    doc: "give a WASI program the host directory HOST, seen as GUEST (default: HOST as written)",
  },
  {
    name: "preopen",
    value: "NSPATH[::GUEST]",
    repeat: true,
    doc: "give a WASI program the namespace path NSPATH (/tmp: tmpfs, /dev: devfs), seen as GUEST (default: NSPATH); :ro for read-only",
  },
  {
    name: "env",
    value: "K=V",
    repeat: true,
    doc: "set an environment variable of the program, native or WASI (--env K copies the host's K); nothing else is inherited",
  },
  { name: "argv0", value: "NAME", doc: "the program's argv[0] (default: the file's name); multi-call binaries need it" },
  { name: "fuel", value: "N", doc: "CPU limit in fuel units; the process is ended (CPU limit) once it has burnt them" },
  { name: "max-memory", value: "SIZE", doc: "memory budget of the process: bytes, or with K, M, G (powers of 1024), e.g. 256M" },
  { name: "timeout", value: "DUR", doc: "wall-clock limit: 500ms, 10s, 2m (a bare number is seconds); the process is killed after it" },
  { name: "realtime", doc: "wall-clock time instead of the deterministic virtual clock" },
  { name: "seed", value: "N", doc: "seed of the kernel's random generator (default 0)" },
  { name: "trace", value: "FILE", doc: "write a Chrome trace-event JSON trace (Perfetto) to FILE" },
  { name: "trace-text", value: "FILE", doc: "write the kernel's text event trace to FILE (for determinism checks)" },
  { name: "strace", doc: "print each syscall of each process on stderr, decoded, with its result" },
  { name: "image", value: "NAME=FILE", repeat: true, doc: "pass another module as an image handle named NAME" },
  { name: "record", value: "FILE", doc: "record every input from outside the kernel to FILE (replay it with `wasmos replay FILE`)" },
] as const;

/** "256M" -> bytes. Throws UsageError naming the culprit. */
export function parseSize(s: string): number {
  const m = /^(\d+)\s*([kmgt]i?b?|b)?$/i.exec(s.trim());
  if (m === null) throw new UsageError(`--max-memory wants a size such as 65536, 64K, 256M or 2G, got "${s}"`);
  const unit = (m[2] ?? "").toLowerCase()[0];
  const mult = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : unit === "t" ? 1024 ** 4 : 1;
  const n = Number(m[1]) * mult;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--max-memory: ${s} is out of range`);
  return n;
}

/** "10s" -> ms. A bare number is seconds (as wasmtime's -W timeout). */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(s.trim());
  if (m === null) throw new UsageError(`--timeout wants a duration such as 500ms, 10s or 2m, got "${s}"`);
  const n = Number(m[1]);
  const ms = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : m[2] === "h" ? n * 3_600_000 : n * 1000;
  if (!(ms > 0) || !Number.isFinite(ms)) throw new UsageError(`--timeout: ${s} is out of range`);
  return ms;
}

function parseDir(spec: string): DirSpec {
  const readOnly = spec.endsWith(":ro");
  const s = readOnly ? spec.slice(0, -3) : spec;
  const sep = s.indexOf("::");
  const host = sep < 0 ? s : s.slice(0, sep);
  const guest = sep < 0 ? s : s.slice(sep + 2);
  if (host.length === 0 || guest.length === 0) throw new UsageError(`--dir wants HOST or HOST::GUEST (and :ro), got "${spec}"`);
  return { host, guest, readOnly, spec };
}

export function parsePreopen(spec: string): PreopenSpec {
  const readOnly = spec.endsWith(":ro");
  const s = readOnly ? spec.slice(0, -3) : spec;
  const sep = s.indexOf("::");
  const path = sep < 0 ? s : s.slice(0, sep);
  const guest = sep < 0 ? s : s.slice(sep + 2);
  if (!path.startsWith("/") || guest.length === 0 || path.split("/").includes(".."))
    throw new UsageError(`--preopen wants an absolute namespace path NSPATH or NSPATH::GUEST (and :ro), got "${spec}"`);
  return { path, guest, readOnly };
}

function parseEnv(spec: string, hostEnv: Readonly<Record<string, string | undefined>>): string {
  const eq = spec.indexOf("=");
  if (eq === 0) throw new UsageError(`--env wants K=V or K, got "${spec}"`);
  if (eq > 0) return spec;
  const v = hostEnv[spec];
  if (v === undefined) throw new UsageError(`--env ${spec}: the host has no variable ${spec} to pass on`);
  return `${spec}=${v}`;
}

/** Parse the arguments after `run`. Throws UsageError with the culprit named. */
export function parseRunOptions(argv: readonly string[], hostEnv: Readonly<Record<string, string | undefined>> = {}): RunOptions {
  const o: RunOptions = {
    program: "",
    args: [],
    dirs: [],
    preopens: [],
    env: [],
    realtime: false,
    seed: 0,
    images: [],
    help: false,
    strace: false,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break;
    if (a === "--help" || a === "-h") {
      o.help = true;
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.startsWith("--") ? a.slice(2, eq < 0 ? undefined : eq) : "";
    const flag = RUN_FLAGS.find((f) => f.name === name);
    if (flag === undefined)
      throw new UsageError(`unknown option ${a} (options go before the program; what follows the program is its own)`);
    let value = "";
    if ("value" in flag) {
      if (eq >= 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`--${name} needs ${flag.value}`);
    } else if (eq >= 0) throw new UsageError(`--${name} takes no value`);
    switch (name) {
      case "dir":
        o.dirs.push(parseDir(value));
        break;
      case "preopen":
        o.preopens.push(parsePreopen(value));
        break;
      case "env":
        o.env.push(parseEnv(value, hostEnv));
        break;
      case "argv0":
        o.argv0 = value;
        break;
      case "fuel": {
        const n = Number(value);
        if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0)
          throw new UsageError(`--fuel wants a positive integer, got "${value}"`);
        o.fuel = n;
        break;
      }
      case "max-memory":
        o.maxMemory = parseSize(value);
        break;
      case "timeout":
        o.timeoutMs = parseDuration(value);
        break;
      case "realtime":
        o.realtime = true;
        break;
      case "seed": {
        const n = Number(value);
        if (!Number.isInteger(n)) throw new UsageError(`--seed wants an integer, got "${value}"`);
        o.seed = n;
        break;
      }
      case "trace":
        o.trace = value;
        break;
      case "trace-text":
        o.traceText = value;
        break;
      case "strace":
        o.strace = true;
        break;
      case "record":
        o.record = value;
        break;
      case "image": {
        const e = value.indexOf("=");
        if (e <= 0) throw new UsageError(`--image wants NAME=FILE, got "${value}"`);
        o.images.push({ name: value.slice(0, e), file: value.slice(e + 1) });
        break;
      }
    }
  }
  if (o.help) return o;
  if (i >= argv.length) throw new UsageError("run: which program?");
  o.program = argv[i++];
  if (argv[i] === "--") i++;
  o.args = argv.slice(i);
  return o;
}
