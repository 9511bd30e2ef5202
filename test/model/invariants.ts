// The kernel's own invariants, checked on the real kernel after every step of
// the model-based tests: each blocked process is where its state says, objects'
// reference counts match the capabilities that name them, an endpoint is
// closed exactly when no capability can receive from it, no table names a
// destroyed object, and each handle mirror (the fast path's copy) says what
// its table says.

import { Errno, ObjectType, ProcessState, Rights } from "../../abi/gen/abi.ts";
import {
  H_CAP,
  H_PROMISES,
  H_SLOTS,
  mirrorWords,
  S_HANDLE,
  S_RIGHTS,
  S_STATE,
  S_TYPE,
  SLOT_WORDS,
  STATE_EXITED,
  VACANT,
} from "../../kernel/fast/mirror.ts";
import type { KernelCore } from "../../kernel/core.ts";
import type { Cap } from "../../kernel/handles.ts";
import type { KernelObject } from "../../kernel/object.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { DirObject, FileObject } from "../../kernel/ns/objects.ts";

/**
 * Where p's handle mirror (kernel/fast/mirror.ts) differs from its table, or
 * null (also when it has none): every slot the table has used, its handle
 * (live, or the last issued marked vacant), rights, type, and the state word
 * of its object; the pledge mask.
 */
function mirrorDisagreement(p: Process): string | null {
  const m = p.handles.mirror;
  if (m === null) return null;
  const w = mirrorWords();
  const hdr = m.header;
  if (w[hdr + H_PROMISES] !== (p.promises | 0))
    return `pid ${p.pid}'s handle mirror holds promises ${w[hdr + H_PROMISES]}, not ${p.promises | 0}`;
  const live = new Map<number, { rights: number; object: KernelObject }>();
  for (const e of p.handles.entries()) live.set(e.handle & 0xffff, e);
  for (const d of p.handles.describe().split(" ")) {
    if (d === "") continue;
    const [slot, gen] = d.split(":").map(Number);
    if (slot >= w[hdr + H_CAP]) return `pid ${p.pid}'s handle mirror has ${w[hdr + H_CAP]} slots, the table uses slot ${slot}`;
    const at = w[hdr + H_SLOTS] / 4 + slot * SLOT_WORDS;
    const e = live.get(slot);
    const handle = gen === 0 ? 0 : (gen << 16) | slot | (e === undefined ? VACANT : 0);
    const want = e === undefined ? [handle, 0, 0] : [handle, e.rights | 0, e.object.type];
    const got = [w[at + S_HANDLE], w[at + S_RIGHTS], w[at + S_TYPE]];
    if (got.join() !== want.join()) return `pid ${p.pid}'s handle mirror slot ${slot} holds [${got}], the table [${want}]`;
    if (e === undefined || (e.object.type !== ObjectType.PROCESS && e.object.type !== ObjectType.MEMORY)) continue;
    const o = e.object as unknown as { exit?: unknown; revoked?: boolean; size?: number };
    const state = e.object.type === ObjectType.PROCESS ? (o.exit !== null ? STATE_EXITED : 0) : o.revoked ? -Errno.EREVOKED : o.size;
    if (w[at + S_STATE] === 0 || w[w[at + S_STATE] / 4] !== state)
      return `pid ${p.pid}'s handle mirror slot ${slot}: object ${e.object.koid}'s state word holds ${w[w[at + S_STATE] / 4]}, not ${state}`;
  }
  return null;
}

/** The first broken invariant, in words, or null. */
export function checkKernelInvariants(k: KernelCore, procs: readonly Process[], hostRefs: readonly KernelObject[] = []): string | null {
  const caps = new Map<KernelObject, Set<Cap>>();
  const add = (c: Cap) => {
    if (!caps.has(c.object)) caps.set(c.object, new Set());
    caps.get(c.object)!.add(c);
    if (c.object.type === ObjectType.WINDOW) {
      const held = (c.object as unknown as { source: Cap }).source; // the window's own capability on its memory
      if (!held.revoked) add(held);
    }
    if (c.object.type === ObjectType.FILE) {
      const held = (c.object as FileObject).cap; // the open's capability on its server's endpoint
      if (!held.revoked) add(held);
    }
    if (c.object.type === ObjectType.DIR) for (const m of (c.object as DirObject).table.mounts.values()) if (!m.cap.revoked) add(m.cap);
  };
  const endpoints = new Set<Endpoint>();
  for (const o of hostRefs)
    if (o.type === ObjectType.DIR) for (const m of (o as DirObject).table.mounts.values()) if (!m.cap.revoked) add(m.cap);
  for (const p of procs) {
    if (p.state === ProcessState.EXITED) {
      if (p.handles.count !== 0) return `pid ${p.pid} exited with ${p.handles.count} handles open`;
      continue;
    }
    const mirrored = mirrorDisagreement(p);
    if (mirrored !== null) return mirrored;
    for (const e of p.handles.entries()) {
      if (e.object.isDestroyed) return `pid ${p.pid} handle ${e.handle} names destroyed object ${e.object.koid}`;
      if (e.cap.revoked) return `pid ${p.pid} handle ${e.handle} is a revoked capability (object ${e.object.koid})`;
      add(e.cap);
      if (e.object.type === ObjectType.ENDPOINT) endpoints.add(e.object as Endpoint);
    }
    if (p.queued && p.state !== ProcessState.READY) return `pid ${p.pid} is in the ready queue in state ${p.state}`;
    if (p.state === ProcessState.SEND_BLOCKED) {
      const m = p.sending;
      if (m === null || m.server !== null || !m.endpoint.queue.includes(m))
        return `pid ${p.pid} is SEND_BLOCKED but its message is not queued`;
    }
    if (p.state === ProcessState.REPLY_BLOCKED) {
      const m = p.sending;
      if (m === null || m.server === null || m.server.serving.get(m.rcvid) !== m)
        return `pid ${p.pid} is REPLY_BLOCKED but no server holds its message`;
    }
    if (p.state === ProcessState.RECEIVE_BLOCKED && (p.receiving === null || !p.receiving.endpoint.receivers.includes(p))) {
      return `pid ${p.pid} is RECEIVE_BLOCKED but not among its endpoint's receivers`;
    }
    if (p.sending !== null && !p.sending.done) for (const c of p.sending.caps) if (!c.revoked) add(c); // a cap revoked in flight has ended
  }
  for (const ep of endpoints) {
    for (const q of ep.queue)
      if (q.kind === "message" && q.sender.state !== ProcessState.SEND_BLOCKED)
        return `endpoint ${ep.koid} queues a message from pid ${q.sender.pid} in state ${q.sender.state}`;
    const receive = [...(caps.get(ep) ?? [])].filter((c) => c.rights & Rights.RECEIVE).length;
    if (ep.closed !== (receive === 0))
      return `endpoint ${ep.koid} is ${ep.closed ? "closed" : "open"} with ${receive} capabilities that can receive`;
  }
  for (const [obj, list] of caps) {
    const host = hostRefs.filter((o) => o === obj).length; // references the host itself keeps (a namespace's root)
    if (obj.handleCount !== list.size + host)
      return `object ${obj.koid} counts ${obj.handleCount} handle references, ${list.size} capabilities name it${host ? ` and the host keeps ${host}` : ""}`;
  }
  return null;
}
