// A trace in the Chrome trace-event JSON format (opens in Perfetto and in
// chrome://tracing-style viewers), from a syscall observer and the kernel's
// event trace:
// - one track per process (named "pid N: image"): its syscalls as slices,
//   with decoded arguments and the result; a blocking call spans the time it
//   was blocked;
// - a "CPU" track: which process ran when (scheduling slices);
// - IPC as flow arrows: send -> the server's receive -> its reply -> the
//   sender's send returning;
// - pulses and device interrupts as instants (interrupts on a "devices" track).
// Times are the kernel clock (virtual in deterministic mode: the same run
// gives the same file).

import type { SyscallDef } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../../kernel/core.ts";
import type { Message } from "../../kernel/ipc/message.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { SyscallObserver } from "../runtime/bridge.ts";
import { formatArgs, formatResult } from "./format.ts";

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  id?: number;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

/** The trace's one "process" (the kernel); wasmos processes are its threads. */
const KERNEL_PID = 1;
const CPU_TID = 0;
const DEVICES_TID = 1_000_000;
const SENDS = new Set(["send", "sendmsg"]);
const REPLIES = new Set(["reply", "replymsg", "reply_error"]);
const INSTANTS = new Set(["pulse", "port_send"]);

interface Open {
  name: string;
  ts: number;
  args: string[];
  flow: number;
}

export class ChromeTrace implements SyscallObserver {
  private readonly k: KernelCore;
  private readonly events: TraceEvent[] = [];
  private readonly open = new Map<number, Open>();
  private readonly flows = new WeakMap<Message, number>();
  private nextFlow = 1;

  constructor(k: KernelCore) {
    this.k = k;
  }

  private us(): number {
    return this.k.clock.now() / 1000;
  }

  private flowOf(m: Message): number {
    let id = this.flows.get(m);
    if (id === undefined) this.flows.set(m, (id = this.nextFlow++));
    return id;
  }

  enter(p: Process, def: SyscallDef, args: readonly (number | bigint)[]): void {
    const ts = this.us();
    this.open.set(p.pid, { name: def.name, ts, args: formatArgs(p, def, args), flow: 0 });
    if (REPLIES.has(def.name)) {
      const m = p.serving.get(Number(args[0]));
      if (m !== undefined && this.flows.has(m)) {
        this.events.push({ name: "ipc", cat: "ipc", ph: "t", id: this.flowOf(m), ts, pid: KERNEL_PID, tid: p.pid });
      }
    }
    if (INSTANTS.has(def.name)) {
      this.events.push({
        name: def.name,
        cat: "pulse",
        ph: "i",
        s: "t",
        ts,
        pid: KERNEL_PID,
        tid: p.pid,
        args: { call: this.open.get(p.pid)!.args.join(", ") },
      });
    }
  }

  leave(p: Process, def: SyscallDef, _args: readonly (number | bigint)[], result: number | bigint | null): void {
    const o = this.open.get(p.pid);
    if (o === undefined) return;
    this.open.delete(p.pid);
    const ts = this.us();
    const args: Record<string, unknown> = {};
    for (const a of o.args) {
      const eq = a.indexOf("=");
      args[a.slice(0, eq)] = a.slice(eq + 1);
    }
    args.result = formatResult(result);
    this.events.push({ name: def.name, cat: "syscall", ph: "X", ts: o.ts, dur: ts - o.ts, pid: KERNEL_PID, tid: p.pid, args });
    if (def.name === "receive" && typeof result === "number" && result > 0) {
      // The message this receive took: its sender is blocked in send; the arrow starts there.
      const m = p.serving.get(result);
      const sender = m ? this.open.get(m.sender.pid) : undefined;
      if (m !== undefined && sender !== undefined && SENDS.has(sender.name)) {
        const id = this.flowOf(m);
        sender.flow = id;
        this.events.push({ name: "ipc", cat: "ipc", ph: "s", id, ts: sender.ts, pid: KERNEL_PID, tid: m.sender.pid });
        this.events.push({ name: "ipc", cat: "ipc", ph: "t", id, ts, pid: KERNEL_PID, tid: p.pid });
      }
    }
    if (o.flow !== 0) this.events.push({ name: "ipc", cat: "ipc", ph: "f", bp: "e", id: o.flow, ts, pid: KERNEL_PID, tid: p.pid });
  }

  /** The whole trace: the recorded syscalls plus the kernel's event trace (scheduling, interrupts, names). */
  json(kernelTrace: string): string {
    const events: TraceEvent[] = [...this.events];
    const meta = (tid: number, name: string, sort: number) => {
      events.push({ name: "thread_name", ph: "M", ts: 0, pid: KERNEL_PID, tid, args: { name } });
      events.push({ name: "thread_sort_index", ph: "M", ts: 0, pid: KERNEL_PID, tid, args: { sort_index: sort } });
    };
    events.push({ name: "process_name", ph: "M", ts: 0, pid: KERNEL_PID, tid: 0, args: { name: "wasmos kernel" } });
    meta(CPU_TID, "CPU", -2);
    const names = new Map<number, string>();
    let running: { pid: number; ts: number } | null = null;
    let devices = false;
    const closeRun = (ts: number) => {
      if (running === null) return;
      const label = names.get(running.pid) ?? `pid ${running.pid}`;
      events.push({
        name: label,
        cat: "sched",
        ph: "X",
        ts: running.ts,
        dur: ts - running.ts,
        pid: KERNEL_PID,
        tid: CPU_TID,
        args: { pid: running.pid },
      });
      running = null;
    };
    for (const line of kernelTrace.split("\n")) {
      const m = /^(\d+) (-?\d+) (\S+)(?: (.*))?$/.exec(line);
      if (!m) continue;
      const ts = Number(m[1]) / 1000;
      const pid = Number(m[2]);
      const event = m[3];
      const detail = m[4] ?? "";
      switch (event) {
        case "spawn": {
          const image = detail.split(" ")[0];
          names.set(pid, `pid ${pid}: ${image}`);
          meta(pid, `pid ${pid}: ${image}`, pid);
          break;
        }
        case "run":
          closeRun(ts);
          running = { pid, ts };
          break;
        case "block":
        case "preempt":
        case "exit":
          if (running !== null && running.pid === pid) closeRun(ts);
          if (event !== "block")
            events.push({ name: `${event} ${detail}`.trim(), cat: "sched", ph: "i", s: "t", ts, pid: KERNEL_PID, tid: pid });
          break;
        case "irq":
          devices = true;
          events.push({
            name: `irq ${detail.split(" ")[0]}`,
            cat: "irq",
            ph: "i",
            s: "t",
            ts,
            pid: KERNEL_PID,
            tid: DEVICES_TID,
            args: { detail },
          });
          break;
        case "latency-miss":
        case "throttle":
        case "priority":
          events.push({ name: `${event} ${detail}`.trim(), cat: "sched", ph: "i", s: "t", ts, pid: KERNEL_PID, tid: pid });
          break;
        default:
          break;
      }
    }
    closeRun(this.us());
    if (devices) meta(DEVICES_TID, "devices (interrupts)", -1);
    return JSON.stringify({ traceEvents: events, displayTimeUnit: "ns", otherData: { producer: "wasmos", clock: "kernel" } });
  }
}
