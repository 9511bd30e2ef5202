// Event ports on the kernel's side: the rights port_create gives, what a
// process's end does to the ports it bound, and direct delivery
// (PORT_BIND_DIRECT). Queued delivery (a handler activation per packet, idle
// packets) is the scheduler's: kernel/core.ts.

import { Limits, ProcessState, Rights } from "../../abi/gen/abi.ts";
import { NORETURN } from "../control.ts";
import { KernelBug } from "../object.ts";
import type { KernelCore } from "../core.ts";
import type { Port } from "../objects/port.ts";
import type { Process } from "../objects/process.ts";
import {
  clearPortQueued,
  onPortCellDropped,
  portChanged,
  portQueuedCode,
  portQueuedFull,
  portQueuedHigh,
  portQueuedLow,
  portQueuedValue,
  portQueueLength,
} from "../fast/mirror.ts";
import { MAX_SLICE_FUEL } from "../sched/params.ts";

function arrived(k: KernelCore, r: Process): 0 {
  k.packetArrived(r);
  return 0;
}

/** Rights port_create gives. */
export const PORT_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.SEND | Rights.RECEIVE;

/**
 * Direct activations nested on one stack at most (a handler run directly that sends to another idle
 * direct binder runs that one's handler too): beyond it, packets queue. Keeps a chain of direct
 * handlers far from the engine's stack limit.
 */
export const MAX_DIRECT_DEPTH = 8;

/**
 * The port handoff (docs/fastpath.md "Queued packets: the port handoff"; KernelCore.activationDone): a
 * process whose activation ends with a packet of its own queued takes it at once, without the run queue,
 * when the queue would have chosen it anyway. `taken`: activations started that way, system-wide.
 */
export const portHandoffCounts = { taken: 0 };

/**
 * The run-on (docs/fastpath.md "Queued packets: the run-on"; KernelCore.activationDone): a process whose
 * activation ends with a packet of its own queued keeps the CPU and its slice for it when the run queue
 * would choose it anyway and its slice has room. `taken`: activations started that way, system-wide.
 */
export const portRunOnCounts = { taken: 0 };

/**
 * Test only: "off" never runs on (each activation ends its slice: the rule before it); "queue" runs on
 * even when the run queue would choose another process; "slice" even when the slice has no room (its
 * counter is empty). Each of the last two must change a workload's trace (test/ports/runon.test.ts).
 * null: as built.
 */
export type PortRunOnMutation = "off" | "queue" | "slice";
export let portRunOnMutation: PortRunOnMutation | null = null;

export function mutatePortRunOnForTest(m: PortRunOnMutation | null): void {
  portRunOnMutation = m;
}

/**
 * The word index of the cell of p's one bound port when a sender's wasm port_send left a packet there and
 * nothing is queued before it (the packet the next activation takes, KernelCore.nextPacket's choice), else -1.
 * The run-on delivers it from the cell's words (takeCellPacket): no Packet, no BigInt.
 */
export function cellPacketOf(p: Process): number {
  const ports = p.boundPorts;
  if (ports.length !== 1) return -1;
  const pt = ports[0];
  const at = pt.cellAt;
  return at >= 0 && pt.packets.length === 0 && portQueuedFull(at) ? at : -1;
}

/**
 * Deliver the packet in the cell at `at` (cellPacketOf's) to p's handler for pt, and empty the cell. The run-on
 * took it (KernelCore.runsOn held), so p's port loop may take the next packet from this cell itself, in wasm,
 * for as long as nothing the run-on reads changes (the loop checks each time: fuel left, the cell full with
 * nothing queued before it in the kernel (P_QKERN), and the kernel's run-on version word unchanged, which the
 * run queue bumps at every enqueue and KernelCore.runOnChanged at every other change), with no idle
 * subscriber in the kernel (whose idle periods the run-on ends). Then the kernel has nothing to do for the
 * activation: the run-on changes nothing but the packet's place.
 */
export function takeCellPacket(k: KernelCore, p: Process, pt: Port, at: number): void {
  const code = portQueuedCode(at);
  const low = portQueuedLow(at);
  const high = portQueuedHigh(at);
  clearPortQueued(at);
  cellQueueCounts.drained++;
  const rt = p.runtime!;
  const take = k.idleSubscribers === 0 && takeMutation !== "off" ? at * 4 : 0;
  if (rt.deliverWords !== undefined) rt.deliverWords(pt.handler, pt.key, code, low, high, take, take !== 0 ? k.runOnVersion() * 4 : 0);
  else rt.deliver(pt.handler, pt.key, code, BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low >>> 0)));
}

/**
 * Test only: "off" never lets a port loop take a packet itself (every activation's end through the kernel's
 * run-on: the reference run); "stale" lets the loop take one although the run-on's version changed (the run
 * queue's enqueues and the rest), which must change a workload's run (test/ports/handoff.test.ts). null: as built.
 */
export type TakeMutation = "off" | "stale";
export let takeMutation: TakeMutation | null = null;
export function mutateTakeForTest(m: TakeMutation | null): void {
  takeMutation = m;
}

/** Whether a packet waits for p on one of its ports, in its queue or its cell (without taking any: hasPacket does). */
export function ownPacketWaits(p: Process): boolean {
  const ports = p.boundPorts;
  for (let i = 0; i < ports.length; i++) {
    const pt = ports[i];
    if (pt.packets.length > 0 || (pt.cellAt >= 0 && portQueuedFull(pt.cellAt))) return true;
  }
  return false;
}

/** Whether a packet is queued on one of p's ports (one left in a port's cell taken into its queue first). */
export function hasPacket(k: KernelCore, p: Process): boolean {
  const ports = p.boundPorts;
  for (let i = 0; i < ports.length; i++) {
    const pt = ports[i];
    drainQueued(k, pt);
    if (pt.packets.length > 0) return true;
  }
  return false;
}

/**
 * Test only: "off" never takes the port handoff (the reference run for workloads whose direct
 * activations make fastPath: false a different run); "queue" takes it even when the run queue would
 * choose another process; "timers" even when a timer is due; "quantum" takes it without what queueing
 * does to the process (a fresh quantum, its wait's start). Each of the last three must make the
 * comparison with "off" fail (test/ports/handoff.test.ts). null: as built.
 */
export type PortHandoffMutation = "off" | "queue" | "timers" | "quantum";
export let portHandoffMutation: PortHandoffMutation | null = null;

export function mutatePortHandoffForTest(m: PortHandoffMutation | null): void {
  portHandoffMutation = m;
}

/**
 * The budget rule of direct activations, the same on the JavaScript path and the wasm-to-wasm one
 * (docs/fastpath.md "Port dispatch: direct activations"): the fuel a direct handler burned on its binder's
 * counter is taken off its sender's own counter, as if the sender had burned it itself. The scheduler then
 * charges it at its next sync (a clock read, a charge point, the slice's end) as the sender's work (CPU time,
 * quantum, partition, virtual time), and a counter driven below zero ends the sender's slice at its next
 * charge point: no overrun beyond the slice. In a nested activation the sender is the outer binder, whose
 * counter is its own activation's budget: a chain of direct handlers on one stack shares one budget. The
 * epoch variant has no counter (runDirect returns 0: the wall clock already counts the handler's time).
 */
export function billDirect(sender: Process, fuel: number): void {
  if (fuel <= 0) return;
  const rt = sender.runtime;
  if (rt === null) return;
  if (rt.burnFuel !== undefined) return rt.burnFuel(fuel);
  const left = rt.fuelLeft();
  if (left !== null) rt.setFuel(left - fuel);
}

/** p has ended: its ports are closed (queued packets dropped, senders get ECLOSED). */
export function portsProcessExited(k: KernelCore, p: Process): void {
  // Most processes bound none: no copy of an empty list at every exit.
  if (p.boundPorts.length !== 0)
    for (const pt of p.boundPorts.splice(0)) {
      pt.binder = null;
      pt.closed = true;
      pt.packets.length = 0;
      if (pt.cellAt >= 0) clearPortQueued(pt.cellAt); // dropped with the rest
      portQueueLength(pt);
      if (pt.idle) k.idleSubscribers--;
      directWordsOf(k, pt);
      pt.releaseKernel();
    }
  p.packet = null;
}

/**
 * Test only: each drops one condition of directWordsOf (the port may be delivered to wasm-to-wasm
 * although): "idle" the binder is not idle (RESIDENT with no packet), "direct" the port was bound without
 * PORT_BIND_DIRECT, "trace" the kernel records a trace (whose direct events only the JavaScript path
 * writes); or of the packet queued in the cell (a sender's wasm port_send may queue one although): "busy"
 * the binder is idle (RESIDENT: it must be woken), "room" the port's queue is full. Each must make the
 * comparison of the wasm path with the JavaScript one fail (test/ports/w2w.test.ts). null: as built.
 */
export type W2wMutation = "idle" | "direct" | "trace" | "busy" | "room";
let w2wMutation: W2wMutation | null = null;
export function mutateW2wForTest(m: W2wMutation | null): void {
  w2wMutation = m;
}

/**
 * Rewrite what the handle mirror's cell for pt says (kernel/fast/mirror.ts P_READY, P_KEY, P_BUDGET, P_QUEUE).
 *
 * P_READY: whether the sender's wasm port_send (host/runtime/fast-ports.ts) may run the binder's direct entry
 * itself, without the kernel. It may exactly when sendDirect would run the handler directly, as far as
 * the port and its binder decide: bound PORT_BIND_DIRECT and not closed, the binder RESIDENT with no packet
 * and no fault, its host offering a wasm entry for the handler (import-free: it can change no kernel state),
 * the wasm path on (KernelCore.portW2w) and no trace recorded. The rest of sendDirect's conditions are the
 * sender's side, checked in wasm (the handle, SEND, the code, the host's direct-depth word).
 *
 * P_QUEUE: whether the sender's wasm port_send may queue the packet in the cell instead (one at a time:
 * P_QFULL), for the kernel to take into the port's queue later (drainQueued). It may exactly when
 * sysPortSend would only append it to the queue, for a port bound PORT_BIND_DIRECT (the binder opted into
 * delivery without the kernel; other ports' binders keep the cost they had: their words stay 0): bound and
 * not closed, the binder busy (not RESIDENT, so
 * neither a direct activation nor a wake-up is due: a packet to a RESIDENT binder must make it runnable), room
 * in the queue for one more (MAX_PORT_PACKETS), the wasm path on and no trace recorded.
 *
 * Called wherever one of those changes: port_bind, a binder's activation ending (RESIDENT) or a packet
 * making it READY (KernelCore.activationDone, packetArrived, the idle packets), a direct activation ending
 * (sendDirect), the binder's end (portsProcessExited), the queue filling up or getting room again. Closing or
 * revoking the sender's handle needs nothing here: the mirror's slot goes vacant in the same step.
 */
export function directWordsOf(k: KernelCore, pt: Port): void {
  const r = pt.binder;
  let ready = 0;
  let queue = 0;
  if (r !== null && !pt.closed && k.portW2w && !w2wTraced(k)) {
    if (pt.fastSlot !== 0 && (pt.direct || w2wMutation === "direct")) {
      if (((r.state === ProcessState.RESIDENT && r.packet === null) || w2wMutation === "idle") && r.mm.fault === null) {
        if (pt.fastSlot < 0) {
          // Whether the host has an entry is fixed for as long as the binding lasts (the image's copies, its instance).
          const rt = r.runtime;
          if (rt !== null && rt.directSlot !== undefined && rt.canRunDirect!(pt.handler)) pt.fastSlot = rt.directSlot(pt.handler);
        }
        if (pt.fastSlot > 0) ready = pt.fastSlot;
      }
    }
    if (
      (pt.direct || w2wMutation === "direct") &&
      (r.state !== ProcessState.RESIDENT || w2wMutation === "busy") &&
      r.state !== ProcessState.EXITED &&
      (pt.packets.length < Limits.MAX_PORT_PACKETS || w2wMutation === "room")
    )
      queue = 1;
  }
  if (ready === pt.fastReady && queue === pt.fastQueue && pt.fastBudget !== 0) return;
  pt.fastReady = ready;
  pt.fastQueue = queue;
  pt.fastBudget = Math.min(k.sched.quantumFuel, MAX_SLICE_FUEL);
  portChanged(pt);
}

/** Packets a sender's wasm port_send queued in a port's cell, taken into the port's queue by the kernel (drainQueued). */
export const cellQueueCounts = { drained: 0 };

/**
 * A packet a sender's wasm port_send left in pt's cell (directWordsOf's P_QUEUE) goes into pt's queue, behind
 * those already there (it was sent after them: the wasm side queues only while the cell is empty, and the
 * kernel takes it before it reads or appends to the queue). Called first by everything that does: port_send,
 * the next packet's choice, the run-on's and a direct activation's end's looks, the mirror dropping the cell.
 */
export function drainQueued(k: KernelCore, pt: Port): void {
  const at = pt.cellAt;
  if (at < 0 || !portQueuedFull(at)) return;
  if (takeQueued(pt, at)) directWordsOf(k, pt); // full: no more in the cell
}

/** A packet left pt's queue (KernelCore.nextPacket) and pt has a cell: its count of queued packets, and room again. */
export function packetTaken(k: KernelCore, pt: Port): void {
  portQueueLength(pt);
  if (pt.packets.length === Limits.MAX_PORT_PACKETS - 1 && pt.fastQueue === 0) directWordsOf(k, pt); // room again
}

/** drainQueued's step: the packet in the cell at `at` into pt's queue. True when that filled the queue (P_QUEUE goes to 0). */
function takeQueued(pt: Port, at: number): boolean {
  pt.packets.push({ port: pt, code: portQueuedCode(at), value: portQueuedValue(at) });
  clearPortQueued(at);
  portQueueLength(pt);
  cellQueueCounts.drained++;
  return pt.packets.length >= Limits.MAX_PORT_PACKETS && pt.fastQueue !== 0;
}

// The cell goes back to the store (no mirrored slot names the port any more): a packet left in it is taken
// first. Its next cell is written from pt.fastQueue, so a queue filled here gets 0 there.
onPortCellDropped((o) => {
  const pt = o as Port;
  if (takeQueued(pt, pt.cellAt)) pt.fastQueue = 0;
});

/** The kernel records a trace: no packet is delivered wasm-to-wasm (only the JavaScript path writes its direct events). */
export function w2wTraced(k: KernelCore): boolean {
  return k.trace.enabled && w2wMutation !== "trace";
}

/** r's state changed in a way directWordsOf looks at: rewrite the cells of its ports. */
export function binderChanged(k: KernelCore, r: Process): void {
  if (!k.portW2w) return; // every word stays 0
  const ports = r.boundPorts;
  for (let i = 0; i < ports.length; i++) {
    const pt = ports[i];
    if (pt.direct || w2wMutation === "direct") directWordsOf(k, pt); // the others' words stay 0
  }
}

/**
 * port_send's direct delivery (docs/fastpath.md "Port dispatch: direct
 * activations"). Called by port_send after every check passed and before
 * anything is queued. If the port was bound with PORT_BIND_DIRECT and its
 * binder is idle (RESIDENT: no activation running, so nothing queued on any of
 * its ports: a packet arriving then makes it READY), its handler runs now, to
 * completion, inside this call on the sender's stack, and the packet is never
 * queued; so packets stay in order. `failed`: the sender's wasm port_send
 * (host/runtime/fast-ports.ts) already ran the handler's direct entry, which
 * threw this DirectTrap kind: everything else is done here as if runDirect
 * had run it. Returns null when it cannot (the caller
 * queues the packet as without the flag: nothing changed), else port_send's
 * result: 0, or NORETURN when the sender itself ended meanwhile (the handler
 * killed it).
 *
 * While the handler runs, the binder is the current process (its syscalls are
 * its own) in state RUNNING (so packets for it queue, and it cannot be entered
 * twice), nothing is dispatched (directDepth), and it cannot block: the host
 * runs the handler under a JavaScript frame that catches its trap or exit
 * (wasm cannot catch a trap, and a trap unwinding the sender's frames would
 * end the sender), and a JSPI stack cannot be suspended across such a frame,
 * so syscalls that may block return EDIRECT (the host's guards) and a handler that
 * runs longer than a quantum is ended with DIRECT_OVERRUN (the host). Its CPU
 * time is the sender's: fuel burned on the binder's counter is taken off the
 * sender's own counter (billDirect).
 */
export function sendDirect(k: KernelCore, sender: Process, pt: Port, code: number, value: bigint, failed = 0): 0 | typeof NORETURN | null {
  const r = pt.binder;
  if (r === null || r.state !== ProcessState.RESIDENT || r.packet !== null || k.directDepth >= MAX_DIRECT_DEPTH) return null;
  if (k.current !== sender || r.mm.fault !== null) return null;
  const rt = r.runtime;
  if (rt === null || rt.runDirect === undefined || !rt.canRunDirect!(pt.handler)) return null;
  k.trace.enabled && k.trace.record(k.clock.now(), r.pid, "direct", `from=${sender.pid} code=${code}`);
  directBegin(k, r);
  let fuel = 0;
  try {
    fuel = rt.runDirect(pt.handler, pt.key, code, value, Math.min(k.sched.quantumFuel, MAX_SLICE_FUEL), failed);
  } finally {
    directRestore(k, sender, r);
  }
  return directEnd(k, sender, r, fuel);
}

/** A direct activation of r starts (sendDirect, or a wasm-to-wasm one made: directMade): r is RUNNING and current, nothing is dispatched. */
function directBegin(k: KernelCore, r: Process): void {
  k.directDepth++;
  r.state = ProcessState.RUNNING;
  k.current = r;
}

/** r's direct activation is over (however it ended): r RESIDENT again unless it ended or blocked, its sender current. */
function directRestore(k: KernelCore, sender: Process, r: Process): void {
  k.directDepth--;
  if (r.state === ProcessState.RUNNING) r.state = ProcessState.RESIDENT;
  k.current = sender;
}

/** The rest of a direct activation's end, after directRestore: the cells, the sender's end or bill, packets that queued for r meanwhile. */
function directEnd(k: KernelCore, sender: Process, r: Process, fuel: number): 0 | typeof NORETURN {
  if (r.state === ProcessState.RESIDENT) binderChanged(k, r); // a grant revoked meanwhile (mm.fault)
  if (sender.state === ProcessState.EXITED) {
    // The handler killed its sender: close the sender's slice (terminate left it open: the sender was not current)
    // and let the scheduler choose; the bridge unwinds the sender's stack.
    k.sched.endSlice(sender);
    k.current = null;
    k.schedule();
    return NORETURN;
  }
  billDirect(sender, fuel);
  // Packets sent to the binder while its handler ran queued (it was RUNNING): it takes them as usual.
  if (r.state === ProcessState.RESIDENT && hasPacket(k, r)) return arrived(k, r);
  return 0;
}

/**
 * A direct activation the sender's wasm port_send started wasm-to-wasm (host/runtime/fast-ports.ts) needs
 * the kernel: its handler's own port_send could not be served in wasm. From here on it is what sendDirect's
 * activation would be at this point (r RUNNING and current, nothing dispatched), so every syscall the
 * handler makes is r's, until directMadeEnd. Returns its sender (the process current until now).
 */
export function directMade(k: KernelCore, r: Process): Process {
  const sender = k.current;
  if (sender === null || r.state !== ProcessState.RESIDENT)
    throw new KernelBug(`pid ${r.pid}: a wasm-to-wasm activation made with no sender or a busy binder`);
  directBegin(k, r);
  return sender;
}

/**
 * The made wasm-to-wasm activation of r (directMade) is over: its handler returned, threw its trap's tag (the
 * caller ended r first), or was unwound (r ended meanwhile). As sendDirect's end, with the fuel it burned.
 * Every cell of r's ports is rewritten: the sender's wasm port_send put back its own word meanwhile.
 */
export function directMadeEnd(k: KernelCore, sender: Process, r: Process, fuel: number): 0 | typeof NORETURN {
  directRestore(k, sender, r);
  const ports = r.boundPorts;
  for (let i = 0; i < ports.length; i++) ports[i].fastBudget = 0; // directWordsOf writes the cell again
  if (r.state !== ProcessState.RESIDENT) binderChanged(k, r);
  return directEnd(k, sender, r, fuel);
}
