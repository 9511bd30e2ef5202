// Process: one guest instance, its capability space and its life cycle.
// A process object outlives the process itself while handles name it (so a
// parent can still read the exit status); it is destroyed when it has exited
// and no handle names it.

import { ExitReason, ObjectType, ProcessState } from "../../abi/gen/abi.ts";
import { HandleTable } from "../handles.ts";
import type { GuestMemory } from "../memory.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";
import type { ProcessRuntime } from "../platform.ts";
import type { Schedulable } from "../scheduler.ts";
import type { ImageObject } from "./image.ts";

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

export class Process extends KernelObject implements Schedulable {
  readonly type = ObjectType.PROCESS;
  readonly pid: number;
  readonly parentPid: number;
  readonly image: ImageObject;
  readonly args: readonly Uint8Array[];
  readonly handles: HandleTable;
  /** Startup handles by name (handle_get). */
  readonly names = new Map<string, number>();
  /** Where console_write goes. */
  readonly stdout: (bytes: Uint8Array) => void;

  // Scheduling state, owned by the Kernel.
  state: number = ProcessState.READY;
  priority: number;
  queued = false;
  started = false;
  /** Result handed back when the process next resumes from a blocking call. */
  resumeValue = 0;
  /** Which blocking syscall it is in, while BLOCKED. */
  blockedIn = "";
  /** Detaches a blocked process from whatever it waits on (timers, waiter lists). */
  unblock: (() => void) | null = null;
  sliceStart = 0;
  cpuTimeNs = 0;

  /** Set by the host once the instance exists. */
  memory: GuestMemory | null = null;
  runtime: ProcessRuntime | null = null;

  exit: ExitInfo | null = null;
  readonly waiters = new Set<ExitWaiter>();
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
    this.priority = init.priority;
    this.handles = new HandleTable(init.handleCapacity);
    this.stdout = init.stdout;
    this.onReap = init.onReap;
    init.image.retainKernel();
  }

  get exited(): boolean {
    return this.state === ProcessState.EXITED;
  }

  protected override onDestroy(): void {
    this.image.releaseKernel();
    this.onReap(this);
  }
}

export function describeExit(info: ExitInfo): string {
  const reason = Object.entries(ExitReason).find(([, v]) => v === info.reason)?.[0] ?? `reason ${info.reason}`;
  return info.message ? `${reason} (status ${info.status}): ${info.message}` : `${reason} (status ${info.status})`;
}
