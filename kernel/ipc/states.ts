// The IPC state machine, written once as a table. The kernel moves a process
// between IPC states only through transition(), which refuses (KernelBug) any
// move the table does not list; the tests walk the same table.

import { ProcessState } from "../../abi/gen/abi.ts";
import { KernelBug } from "../object.ts";

export type IpcEvent =
  | "send" // a client calls send/sendmsg
  | "receive" // a server calls receive
  | "deliver" // a queued message is taken by a server
  | "reply" // the server answers (reply, replymsg, reply_error)
  | "pulse" // a pulse or message reaches a receive-blocked server
  | "timeout" // the call's deadline passed
  | "peer-gone"; // the endpoint's receive side closed or the server ended

export interface IpcTransition {
  readonly from: number;
  readonly event: IpcEvent;
  readonly to: number;
  /** What the blocked call returns when this transition wakes it, if it does. */
  readonly returns?: string;
  readonly when: string;
}

const { RUNNING, SEND_BLOCKED, REPLY_BLOCKED, RECEIVE_BLOCKED, READY } = ProcessState;

export const IPC_TRANSITIONS: readonly IpcTransition[] = [
  { from: RUNNING, event: "send", to: SEND_BLOCKED, when: "no server is receive-blocked on the endpoint: the message queues" },
  { from: RUNNING, event: "send", to: REPLY_BLOCKED, when: "a server was receive-blocked: the message is delivered at once" },
  { from: SEND_BLOCKED, event: "deliver", to: REPLY_BLOCKED, when: "a server receives the queued message" },
  { from: REPLY_BLOCKED, event: "reply", to: READY, returns: "the reply status", when: "the server answers" },
  { from: SEND_BLOCKED, event: "timeout", to: READY, returns: "ETIMEDOUT", when: "the deadline passes while queued" },
  {
    from: REPLY_BLOCKED,
    event: "timeout",
    to: READY,
    returns: "ETIMEDOUT",
    when: "the deadline passes while the server holds the message (its reply then gets EGONE)",
  },
  { from: SEND_BLOCKED, event: "peer-gone", to: READY, returns: "ECLOSED", when: "the endpoint's receive side closes" },
  { from: REPLY_BLOCKED, event: "peer-gone", to: READY, returns: "ECLOSED", when: "the server ends before replying" },
  { from: RUNNING, event: "receive", to: RECEIVE_BLOCKED, when: "nothing is queued on the endpoint" },
  { from: RUNNING, event: "receive", to: RUNNING, returns: "rcvid or 0", when: "a message or pulse is queued: taken at once" },
  { from: RECEIVE_BLOCKED, event: "pulse", to: READY, returns: "rcvid or 0", when: "a message or pulse arrives" },
  { from: RECEIVE_BLOCKED, event: "timeout", to: READY, returns: "ETIMEDOUT", when: "the deadline passes first" },
];

const EVENTS: readonly IpcEvent[] = ["send", "receive", "deliver", "reply", "pulse", "timeout", "peer-gone"];
const STATES = 16; // process states fit in 4 bits
const EVENT_INDEX = Object.fromEntries(EVENTS.map((e, i) => [e, i])) as Record<IpcEvent, number>;
const index = (from: number, event: IpcEvent, to: number) => (EVENT_INDEX[event] * STATES + from) * STATES + to;
const allowed = new Uint8Array(EVENTS.length * STATES * STATES);
for (const t of IPC_TRANSITIONS) allowed[index(t.from, t.event, t.to)] = 1;

/** How often each transition was taken (tests check every row of the table is exercised). */
const counts = new Float64Array(allowed.length);
export const transitionCounts = { get: (key: number): number => counts[key] };
export const transitionKey = (t: IpcTransition): number => index(t.from, t.event, t.to);

/** Check that (from --event--> to) is in the table, and count it. The caller then makes the move. */
export function checkTransition(from: number, event: IpcEvent, to: number): void {
  const i = index(from, event, to);
  if (allowed[i] !== 1) throw new KernelBug(`IPC transition ${from} --${event}--> ${to} is not in the state table`);
  counts[i]++;
}

/**
 * The table's key for a move a fast path makes without a runtime check (kernel/ipc/fastpath.ts): checked
 * against the table once, when the fast path's module loads (a move the table does not list throws then,
 * as checkTransition would at the move). countTransition(key) then counts the move as checkTransition does.
 */
export function checkedTransition(from: number, event: IpcEvent, to: number): number {
  const i = index(from, event, to);
  if (allowed[i] !== 1) throw new KernelBug(`IPC transition ${from} --${event}--> ${to} is not in the state table`);
  return i;
}

/** Count a move checked once by checkedTransition. */
export function countTransition(key: number): void {
  counts[key]++;
}

/** Count it n times (the pulse pairs a vDSO served: KernelCore.syncYields). */
export function countTransitions(key: number, n: number): void {
  counts[key] += n;
}
