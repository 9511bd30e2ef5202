// Process: one guest instance, its capability space and its life cycle.
// A process object outlives the process itself while handles name it (so a
// parent can still read the exit status); it is destroyed when it has exited
// and no handle names it.

import { Constants, ExitReason, ObjectType, ProcessState } from "../../abi/gen/abi.ts";
import { HandleTable } from "../handles.ts";
import type { GuestMemory } from "../mm/guest-memory.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";
import type { ProcessRuntime } from "../platform.ts";
import type { Schedulable } from "../sched/run-queues.ts";
import type { SchedState } from "../sched/state.ts";
import type { ImageObject } from "./image.ts";
import type { Endpoint } from "./endpoint.ts";
import type { Port, PortPacket } from "./port.ts";
import { EndpointCache, type Message, MessageRegisters, Serving } from "../ipc/message.ts";
import { ProcessMemory } from "../mm/process-memory.ts";
import type { Timer } from "../timers.ts";

export interface ExitInfo {
  readonly status: number;
  readonly reason: number;
  /** Why, in words: the trap message, the panic text, who killed it. */
  readonly message: string;
}

/** A process blocked in wait() on this one. */
export interface ExitWaiter {
  readonly process: Process;
  readonly infoPtr: number;
}

/** Where a receive-blocked process wants its message. */
export interface ReceiveSpec {
  endpoint: Endpoint;
  bufPtr: number;
  bufLen: number;
}

export class Process extends KernelObject implements Schedulable {
  readonly type = ObjectType.PROCESS;
  readonly pid: number;
  readonly parentPid: number;
  readonly image: ImageObject;
  readonly args: readonly Uint8Array[];
  /** Environment variables, `KEY=VALUE` each (env_get); inherited by the processes it spawns. */
  readonly env: readonly Uint8Array[];
  readonly handles: HandleTable;
  /** Startup handles by name (handle_get): a Map of its own only when it has any (KernelCore.spawn), else one shared empty one. */
  names: ReadonlyMap<string, number> = NO_NAMES;
  /** Where console_write goes. */
  readonly stdout: (bytes: Uint8Array) => void;

  // Scheduling state, owned by the Kernel.
  state: number = ProcessState.READY;
  /** Effective priority: basePriority raised by priority inheritance. The run queue uses this. */
  priority: number;
  basePriority: number;
  /**
   * The priority of the pulse that last woke this process, while it differs from basePriority: it runs
   * at that priority instead of its base (QNX's pulse priority; inheritance still raises it) until it
   * next takes a message or waits in a receive (kernel/ipc/priority.ts pulsePriorityTaken). -1: none.
   */
  pulsePriority = -1;
  /** Pledge classes still allowed (bit n = pledge class n). */
  promises = 0xffffffff;
  queued = false;
  started = false;
  /** Result handed back when the process next resumes from a blocking call. */
  resumeValue = 0;
  /** Which blocking syscall it is in, while BLOCKED. */
  blockedIn = "";
  /** Detaches a blocked process from whatever it waits on (timers, waiter lists). */
  unblock: (() => void) | null = null;
  cpuTimeNs = 0;
  /** Scheduling class, partition, quantum, limits: owned by kernel/sched/cpu.ts (set at spawn). */
  sched!: SchedState;
  /** Bytes the kernel copied between processes on this process's behalf (message and reply bodies, window reads and writes). */
  bytesCopied = 0;
  /** Memory budget, accounting and bound grants: owned by kernel/mm. */
  readonly mm = new ProcessMemory();

  // IPC, owned by kernel/ipc.
  /** What was last delivered to this process (msg_word, msg_info, msg_handle). */
  readonly mr = new MessageRegisters();
  /** Messages received and not yet answered, by rcvid. */
  readonly serving = new Serving();
  /** Its IPC unblock hooks, made at first use (kernel/ipc/exchange.ts), its receive's deadline timer, and the object `receiving` reuses. */
  readonly ipcUnblock: {
    send: (() => void) | null;
    receive: (() => void) | null;
    receiveTimer: Timer | null;
    receiveSpec: ReceiveSpec | null;
  } = { send: null, receive: null, receiveTimer: null, receiveSpec: null };
  /** The endpoints its last call or pulse (SEND) and reply_wait or receive (RECEIVE) named, while its handle still means them (kernel/ipc/fastpath.ts). */
  readonly sendEndpoint = new EndpointCache();
  readonly receiveEndpoint = new EndpointCache();
  /** Its call message (call), reused from call to call once done (Message.forCall). */
  callMessage: Message | null = null;
  /** Its open message (ns_open), reused from open to open once done (kernel/ns/flat-open.ts). */
  openMessage: Message | null = null;
  /** The message this process is send- or reply-blocked on. */
  sending: Message | null = null;
  /** The endpoint this process last received from: its queued senders raise it. */
  lastEndpoint: Endpoint | null = null;
  /** Where a receive-blocked process wants its message. */
  receiving: ReceiveSpec | null = null;

  // Event ports.
  /** Ports bound to this process's handlers, in binding order. */
  readonly boundPorts: Port[] = [];
  /** _start has returned; the process now runs only handler activations. */
  mainDone = false;
  /** What the next dispatch does: start _start, resume a blocked call, or run a handler. */
  nextRun: "start" | "resume" | "handler" = "start";
  /** The packet the next handler activation delivers. */
  packet: PortPacket | null = null;
  /** The current activation is an idle packet's. */
  idleActivation = false;
  /** Its yield import is the host's yield vDSO (kernel/fast/yields.ts): it may be in a ring of lazy yields. */
  fastYield = false;
  /** Its pulse_wait import is the same vDSO's (kernel/fast/yields.ts, ARMED_PULSES): it may be one of a pulse pair's. */
  fastPulse = false;
  /** Its call import is the same vDSO's (ARMED_CALLS): it may be a call pair's client. */
  fastCall = false;
  /** Its reply_wait import is the same vDSO's (ARMED_CALLS): it may be a call pair's server. */
  fastReplyWait = false;
  /**
   * Pair publications after its calls that served nothing in a row (KernelCore.pairPublishes), and how many
   * of its next eligible calls publish nothing: a process that calls one server and then another, or a
   * pair whose next step is always another kernel entry, stops paying for words nobody reads.
   */
  pairMisses = 0;
  pairSkip = 0;

  /** Set by the host once the instance exists. */
  memory: GuestMemory | null = null;
  runtime: ProcessRuntime | null = null;

  exit: ExitInfo | null = null;
  /** Processes blocked in wait() on this one, in the order they began waiting; null while none ever has (most processes: no Set per process, and no rehash when the one waiter leaves). */
  waiters: ExitWaiter[] | null = null;
  /** Host-side observers of exit (the embedding API, the CLI). */
  readonly exitListeners: ((info: ExitInfo) => void)[] = [];
  private readonly onReap: (p: Process) => void;

  constructor(
    registry: ObjectRegistry,
    init: {
      pid: number;
      parentPid: number;
      image: ImageObject;
      args: readonly Uint8Array[];
      env: readonly Uint8Array[];
      priority: number;
      handleCapacity: number;
      stdout: (bytes: Uint8Array) => void;
      onReap: (p: Process) => void;
    },
  ) {
    super(registry, ObjectType.PROCESS);
    this.pid = init.pid;
    this.parentPid = init.parentPid;
    this.image = init.image;
    this.args = init.args;
    this.env = init.env;
    this.priority = init.priority;
    this.basePriority = init.priority;
    this.handles = new HandleTable(init.handleCapacity);
    this.stdout = init.stdout;
    this.onReap = init.onReap;
    init.image.retainKernel();
  }

  /**
   * The process `handle` names in this process's table, with `need`; the
   * caller itself for HANDLE_SELF (a process holds every right on itself).
   * Or a negative errno (EBADH, ESTALE, EWRONGTYPE, EACCES).
   */
  processOrSelf(handle: number, need: number): Process | number {
    return handle === Constants.HANDLE_SELF ? this : this.handles.get(handle, Process, need);
  }

  get exited(): boolean {
    return this.state === ProcessState.EXITED;
  }

  protected override onDestroy(): void {
    this.image.releaseKernel();
    this.onReap(this);
  }
}

/** Names of a process without startup handles: empty, never written (read-only by type; KernelCore.spawn gives a process with handles a Map of its own). */
const NO_NAMES: ReadonlyMap<string, number> = new Map();

/** Stop `w` waiting on `child` (its wait ended otherwise: a deadline, a kill). No effect when it is not waiting there. */
export function removeWaiter(child: Process, w: ExitWaiter): void {
  const ws = child.waiters;
  if (ws === null) return;
  const i = ws.indexOf(w);
  if (i < 0) return;
  for (let j = i + 1; j < ws.length; j++) ws[j - 1] = ws[j]; // (splice would allocate the removed element's array)
  ws.pop();
}

export function describeExit(info: ExitInfo): string {
  const reason = Object.entries(ExitReason).find(([, v]) => v === info.reason)?.[0] ?? `reason ${info.reason}`;
  return info.message ? `${reason} (status ${info.status}): ${info.message}` : `${reason} (status ${info.status})`;
}
