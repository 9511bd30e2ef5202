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
  { from: REPLY_BLOCKED, event: "timeout", to: READY, returns: "ETIMEDOUT", when: "the deadline passes while the server holds the message (its reply then gets EGONE)" },
  { from: SEND_BLOCKED, event: "peer-gone", to: READY, returns: "ECLOSED", when: "the endpoint's receive side closes" },
  { from: REPLY_BLOCKED, event: "peer-gone", to: READY, returns: "ECLOSED", when: "the server ends before replying" },
  { from: RUNNING, event: "receive", to: RECEIVE_BLOCKED, when: "nothing is queued on the endpoint" },
  { from: RUNNING, event: "receive", to: RUNNING, returns: "rcvid or 0", when: "a message or pulse is queued: taken at once" },
  { from: RECEIVE_BLOCKED, event: "pulse", to: READY, returns: "rcvid or 0", when: "a message or pulse arrives" },
  { from: RECEIVE_BLOCKED, event: "timeout", to: READY, returns: "ETIMEDOUT", when: "the deadline passes first" },
];

const key = (from: number, event: IpcEvent, to: number) => `${from}:${event}:${to}`;
const allowed = new Set(IPC_TRANSITIONS.map((t) => key(t.from, t.event, t.to)));

/** How often each transition was taken, by key (tests check every row of the table is exercised). */
export const transitionCounts = new Map<string, number>();
export const transitionKey = (t: IpcTransition): string => key(t.from, t.event, t.to);

/** Check that (from --event--> to) is in the table, and count it. The caller then makes the move. */
export function checkTransition(from: number, event: IpcEvent, to: number): void {
  const k = key(from, event, to);
  if (!allowed.has(k)) throw new KernelBug(`IPC transition ${from} --${event}--> ${to} is not in the state table`);
  transitionCounts.set(k, (transitionCounts.get(k) ?? 0) + 1);
}
