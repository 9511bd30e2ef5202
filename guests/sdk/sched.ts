// Scheduling for AssemblyScript guests: priorities and tiers, the deadline
// class (periodic real-time jobs), CPU time, limits and CPU partitions.
// Raw results keep the ABI convention: negative means -errno. `process`
// defaults to the caller (HANDLE_SELF); another process needs a handle with
// SCHEDULE (changes) or INSPECT (reads), as a spawner gets for its children.

import {
  sys_cpu_time, sys_partition_create, sys_partition_info, sys_partition_join, sys_sched_info, sys_sched_set_deadline,
  sys_sched_set_priority, sys_sched_set_tier, sys_sched_wait_period, sys_set_limit,
  HANDLE_SELF, LIMIT_CPU_NS, LIMIT_HANDLES, PARTITION_INFO_SIZE, PartitionInfoLayout, SCHED_INFO_SIZE, SCHED_RR, SchedInfoLayout,
} from "./bindings/abi";

// ---- priorities ----------------------------------------------------------------

/** Fixed priority 0..PRIORITY_MAX (higher runs first) with SCHED_RR or SCHED_FIFO. 0 or -errno. */
export function setPriority(priority: i32, policy: i32 = SCHED_RR, process: i32 = HANDLE_SELF): i32 {
  return sys_sched_set_priority(process, priority, policy);
}

/** A named tier's default priority (TIER_VOID, TIER_GRAVITY, TIER_MATTER, TIER_PHOTON). 0 or -errno. */
export function setTier(tier: i32, process: i32 = HANDLE_SELF): i32 {
  return sys_sched_set_tier(process, tier);
}

// ---- the deadline class ------------------------------------------------------------

/**
 * Periodic real-time scheduling: at most runtimeNs of CPU every periodNs,
 * due deadlineNs after each release (0: the period). 0, or -EOVERLOAD when
 * admission control refuses, or another -errno.
 */
export function setDeadline(runtimeNs: i64, periodNs: i64, deadlineNs: i64 = 0, process: i32 = HANDLE_SELF): i32 {
  return sys_sched_set_deadline(process, runtimeNs, periodNs, deadlineNs);
}

/** End this period's job and sleep until the next release. Returns deadlines missed since the last call, or -errno. */
export function waitPeriod(): i32 {
  return sys_sched_wait_period();
}

// ---- CPU time and limits -------------------------------------------------------------

/** CPU time used, in ns (deterministic mode: the fuel burned), or -errno. */
export function cpuTime(process: i32 = HANDLE_SELF): i64 {
  return sys_cpu_time(process);
}

/** Lower the CPU limit: beyond ns of CPU the process is ended with CPU_LIMIT. 0 or -errno. */
export function setCpuLimit(ns: i64, process: i32 = HANDLE_SELF): i32 {
  return sys_set_limit(process, LIMIT_CPU_NS, ns);
}

/** Lower the handle table size. 0 or -errno. */
export function setHandleLimit(handles: i32, process: i32 = HANDLE_SELF): i32 {
  return sys_set_limit(process, LIMIT_HANDLES, <i64>handles);
}

/** What sched_info reports. errno is 0 when the other fields are valid. */
export class SchedInfo {
  errno: i32 = 0;
  schedClass: u32 = 0;
  policy: u32 = 0;
  basePriority: u32 = 0;
  priority: u32 = 0;
  tier: u32 = 0;
  ceiling: u32 = 0;
  cpuTimeNs: u64 = 0;
  cpuLimitNs: u64 = 0;
  runtimeNs: u64 = 0;
  periodNs: u64 = 0;
  deadlineNs: u64 = 0;
  deadlineMisses: u32 = 0;
  latencyMisses: u32 = 0;
  preemptions: u32 = 0;
  throttles: u32 = 0;
}

export function schedInfo(process: i32 = HANDLE_SELF): SchedInfo {
  const buf = new ArrayBuffer(SCHED_INFO_SIZE);
  const out = new SchedInfo();
  const r = sys_sched_info(process, changetype<i32>(buf), SCHED_INFO_SIZE);
  if (r < 0) {
    out.errno = -r;
    return out;
  }
  const p = changetype<usize>(buf);
  out.schedClass = SchedInfoLayout.schedClass(p);
  out.policy = SchedInfoLayout.policy(p);
  out.basePriority = SchedInfoLayout.basePriority(p);
  out.priority = SchedInfoLayout.priority(p);
  out.tier = SchedInfoLayout.tier(p);
  out.ceiling = SchedInfoLayout.ceiling(p);
  out.cpuTimeNs = SchedInfoLayout.cpuTimeNs(p);
  out.cpuLimitNs = SchedInfoLayout.cpuLimitNs(p);
  out.runtimeNs = SchedInfoLayout.runtimeNs(p);
  out.periodNs = SchedInfoLayout.periodNs(p);
  out.deadlineNs = SchedInfoLayout.deadlineNs(p);
  out.deadlineMisses = SchedInfoLayout.deadlineMisses(p);
  out.latencyMisses = SchedInfoLayout.latencyMisses(p);
  out.preemptions = SchedInfoLayout.preemptions(p);
  out.throttles = SchedInfoLayout.throttles(p);
  return out;
}

// ---- partitions --------------------------------------------------------------------

/** A partition guaranteed sharePermille of the CPU (carved from the caller's). A handle or -errno. */
export function createPartition(sharePermille: i32): i32 {
  return sys_partition_create(sharePermille);
}

/** Move a process into a partition. 0 or -errno. */
export function joinPartition(partition: i32, process: i32 = HANDLE_SELF): i32 {
  return sys_partition_join(partition, process);
}

/** What partition_info reports. errno is 0 when the other fields are valid. */
export class PartitionInfo {
  errno: i32 = 0;
  share: u32 = 0;
  ownShare: u32 = 0;
  processes: u32 = 0;
  deadlineReserved: u32 = 0;
  windowNs: u64 = 0;
  usedInWindowNs: u64 = 0;
  usedNs: u64 = 0;
}

export function partitionInfo(partition: i32): PartitionInfo {
  const buf = new ArrayBuffer(PARTITION_INFO_SIZE);
  const out = new PartitionInfo();
  const r = sys_partition_info(partition, changetype<i32>(buf), PARTITION_INFO_SIZE);
  if (r < 0) {
    out.errno = -r;
    return out;
  }
  const p = changetype<usize>(buf);
  out.share = PartitionInfoLayout.share(p);
  out.ownShare = PartitionInfoLayout.ownShare(p);
  out.processes = PartitionInfoLayout.members(p);
  out.deadlineReserved = PartitionInfoLayout.edfLoad(p);
  out.windowNs = PartitionInfoLayout.windowNs(p);
  out.usedInWindowNs = PartitionInfoLayout.windowUsedNs(p);
  out.usedNs = PartitionInfoLayout.totalNs(p);
  return out;
}
