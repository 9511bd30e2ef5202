// The kernel proper: the process table, the dispatcher and the life cycle
// every process goes through (READY -> RUNNING -> BLOCKED/READY ... -> EXITED).
// It decides alone which process runs; exactly one runs at a time. Guest code
// is executed by host-provided ProcessRuntimes; this file never touches it.

import { Constants, Errno, ExitReason, Limits, ProcessState } from "../abi/gen/abi.ts";
import { writeExitInfo } from "../abi/gen/abi.ts";
import { type Clock, RealClock, VirtualClock } from "./clock.ts";
import type { Cap, HandleTable } from "./handles.ts";
import { KernelBug, type KernelObject, ObjectRegistry } from "./object.ts";
import { ImageObject } from "./objects/image.ts";
import { type ExitInfo, Process } from "./objects/process.ts";
import type { Platform, ProcessHost } from "./platform.ts";
import { SeededRng } from "./rng.ts";
import { DEFAULT_PRIORITY, PRIORITY_LEVELS } from "./sched/run-queues.ts";
import { CpuScheduler, type FuelVerdict, type SchedOptions } from "./sched/cpu.ts";
import type { ReadyQueue } from "./sched/ready.ts";
import { type Timer, TimerHeap } from "./timers.ts";
import { EventTrace } from "./trace.ts";
import { ipcProcessExited } from "./ipc/exchange.ts";
import { callPair, callPairServed, pulsePair, pulsePairRegisters, pulsePairServed } from "./ipc/fastpath.ts";
import {
  binderChanged,
  cellPacketOf,
  drainQueued,
  hasPacket,
  portHandoffCounts,
  portHandoffMutation,
  portRunOnCounts,
  portRunOnMutation,
  ownPacketWaits,
  runOnChangedMutation,
  type RunOnChangedSite,
  packetTaken,
  portsProcessExited,
  takeCellPacket,
} from "./ipc/ports.ts";

/** KernelCore.runsOn's answers besides a cell's word index (>= 0). */
const RUN_NOT = -1,
  RUN_QUEUED = -2;
import { MemoryManager, type MemoryOptions } from "./mm/manager.ts";
import { bumpWord, kernelWord } from "./fast/mirror.ts";
import { objectChanged } from "./fast/mirror.ts";
import { hintDispatch } from "./fast/hints.ts";
import type { Partition } from "./objects/partition.ts";
import type { Device } from "./devices/device.ts";
import {
  ARMED_CALLS,
  ARMED_PULSES,
  ARMED_YIELDS,
  C,
  fastCallCounts,
  fastPulseCounts,
  fastYieldCounts,
  readMember,
  RING_MAX,
  writeMember,
  writeCallMember,
  writePulseMember,
  Y,
  type YieldWords,
} from "./fast/yields.ts";

/** Whom a timer is for (KernelCore.addTimer): a process, a device, or nobody. */
export type TimerOwner = Process | Device | null;

export interface KernelLimits {
  maxProcesses: number;
  maxHandles: number;
}

export interface KernelOptions {
  host: ProcessHost;
  /** Real-time services; required when deterministic is false. */
  platform?: Platform;
  /** Virtual clock and seeded RNG (default true). */
  deterministic?: boolean;
  /** random_get's seed in deterministic mode (default 0); real-time mode uses the Platform's entropy. */
  seed?: number;
  /** Port packets may be delivered wasm-to-wasm (KernelCore.portW2w; default false: the host offers it). */
  portW2w?: boolean;
  /** Record the event trace (default false). */
  trace?: boolean;
  limits?: Partial<KernelLimits>;
  /**
   * Virtual nanoseconds a dispatch (a context switch) costs in deterministic
   * mode, charged to the process dispatched, on top of the fuel its code
   * burns (kernel/sched/cpu.ts). Default 1000.
   */
  dispatchCostNs?: number;
  /**
   * Direct handoff on IPC blocks (default true): a call or reply_wait that wakes
   * its peer runs it at once when the run queue would have chosen it anyway.
   * Off: every switch goes through the run queue. Same results either way.
   */
  fastIpc?: boolean;
  /**
   * Flat slice accounting on a switch (default true): the ends and starts of slices in deterministic mode
   * charge fuel, the switch cost and the partition in one straight function each instead of through the
   * clock's read hook (kernel/sched/cpu.ts endSliceFlat, beginSliceFlat). Same results, virtual time and
   * trace either way (test/sched/flat-slice.test.ts compares them).
   */
  fastSlice?: boolean;
  /** Quantum, virtual time per fuel, partition window, deadline-class capacity. */
  sched?: SchedOptions;
  /** Where kernel messages go (a process died of a trap, ...). */
  log?: (line: string) => void;
  /** Default process memory budget and the system's page ceiling (kernel/mm/manager.ts). */
  memory?: MemoryOptions;
  /**
   * Check every syscall result against its ABI entry: an errno the entry does
   * not list is a kernel bug (kernel/syscalls/contract.ts). Default:
   * KERNEL_DEFAULTS.checkContracts (the test setup turns it on).
   */
  checkContracts?: boolean;
  /**
   * Check that every syscall returning an error left the caller's handle
   * table and the kernel's objects as they were (kernel/syscalls/contract.ts;
   * a digest per call: for the conformance runner and the fuzzer). Default false.
   */
  checkFailedCalls?: boolean;
}

/** Defaults a whole program may change before it boots kernels (the test setup does). */
export const KERNEL_DEFAULTS = { checkContracts: false };

export interface SpawnRequest {
  image: ImageObject;
  args: readonly Uint8Array[];
  /** `KEY=VALUE` each (default none); the spawn syscall passes the spawner's. Checked by the host against MAX_ENV(_BYTES). */
  env?: readonly Uint8Array[];
  parentPid: number;
  priority?: number;
  stdout: (bytes: Uint8Array) => void;
  /** Pledge classes the child keeps (default: all); a spawned child inherits its spawner's. */
  promises?: number;
  /**
   * Handles the child starts with, under the name handle_get finds each by:
   * a new root capability (object, rights), or one derived from `parent`.
   */
  handles?: readonly StartupHandle[];
  /** Memory budget in pages (default: the spawner's, or the kernel's default for the host; never above the spawner's). */
  memoryBudgetPages?: number;
  /** CPU partition to start in (default: the spawner's; the host's is the system partition). Boot manifests use it. */
  partition?: Partition;
}

export interface StartupHandle {
  name: string;
  object: KernelObject;
  rights: number;
  /** Derive from this cap (so revoking it reaches the child's handle) instead of making a root. */
  parent?: Cap;
  /**
   * Move the spawner's handle itself instead (SPAWN_MOVE_HANDLE): taken out of
   * `table` only once spawn can no longer fail, so a refused spawn changes nothing.
   */
  moveFrom?: { table: HandleTable; handle: number };
}

/** A spawn without startup handles or environment: nothing to allocate. */
const NO_HANDLES: readonly StartupHandle[] = Object.freeze([]);
/** A process's names once it has exited (terminate drops its own Map): empty, never written. */
const NO_NAMES: ReadonlyMap<string, number> = new Map();
const NO_ENV: readonly Uint8Array[] = Object.freeze([]);

export class KernelCore {
  readonly clock: Clock;
  /** random_get's generator: seeded (deterministic mode, reproducible) or the host's entropy (real-time mode). */
  readonly rng: { fill(out: Uint8Array): void };
  readonly trace: EventTrace;
  readonly objects = new ObjectRegistry();
  /**
   * A callback that throws is a kernel bug (or a host failure): its owning process ends with KERNEL_FAULT; a
   * device model's throw is logged with the device's name (addTimer). One handler for every timer.
   */
  readonly timers = new TimerHeap((t, e) => this.timerThrew(t.owner as TimerOwner, e));
  readonly limits: KernelLimits;
  readonly log: (line: string) => void;
  /** Syscall results are checked against the ABI (KernelOptions.checkContracts). */
  readonly checkContracts: boolean;
  /** Failed syscalls are checked to change nothing (KernelOptions.checkFailedCalls). */
  readonly checkFailedCalls: boolean;
  private readonly host: ProcessHost;
  private readonly platform: Platform | null;
  private readonly runq: ReadyQueue;
  /** Slices, fuel, time accounting and scheduling policy (kernel/sched/). */
  readonly sched: CpuScheduler;
  /** Bytes the kernel copied between processes, system-wide. */
  readonly copied = { ipcBytes: 0, windowBytes: 0 };
  /**
   * IPC traffic the kernel carried, system-wide: messages accepted by send/sendmsg/call, answers, pulses queued or
   * delivered; `handoffs`: switches that went straight to the woken peer (handoff), not through the run queue.
   */
  readonly ipc = { messages: 0, replies: 0, pulses: 0, handoffs: 0 };
  /** Page accounting, memory objects, grants and budgets (kernel/mm/). */
  readonly mm: MemoryManager;
  /** Processes not yet reaped (alive, or exited with handles still naming them). */
  readonly processes = new Map<number, Process>();
  private aliveCount = 0;
  private nextPid = 1;
  /** IPC blocks hand the CPU straight to the woken peer when the run queue would choose it anyway (handoff). */
  readonly fastIpc: boolean;
  /** Flat slice accounting (KernelOptions.fastSlice). */
  readonly fastSlice: boolean;
  /** The one process on the CPU, or null. */
  current: Process | null = null;
  private scheduling = false;
  /**
   * Real time only: the clock as schedule() read it for its due-timer check, handed to the dispatch that
   * follows (CpuScheduler.beginSlice takes it once) so a dispatch reads the host's clock once, not three
   * times (each read is a host call, ≈45 ns). NaN when there is none: the dispatch reads the clock itself.
   */
  dispatchReading = NaN;
  private idleTimer: (() => void) | null = null;
  private idleTimerAt = Infinity;
  private quiescentWaiters: (() => void)[] = [];
  private rcvidCounter = 0;
  private seqCounter = 0;
  /** Resident processes that already had an idle packet in this idle period. */
  private readonly idleServed = new Set<Process>();
  /** Ports bound with PORT_BIND_IDLE (the idle search is skipped while 0). */
  idleSubscribers = 0;
  /**
   * Direct port activations (kernel/ipc/ports.ts) on the running stack. While one runs nothing is
   * dispatched: its sender's stack is the one running, and it continues when the handler returns.
   */
  directDepth = 0;
  /**
   * Port packets may be delivered wasm-to-wasm (docs/fastpath.md "Port dispatch in wasm, wasm-to-wasm"):
   * the host sets it when it offers that path (Kernel({ portW2w })); kernel/ipc/ports.ts directWordsOf.
   */
  portW2w: boolean;
  /**
   * The yield vDSO's words (kernel/fast/yields.ts), when the host serves yield in wasm (null: it does not).
   * While lazyYields is not 0 they, not the fields, hold the clock, the open slice and the ring's accounting:
   * every entry into the kernel calls syncYields first (one check: `if (k.lazyYields !== 0)`).
   */
  yieldWords: YieldWords | null = null;
  lazyYields = 0;
  /** Run at terminate, after the process is marked EXITED and before its handles close (IPC cleanup). */
  readonly exitHooks: ((p: Process) => void)[] = [];
  /** Run at spawn, once the child exists and before it runs (what a child inherits: the unveil view, kernel/ns). */
  readonly spawnHooks: ((child: Process, parent: Process | null) => void)[] = [];

  constructor(options: KernelOptions) {
    this.host = options.host;
    this.checkContracts = options.checkContracts ?? KERNEL_DEFAULTS.checkContracts;
    this.checkFailedCalls = options.checkFailedCalls ?? false;
    this.fastIpc = options.fastIpc ?? true;
    this.fastSlice = options.fastSlice ?? true;
    this.portW2w = options.portW2w ?? false;
    this.platform = options.platform ?? null;
    const deterministic = options.deterministic ?? true;
    if (!deterministic && !this.platform) throw new Error("real-time mode needs a Platform");
    this.clock = deterministic ? new VirtualClock() : new RealClock(() => this.platform!.now());
    this.rng = deterministic ? new SeededRng(options.seed ?? 0) : { fill: (out) => this.platform!.fillRandom(out) };
    this.trace = new EventTrace(options.trace ?? false);
    this.limits = {
      maxProcesses: options.limits?.maxProcesses ?? Limits.MAX_PROCESSES,
      maxHandles: options.limits?.maxHandles ?? Limits.MAX_HANDLES,
    };
    this.sched = new CpuScheduler(this, { switchCostNs: options.dispatchCostNs, ...options.sched });
    this.runq = this.sched.ready;
    // Readers of the virtual clock see the work the running process has done so far.
    if (this.clock instanceof VirtualClock) this.clock.beforeRead = this.sched;
    this.exitHooks.push((p) => this.sched.exited(p));
    this.log = options.log ?? (() => {});
    this.exitHooks.push(
      (p) => ipcProcessExited(this, p),
      (p) => portsProcessExited(this, p),
    );
    this.mm = new MemoryManager(this, options.host, options.memory);
    this.exitHooks.push((p) => this.mm.processExited(p));
  }

  get alive(): number {
    return this.aliveCount;
  }

  createImage(name: string, hash: string, hostData: unknown): ImageObject {
    return new ImageObject(this.objects, name, hash, hostData);
  }

  /**
   * Create a READY process. Returns it, or a negative errno (-ENOMEM when
   * maxProcesses are alive, -EMFILE when a startup handle does not fit;
   * -EQUOTA, -ENOMEM, -EBADIMAGE from the memory checks, kernel/mm/manager.ts).
   * Decodes everything before changing anything.
   */
  spawn(req: SpawnRequest): Process | number {
    if (this.lazyYields !== 0) this.syncYields();
    if (this.aliveCount >= this.limits.maxProcesses) return -Errno.ENOMEM;
    const handles = req.handles ?? NO_HANDLES;
    if (handles.length > this.limits.maxHandles) return -Errno.EMFILE;
    // A startup handle must name a live object (the spawn syscall only passes live capabilities; the host could pass anything).
    const dead = handles.length === 0 ? undefined : handles.find((h) => h.object.isDestroyed);
    if (dead !== undefined) {
      this.mm.lastRefusal = `startup handle "${dead.name}" names a destroyed object`;
      return -Errno.ESTALE;
    }
    const env = req.env ?? NO_ENV;
    if (env.length > Limits.MAX_ENV || (env.length !== 0 && env.reduce((n, v) => n + v.length + 1, 0) > Limits.MAX_ENV_BYTES)) {
      this.mm.lastRefusal = `the environment exceeds ${Limits.MAX_ENV} variables or ${Limits.MAX_ENV_BYTES} bytes`;
      return -Errno.E2BIG;
    }
    const memory = this.mm.planSpawn(req); // budget, initial pages, grant imports: -EQUOTA, -ENOMEM, -EBADIMAGE
    if (typeof memory === "number") return memory;
    const priority = req.priority ?? DEFAULT_PRIORITY;
    if (!(priority >= 0 && priority < PRIORITY_LEVELS)) throw new KernelBug(`priority ${priority} out of range`);
    const p = new Process(this.objects, {
      pid: this.nextPid++,
      parentPid: req.parentPid,
      image: req.image,
      args: req.args,
      env,
      priority,
      handleCapacity: this.limits.maxHandles,
      stdout: req.stdout,
      onReap: this.reaped,
    });
    p.retainKernel(); // the running process holds itself until it exits
    const parent = this.processes.get(req.parentPid) ?? null;
    this.sched.admit(p, parent);
    if (req.partition) this.sched.movePartition(p, req.partition); // a new process has no reservation: cannot fail
    if (req.promises !== undefined) p.promises = req.promises;
    if (handles.length !== 0) {
      const names = new Map<string, number>();
      for (const h of handles) {
        const handle = h.moveFrom
          ? p.handles.insertCap(h.moveFrom.table.take(h.moveFrom.handle) as Cap, true)
          : h.parent
            ? p.handles.insertCap(h.parent.derive(h.rights))
            : p.handles.insert(h.object, h.rights);
        names.set(h.name, handle);
      }
      p.names = names;
    }
    this.mm.applySpawn(p, memory);
    for (const hook of this.spawnHooks) hook(p, parent);
    this.processes.set(p.pid, p);
    this.aliveCount++;
    p.runtime = this.host.createRuntime(p, req.image);
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "spawn", `${req.image.name} parent=${req.parentPid}`);
    this.runq.enqueue(p);
    if (this.current === null) this.schedule();
    return p;
  }

  /**
   * The current process blocks in syscall `syscall` (in `state`: BLOCKED or an
   * IPC state). Whoever wakes it calls wake(); `unblock` (if any) detaches it
   * from what it waited on.
   */
  blockCurrent(p: Process, syscall: string, unblock: (() => void) | null, state: number = ProcessState.BLOCKED): void {
    if (this.current !== p) throw new KernelBug(`pid ${p.pid} blocked while not running`);
    p.state = state;
    p.blockedIn = syscall;
    p.unblock = unblock;
    this.endSlice(p);
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "block", syscall);
    this.current = null;
    this.schedule();
  }

  /** The current process gives up the CPU but stays runnable (yield). */
  yieldCurrent(p: Process): void {
    if (this.current !== p) throw new KernelBug(`pid ${p.pid} yielded while not running`);
    p.state = ProcessState.READY;
    p.resumeValue = 0;
    this.endSlice(p);
    this.runq.enqueue(p);
    this.current = null;
    this.schedule();
  }

  /** Make a process blocked in a syscall runnable; it resumes with `result`. No effect otherwise. */
  wake(p: Process, result: number): void {
    if (this.lazyYields !== 0) this.syncYields();
    if (!isBlocked(p.state)) return;
    const unblock = p.unblock;
    p.unblock = null;
    p.blockedIn = "";
    if (unblock) unblock();
    p.state = ProcessState.READY;
    p.resumeValue = result;
    p.nextRun = "resume";
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "wake", String(result));
    this.runq.enqueue(p);
    if (this.current === null) this.schedule();
  }

  /**
   * The IPC fast path's switch (docs/fastpath.md, the direct handoff): `to`, blocked,
   * is woken with `result`, and the current process `from` blocks in `syscall`
   * (in `state`); then `to` runs at once, without passing through the run
   * queue, when the queue would have chosen it anyway: no due timer, nothing
   * ready at its priority or above, no deadline class, no partitions. Otherwise
   * it is queued and the scheduler chooses, as wake() then blockCurrent() would.
   * Either way the effects, the trace and virtual time are those of wake(to)
   * followed by blockCurrent(from) (test/ipc/handoff.test.ts runs both).
   */
  handoff(from: Process, syscall: string, unblock: (() => void) | null, state: number, to: Process, result: number): void {
    if (this.current !== from) throw new KernelBug(`pid ${from.pid} blocked while not running`);
    if (!isBlocked(to.state) || !this.fastIpc) {
      this.wake(to, result);
      this.blockCurrent(from, syscall, unblock, state);
      return;
    }
    // wake(to), but for the run queue: what queueing it would do to it (a fresh quantum, readySince), no more.
    const unblockTo = to.unblock;
    to.unblock = null;
    to.blockedIn = "";
    if (unblockTo) unblockTo();
    to.state = ProcessState.READY;
    to.resumeValue = result;
    to.nextRun = "resume";
    this.trace.enabled && this.trace.record(this.clock.now(), to.pid, "wake", String(result));
    this.sched.readied(to);
    this.blockAndRun(from, syscall, unblock, state, to);
  }

  /**
   * handoff()'s second half, once `to` is READY and readied (CpuScheduler.readied) but not queued:
   * blockCurrent(from), but for the scheduler's choice: `to` runs at once when the run queue would
   * have chosen it, else it is queued and the scheduler chooses. The IPC fast path
   * (kernel/ipc/fastpath.ts) ends here too.
   */
  blockAndRun(from: Process, syscall: string, unblock: (() => void) | null, state: number, to: Process): void {
    from.state = state;
    from.blockedIn = syscall;
    from.unblock = unblock;
    this.endSlice(from);
    // Real time: the slice's end read the clock; the due-timer check and the dispatch take that reading (one host
    // call a handoff instead of three with a timer armed, two without).
    const reading = this.sched.takeEndReading();
    this.trace.enabled && this.trace.record(this.clock.now(), from.pid, "block", syscall);
    this.current = null;
    if (this.scheduling || to.mm.fault !== null || !this.runq.wouldChooseFirst(to) || this.timerDue(reading))
      return this.queueAndSchedule(to);
    this.ipc.handoffs++;
    this.scheduling = true;
    this.dispatchReading = reading;
    try {
      this.dispatch(to);
    } catch (e) {
      return this.dispatchFailed(to, e);
    }
    this.scheduling = false;
  }

  /**
   * blockAndRun's other ends, functions of their own so that the switch itself stays small: V8 inlines
   * into one optimized function at most 920 bytes of bytecode, and the handoff, the slice's end and the
   * dispatch together are more than that (docs/fastpath.md, switchcost).
   */
  private queueAndSchedule(to: Process): void {
    this.runq.enqueueReadied(to);
    this.schedule();
  }

  private dispatchFailed(to: Process, e: unknown): void {
    this.scheduling = false;
    this.dispatchReading = NaN; // a reading handed to a dispatch that never began its slice is stale for the next
    this.fault(to, "dispatch", e);
    this.schedule();
  }

  /** A blocked process moves between blocked states (SEND_BLOCKED -> REPLY_BLOCKED). */
  setBlockedState(p: Process, state: number): void {
    if (!isBlocked(p.state) || !isBlocked(state)) throw new KernelBug(`pid ${p.pid}: blocked-state change from ${p.state} to ${state}`);
    p.state = state;
  }

  /** Change p's effective priority (priority inheritance), moving it in the run queue if queued. */
  setEffectivePriority(p: Process, priority: number): void {
    if (p.priority === priority) return;
    this.runOnChanged("priority");
    const queued = p.queued;
    if (queued) this.runq.remove(p);
    p.priority = priority;
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "priority", String(priority));
    if (queued) this.runq.enqueue(p);
    if (p === this.current) this.sched.recheck();
  }

  /** Allocate a receive id: positive, not 0, unique among live messages. */
  nextRcvid(): number {
    this.rcvidCounter = this.rcvidCounter >= 0x7fffffff ? 1 : this.rcvidCounter + 1;
    return this.rcvidCounter;
  }

  /** A global sequence number (FIFO order among equals). */
  nextSeq(): number {
    return this.seqCounter++;
  }

  /**
   * _start has returned. A process with bound ports stays, RESIDENT, and runs
   * handler activations from now on; any other process exits with status 0.
   */
  mainReturned(p: Process): void {
    if (this.lazyYields !== 0) this.syncYields();
    if (p.boundPorts.length === 0) {
      this.terminate(p, 0, ExitReason.NORMAL, "");
      return;
    }
    p.mainDone = true;
    this.activationDone(p);
  }

  /**
   * A handler activation (or _start, for a resident process) has finished: next packet, or RESIDENT.
   * `fuelLeft`: what p's counter holds now, when the caller read it already (the port loop reads it in wasm
   * and hands it over: a read from JavaScript is a call into wasm); NaN: read it here if needed.
   * When p has a packet of its own queued and the run queue would choose p anyway, p takes it at once
   * without passing through the queue (the port handoff, kernel/ipc/ports.ts portHandoff): the same
   * effects, trace and virtual time as queueing it and scheduling.
   */
  activationDone(p: Process, fuelLeft = NaN): void {
    if (this.current !== p) throw new KernelBug(`pid ${p.pid} finished an activation while not running`);
    if (ownPacketWaits(p) && this.runOn(p, fuelLeft)) return; // (the cheap test first: runOn stays cold, so not inlined, where it never applies)
    this.endSlice(p);
    p.idleActivation = false;
    this.current = null;
    if (!this.nextPacket(p)) {
      p.state = ProcessState.RESIDENT;
      binderChanged(this, p); // idle again: a direct packet may reach it wasm-to-wasm
    } else if (this.fastIpc && this.portHandoff(p)) {
      portHandoffCounts.taken++;
      if (portHandoffMutation !== "quantum") this.sched.readied(p); // what queueing p does to it (a fresh quantum, readySince); nothing runs to preempt
      this.scheduling = true;
      try {
        this.dispatch(p);
      } catch (e) {
        this.scheduling = false;
        this.fault(p, "dispatch", e);
        this.schedule();
        return;
      }
      this.scheduling = false;
      return;
    } else this.runq.enqueue(p);
    this.schedule();
  }

  /**
   * The run-on, if runsOn allows it: p keeps the CPU and its slice for its own next packet (no slice end, no
   * switch). A function of its own, so that activationDone stays small enough for V8 to inline the switch it
   * makes otherwise (see queueAndSchedule).
   */
  private runOn(p: Process, fuelLeft: number): boolean {
    const on = this.runsOn(p, fuelLeft);
    if (on === RUN_NOT) return false;
    portRunOnCounts.taken++;
    p.idleActivation = false;
    if (this.idleServed.size > 0) this.idleServed.clear(); // as a dispatch of a packet's activation: the idle period is over
    if (on === RUN_QUEUED) {
      this.nextPacket(p);
      p.state = ProcessState.RUNNING;
      this.startOrDeliver(p);
    } else takeCellPacket(this, p, p.boundPorts[0], on); // the packet nextPacket would take, from its cell's words
    return true;
  }

  /**
   * The run-on's version word (kernel/fast/mirror.ts kernelWord), made at the first port loop allowed to take
   * a packet from a cell itself (kernel/ipc/ports.ts takeCellPacket): its word index.
   */
  runOnVersion(): number {
    if (this.runq.versionAt < 0) this.runq.versionAt = kernelWord();
    return this.runq.versionAt;
  }

  /**
   * Something the run-on's decision reads changed in a way no enqueue shows (a priority, a deadline class, a
   * partition, a fault, a port bound): a port loop's permission to take its next packet itself lapses
   * (the run queue bumps the same word at every enqueue).
   */
  runOnChanged(site: RunOnChangedSite): void {
    if (this.runq.versionAt >= 0 && site !== runOnChangedMutation) bumpWord(this.runq.versionAt);
  }

  /**
   * Whether p, running and at the end of an activation, keeps the CPU for its own next packet (activationDone's
   * run-on, docs/fastpath.md "Queued packets: the run-on"): a packet of its own is queued, the run queue would
   * choose p anyway (nothing queued at its priority or above, no deadline class, no partitions), its slice has
   * room (CpuScheduler.sliceGoesOn: fuel left on its counter, so no quantum end, timer or CPU limit is due), and
   * nothing else is dispatching. A kernel rule, the same with every fast path on or off.
   * mutatePortRunOnForTest drops a condition (the tests' mutation check) or turns the rule off. Returns
   * RUN_NOT, RUN_QUEUED (the next packet is in a port's queue), or the word index of the port's cell holding
   * it (kernel/ipc/ports.ts cellPacketOf: the run-on delivers it from the cell's words).
   */
  private runsOn(p: Process, fuelLeft: number): number {
    const m = portRunOnMutation;
    if (m === "off" || this.scheduling || this.directDepth > 0 || p.mm.fault !== null) return RUN_NOT;
    const cell = cellPacketOf(p);
    if (cell < 0 && !hasPacket(this, p)) return RUN_NOT;
    if (m !== "queue" && !this.runq.wouldChooseFirst(p)) return RUN_NOT;
    if (m !== "slice" && !this.sched.sliceGoesOn(p, fuelLeft)) return RUN_NOT;
    return cell < 0 ? RUN_QUEUED : cell;
  }

  /**
   * Whether p, READY for its own next packet and not queued, may run at once (activationDone): the run queue
   * would choose it first (nothing queued at its priority or above, no deadline class, no partitions), no
   * timer is due, and nothing else is dispatching. mutatePortHandoffForTest drops a condition (the tests'
   * mutation check).
   */
  private portHandoff(p: Process): boolean {
    if (this.scheduling || this.directDepth > 0 || p.mm.fault !== null) return false;
    const m = portHandoffMutation;
    if (m === null) return this.runq.wouldChooseFirst(p) && !this.timerDue();
    if (m === "off") return false;
    if (m === "quantum") return this.runq.wouldChooseFirst(p) && !this.timerDue();
    return (m === "queue" || this.runq.wouldChooseFirst(p)) && (m === "timers" || !this.timerDue());
  }

  /**
   * A timer is due now: what the handoffs check before skipping the run queue. With none armed the
   * clock is not read (on a real-time kernel a read is a host call, ≈40-50 ns a handoff), nor with `reading`,
   * the real-time clock as the slice that just ended read it (CpuScheduler.takeEndReading). peek():
   * called right after a slice ended, so nothing is left to charge before reading the clock.
   */
  private timerDue(reading = NaN): boolean {
    const next = this.timers.next();
    return next !== Infinity && next <= (reading === reading ? reading : this.clock.peek());
  }

  /** A packet was queued on a port bound to p: a resident p becomes runnable. */
  packetArrived(p: Process): void {
    if (this.lazyYields !== 0) this.syncYields();
    if (p.state === ProcessState.RESIDENT) {
      if (this.nextPacket(p)) {
        binderChanged(this, p); // busy: direct packets go to the kernel
        this.runq.enqueue(p);
      }
      if (this.current === null) this.schedule();
    }
  }

  /** Make p READY for its next packet (round robin over its ports), not yet queued. False if none is queued. */
  private nextPacket(p: Process): boolean {
    const ports = p.boundPorts;
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i];
      if (port.cellAt >= 0) drainQueued(this, port); // one a sender's wasm port_send left in the port's cell
      const packet = port.packets.shift();
      if (packet === undefined) continue;
      if (port.cellAt >= 0) packetTaken(this, port); // its cell's words (small: this is inlined into the switch)
      if (ports.length > 1) ports.push(...ports.splice(0, i + 1)); // the next search starts after this port (splice allocates)
      p.packet = packet;
      p.nextRun = "handler";
      p.state = ProcessState.READY;
      return true;
    }
    return false;
  }

  /** Give each resident idle subscriber one idle packet per idle period. True if any became runnable. */
  private deliverIdlePackets(): boolean {
    let any = false;
    for (const p of this.processes.values()) {
      if (p.state !== ProcessState.RESIDENT || this.idleServed.has(p)) continue;
      const port = p.boundPorts.find((b) => b.idle);
      if (!port) continue;
      this.idleServed.add(p);
      p.packet = { port, code: Constants.PORT_CODE_IDLE, value: 0n };
      p.nextRun = "handler";
      p.idleActivation = true;
      p.state = ProcessState.READY;
      binderChanged(this, p);
      this.runq.enqueue(p);
      any = true;
    }
    return any;
  }

  /**
   * One-shot deadline event; returns the timer for cancelTimer. `owner`: the
   * process it is for, ended with KERNEL_FAULT if `fire` throws (a kernel
   * bug), or the device whose model armed it (its throw is logged with the
   * device's name, and the model's next timers still fire); without one the
   * fault is logged. A throw never reaches the host.
   */
  addTimer(deadline: number, fire: () => void, owner: TimerOwner = null): Timer {
    if (this.lazyYields !== 0) this.syncYields();
    const t = this.timers.add(deadline, fire, owner);
    this.sched.timerAdded(deadline);
    if (!this.clock.virtual && this.current === null && deadline < this.idleTimerAt) this.schedule();
    return t;
  }

  private timerThrew(owner: TimerOwner, e: unknown): void {
    if (owner === null || owner instanceof Process) this.fault(owner, "a timer", e);
    else this.log(`wasmos: device ${owner.model.name}: timer callback threw: ${e instanceof Error ? e.message : String(e)}`);
  }

  /**
   * A kernel bug (or a host failure) reached a host entry: a timer, a
   * dispatch, the real-time idle timer. The process it concerned ends with
   * KERNEL_FAULT (without one, the kernel log says what happened); the host
   * and the other processes carry on.
   */
  fault(victim: Process | null, where: string, e: unknown): void {
    if (this.lazyYields !== 0) this.syncYields();
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    try {
      if (victim !== null && victim.exit === null)
        this.terminate(victim, -1, ExitReason.KERNEL_FAULT, `kernel fault in ${where}: ${detail}`);
      else this.log(`wasmos: kernel fault in ${where}: ${detail}`);
    } catch (e2) {
      this.log(
        `wasmos: kernel fault in ${where}: ${detail}; then, ending pid ${victim?.pid}: ${e2 instanceof Error ? e2.message : String(e2)}`,
      );
    }
  }

  cancelTimer(t: Timer): void {
    if (this.lazyYields !== 0) this.syncYields();
    this.timers.cancel(t);
    // Real time: a host timer armed for a deadline nothing waits for any more would hold the host's event loop open.
    if (this.idleTimer !== null && this.timers.next() > this.idleTimerAt) {
      this.idleTimer();
      this.idleTimer = null;
      this.idleTimerAt = Infinity;
      if (this.current === null && this.timers.next() !== Infinity) this.armIdleTimer(this.timers.next());
    }
  }

  /**
   * Drop every pending timer (the host's shutdown, once every process has ended: nothing may fire after
   * it), disarm the real-time idle timer (it would hold the host's event loop open), and wake the
   * whenQuiescent waiters: with nothing runnable and no timer, the kernel is quiescent for good.
   */
  cancelAllTimers(): void {
    if (this.lazyYields !== 0) this.syncYields();
    this.timers.clear();
    if (this.idleTimer !== null) {
      this.idleTimer();
      this.idleTimer = null;
      this.idleTimerAt = Infinity;
    }
    if (this.current === null) this.schedule();
  }

  /**
   * End p (any state) with an exit status and reason. Closes its handles,
   * wakes waiters, tells listeners, releases its instance. Idempotent.
   */
  terminate(p: Process, status: number, reason: number, message: string): void {
    if (this.lazyYields !== 0) this.syncYields();
    if (p.state === ProcessState.EXITED) return;
    const wasCurrent = this.current === p;
    if (wasCurrent) this.endSlice(p);
    this.runq.remove(p);
    if (p.unblock) {
      const unblock = p.unblock;
      p.unblock = null;
      unblock();
    }
    p.state = ProcessState.EXITED;
    p.blockedIn = "";
    const info: ExitInfo = { status: status | 0, reason, message };
    p.exit = info;
    objectChanged(p); // the handle mirror's state word: kill answers ESRCH in wasm from now on
    this.aliveCount--;
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "exit", `reason=${reason} status=${info.status}`);
    if (reason !== ExitReason.NORMAL && reason !== ExitReason.KILLED) {
      this.log(`wasmos: pid ${p.pid} (${p.image.name}) ended: ${message}`);
    }
    p.runtime?.dispose();
    p.runtime = null;
    p.memory = null;
    if (p.names.size !== 0) p.names = NO_NAMES;
    for (const hook of this.exitHooks) hook(p);
    p.handles.closeAll();
    const waiters = p.waiters;
    if (waiters !== null) {
      p.waiters = null; // taken whole: each waiter's wake-up finds nothing left to remove itself from
      for (const w of waiters) {
        // The waiter checked its buffer before blocking, and memory never shrinks.
        const m = w.process.memory;
        if (m && m.inBounds(w.infoPtr, Constants.EXIT_INFO_SIZE)) {
          writeExitInfo(m, w.infoPtr >>> 0, { status: info.status, reason: info.reason });
        }
        this.wake(w.process, 0);
      }
    }
    if (p.exitListeners.length > 0) for (const l of p.exitListeners.splice(0)) l(info);
    if (wasCurrent) this.current = null;
    p.releaseKernel();
    if (wasCurrent) this.schedule();
  }

  /** A process object is destroyed (exited, no handle names it): out of the table. One function for every process, not a closure each. */
  private readonly reaped = (q: Process): void => {
    this.processes.delete(q.pid);
  };

  /** Resolves when nothing is runnable and no timer is pending: all done, or the rest blocked for good. */
  whenQuiescent(): Promise<void> {
    if (this.lazyYields !== 0) this.syncYields();
    return new Promise((resolve) => {
      this.quiescentWaiters.push(resolve);
      if (this.current === null) this.schedule();
    });
  }

  /** Processes alive but blocked with nothing that can wake them (after quiescence: a deadlock). */
  blockedProcesses(): Process[] {
    if (this.lazyYields !== 0) this.syncYields();
    return [...this.processes.values()].filter((p) => isBlocked(p.state));
  }

  /**
   * The lazy yields' words back into the kernel (kernel/fast/yields.ts): the ring's accounting, the clock and
   * the open slice, the run queue rotated as the ring's head moved, the running process; then withdrawn. Every
   * entry calls it first while lazyYields is set; a host reading kernel state directly calls it too.
   */
  syncYields(): void {
    if (this.lazyYields === 0) return;
    this.lazyYields = 0;
    const w = this.yieldWords!;
    const i32 = w.i32;
    const armed = i32[Y.ARMED >> 2];
    i32[Y.ARMED >> 2] = 0;
    const served = i32[Y.SERVED >> 2];
    const n = i32[Y.N >> 2];
    // A pair published after ring[1]'s call that did not serve a whole round (two steps) backs off (pairPublishes).
    if (armed !== ARMED_YIELDS) {
      if (served < 2) pairMissed(w.ring[1]!);
      else w.ring[1]!.pairMisses = 0;
    }
    if (served === 0) {
      for (let i = 0; i < n; i++) w.ring[i] = null;
      return;
    }
    const head = i32[Y.HEAD >> 2];
    if (armed === ARMED_PULSES) return this.syncPulses(w, served, head);
    if (armed === ARMED_CALLS) return this.syncCalls(w, served, head);
    fastYieldCounts.served += served;
    fastYieldCounts.synced++;
    const first = w.ring[0]!;
    for (let i = 0; i < n; i++) readMember(w, i, i === head);
    const running = this.runq.rotate(first, head);
    this.current = running;
    this.sched.adoptYields(w, running);
  }

  /**
   * syncYields for a pulse pair (ring[0] ran at publication, ring[1] was blocked in its pulse_wait): n
   * pulse_waits were served, so ring[head] runs (head: n's parity) and the other waits in its receive. The
   * accounting as a ring's, the IPC side (kernel/ipc/fastpath.ts pulsePairServed), and the counts each
   * served pulse_wait makes here: a sequence number and a handoff.
   */
  private syncPulses(w: YieldWords, n: number, head: number): void {
    fastPulseCounts.served += n;
    fastPulseCounts.synced++;
    pulsePairRegisters(w, w.ring[0]!, w.ring[1]!, n);
    const running = readMember(w, head, true);
    const blocked = readMember(w, head ^ 1, false);
    pulsePairServed(this, running, blocked, n, head !== 0);
    this.seqCounter += n;
    this.ipc.handoffs += n;
    this.current = running;
    this.sched.adoptYields(w, running);
  }

  /**
   * syncYields for a call pair (ring[0] ran at publication, ring[1] was blocked in its call or reply_wait; ring[C.CLIENT]
   * is the client): n calls and reply_waits were served, alternately, the first by ring[0], so ring[head] runs
   * (head: n's parity). The accounting as a ring's, the IPC side (kernel/ipc/fastpath.ts callPairServed), and the
   * counts each served call or reply_wait makes here: a handoff each, a sequence number and an rcvid each call.
   */
  private syncCalls(w: YieldWords, n: number, head: number): void {
    fastCallCounts.served += n;
    fastCallCounts.synced++;
    const i32 = w.i32;
    const ci = i32[C.CLIENT >> 2];
    const c = w.ring[ci]!;
    const s = w.ring[ci ^ 1]!;
    // The first served is the server's reply_wait when the server ran at publication (ci = 1), else the client's call.
    const calls = ci === 1 ? n >> 1 : (n + 1) >> 1;
    const running = readMember(w, head, true);
    readMember(w, head ^ 1, false);
    this.seqCounter += calls;
    this.rcvidCounter = i32[C.RCVID >> 2];
    const mw = i32.subarray(C.MW >> 2, (C.MW >> 2) + 4);
    const aw = i32.subarray(C.AW >> 2, (C.AW >> 2) + 4);
    callPairServed(this, c, s, n, calls, running === s, i32[C.CUR >> 2], this.seqCounter - 1, i32[C.STATUS >> 2], mw, aw);
    this.ipc.handoffs += n;
    this.current = running;
    this.sched.adoptYields(w, running);
  }

  /**
   * After a call or reply_wait by `from` the TypeScript kernel took (the vDSO's call fallbacks): publish the words
   * for the pair if it handed the CPU to `from`'s client or server (kernel/ipc/fastpath.ts callPair) and the
   * scheduler would let the two hand the CPU back and forth alone (as publishPulses).
   */
  publishCalls(from: Process): void {
    const w = this.yieldWords;
    const c = this.current;
    if (w === null || this.lazyYields !== 0 || c === null || c === from || !pairPublishes(from)) return;
    if (this.trace.enabled || this.scheduling || this.directDepth > 0 || this.idleServed.size !== 0) return;
    const ci = callPair(this, c, from);
    if (ci < 0 || !(ci === 0 ? c : from).fastCall || !(ci === 0 ? from : c).fastReplyWait) return;
    if (!this.runq.wouldChooseFirst(c) || !this.sched.publishYields(w, c)) return;
    if (!writeCallMember(w, 0, c, true, 0) || !writeCallMember(w, 1, from, false, from.state)) {
      w.ring[0] = w.ring[1] = null;
      return;
    }
    const i32 = w.i32;
    i32[C.CLIENT >> 2] = ci;
    i32[C.RCVID >> 2] = this.rcvidCounter;
    // The rcvid the server holds: m's while it serves it (the server runs), else never named by a reply_wait served here.
    i32[C.CUR >> 2] = ci === 1 ? from.callMessage!.rcvid : 0;
    if (!this.arm(w, 2, ARMED_CALLS)) return;
    fastCallCounts.published++;
  }

  /**
   * After a yield the TypeScript kernel took (the vDSO's fallback, host/runtime/fast-yield.ts): publish the
   * words if the process it dispatched could yield without it (kernel/fast/yields.ts, eligibility).
   */
  publishYields(): void {
    const w = this.yieldWords;
    const c = this.current;
    if (w === null || this.lazyYields !== 0 || c === null || !c.fastYield) return;
    if (this.trace.enabled || this.scheduling || this.directDepth > 0 || this.idleServed.size !== 0 || !this.fastIpc) return;
    const n = this.runq.lazyRing(c, w.ring, RING_MAX);
    let ok = n >= 2 && this.sched.publishYields(w, c);
    for (let i = 0; ok && i < n; i++) ok = writeMember(w, i, w.ring[i]!, i === 0);
    if (!ok) {
      for (let i = 0; i < n; i++) w.ring[i] = null;
      return;
    }
    if (!this.arm(w, n, ARMED_YIELDS)) return;
    fastYieldCounts.published++;
  }

  /**
   * After a pulse_wait by `from` the TypeScript kernel took (the vDSO's pulse fallback): publish the words for
   * the pair if it handed the CPU to a process that is `from`'s pulse pair (kernel/ipc/fastpath.ts pulsePair)
   * and the scheduler would let the two hand the CPU back and forth alone: nothing queued at or above them,
   * the slice accounting in words (as for yields).
   */
  publishPulses(from: Process): void {
    const w = this.yieldWords;
    const c = this.current;
    if (w === null || this.lazyYields !== 0 || c === null || c === from || !c.fastPulse || !from.fastPulse || !pairPublishes(from)) return;
    if (this.trace.enabled || this.scheduling || this.directDepth > 0 || this.idleServed.size !== 0) return;
    if (!pulsePair(this, c, from) || !this.runq.wouldChooseFirst(c) || !this.sched.publishYields(w, c)) return;
    if (!writePulseMember(w, 0, c, true) || !writePulseMember(w, 1, from, false)) {
      w.ring[0] = w.ring[1] = null;
      return;
    }
    if (!this.arm(w, 2, ARMED_PULSES)) return;
    fastPulseCounts.published++;
  }

  /** The words armed for `what` over the ring's first n, once the host has bound them; false (nothing armed, the ring cleared) if it could not. */
  private arm(w: YieldWords, n: number, what: number): boolean {
    const i32 = w.i32;
    i32[Y.N >> 2] = n;
    i32[Y.HEAD >> 2] = 0;
    i32[Y.SERVED >> 2] = 0;
    if (!w.bound(n, what)) {
      for (let i = 0; i < n; i++) w.ring[i] = null;
      return false;
    }
    i32[Y.ARMED >> 2] = what;
    this.lazyYields = 1;
    return true;
  }

  /** Switch the event trace on or off (mid-run too: the lazy yields are synced first, and stay TypeScript's while it is on). */
  setTracing(on: boolean): void {
    if (this.lazyYields !== 0) this.syncYields();
    this.trace.enabled = on;
  }

  private endSlice(p: Process): void {
    this.sched.endSlice(p);
  }

  /**
   * Fuel metering: the current process p ran out of fuel (the host's fuel
   * import calls this). "continue": the host lets it run on (its counter was
   * refilled); "preempted": it is READY again and the host suspends it until
   * it is dispatched; "killed": it was ended (CPU limit) and the host unwinds.
   */
  fuelExhausted(p: Process): FuelVerdict {
    if (this.lazyYields !== 0) this.syncYields();
    return this.sched.outOfFuel(p);
  }

  /**
   * The current process p stops running but stays READY: back in the ready
   * queue behind its peers ("back"), ahead of them ("front", preempted with
   * quantum left), or not at all ("none": a throttled deadline process that
   * its next release re-queues). Its result on resume is 0.
   */
  descheduleCurrent(p: Process, where: "front" | "back" | "none"): void {
    if (this.current !== p) throw new KernelBug(`pid ${p.pid} descheduled while not running`);
    p.state = ProcessState.READY;
    p.resumeValue = 0;
    this.endSlice(p);
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "preempt", where);
    if (where === "back") this.runq.enqueue(p);
    else if (where === "front") this.runq.enqueueFront(p);
    this.current = null;
    this.schedule();
  }

  /**
   * While server works for client, bill the server's CPU to the client's
   * partition; billTo(server, null) bills the server's own again. For IPC:
   * call it when a server takes a client's message and when it replies.
   */
  billTo(server: Process, client: Process | null): void {
    this.sched.billTo(server, client);
  }

  /**
   * Dispatch the next process if none is running. Fires due timers; when idle,
   * jumps the virtual clock to the next deadline, or (real time) arms one host
   * timer for it; when there is nothing at all, wakes whenQuiescent waiters.
   */
  schedule(): void {
    if (this.scheduling || this.directDepth > 0) return;
    this.scheduling = true;
    try {
      for (;;) {
        if (this.current !== null) return;
        // No timer, no clock read (its hook has nothing to charge: no slice is open while nothing runs, so one
        // reading serves the check and the firing).
        const due = this.timers.next();
        let now = NaN;
        if (due !== Infinity) {
          now = this.clock.now();
          if (due <= now) {
            this.timers.fireDue(now);
            now = NaN; // the timers' callbacks ran: time has moved on
          }
        }
        const p = this.runq.dequeue();
        if (p !== null) {
          if (p.mm.fault !== null && this.mm.endIfFaulted(p)) continue; // a grant revoked while it ran: it never runs again
          if (!this.clock.virtual) this.dispatchReading = now;
          try {
            this.dispatch(p);
          } catch (e) {
            this.fault(p, "dispatch", e);
            continue;
          }
          return;
        }
        if (this.idleSubscribers > 0 && this.deliverIdlePackets()) continue;
        const next = this.timers.next();
        if (next === Infinity) {
          for (const w of this.quiescentWaiters.splice(0)) w();
          return;
        }
        if (this.clock.virtual) {
          this.clock.advanceTo(next);
          if (this.idleServed.size > 0) this.idleServed.clear(); // clear() reallocates: skip when empty (a virtual idle step a PCM period)
          continue;
        }
        this.armIdleTimer(next);
        return;
      }
    } finally {
      this.scheduling = false;
    }
  }

  private armIdleTimer(deadline: number): void {
    if (deadline >= this.idleTimerAt) return;
    this.idleTimer?.();
    this.idleTimerAt = deadline;
    const ms = Math.max(0, (deadline - this.clock.now()) / 1e6);
    this.idleTimer = this.platform!.setTimer(ms, this.idleTimerFired);
  }

  /**
   * The idle timer's callback, made once (it was a closure an idle wait: a
   * period of the PCM pipeline arms one or more). An entry from the host's
   * event loop: nothing the kernel throws may escape into it.
   */
  private readonly idleTimerFired = (): void => {
    this.idleTimer = null;
    this.idleTimerAt = Infinity;
    try {
      this.schedule();
    } catch (e) {
      this.fault(this.current, "the idle timer", e);
    }
  };

  private dispatch(p: Process): void {
    this.current = p;
    hintDispatch(p); // the guards' hints (kernel/fast/hints.ts) are about the running process
    p.state = ProcessState.RUNNING;
    this.sched.beginSlice(p);
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "run");
    if (!p.idleActivation && this.idleServed.size > 0) this.idleServed.clear(); // clear() reallocates: skip when empty
    // Resuming a blocked or preempted process is every switch but a process's first and a handler's; the
    // others in a function of their own keep this one small enough to be inlined (see queueAndSchedule).
    if (p.nextRun === "resume") p.runtime!.resume(p.resumeValue);
    else this.startOrDeliver(p);
  }

  /** dispatch() of a process that has not started, or of a port handler's activation. */
  private startOrDeliver(p: Process): void {
    switch (p.nextRun) {
      case "start":
        p.started = true;
        p.nextRun = "resume";
        p.runtime!.start();
        break;
      case "handler": {
        const packet = p.packet!;
        p.packet = null;
        p.nextRun = "resume";
        p.runtime!.deliver(packet.port.handler, packet.port.key, packet.code, packet.value);
        break;
      }
    }
  }
}

/** States of a process suspended in a blocking syscall. */
export function isBlocked(state: number): boolean {
  return (
    state === ProcessState.BLOCKED ||
    state === ProcessState.SEND_BLOCKED ||
    state === ProcessState.REPLY_BLOCKED ||
    state === ProcessState.RECEIVE_BLOCKED
  );
}

/** The most eligible calls a backing-off process skips between two publications (pairPublishes). */
const PAIR_SKIP_MAX = 64;

/**
 * Whether a pair may be published after p's call (KernelCore.publishPulses, publishCalls): not while p is
 * backing off. A publication costs the words it writes and the sync that takes them back; one that the
 * next kernel entry withdraws before a whole round was served (the pair's next step is a call to another
 * server, or any other syscall, after at most the peer's answer) costs more than it saves (the PCM
 * pipeline's producer, which calls one consumer and then another, ran ≈15% slower). After m such misses
 * in a row p skips the next min(2^m, PAIR_SKIP_MAX) eligible calls; a publication that serves a round
 * clears the count. Only when words are published changes: what the kernel does is the same either way.
 */
function pairPublishes(p: Process): boolean {
  if (p.pairSkip === 0) return true;
  p.pairSkip--;
  return false;
}

/** A publication after p's call served nothing (KernelCore.syncYields): back off (pairPublishes). */
function pairMissed(p: Process): void {
  const m = Math.min(p.pairMisses + 1, 6);
  p.pairMisses = m;
  p.pairSkip = Math.min(1 << m, PAIR_SKIP_MAX);
}
