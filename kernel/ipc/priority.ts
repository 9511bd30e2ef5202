// Priority inheritance. A server runs at least at the priority of every
// client whose message it holds unanswered, and of every client queued on an
// endpoint it is serving from (so pending higher-priority senders raise it).
// A change propagates along the chain of servers, bounded in depth.

import type { KernelCore } from "../core.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import type { Process } from "../objects/process.ts";
import type { Message } from "./message.ts";

import { NUMBERS } from "../rules/algebra.ts";
import { MAX_CHAIN, raisedPriority } from "../rules/priority.ts";

/** What p's effective priority should be now. */
export function inheritedPriority(p: Process): number {
  // One message held (or none) is the common case: an assignment, no fold.
  const held = p.serving;
  const only = held.only;
  let prio =
    only !== null ? raisedByMessage(p.basePriority, only) : held.size === 0 ? p.basePriority : held.fold(p.basePriority, raisedByMessage);
  if (p.lastEndpoint !== null) prio = raisedPriority(NUMBERS, prio, p.lastEndpoint.topQueuedPriority(), true);
  return prio;
}

/** The step for one message a server holds: its client (while it waits) and the senders queued where it came from. */
function raisedByMessage(prio: number, m: Message): number {
  prio = raisedPriority(NUMBERS, prio, m.sender.priority, !m.clientGone);
  return raisedPriority(NUMBERS, prio, m.endpoint.topQueuedPriority(), true);
}

/** p receives from ep: it becomes one of ep's servers (and stops being another endpoint's). */
export function associate(p: Process, ep: Endpoint): void {
  if (p.lastEndpoint === ep) return;
  p.lastEndpoint?.servers.delete(p);
  p.lastEndpoint = ep;
  ep.servers.add(p);
}

/** p has ended: it serves nothing any more. */
export function dissociate(p: Process): void {
  p.lastEndpoint?.servers.delete(p);
  p.lastEndpoint = null;
}

/** Recompute p's effective priority and pass any change on to whoever p is waiting for. */
export function updatePriority(k: KernelCore, p: Process, depth = 0): void {
  if (depth > MAX_CHAIN || p.exit !== null) return;
  const prio = inheritedPriority(p);
  if (prio === p.priority) return;
  k.setEffectivePriority(p, prio);
  const m = p.sending;
  if (m === null) return;
  if (m.server !== null) updatePriority(k, m.server, depth + 1);
  else {
    m.endpoint.reorder();
    updateServers(k, m.endpoint, depth + 1);
  }
}

/** The queue of ep changed: recompute its servers. */
export function updateServers(k: KernelCore, ep: Endpoint, depth = 0): void {
  for (const s of ep.servers) updatePriority(k, s, depth);
}
