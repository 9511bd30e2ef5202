// Priority inheritance. A server runs at least at the priority of every
// client whose message it holds unanswered, and of every client queued on an
// endpoint it is serving from (so pending higher-priority senders raise it).
// A change propagates along the chain of servers, bounded in depth.
//
// Pulse priority (QNX's): a pulse carries a priority (pulse, pulse_wait: the
// sender's; a FILE's close: the closer's), and the receiver it wakes or that
// takes it runs at that priority in place of its base priority (raised as
// above by what it holds and what is queued) until it next takes a message or
// waits in a receive. So a close pulse posted by a client at priority 128 to a
// server at 144 does not preempt the client: the server handles it when the
// client next blocks, as QNX's server would. A pulse without a priority (-1: a
// device interrupt's) leaves its receiver at its own.

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
  const floor = p.pulsePriority < 0 ? p.basePriority : p.pulsePriority;
  let prio = only !== null ? raisedByMessage(floor, only) : held.size === 0 ? floor : held.fold(floor, raisedByMessage);
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

/**
 * p takes (or is woken by) a pulse of priority prio: it runs at prio instead of its base priority
 * until pulsePriorityEnds (-1, or prio equal to its base: nothing to change).
 */
export function pulsePriorityTaken(k: KernelCore, p: Process, prio: number): void {
  if (prio < 0 || (prio === p.basePriority && p.pulsePriority < 0)) return;
  p.pulsePriority = prio === p.basePriority ? -1 : prio;
  updatePriority(k, p);
}

/** p takes a message or waits in a receive: a pulse's priority no longer holds, its base does. */
export function pulsePriorityEnds(k: KernelCore, p: Process): void {
  if (p.pulsePriority < 0) return;
  p.pulsePriority = -1;
  updatePriority(k, p);
}
