// The kernel proper: the process table, the dispatcher and the life cycle
// every process goes through (READY -> RUNNING -> BLOCKED/READY ... -> EXITED).
// It decides alone which process runs; exactly one runs at a time. Guest code
// is executed by host-provided ProcessRuntimes; this file never touches it.

import { Errno, ExitReason, Limits, ProcessState } from "../abi/gen/abi.ts";
import { type Clock, RealClock, VirtualClock } from "./clock.ts";
import { KernelBug, ObjectRegistry } from "./object.ts";
import { ImageObject } from "./objects/image.ts";
import { type ExitInfo, Process } from "./objects/process.ts";
import type { Platform, ProcessHost } from "./platform.ts";
import { SeededRng } from "./rng.ts";
import { DEFAULT_PRIORITY, PRIORITY_LEVELS, RunQueues } from "./scheduler.ts";
import { type Timer, TimerHeap } from "./timers.ts";
import { EventTrace } from "./trace.ts";

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
  /** RNG seed (default 0). */
  seed?: number;
  /** Record the event trace (default false). */
  trace?: boolean;
  limits?: Partial<KernelLimits>;
  /**
   * Virtual nanoseconds charged per dispatch in deterministic mode, so time
   * moves (and sleepers wake) even while processes only yield to each other.
   * A stand-in for charging actual guest work, which fuel metering will do.
   */
  dispatchCostNs?: number;
  /** Where kernel messages go (a process died of a trap, ...). */
  log?: (line: string) => void;
}

export interface SpawnRequest {
  image: ImageObject;
  args: readonly Uint8Array[];
  parentPid: number;
  priority?: number;
  stdout: (bytes: Uint8Array) => void;
  /** Handles the child starts with: object, rights, and the name handle_get finds it by. */
  handles?: readonly { name: string; object: import("./object.ts").KernelObject; rights: number }[];
}

export class Kernel {
  readonly clock: Clock;
  readonly rng: SeededRng;
  readonly trace: EventTrace;
  readonly objects = new ObjectRegistry();
  readonly timers = new TimerHeap();
  readonly limits: KernelLimits;
  readonly log: (line: string) => void;
  private readonly host: ProcessHost;
  private readonly platform: Platform | null;
  private readonly runq = new RunQueues<Process>();
  private readonly dispatchCostNs: number;
  /** Processes not yet reaped (alive, or exited with handles still naming them). */
  readonly processes = new Map<number, Process>();
  private aliveCount = 0;
  private nextPid = 1;
  /** The one process on the CPU, or null. */
  current: Process | null = null;
  private scheduling = false;
  private idleTimer: (() => void) | null = null;
  private idleTimerAt = Infinity;
  private quiescentWaiters: (() => void)[] = [];

  constructor(options: KernelOptions) {
    this.host = options.host;
    this.platform = options.platform ?? null;
    const deterministic = options.deterministic ?? true;
    if (!deterministic && !this.platform) throw new Error("real-time mode needs a Platform");
    this.clock = deterministic ? new VirtualClock() : new RealClock(() => this.platform!.now());
    this.rng = new SeededRng(options.seed ?? 0);
    this.trace = new EventTrace(options.trace ?? false);
    this.limits = {
      maxProcesses: options.limits?.maxProcesses ?? Limits.MAX_PROCESSES,
      maxHandles: options.limits?.maxHandles ?? Limits.MAX_HANDLES,
    };
    this.dispatchCostNs = deterministic ? (options.dispatchCostNs ?? 1000) : 0;
    this.log = options.log ?? (() => {});
  }

  get alive(): number {
    return this.aliveCount;
  }

  createImage(name: string, hash: string, hostData: unknown): ImageObject {
    return new ImageObject(this.objects, name, hash, hostData);
  }

  /**
   * Create a READY process. Returns it, or a negative errno (-ENOMEM when
   * maxProcesses are alive, -EMFILE when a startup handle does not fit).
   * Decodes everything before changing anything.
   */
  spawn(req: SpawnRequest): Process | number {
    if (this.aliveCount >= this.limits.maxProcesses) return -Errno.ENOMEM;
    const handles = req.handles ?? [];
    if (handles.length > this.limits.maxHandles) return -Errno.EMFILE;
    const priority = req.priority ?? DEFAULT_PRIORITY;
    if (!(priority >= 0 && priority < PRIORITY_LEVELS)) throw new KernelBug(`priority ${priority} out of range`);
    const p = new Process(this.objects, {
      pid: this.nextPid++,
      parentPid: req.parentPid,
      image: req.image,
      args: req.args,
      priority,
      handleCapacity: this.limits.maxHandles,
      stdout: req.stdout,
      onReap: (q) => this.processes.delete(q.pid),
    });
    p.retainKernel(); // the running process holds itself until it exits
    for (const h of handles) {
      const handle = p.handles.insert(h.object, h.rights);
      p.names.set(h.name, handle);
    }
    this.processes.set(p.pid, p);
    this.aliveCount++;
    p.runtime = this.host.createRuntime(p, req.image);
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "spawn", `${req.image.name} parent=${req.parentPid}`);
    this.runq.enqueue(p);
    if (this.current === null) this.schedule();
    return p;
  }

  /**
   * The current process blocks in syscall `syscall`. Whoever wakes it calls
   * wake(); `unblock` (if any) detaches it from what it waited on.
   */
  blockCurrent(p: Process, syscall: string, unblock: (() => void) | null): void {
    if (this.current !== p) throw new KernelBug(`pid ${p.pid} blocked while not running`);
    p.state = ProcessState.BLOCKED;
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

  /** Make a BLOCKED process runnable; it resumes with `result`. No effect otherwise. */
  wake(p: Process, result: number): void {
    if (p.state !== ProcessState.BLOCKED) return;
    const unblock = p.unblock;
    p.unblock = null;
    p.blockedIn = "";
    if (unblock) unblock();
    p.state = ProcessState.READY;
    p.resumeValue = result;
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "wake", String(result));
    this.runq.enqueue(p);
    if (this.current === null) this.schedule();
  }

  /** One-shot deadline event; returns the timer for cancelTimer. */
  addTimer(deadline: number, fire: () => void): Timer {
    const t = this.timers.add(deadline, fire);
    if (!this.clock.virtual && this.current === null && deadline < this.idleTimerAt) this.schedule();
    return t;
  }

  cancelTimer(t: Timer): void {
    this.timers.cancel(t);
  }

  /**
   * End p (any state) with an exit status and reason. Closes its handles,
   * wakes waiters, tells listeners, releases its instance. Idempotent.
   */
  terminate(p: Process, status: number, reason: number, message: string): void {
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
    this.aliveCount--;
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "exit", `reason=${reason} status=${info.status}`);
    if (reason !== ExitReason.NORMAL && reason !== ExitReason.KILLED) {
      this.log(`wasmos: pid ${p.pid} (${p.image.name}) ended: ${message}`);
    }
    p.runtime?.dispose();
    p.runtime = null;
    p.memory = null;
    p.names.clear();
    p.handles.closeAll();
    for (const w of [...p.waiters]) {
      // The waiter checked its buffer before blocking, and memory never shrinks.
      const m = w.process.memory;
      if (m && m.inBounds(w.infoPtr, 8)) {
        m.setI32(w.infoPtr, info.status);
        m.setU32(w.infoPtr + 4, info.reason);
      }
      this.wake(w.process, 0);
    }
    p.waiters.clear();
    for (const l of p.exitListeners.splice(0)) l(info);
    if (wasCurrent) this.current = null;
    p.releaseKernel();
    if (wasCurrent) this.schedule();
  }

  /** Resolves when nothing is runnable and no timer is pending: all done, or the rest blocked for good. */
  whenQuiescent(): Promise<void> {
    return new Promise((resolve) => {
      this.quiescentWaiters.push(resolve);
      if (this.current === null) this.schedule();
    });
  }

  /** Processes alive but blocked with nothing that can wake them (after quiescence: a deadlock). */
  blockedProcesses(): Process[] {
    return [...this.processes.values()].filter((p) => p.state === ProcessState.BLOCKED);
  }

  private endSlice(p: Process): void {
    p.cpuTimeNs += this.clock.now() - p.sliceStart;
  }

  /**
   * Dispatch the next process if none is running. Fires due timers; when idle,
   * jumps the virtual clock to the next deadline, or (real time) arms one host
   * timer for it; when there is nothing at all, wakes whenQuiescent waiters.
   */
  schedule(): void {
    if (this.scheduling) return;
    this.scheduling = true;
    try {
      for (;;) {
        if (this.current !== null) return;
        if (this.timers.next() <= this.clock.now()) this.timers.fireDue(this.clock.now());
        const p = this.runq.dequeue();
        if (p !== null) {
          this.dispatch(p);
          return;
        }
        const next = this.timers.next();
        if (next === Infinity) {
          for (const w of this.quiescentWaiters.splice(0)) w();
          return;
        }
        if (this.clock.virtual) {
          this.clock.advanceTo(next);
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
    this.idleTimer = this.platform!.setTimer(ms, () => {
      this.idleTimer = null;
      this.idleTimerAt = Infinity;
      this.schedule();
    });
  }

  private dispatch(p: Process): void {
    this.current = p;
    p.state = ProcessState.RUNNING;
    p.sliceStart = this.clock.now();
    if (this.dispatchCostNs > 0) this.clock.advanceTo(p.sliceStart + this.dispatchCostNs);
    this.trace.enabled && this.trace.record(this.clock.now(), p.pid, "run");
    if (!p.started) {
      p.started = true;
      p.runtime!.start();
    } else {
      p.runtime!.resume(p.resumeValue);
    }
  }
}
