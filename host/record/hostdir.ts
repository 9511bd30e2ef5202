// Record and replay of the host-directory device (hal/hostdir/): the seam is
// the device's backend (HostDirBackend), the only place where the host's
// files answer the kernel. Recording wraps the real backend (hal/node/hostdir.ts)
// and writes down every call and its answer (the value, the bytes a read put
// into the buffer, the errno, or the failure); a replay gives the kernel those
// answers, in the same order, without touching the host directory at all, so
// a run replays after its files changed or were deleted. Changes (write,
// mkdir, ...) are not made again either: only their answers are given back.
//
// Each call is identified by its device (index into the run's directories),
// its operation and its arguments (a write's data by SHA-256, a read's buffer
// by its length); a replay that asks for a call other than the next recorded
// one has diverged. Open files (open, readFile, ...) are recorded the same
// way: open's answer is the backend's number for the file, which the calls
// on it then name, so a replay hands back the recorded number and matches
// on it. closeFile is not recorded (it has no answer, and the kernel closes
// files when their owner ends, which a replay reproduces anyway): a replay's
// closeFile does nothing.

import { createHash } from "node:crypto";
import { HostError, type HostDirBackend, type HostDirEntry, type HostErrno, type HostStat } from "../../hal/hostdir/hostdir.ts";
import { b64, type RecordedHostCall, unb64 } from "./recording.ts";

type Ops = Exclude<keyof HostDirBackend, "close" | "closeFile">;

/** Calls whose last Uint8Array argument is filled by the call (recorded by length, replayed with the bytes). */
const READS = new Set<string>(["read", "readFile"]);

/** What identifies a call: compared by a replay. */
function callKey(op: Ops, args: readonly unknown[]): string {
  return JSON.stringify(
    args.map((a) =>
      a instanceof Uint8Array ? (READS.has(op) ? { bytes: a.length } : { sha256: createHash("sha256").update(a).digest("hex") }) : a,
    ),
  );
}

/** The calls in the form they are written down. */
export function describeHostCall(c: { dev: number; op: string; args: string }): string {
  return `hostdir ${c.dev} ${c.op}(${c.args.slice(1, -1)})`;
}

/** A backend that passes every call to `real` and writes down the call and its answer into `log`. */
export function recordingHostDir(dev: number, real: HostDirBackend, log: RecordedHostCall[]): HostDirBackend {
  const call =
    <A extends unknown[], R>(op: Ops, fn: (...a: A) => R) =>
    (...a: A): R => {
      const entry: { -readonly [K in keyof RecordedHostCall]: RecordedHostCall[K] } = { dev, op, args: callKey(op, a) };
      log.push(entry);
      try {
        const r = fn(...a);
        if (r !== undefined) entry.ok = r as RecordedHostCall["ok"];
        if (READS.has(op)) entry.data = b64((a[a.length - 1] as Uint8Array).subarray(0, r as number));
        return r;
      } catch (e) {
        if (e instanceof HostError) {
          entry.errno = e.errno;
          entry.message = e.message;
        } else entry.fail = e instanceof Error ? e.message : String(e);
        throw e;
      }
    };
  return {
    stat: call("stat", (p: readonly string[], follow: boolean) => real.stat(p, follow)),
    read: call("read", (p: readonly string[], offset: number, into: Uint8Array) => real.read(p, offset, into)),
    write: call("write", (p: readonly string[], offset: number, data: Uint8Array, create: boolean) => real.write(p, offset, data, create)),
    create: call("create", (p: readonly string[], exclusive: boolean, truncate: boolean) => real.create(p, exclusive, truncate)),
    setSize: call("setSize", (p: readonly string[], size: number) => real.setSize(p, size)),
    setTimes: call("setTimes", (p: readonly string[], mtimeNs: number, follow?: boolean) =>
      follow === false ? real.setTimes(p, mtimeNs, false) : real.setTimes(p, mtimeNs),
    ),
    list: call("list", (p: readonly string[]) => real.list(p)),
    mkdir: call("mkdir", (p: readonly string[]) => real.mkdir(p)),
    remove: call("remove", (p: readonly string[]) => real.remove(p)),
    rename: call("rename", (a: readonly string[], b: readonly string[]) => real.rename(a, b)),
    symlink: call("symlink", (t: string, p: readonly string[]) => real.symlink(t, p)),
    readlink: call("readlink", (p: readonly string[]) => real.readlink(p)),
    ...(real.link ? { link: call("link", (a: readonly string[], b: readonly string[]) => real.link!(a, b)) } : {}),
    open: call("open", (p: readonly string[], write: boolean, create: boolean, exclusive: boolean, truncate: boolean) =>
      real.open(p, write, create, exclusive, truncate),
    ),
    readFile: call("readFile", (file: number, offset: number, into: Uint8Array) => real.readFile(file, offset, into)),
    writeFile: call("writeFile", (file: number, offset: number, data: Uint8Array) => real.writeFile(file, offset, data)),
    statFile: call("statFile", (file: number) => real.statFile(file)),
    setSizeFile: call("setSizeFile", (file: number, size: number) => real.setSizeFile(file, size)),
    setTimesFile: call("setTimesFile", (file: number, mtimeNs: number) => real.setTimesFile(file, mtimeNs)),
    closeFile: (file: number) => real.closeFile(file),
    close: () => real.close?.(),
  };
}

/** Where a replayed backend takes its answers from (the Replayer). */
export interface HostCallSource {
  /** The next recorded call if it is this one; else the replay diverges (and this returns null). */
  nextHostCall(dev: number, op: string, args: string): RecordedHostCall | null;
}

/** A backend that answers from the recording and never touches the host. A call the run did not make fails with EIO (the replay has diverged by then). */
export function replayHostDir(dev: number, source: HostCallSource): HostDirBackend {
  const call =
    <A extends unknown[], R>(op: Ops) =>
    (...a: A): R => {
      const c = source.nextHostCall(dev, op, callKey(op, a));
      if (c === null) throw new HostError("EIO", "replay diverged");
      if (c.errno !== undefined) throw new HostError(c.errno as HostErrno, c.message);
      if (c.fail !== undefined) throw new Error(c.fail);
      if (READS.has(op)) (a[a.length - 1] as Uint8Array).set(unb64(c.data ?? ""));
      return c.ok as R;
    };
  return {
    stat: call<[readonly string[], boolean], HostStat>("stat"),
    read: call<[readonly string[], number, Uint8Array], number>("read"),
    write: call<[readonly string[], number, Uint8Array, boolean], number>("write"),
    create: call<[readonly string[], boolean, boolean], void>("create"),
    setSize: call<[readonly string[], number], void>("setSize"),
    setTimes: call<[readonly string[], number], void>("setTimes"),
    list: call<[readonly string[]], HostDirEntry[]>("list"),
    mkdir: call<[readonly string[]], void>("mkdir"),
    remove: call<[readonly string[]], void>("remove"),
    rename: call<[readonly string[], readonly string[]], void>("rename"),
    symlink: call<[string, readonly string[]], void>("symlink"),
    readlink: call<[readonly string[]], string>("readlink"),
    link: call<[readonly string[], readonly string[]], void>("link"),
    open: call<[readonly string[], boolean, boolean, boolean, boolean], number>("open"),
    readFile: call<[number, number, Uint8Array], number>("readFile"),
    writeFile: call<[number, number, Uint8Array], number>("writeFile"),
    statFile: call<[number], HostStat>("statFile"),
    setSizeFile: call<[number, number], void>("setSizeFile"),
    setTimesFile: call<[number, number], void>("setTimesFile"),
    closeFile: () => {},
  };
}
