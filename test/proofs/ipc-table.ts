// Invariants of the IPC state machine: the table kernel/ipc/states.ts
// IPC_TRANSITIONS, which checkTransition enforces at every move the kernel
// makes. The table is encoded as a Z3 relation T(from, event, to, returns).

import { ProcessState } from "../../abi/gen/abi.ts";
import { IPC_TRANSITIONS, type IpcEvent, type IpcTransition } from "../../kernel/ipc/states.ts";
import { type AnyInvariant, invariant } from "./invariant.ts";
import { type Bool, type Kit, prove, type Verdict } from "./z3.ts";

type Table = readonly IpcTransition[];

const EVENTS: readonly IpcEvent[] = ["send", "receive", "deliver", "reply", "pulse", "timeout", "peer-gone"];
const STATE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ProcessState).map(([k, v]) => [v, k]));
const stateName = (n: number) => STATE_NAMES[n] ?? `state ${n}`;
const { RUNNING, READY, SEND_BLOCKED, REPLY_BLOCKED } = ProcessState;
/** Events a process causes itself, by calling. */
const CALLS: readonly IpcEvent[] = ["send", "receive"];

/** The table as Z3 terms over integer variables. */
function relation(k: Kit, table: Table) {
  const { Z } = k;
  const returnsOf = [...new Set(table.map((t) => t.returns ?? ""))];
  const ev = (e: IpcEvent) => EVENTS.indexOf(e);
  const T = (from: any, event: any, to: any, ret?: any): Bool =>
    Z.Or(
      ...table.map((t) =>
        Z.And(
          Z.Int.val(t.from).eq(from),
          Z.Int.val(ev(t.event)).eq(event),
          Z.Int.val(t.to).eq(to),
          ...(ret === undefined ? [] : [Z.Int.val(returnsOf.indexOf(t.returns ?? "")).eq(ret)]),
        ),
      ),
      Z.Bool.val(false),
    ) as Bool;
  const f = Z.Int.const("from");
  const e = Z.Int.const("event");
  const t = Z.Int.const("to");
  const r = Z.Int.const("returns");
  const val = (m: any, x: any) => Number(m.eval(x, true).value());
  const row = (m: any) => `${stateName(val(m, f))} --${EVENTS[val(m, e)]}--> ${stateName(val(m, t))}`;
  return { Z, T, f, e, t, r, ev, returnsOf, val, row };
}

/** States a process enters by one of `events` (any row with that event ends there). */
function enteredBy(k: Kit, table: Table, s: any, events: readonly IpcEvent[]): Bool {
  const { Z } = k;
  return Z.Or(...table.filter((t) => events.includes(t.event)).map((t) => Z.Int.val(t.to).eq(s)), Z.Bool.val(false)) as Bool;
}

const blockedExit =
  (event: IpcEvent, entered: readonly IpcEvent[]) =>
  async (k: Kit, table: Table): Promise<Verdict> => {
    const { Z, T, t, val } = relation(k, table);
    const s = Z.Int.const("s");
    const isWait = Z.And(enteredBy(k, table, s, entered), s.neq(RUNNING), s.neq(READY)) as Bool;
    return prove(k, [isWait], T(s, EVENTS.indexOf(event), READY), (m) => {
      void t;
      return `state ${stateName(val(m, s))} is entered by ${entered.join("/")} but has no ${event} move to READY`;
    });
  };

const drop = (table: Table, from: number, event: IpcEvent): Table => table.filter((t) => !(t.from === from && t.event === event));
const change = (table: Table, from: number, event: IpcEvent, patch: Partial<IpcTransition>): Table =>
  table.map((t) => (t.from === from && t.event === event ? { ...t, ...patch } : t));
const READS = "kernel/ipc/states.ts IPC_TRANSITIONS (enforced by checkTransition)";

export const IPC_INVARIANTS: AnyInvariant[] = [
  invariant<Table>({
    id: "ipc.timeout-exit",
    means: "A send or receive with a deadline never blocks past it: every state a call can block in has a timeout move back to READY.",
    reads: READS,
    bounds: "none (all rows, all states)",
    subject: IPC_TRANSITIONS,
    check: blockedExit("timeout", ["send", "receive", "deliver"]),
    mutation: {
      what: "REPLY_BLOCKED's timeout row removed",
      subject: drop(IPC_TRANSITIONS, REPLY_BLOCKED, "timeout"),
      names: /REPLY_BLOCKED/,
    },
  }),
  invariant<Table>({
    id: "ipc.peer-gone-exit",
    means: "A client never waits forever on a server that is gone: every state a sender waits in has a peer-gone move to READY (ECLOSED).",
    reads: READS,
    bounds: "none",
    subject: IPC_TRANSITIONS,
    check: blockedExit("peer-gone", ["send", "deliver"]),
    mutation: {
      what: "SEND_BLOCKED's peer-gone row removed",
      subject: drop(IPC_TRANSITIONS, SEND_BLOCKED, "peer-gone"),
      names: /SEND_BLOCKED/,
    },
  }),
  invariant<Table>({
    id: "ipc.no-dead-end",
    means: "No IPC state is a trap: from every state a running process can reach through IPC, some sequence of moves leads back to READY.",
    reads: READS,
    bounds: "paths of up to 16 moves (the number of process states, so complete)",
    subject: IPC_TRANSITIONS,
    async check(k, table) {
      const { Z } = k;
      const N = 16;
      const facts: Bool[] = [];
      // The table's moves as a graph over states (events forgotten): adj(u, s) iff some row goes u -> s.
      const adj = (u: number, s: number) => table.some((t) => t.from === u && t.to === s);
      // reach[i][s]: s reachable from RUNNING in <= i moves; back[i][s]: READY reachable from s in <= i moves.
      const reach = Array.from({ length: N + 1 }, (_, i) => Array.from({ length: N }, (_, s) => Z.Bool.const(`reach_${i}_${s}`)));
      const back = Array.from({ length: N + 1 }, (_, i) => Array.from({ length: N }, (_, s) => Z.Bool.const(`back_${i}_${s}`)));
      for (let s = 0; s < N; s++) {
        facts.push(reach[0][s].eq(Z.Bool.val(s === RUNNING)), back[0][s].eq(Z.Bool.val(s === READY)));
      }
      for (let i = 0; i < N; i++) {
        for (let s = 0; s < N; s++) {
          const into: Bool[] = [];
          const out: Bool[] = [];
          for (let u = 0; u < N; u++) {
            if (adj(u, s)) into.push(reach[i][u]);
            if (adj(s, u)) out.push(back[i][u]);
          }
          facts.push(reach[i + 1][s].eq(Z.Or(reach[i][s], ...into)), back[i + 1][s].eq(Z.Or(back[i][s], ...out)));
        }
      }
      const s = Z.Int.const("s");
      const at = (row: Bool[], x: any) => Z.Or(...row.map((b, i) => Z.And(b, x.eq(i)))) as Bool;
      facts.push(s.ge(0), s.lt(N));
      return prove(k, facts, Z.Implies(at(reach[N], s), at(back[N], s)) as Bool, (m) => {
        const v = Number((m.eval(s, true) as any).value());
        return `state ${stateName(v)} is reachable from RUNNING but no sequence of moves leads from it back to READY`;
      });
    },
    mutation: {
      what: "a row RUNNING --send--> BLOCKED added (BLOCKED has no way out)",
      subject: [...IPC_TRANSITIONS, { from: RUNNING, event: "send", to: ProcessState.BLOCKED, when: "mutant" }],
      names: /BLOCKED/,
    },
  }),
  invariant<Table>({
    id: "ipc.wake-to-ready",
    means:
      "Waking never hands a process the CPU behind the scheduler's back: every move out of a blocked state goes to READY, never straight to RUNNING.",
    reads: READS,
    bounds: "none",
    subject: IPC_TRANSITIONS,
    async check(k, table) {
      const { T, f, e, t, row } = relation(k, table);
      return prove(k, [T(f, e, t), f.neq(RUNNING)], t.neq(RUNNING), (m) => `the row ${row(m)} resumes a blocked process directly`);
    },
    mutation: {
      what: "RECEIVE_BLOCKED --pulse--> goes to RUNNING",
      subject: change(IPC_TRANSITIONS, ProcessState.RECEIVE_BLOCKED, "pulse", { to: RUNNING }),
      names: /RECEIVE_BLOCKED --pulse--> RUNNING/,
    },
  }),
  invariant<Table>({
    id: "ipc.reply-needs-receipt",
    means: "A reply only ever reaches a client whose message a server has received: reply moves only from REPLY_BLOCKED.",
    reads: READS,
    bounds: "none",
    subject: IPC_TRANSITIONS,
    async check(k, table) {
      const { T, f, e, t, ev, row } = relation(k, table);
      return prove(
        k,
        [T(f, e, t), e.eq(ev("reply"))],
        f.eq(REPLY_BLOCKED),
        (m) => `the row ${row(m)} answers a message no server received`,
      );
    },
    mutation: {
      what: "a row SEND_BLOCKED --reply--> READY added",
      subject: [...IPC_TRANSITIONS, { from: SEND_BLOCKED, event: "reply", to: READY, returns: "the reply status", when: "mutant" }],
      names: /SEND_BLOCKED --reply-->/,
    },
  }),
  invariant<Table>({
    id: "ipc.delivery-holds-client",
    means: "Once a server takes a message, its sender waits for the answer: deliver moves only SEND_BLOCKED to REPLY_BLOCKED.",
    reads: READS,
    bounds: "none",
    subject: IPC_TRANSITIONS,
    async check(k, table) {
      const { Z, T, f, e, t, ev, row } = relation(k, table);
      return prove(
        k,
        [T(f, e, t), e.eq(ev("deliver"))],
        Z.And(f.eq(SEND_BLOCKED), t.eq(REPLY_BLOCKED)) as Bool,
        (m) => `the row ${row(m)} lets a delivered message's sender go`,
      );
    },
    mutation: {
      what: "SEND_BLOCKED --deliver--> goes to READY",
      subject: change(IPC_TRANSITIONS, SEND_BLOCKED, "deliver", { to: READY }),
      names: /--deliver--> READY/,
    },
  }),
  invariant<Table>({
    id: "ipc.running-moves-by-call",
    means: "Nothing outside a running process changes its IPC state: from RUNNING only its own send or receive moves it.",
    reads: READS,
    bounds: "none",
    subject: IPC_TRANSITIONS,
    async check(k, table) {
      const { Z, T, f, e, t, ev, row } = relation(k, table);
      return prove(
        k,
        [T(f, e, t), f.eq(RUNNING)],
        Z.Or(...CALLS.map((c) => e.eq(ev(c)))) as Bool,
        (m) => `the row ${row(m)} moves a running process without its call`,
      );
    },
    mutation: {
      what: "a row RUNNING --timeout--> READY added",
      subject: [...IPC_TRANSITIONS, { from: RUNNING, event: "timeout", to: READY, returns: "ETIMEDOUT", when: "mutant" }],
      names: /RUNNING --timeout-->/,
    },
  }),
  invariant<Table>({
    id: "ipc.wake-says-why",
    means:
      "Every wake-up tells the caller why: each move from a blocked state to READY returns something, ETIMEDOUT for a timeout and ECLOSED for a vanished peer.",
    reads: READS,
    bounds: "none",
    subject: IPC_TRANSITIONS,
    async check(k, table) {
      const { Z, T, f, e, t, r, ev, returnsOf, row } = relation(k, table);
      const is = (s: string) => r.eq(returnsOf.indexOf(s));
      const claim = Z.And(
        Z.Not(is("")),
        Z.Implies(e.eq(ev("timeout")), is("ETIMEDOUT")),
        Z.Implies(e.eq(ev("peer-gone")), is("ECLOSED")),
      ) as Bool;
      return prove(k, [T(f, e, t, r), f.neq(RUNNING), t.eq(READY)], claim, (m) => {
        const v = Number((m.eval(r, true) as any).value());
        return `the row ${row(m)} returns ${returnsOf[v] === "" ? "nothing" : returnsOf[v]}`;
      });
    },
    mutation: {
      what: "SEND_BLOCKED --peer-gone--> returns ETIMEDOUT",
      subject: change(IPC_TRANSITIONS, SEND_BLOCKED, "peer-gone", { returns: "ETIMEDOUT" }),
      names: /SEND_BLOCKED --peer-gone--> READY returns ETIMEDOUT/,
    },
  }),
  invariant<Table>({
    id: "ipc.one-outcome",
    means: "A blocked process's fate is never ambiguous: for each blocked state and event the table has exactly one destination.",
    reads: READS,
    bounds: "none",
    subject: IPC_TRANSITIONS,
    async check(k, table) {
      const { Z, T, f, e, t, row } = relation(k, table);
      const t2 = Z.Int.const("to2");
      return prove(
        k,
        [T(f, e, t), T(f, e, t2), f.neq(RUNNING)],
        t.eq(t2),
        (m) => `${row(m)} also goes to ${stateName(Number((m.eval(t2, true) as any).value()))}`,
      );
    },
    mutation: {
      what: "a row REPLY_BLOCKED --reply--> SEND_BLOCKED added beside --reply--> READY",
      subject: [...IPC_TRANSITIONS, { from: REPLY_BLOCKED, event: "reply", to: SEND_BLOCKED, when: "mutant" }],
      names: /REPLY_BLOCKED --reply-->/,
    },
  }),
];
