// Invariants of pulses (kernel/rules/pulses.ts), priority inheritance
// (kernel/rules/priority.ts) and EDF admission (kernel/rules/edf.ts), over
// exact reals (no rounding).

import { Limits } from "../../abi/gen/abi.ts";
import type { NumberAlgebra } from "../../kernel/rules/algebra.ts";
import * as E from "../../kernel/rules/edf.ts";
import * as PR from "../../kernel/rules/priority.ts";
import * as P from "../../kernel/rules/pulses.ts";
import { DEFAULT_EDF_CAPACITY } from "../../kernel/sched/params.ts";
import { type AnyInvariant, invariant } from "./invariant.ts";
import { type Bool, boolIn, type Kit, prove, type Real, realIn, realNum } from "./z3.ts";

// ---- pulses ----------------------------------------------------------------------------

type Pulses = typeof P;

/**
 * One step from any reachable count, by induction: a sender with `pending`
 * undelivered pulses (and, for count-exact, `queued` actually in the queue)
 * either pulses (queued if admitted, EAGAIN otherwise) or has one received.
 */
function pulseStep(k: Kit, r: Pulses) {
  const { Z } = k;
  const A = k.ints;
  const pending = Z.Int.const("pending") as unknown as Real;
  const queued = Z.Int.const("queued") as unknown as Real;
  const post = k.bool("post");
  const admitted = Z.And(post, r.pulseAdmitted(A, pending)) as Bool;
  const deliver = Z.And(Z.Not(post), queued.gt(0)) as Bool;
  const pending2 = A.pickn(admitted, r.pulseQueued(A, pending), A.pickn(deliver, r.pulseTaken(A, pending), pending));
  const queued2 = A.pickn(admitted, queued.add(1), A.pickn(deliver, queued.sub(1), queued));
  const what = (m: any) => (boolIn(m, post) ? (boolIn(m, admitted) ? "a pulse is queued" : "a pulse is refused") : "a pulse is received");
  return { pending, queued, pending2, queued2, what };
}

// ---- priority inheritance --------------------------------------------------------------

type Priority = Omit<typeof PR, "MAX_CHAIN"> & { readonly MAX_CHAIN: number };
const HELD = 3;
const QUEUED = 2;
const CHAIN = 4;

/** A server's effective priority as inheritedPriority folds the rule: base, then each held message, then each endpoint's queue. */
function inherit(k: Kit, r: Priority, tag: string) {
  const A = k.reals;
  const base = k.real(`${tag}_base`);
  const clients = Array.from({ length: HELD }, (_, i) => ({ prio: k.real(`${tag}_client_${i}`), live: k.bool(`${tag}_live_${i}`) }));
  const queued = Array.from({ length: QUEUED }, (_, i) => k.real(`${tag}_queued_${i}`));
  let prio: Real = base;
  for (const c of clients) prio = r.raisedPriority(A, prio, c.prio, c.live);
  for (const q of queued) prio = r.raisedPriority(A, prio, q, A.yes);
  return { base, clients, queued, prio };
}

// ---- EDF ---------------------------------------------------------------------------------

type Edf = typeof E & { capacity: number };
const EDF: Edf = { ...E, capacity: DEFAULT_EDF_CAPACITY };
const RESERVATIONS = 3;

/** RESERVATIONS requests (C, P, D) with 0 < C <= D <= P, each admitted or refused in turn from an empty class. */
function admission(k: Kit, e: Edf) {
  const A = k.reals;
  const facts: Bool[] = [];
  const res = Array.from({ length: RESERVATIONS }, (_, i) => ({ c: k.real(`C_${i}`), p: k.real(`P_${i}`), d: k.real(`D_${i}`) }));
  let load: Real = A.num(0);
  let density: Real = A.num(0);
  const admitted: Bool[] = [];
  for (const r of res) {
    facts.push(r.c.gt(0) as Bool, r.c.le(r.d) as Bool, r.d.le(r.p) as Bool);
    const u = e.reservationLoad(A, r.c, r.p, r.d);
    const ok = e.admitsLoad(A, load, A.num(0), u, A.num(e.capacity));
    admitted.push(ok);
    load = A.pickn(ok, load.add(u), load);
    density = A.pickn(ok, density.add(r.c.div(r.d)), density);
  }
  const describe = (m: any) =>
    res
      .map((r, i) => `(C ${realIn(m, r.c)}, P ${realIn(m, r.p)}, D ${realIn(m, r.d)}) ${boolIn(m, admitted[i]) ? "admitted" : "refused"}`)
      .join("; ") + `: admitted density ${realIn(m, density)}`;
  return { facts, density, describe };
}

export const SCHED_INVARIANTS: AnyInvariant[] = [
  invariant<Pulses>({
    id: "pulses.bounded-per-sender",
    means: `No sender can make an endpoint hold more than MAX_PENDING_PULSES (${Limits.MAX_PENDING_PULSES}) of its pulses: past that, pulse returns EAGAIN (an interrupt is dropped and counted).`,
    reads:
      "kernel/rules/pulses.ts pulseAdmitted, pulseQueued, pulseTaken (sysPulse, sysPulseWait, postPulse, deliverPulse, raiseInterrupt)",
    bounds: "none: proved by induction (it holds of the empty endpoint and every step keeps it), so for every sequence",
    subject: P,
    async check(k, r) {
      const { pending, queued, pending2, what } = pulseStep(k, r);
      const inRange = (x: Real) => k.Z.And(x.ge(0), x.le(Limits.MAX_PENDING_PULSES)) as Bool;
      return prove(
        k,
        [inRange(pending), pending.eq(queued) as Bool],
        inRange(pending2),
        (m) => `with ${realIn(m, pending)} pending, ${what(m)}: the sender has ${realIn(m, pending2)} pulses pending`,
      );
    },
    mutation: {
      what: "pulseAdmitted compares with <= instead of <",
      subject: { ...P, pulseAdmitted: <N, B>(A: NumberAlgebra<N, B>, pending: N) => A.le(pending, A.num(Limits.MAX_PENDING_PULSES)) },
      names: /has 17 pulses pending/,
    },
  }),
  invariant<Pulses>({
    id: "pulses.count-exact",
    means:
      "The kernel's per-sender pulse count is exactly the sender's undelivered pulses, so a receiver draining pulses frees the sender to send again and never lets it exceed the bound.",
    reads: "kernel/rules/pulses.ts pulseQueued, pulseTaken",
    bounds: "none: proved by induction (it holds of the empty endpoint and every step keeps it), so for every sequence",
    subject: P,
    async check(k, r) {
      const { pending, queued, pending2, queued2, what } = pulseStep(k, r);
      const facts = [pending.ge(0), pending.eq(queued)] as Bool[];
      return prove(
        k,
        facts,
        pending2.eq(queued2) as Bool,
        (m) =>
          `with ${realIn(m, queued)} pending, ${what(m)}: the count is ${realIn(m, pending2)} with ${realIn(m, queued2)} pulses pending`,
      );
    },
    mutation: {
      what: "pulseTaken forgets to decrement past 2",
      subject: {
        ...P,
        pulseTaken: <N, B>(A: NumberAlgebra<N, B>, pending: N) =>
          A.pickn(A.le(pending, A.num(1)), A.num(0), A.pickn(A.le(pending, A.num(2)), A.sub(pending, A.num(1)), pending)),
      },
      names: /the count is \d+ with \d+ pulses pending/,
    },
  }),
  invariant<Priority>({
    id: "priority.serves-at-least-clients",
    means:
      "A server runs at least at the priority of every client whose message it holds unanswered and of every sender queued on the endpoint it serves.",
    reads: "kernel/rules/priority.ts raisedPriority (folded by kernel/ipc/priority.ts inheritedPriority)",
    bounds: `${HELD} held messages and ${QUEUED} endpoint queues per server`,
    subject: PR,
    async check(k, r) {
      const s = inherit(k, r, "s");
      const claim = k.Z.And(
        s.prio.ge(s.base),
        ...s.clients.map((c) => k.Z.Implies(c.live, s.prio.ge(c.prio))),
        ...s.queued.map((q) => s.prio.ge(q)),
      ) as Bool;
      return prove(
        k,
        [],
        claim,
        (m) =>
          `a server of base ${realIn(m, s.base)} holding clients of priority ${s.clients.map((c) => realIn(m, c.prio) + (boolIn(m, c.live) ? "" : " (gone)")).join(", ")} with senders queued at ${s.queued.map((q) => realIn(m, q)).join(", ")} runs at ${realIn(m, s.prio)}`,
      );
    },
    mutation: {
      what: "raisedPriority keeps the lower of the two",
      subject: {
        ...PR,
        raisedPriority: <N, B>(A: NumberAlgebra<N, B>, prio: N, cand: N, counts: B) => A.pickn(A.all(counts, A.lt(cand, prio)), cand, prio),
      },
      names: /a server of base .* runs at/,
    },
  }),
  invariant<Priority>({
    id: "priority.no-inflation",
    means:
      "Inheritance never raises a server above what someone it serves or who waits on it has: a client that gave up (timed out or died) stops raising it. (What it raises is the server's own floor: its base priority, or the priority of a pulse it took, QNX's pulse priority, kernel/ipc/priority.ts.)",
    reads: "kernel/rules/priority.ts raisedPriority",
    bounds: `${HELD} held messages and ${QUEUED} endpoint queues per server`,
    subject: PR,
    async check(k, r) {
      const s = inherit(k, r, "s");
      const claim = k.Z.Or(
        s.prio.eq(s.base),
        ...s.clients.map((c) => k.Z.And(c.live, s.prio.eq(c.prio))),
        ...s.queued.map((q) => s.prio.eq(q)),
      ) as Bool;
      return prove(
        k,
        [],
        claim,
        (m) =>
          `a server of base ${realIn(m, s.base)} holding clients of priority ${s.clients.map((c) => realIn(m, c.prio) + (boolIn(m, c.live) ? "" : " (gone)")).join(", ")} runs at ${realIn(m, s.prio)}`,
      );
    },
    mutation: {
      what: "raisedPriority counts clients that are gone",
      subject: {
        ...PR,
        raisedPriority: <N, B>(A: NumberAlgebra<N, B>, prio: N, cand: N, _counts: B) => A.pickn(A.lt(prio, cand), cand, prio),
      },
      names: /\(gone\)/,
    },
  }),
  invariant<Priority>({
    id: "priority.chain",
    means:
      "When servers wait on servers, a client's priority reaches every server down the chain that works for it (up to MAX_CHAIN servers deep).",
    reads: "kernel/rules/priority.ts raisedPriority, MAX_CHAIN (updatePriority stops past MAX_CHAIN)",
    bounds: `chains of up to ${CHAIN} servers, each also raised by up to ${HELD} other clients; chains deeper than MAX_CHAIN (${PR.MAX_CHAIN}) are not covered, by design`,
    subject: PR,
    async check(k, r) {
      const A = k.reals;
      const client = k.real("client");
      const bases = Array.from({ length: CHAIN }, (_, i) => k.real(`server_${i}`));
      // updatePriority(server i) runs at depth i; past MAX_CHAIN it stops, and the server keeps its own priority.
      let prev: Real = client;
      const eff: Real[] = [];
      for (let i = 0; i < CHAIN; i++) {
        const e = i <= r.MAX_CHAIN ? r.raisedPriority(A, bases[i], prev, A.yes) : bases[i];
        eff.push(e);
        prev = e;
      }
      return prove(k, [], k.Z.And(...eff.map((e) => e.ge(client))) as Bool, (m) => {
        const i = eff.findIndex((e) => realNum(m, e) < realNum(m, client));
        return `a client at ${realIn(m, client)} waits on a chain of ${CHAIN} servers; server ${i + 1} (depth ${i}) runs at ${realIn(m, eff[i])}`;
      });
    },
    mutation: { what: "MAX_CHAIN set to 1", subject: { ...PR, MAX_CHAIN: 1 }, names: /server 3 \(depth 2\)/ },
  }),
  invariant<Edf>({
    id: "edf.admitted-schedulable",
    means:
      "Every set of deadline reservations the kernel admits is schedulable by EDF on one CPU: their density sum(C/min(D,P)) stays within the class's capacity, which is at most 1.",
    reads:
      "kernel/rules/edf.ts reservationLoad (EdfReservation), admitsLoad (admits), kernel/sched/params.ts DEFAULT_EDF_CAPACITY (from the ABI's EDF_CAPACITY_PERMILLE)",
    bounds: `${RESERVATIONS} reservations requested in turn, every 0 < C <= D <= P over the reals`,
    subject: EDF,
    async check(k, e) {
      const a = admission(k, e);
      return prove(k, a.facts, a.density.le(1) as Bool, a.describe);
    },
    mutation: {
      what: "reservationLoad counts C/P instead of C/min(D,P)",
      subject: { ...EDF, reservationLoad: <N, B>(A: NumberAlgebra<N, B>, c: N, p: N, _d: N) => A.div(c, p) },
      names: /admitted density/,
    },
  }),
  invariant<Edf>({
    id: "edf.counts-whole-set",
    means:
      "Admission control judges the whole admitted set, not each reservation alone: two reservations that do not fit together are never both admitted.",
    reads: "kernel/rules/edf.ts admitsLoad",
    bounds: `${RESERVATIONS} reservations requested in turn`,
    subject: EDF,
    async check(k, e) {
      const a = admission(k, e);
      return prove(k, a.facts, a.density.le(e.capacity + E.EDF_EPSILON) as Bool, a.describe);
    },
    mutation: {
      what: "admitsLoad checks each reservation against the capacity alone",
      subject: {
        ...EDF,
        admitsLoad: <N, B>(A: NumberAlgebra<N, B>, _total: N, _replacing: N, load: N, capacity: N) => A.le(load, capacity),
      },
      names: /admitted; .* admitted.*: admitted density/,
    },
  }),
  invariant<Edf>({
    id: "edf.exact-fit-admitted",
    means: "A reservation that exactly fills what is left of the capacity is admitted (admission is not stricter than it says).",
    reads: "kernel/rules/edf.ts admitsLoad",
    bounds: "none (every load and capacity)",
    subject: EDF,
    async check(k, e) {
      const A = k.reals;
      const total = k.real("total");
      const old = k.real("replacing");
      const u = k.real("u");
      const cap = k.real("capacity");
      const facts = [total.ge(0), old.ge(0), old.le(total), u.gt(0), total.sub(old).add(u).le(cap)] as Bool[];
      return prove(
        k,
        facts,
        e.admitsLoad(A, total, old, u, cap),
        (m) =>
          `a reservation of ${realIn(m, u)} on a load of ${realIn(m, total)} (replacing ${realIn(m, old)}) under capacity ${realIn(m, cap)} is refused`,
      );
    },
    mutation: {
      what: "admitsLoad compares with < and no tolerance",
      subject: {
        ...EDF,
        admitsLoad: <N, B>(A: NumberAlgebra<N, B>, total: N, replacing: N, load: N, capacity: N) =>
          A.lt(A.add(A.sub(total, replacing), load), capacity),
      },
      names: /is refused/,
    },
  }),
];
