// Record and replay a whole system: every input from outside the kernel is
// written down in the order the kernel took it, so that a run, real-time
// ones included, can be reproduced exactly.
//
// What comes from outside (the recording seam):
//   - clock readings: the kernel's Platform.now (kernel/platform.ts) and the
//     host's yield clock (host/runtime/process-runtime.ts setHostClock), which
//     decides where guests give the event loop a turn;
//   - timer firings: Platform.setTimer callbacks (the kernel's idle timer:
//     device timers and deadlines ride on it);
//   - console input: the bytes and the end of standard input, as the console
//     device's backend receives them;
//   - entropy: Platform.fillRandom, the host entropy a real-time run's
//     random_get takes, call by call (deterministic runs are seeded);
//   - host files: every answer the host-directory device's backend gives
//     the kernel (host/record/hostdir.ts), call by call.
// Each event is stamped with the number of clock readings before it: the
// kernel is deterministic between outside events, so that count says exactly
// where in the run it happened.
//
// What the run produced (checked by a replay as it goes): the kernel event
// trace, line by line, and standard output, byte for byte.

export const RECORDING_FORMAT = "wasmos-recording";
export const RECORDING_VERSION = 1;

export type RecordedEvent =
  | { readonly at: number; readonly kind: "timer"; readonly id: number }
  | { readonly at: number; readonly kind: "input"; readonly data: string /* base64 */ }
  | { readonly at: number; readonly kind: "input-end" };

export interface Recording {
  readonly format: typeof RECORDING_FORMAT;
  readonly version: typeof RECORDING_VERSION;
  /** What was run, enough to run it again: the command and its inputs (files by path, with their SHA-256). */
  readonly run: RecordedRun;
  /** Every clock reading, in order (milliseconds). */
  readonly clock: number[];
  readonly events: RecordedEvent[];
  /** The host entropy each random_get of a real-time run took, in order, base64 (absent in older recordings). */
  readonly entropy?: string[];
  /** Every call the host-directory devices made to their backends, in order, with its answer (absent in older recordings). */
  readonly hostdir?: RecordedHostCall[];
  /** The kernel event trace, one line per event. */
  readonly trace: string[];
  /** Standard output, base64. */
  readonly stdout: string;
  /** Files the run wrote (the PCM demo's WAV and PNG), by name in its output directory: a replay writes them again and compares (absent in older recordings). */
  readonly files?: readonly { readonly name: string; readonly sha256: string; readonly bytes: number }[];
  /** How the run ended (the root's exit status and reason; the CLI's exit code). */
  readonly exit: { readonly status: number; readonly reason: number; readonly code: number } | null;
  /**
   * The root never ended: it was blocked forever, as this says ("pid 1 blocked in receive forever: nothing
   * left that could wake it"; the CLI exited 69), and `exit` is null. A replay that ends blocked the same way
   * matches; one that ends otherwise, or ends blocked where the run did not, diverged. (Absent: the root ended.)
   */
  readonly blocked?: string;
}

export interface RecordedRun {
  readonly command: "run" | "boot" | "demo-pcm";
  readonly file?: string;
  readonly sha256?: string;
  readonly args: readonly string[];
  /** argv[0] when it is not the file's name (`run --argv0`). */
  readonly argv0?: string;
  /** The root's environment, KEY=VALUE each (`run --env`). */
  readonly env?: readonly string[];
  readonly seed: number;
  readonly realtime: boolean;
  /**
   * The host directories the run served, in order: for `run`, its --dir (guest: the path it is served at);
   * for `boot`, its hostdir objects as made (guest: the object's name). A replay serves them from the recording, not the host.
   */
  readonly dirs?: readonly { readonly host: string; readonly guest: string; readonly readOnly: boolean }[];
  /** Other options of the command (the demo's duration, ...). */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
}

/** One call of a host-directory backend and its answer (host/record/hostdir.ts). */
export interface RecordedHostCall {
  /** Which directory (index into RecordedRun.dirs). */
  readonly dev: number;
  readonly op: string;
  /** The arguments, as JSON (a read's buffer by its length, a write's data by its SHA-256). */
  readonly args: string;
  /** The value it returned (a stat, a listing, a count, a link's target). */
  readonly ok?: number | string | object;
  /** The bytes a read put into the buffer, base64. */
  readonly data?: string;
  /** It failed with this errno (HostError), and this message. */
  readonly errno?: string;
  readonly message?: string;
  /** It failed otherwise (the device then fails): the message. */
  readonly fail?: string;
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
export const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

/** Parse and check a recording file's text. Throws Error naming what is wrong (the first field that is). */
export function parseRecording(text: string): Recording {
  let r: Recording;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new Error(`not a recording (not JSON: ${e instanceof Error ? e.message : String(e)})`);
  }
  if (r?.format !== RECORDING_FORMAT)
    throw new Error(`not a recording (format is ${JSON.stringify(r?.format)}, not "${RECORDING_FORMAT}")`);
  if (r.version !== RECORDING_VERSION) throw new Error(`recording version ${r.version} (this wasmos reads version ${RECORDING_VERSION})`);
  if (!Array.isArray(r.clock) || !Array.isArray(r.events) || !Array.isArray(r.trace) || typeof r.stdout !== "string") {
    throw new Error("recording is missing its clock, events, trace or stdout");
  }
  checkRecording(r);
  return r;
}

/** The largest demo duration a recording may name: what `wasmos demo pcm --duration` accepts. */
export const MAX_DEMO_SECONDS = 600;

/**
 * Every field of a recording has the shape its reader takes for granted: a replay trusts them (a file name
 * joined to a scratch directory, a count used as an index, a string handed to the loader), so a recording
 * edited by hand or by something hostile is refused here, naming the first field that is wrong, rather than
 * failing somewhere inside the replay.
 */
function checkRecording(r: Recording): void {
  const bad = (where: string, what: string): never => {
    throw new Error(`recording's ${where} is not ${what}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const count = (v: unknown, where: string) =>
    Number.isSafeInteger(v) && (v as number) >= 0 ? v : bad(where, "a count (an integer, 0 or more)");
  const int = (v: unknown, where: string) => (Number.isSafeInteger(v) ? v : bad(where, "an integer"));
  const str = (v: unknown, where: string) => (typeof v === "string" ? v : bad(where, "a string"));
  const base64 = (v: unknown, where: string) => (typeof v === "string" && BASE64.test(v) ? v : bad(where, "base64 text"));
  const strings = (v: unknown, where: string) => (Array.isArray(v) ? v.forEach((x, i) => str(x, `${where}[${i}]`)) : bad(where, "a list"));
  const run = r.run as unknown;
  if (!isObject(run)) bad("run", "an object");
  const { command } = r.run;
  if (command !== "run" && command !== "boot" && command !== "demo-pcm") bad("run.command", '"run", "boot" or "demo-pcm"');
  if (command !== "demo-pcm" || r.run.file !== undefined) str(r.run.file, "run.file");
  if (r.run.sha256 !== undefined) str(r.run.sha256, "run.sha256");
  strings(r.run.args, "run.args");
  if (r.run.argv0 !== undefined) str(r.run.argv0, "run.argv0");
  if (r.run.env !== undefined) strings(r.run.env, "run.env");
  int(r.run.seed, "run.seed");
  if (typeof r.run.realtime !== "boolean") bad("run.realtime", "true or false");
  if (r.run.dirs !== undefined) {
    if (!Array.isArray(r.run.dirs)) bad("run.dirs", "a list");
    r.run.dirs.forEach((d, i) => {
      if (!isObject(d)) bad(`run.dirs[${i}]`, "an object");
      str(d.host, `run.dirs[${i}].host`);
      str(d.guest, `run.dirs[${i}].guest`);
      if (typeof d.readOnly !== "boolean") bad(`run.dirs[${i}].readOnly`, "true or false");
    });
  }
  if (r.run.options !== undefined) {
    if (!isObject(r.run.options)) bad("run.options", "an object");
    for (const [k, v] of Object.entries(r.run.options))
      if (typeof v !== "string" && typeof v !== "boolean" && !Number.isFinite(v))
        bad(`run.options.${k}`, "a string, a number or true or false");
  }
  if (command === "demo-pcm") {
    const d = r.run.options?.duration;
    if (d !== undefined && !(typeof d === "number" && d > 0 && d <= MAX_DEMO_SECONDS))
      bad("run.options.duration", `a number of seconds in (0, ${MAX_DEMO_SECONDS}]`);
  }
  r.clock.forEach((v, i) => (Number.isFinite(v) ? v : bad(`clock[${i}]`, "a number")));
  r.events.forEach((e, i) => {
    const where = `events[${i}]`;
    if (!isObject(e)) bad(where, "an object");
    count(e.at, `${where}.at`);
    if (e.kind === "timer") count(e.id, `${where}.id`);
    else if (e.kind === "input") base64(e.data, `${where}.data`);
    else if (e.kind !== "input-end") bad(`${where}.kind`, '"timer", "input" or "input-end"');
  });
  if (r.entropy !== undefined) {
    if (!Array.isArray(r.entropy)) bad("entropy", "a list");
    r.entropy.forEach((v, i) => base64(v, `entropy[${i}]`));
  }
  if (r.hostdir !== undefined) {
    if (!Array.isArray(r.hostdir)) bad("hostdir", "a list");
    r.hostdir.forEach((c, i) => {
      const where = `hostdir[${i}]`;
      if (!isObject(c)) bad(where, "an object");
      count(c.dev, `${where}.dev`);
      str(c.op, `${where}.op`);
      str(c.args, `${where}.args`);
      if (c.data !== undefined) base64(c.data, `${where}.data`);
      for (const k of ["errno", "message", "fail"] as const) if (c[k] !== undefined) str(c[k], `${where}.${k}`);
    });
  }
  strings(r.trace, "trace");
  base64(r.stdout, "stdout");
  if (r.files !== undefined) {
    if (!Array.isArray(r.files)) bad("files", "a list");
    r.files.forEach((f, i) => {
      if (!isObject(f)) bad(`files[${i}]`, "an object");
      // A name in the replay's scratch directory: nothing that could lead out of it.
      if (typeof f.name !== "string" || !/^[A-Za-z0-9._-]+$/.test(f.name) || f.name === "." || f.name === "..")
        bad(`files[${i}].name`, "a plain file name");
      str(f.sha256, `files[${i}].sha256`);
      count(f.bytes, `files[${i}].bytes`);
    });
  }
  if (r.exit !== null) {
    if (!isObject(r.exit)) bad("exit", "an object or null");
    int(r.exit.status, "exit.status");
    int(r.exit.reason, "exit.reason");
    int(r.exit.code, "exit.code");
  }
  if (r.blocked !== undefined) str(r.blocked, "blocked");
}

/** Standard base64 (what b64 writes). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
