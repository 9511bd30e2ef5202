// Scheduling syscalls: priorities and tiers, the deadline class, CPU time,
// limits, partitions. Each decodes and checks everything first and only
// then changes state (kernel/sched/cpu.ts does the changing).

import { Constants, Errno, Rights } from "../../abi/gen/abi.ts";
import { writePartitionInfo, writeSchedInfo } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import { Process } from "../objects/process.ts";
import { Partition } from "../objects/partition.ts";
import { TIERS } from "../sched/tiers.ts";
import { BLOCK, NORETURN } from "../control.ts";

/** Rights on a new partition's handle. */
export const PARTITION_RIGHTS = Rights.READ | Rights.WRITE | Rights.DUPLICATE | Rights.TRANSFER;

/** Like Process.processOrSelf, and the process must still be alive (-ESRCH). */
function liveTarget(p: Process, handle: number, need: number): Process | number {
  const t = p.processOrSelf(handle, need);
  if (typeof t === "number") return t;
  return t.exited ? -Errno.ESRCH : t;
}

/** 2^53: the largest period the kernel's clock arithmetic keeps exact. */
const MAX_PERIOD_NS = 9007199254740992n;

export function sysSchedSetPriority(k: KernelCore, p: Process, handle: number, priority: number, policy: number): number {
  if (priority < 0 || priority > Constants.PRIORITY_MAX) return -Errno.EINVAL;
  if (policy !== Constants.SCHED_RR && policy !== Constants.SCHED_FIFO) return -Errno.EINVAL;
  const t = liveTarget(p, handle, Rights.SCHEDULE);
  if (typeof t === "number") return t;
  if (priority > p.sched.ceiling) return -Errno.ECEILING;
  k.sched.setPriority(t, priority, policy, p);
  return 0;
}

export function sysSchedSetTier(k: KernelCore, p: Process, handle: number, tier: number): number {
  const info = TIERS.find((x) => x.id === tier);
  if (info === undefined) return -Errno.EINVAL;
  const t = liveTarget(p, handle, Rights.SCHEDULE);
  if (typeof t === "number") return t;
  if (info.defaultPriority > p.sched.ceiling) return -Errno.ECEILING;
  k.sched.setPriority(t, info.defaultPriority, Constants.SCHED_RR, p);
  return 0;
}

export function sysSchedSetDeadline(
  k: KernelCore,
  p: Process,
  handle: number,
  runtimeNs: bigint,
  periodNs: bigint,
  deadlineNs: bigint,
): number {
  const deadline = deadlineNs === 0n ? periodNs : deadlineNs;
  if (runtimeNs <= 0n || periodNs < runtimeNs || periodNs > MAX_PERIOD_NS) return -Errno.EINVAL;
  if (deadline < runtimeNs || deadline > periodNs) return -Errno.EINVAL;
  const t = liveTarget(p, handle, Rights.SCHEDULE);
  if (typeof t === "number") return t;
  if (p.sched.ceiling < Constants.PRIORITY_MAX) return -Errno.ECEILING;
  return k.sched.setDeadline(t, Number(runtimeNs), Number(periodNs), Number(deadline));
}

export function sysSchedWaitPeriod(k: KernelCore, p: Process): number | typeof BLOCK {
  const r = k.sched.waitPeriod(p);
  return r < 0 ? r : BLOCK;
}

export function sysSchedInfo(k: KernelCore, p: Process, handle: number, ptr: number, len: number): number {
  const t = p.processOrSelf(handle, Rights.INSPECT);
  if (typeof t === "number") return t;
  const size = Constants.SCHED_INFO_SIZE;
  if (len < size) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, size)) return -Errno.EFAULT;
  const s = t.sched;
  const edf = s.edf;
  const ns = (v: number) => BigInt(Math.floor(v));
  writeSchedInfo(mem, ptr >>> 0, {
    schedClass: edf ? Constants.SCHED_CLASS_DEADLINE : Constants.SCHED_CLASS_FIXED,
    policy: s.policy,
    basePriority: t.basePriority,
    priority: t.priority,
    tier: t.basePriority >>> 6,
    ceiling: s.ceiling,
    cpuTimeNs: ns(k.sched.cpuTime(t)),
    cpuLimitNs: s.cpuLimitNs === Infinity ? 0n : ns(s.cpuLimitNs),
    runtimeNs: edf ? ns(edf.runtimeNs) : 0n,
    periodNs: edf ? ns(edf.periodNs) : 0n,
    deadlineNs: edf ? ns(edf.deadlineNs) : 0n,
    deadlineMisses: s.deadlineMisses + (edf?.misses ?? 0),
    latencyMisses: s.latencyMisses,
    preemptions: s.preemptions,
    throttles: s.throttles + (edf?.throttles ?? 0),
  });
  return size;
}

export function sysCpuTime(k: KernelCore, p: Process, handle: number): bigint {
  const t = p.processOrSelf(handle, Rights.INSPECT);
  if (typeof t === "number") return BigInt(t);
  return BigInt(Math.floor(k.sched.cpuTime(t)));
}

export function sysSetLimit(k: KernelCore, p: Process, handle: number, limit: number, value: bigint): number | typeof NORETURN {
  if (limit !== Constants.LIMIT_CPU_NS && limit !== Constants.LIMIT_HANDLES) return -Errno.EINVAL;
  if (value <= 0n) return -Errno.EINVAL;
  const t = liveTarget(p, handle, Rights.SCHEDULE);
  if (typeof t === "number") return t;
  if (limit === Constants.LIMIT_CPU_NS) {
    const v = Number(value);
    if (v > t.sched.cpuLimitNs) return -Errno.ECEILING;
    const killed = k.sched.setCpuLimit(t, v);
    return killed && t === p ? NORETURN : 0;
  }
  const table = t.handles;
  if (Number(value) > Math.min(table.limit, table.capacity)) return -Errno.ECEILING;
  if (Number(value) < table.count) return -Errno.EINVAL;
  table.limit = Number(value);
  return 0;
}

export function sysPartitionCreate(k: KernelCore, p: Process, share: number): number {
  if (share < 1 || share > Constants.SHARE_WHOLE) return -Errno.EINVAL;
  if (p.handles.full) return -Errno.EMFILE;
  const part = k.sched.createPartition(p.sched.partition, share);
  if (typeof part === "number") return part;
  return p.handles.insert(part, PARTITION_RIGHTS);
}

export function sysPartitionJoin(k: KernelCore, p: Process, partition: number, handle: number): number {
  const part = p.handles.get(partition, Partition, Rights.WRITE);
  if (typeof part === "number") return part;
  const t = liveTarget(p, handle, Rights.SCHEDULE);
  if (typeof t === "number") return t;
  return k.sched.movePartition(t, part);
}

export function sysPartitionInfo(k: KernelCore, p: Process, partition: number, ptr: number, len: number): number {
  const obj = p.handles.get(partition, Partition, Rights.READ);
  if (typeof obj === "number") return obj;
  const part = obj;
  const size = Constants.PARTITION_INFO_SIZE;
  if (len < size) return -Errno.EINVAL;
  const mem = p.memory!;
  if (!mem.inBounds(ptr, size)) return -Errno.EFAULT;
  k.sched.sync();
  const now = k.clock.now();
  writePartitionInfo(mem, ptr >>> 0, {
    share: part.share,
    ownShare: part.ownShare,
    members: part.members,
    edfLoad: Math.round(part.edfLoad * 1000),
    windowNs: BigInt(Math.floor(part.windowNs)),
    windowUsedNs: BigInt(Math.floor(part.usage(now))),
    totalNs: BigInt(Math.floor(part.totalNs)),
  });
  return size;
}
