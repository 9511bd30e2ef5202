// Contract checks on the dispatcher, each a wrapper around a handler that
// raises a KernelBug (the caller ends with KERNEL_FAULT naming the syscall;
// the kernel carries on) when the handler breaks the ABI's promise:
//  - checkedHandler: it returned an errno its ABI entry does not list. On in
//    every test, the conformance runner and the fuzzer
//    (KernelOptions.checkContracts).
//  - unchangedOnError: it returned an error but changed the caller's handle
//    table or the kernel's objects ("decode, check, then invoke: a failed
//    call changes nothing"). A digest of that state before and after every
//    call: on in the conformance runner and the fuzzer
//    (KernelOptions.checkFailedCalls).
// Both are off by default (a wrapper per call).

import { Errno, ERRNO_NAMES, type SyscallDef } from "../../abi/gen/abi.ts";
import { Endpoint } from "../objects/endpoint.ts";
import { Port } from "../objects/port.ts";
import type { KernelCore } from "../core.ts";
import { KernelBug } from "../object.ts";
import type { Process } from "../objects/process.ts";

type AnyHandler = (k: KernelCore, p: Process, ...args: any[]) => unknown;

/**
 * Syscalls whose result is data, where a negative value is not an errno:
 * msg_word's i64 is the word itself (why msg_word_get exists).
 */
const DATA_RESULTS: ReadonlySet<string> = new Set(["msg_word"]);

/** The errno a result stands for (positive), or 0 when it is not an error. */
function errnoOf(r: unknown): number {
  if (typeof r === "number") return r < 0 ? -r : 0;
  if (typeof r === "bigint") return r < 0n && r >= -0x7fffffffn ? -Number(r) : 0;
  return 0;
}

/** h, checked against def's documented errors (see the top of this file). */
export function checkedHandler(def: SyscallDef, h: AnyHandler): AnyHandler {
  if (DATA_RESULTS.has(def.name)) return h;
  const listed = new Set(def.errors);
  return (k, p, ...args) => {
    const r = h(k, p, ...args);
    const e = errnoOf(r);
    if (e !== 0 && !listed.has(e))
      throw new KernelBug(`${def.name} returned ${ERRNO_NAMES[e] ?? `-${e}`}, which its ABI entry does not list`);
    return r;
  };
}

/**
 * Errors documented to end something: replying to a client that has gone
 * (EGONE) finishes the message; replymsg whose handles do not fit the
 * client's table (EMFILE) ends the exchange with EMFILE for both.
 */
const ERRORS_THAT_END_AN_EXCHANGE: Readonly<Record<string, readonly number[]>> = {
  reply: [Errno.EGONE],
  replymsg: [Errno.EGONE, Errno.EMFILE],
  reply_error: [Errno.EGONE],
};

/** What a failed call must leave as it was: the caller's handle table and registers, and the kernel's objects. */
export function stateDigest(k: KernelCore, p: Process): string {
  const parts = [`handles ${p.handles.describe()}`, `live ${JSON.stringify(k.objects.liveCounts())}`];
  parts.push(`mr ${p.mr.kind}:${p.mr.senderPid}:${p.mr.rcvid}:${p.mr.status}:${p.mr.handles.join(",")}`);
  for (const q of k.processes.values()) {
    parts.push(
      `p${q.pid} ${q.state}:${q.priority}:${q.basePriority}:${q.lastEndpoint?.koid ?? 0}:${q.serving.size}:${q.promises}:${q.boundPorts.length}:${q.names.size}:${q.handles.count}`,
    );
  }
  for (const q of k.processes.values()) {
    const ep = q.lastEndpoint;
    if (ep !== null) parts.push(describeObject(ep));
  }
  for (const o of new Set(p.handles.objects())) parts.push(describeObject(o));
  return parts.join("\n");
}

function describeObject(o: unknown): string {
  if (o instanceof Endpoint)
    return `ep${o.koid} q${o.queue.length} r${o.receivers.length} s${o.servers.size} c${o.closed} ${[...o.pendingPulses].join(",")}`;
  if (o instanceof Port) return `port${o.koid} ${o.packets.length}:${o.binder?.pid ?? 0}:${o.closed}`;
  return "";
}

/** h, checked to change nothing when it fails (see the top of this file). */
export function unchangedOnError(def: SyscallDef, h: AnyHandler): AnyHandler {
  if (DATA_RESULTS.has(def.name)) return h;
  const allowed = new Set(ERRORS_THAT_END_AN_EXCHANGE[def.name] ?? []);
  return (k, p, ...args) => {
    const before = stateDigest(k, p);
    const r = h(k, p, ...args);
    const e = errnoOf(r);
    if (e !== 0 && !allowed.has(e) && p.exit === null) {
      const after = stateDigest(k, p);
      if (after !== before) {
        const was = before.split("\n");
        const now = after.split("\n");
        const diff = now.filter((l) => !was.includes(l)).concat(was.filter((l) => !now.includes(l)).map((l) => `was ${l}`));
        throw new KernelBug(`${def.name} returned ${ERRNO_NAMES[e] ?? `-${e}`} but changed the kernel's state: ${diff.join("; ")}`);
      }
    }
    return r;
  };
}
