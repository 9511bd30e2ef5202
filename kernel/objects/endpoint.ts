// Endpoint: a synchronous IPC rendezvous (a QNX channel). Holds the queue of
// messages and pulses (highest sender priority first, FIFO within one), the
// servers blocked in receive, and how many capabilities can still receive:
// when none can, the endpoint is closed and senders get ECLOSED.

import { ObjectType, Rights } from "../../abi/gen/abi.ts";
import type { Queued } from "../ipc/message.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";
import type { Process } from "./process.ts";

export class Endpoint extends KernelObject {
  readonly type = ObjectType.ENDPOINT;
  /** Pending messages and pulses, in delivery order. */
  readonly queue: Queued[] = [];
  /** Servers blocked in receive, FIFO. */
  readonly receivers: Process[] = [];
  /** Pulses pending per sender pid (bounded by MAX_PENDING_PULSES). */
  readonly pendingPulses = new Map<number, number>();
  /**
   * Servers of this endpoint: processes whose last receive was here. Queued
   * senders raise them (priority inheritance), between messages too.
   */
  readonly servers = new Set<Process>();
  /** Live capabilities with RECEIVE (in tables or in flight). */
  private receiveCaps = 0;
  /** Called once when the last receive capability goes. */
  onClosed: ((ep: Endpoint) => void) | null = null;

  constructor(registry: ObjectRegistry) {
    super(registry, ObjectType.ENDPOINT);
  }

  get closed(): boolean {
    return this.receiveCaps === 0;
  }

  override capOpened(rights: number): void {
    if (rights & Rights.RECEIVE) this.receiveCaps++;
  }

  override capClosed(rights: number): void {
    if (rights & Rights.RECEIVE && --this.receiveCaps === 0) this.onClosed?.(this);
  }

  /** Insert in priority order (stable: FIFO among equal priorities). */
  enqueue(item: Queued): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].priority < item.priority) i--;
    // At the end (nearly always: one sender, or the lowest): push, not splice (which allocates its result).
    if (i === this.queue.length) this.queue.push(item);
    else this.queue.splice(i, 0, item);
  }

  /** Re-sort after a queued sender's priority changed. */
  reorder(): void {
    this.queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
  }

  /** Highest priority among queued messages (not pulses), or -1. */
  topQueuedPriority(): number {
    const q = this.queue; // indexed: no iterator per call (priority inheritance reads it at every exchange)
    for (let i = 0; i < q.length; i++) if (q[i].kind === "message") return q[i].priority;
    return -1;
  }
}
