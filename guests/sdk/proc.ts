// The process table from AssemblyScript: proc_next over a KINFO handle (what
// a /proc server or a monitor is given), and the text /proc shows: one
// "key: value" status per process and a pidin-like table.
//
//   import { procList, procTable } from "@wasmos/sdk/proc";
//   print(procTable(procList(handle("kinfo"))));

import {
  sys_proc_next, PROC_RECORD_SIZE, ProcRecordLayout,
  STATE_READY, STATE_RUNNING, STATE_BLOCKED, STATE_EXITED, STATE_SEND_BLOCKED, STATE_REPLY_BLOCKED, STATE_RECEIVE_BLOCKED,
  STATE_RESIDENT,
} from "./bindings/abi";

/** One process as proc_next describes it. */
export class ProcRecord {
  pid: u32 = 0;
  parentPid: u32 = 0;
  state: u32 = 0;
  priority: u32 = 0;
  basePriority: u32 = 0;
  exitStatus: i32 = 0;
  exitReason: u32 = 0;
  cpuTimeNs: u64 = 0;
  memoryPages: u32 = 0;
  /** 0xFFFFFFFF: no budget of its own. */
  budgetPages: u32 = 0;
  handleCount: u32 = 0;
  partition: u32 = 0;
  partitionShare: u32 = 0;
  bytesCopied: u64 = 0;
  name: string = "";
  blockedIn: string = "";
}

/** A NUL-padded UTF-8 field of n bytes at p. */
function padded(p: usize, n: i32): string {
  let len = 0;
  while (len < n && load<u8>(p + <usize>len) != 0) len++;
  return String.UTF8.decodeUnsafe(p, len);
}

const scratch = new ArrayBuffer(PROC_RECORD_SIZE);

/** The process with the lowest pid above `after`, or null at the end; on an error, null and procErrno is set. */
export function procNext(kinfo: i32, after: u32): ProcRecord | null {
  const p = changetype<usize>(scratch);
  const pid = sys_proc_next(kinfo, <i32>after, <i32>p, PROC_RECORD_SIZE);
  procErrno = pid < 0 ? -pid : 0;
  if (pid <= 0) return null;
  const r = new ProcRecord();
  r.pid = ProcRecordLayout.pid(p);
  r.parentPid = ProcRecordLayout.parentPid(p);
  r.state = ProcRecordLayout.state(p);
  r.priority = ProcRecordLayout.priority(p);
  r.basePriority = ProcRecordLayout.basePriority(p);
  r.exitStatus = ProcRecordLayout.exitStatus(p);
  r.exitReason = ProcRecordLayout.exitReason(p);
  r.cpuTimeNs = ProcRecordLayout.cpuTimeNs(p);
  r.memoryPages = ProcRecordLayout.memoryPages(p);
  r.budgetPages = ProcRecordLayout.budgetPages(p);
  r.handleCount = ProcRecordLayout.handleCount(p);
  r.partition = ProcRecordLayout.partition(p);
  r.partitionShare = ProcRecordLayout.partitionShare(p);
  r.bytesCopied = ProcRecordLayout.bytesCopied(p);
  r.name = padded(p + 64, 32);
  r.blockedIn = padded(p + 96, 16);
  return r;
}

/** The errno of the last procNext that failed (0 after one that did not). */
export let procErrno: i32 = 0;

/** Every process, in pid order (empty, with procErrno set, when kinfo is refused). */
export function procList(kinfo: i32): ProcRecord[] {
  const out = new Array<ProcRecord>();
  let r = procNext(kinfo, 0);
  while (r !== null) {
    out.push(r);
    r = procNext(kinfo, r.pid);
  }
  return out;
}

/** The state's name as pidin shows it. */
export function stateName(state: u32): string {
  switch (<i32>state) {
    case STATE_READY: return "READY";
    case STATE_RUNNING: return "RUNNING";
    case STATE_BLOCKED: return "BLOCKED";
    case STATE_EXITED: return "DEAD";
    case STATE_SEND_BLOCKED: return "SEND";
    case STATE_REPLY_BLOCKED: return "REPLY";
    case STATE_RECEIVE_BLOCKED: return "RECEIVE";
    case STATE_RESIDENT: return "RESIDENT";
  }
  return "STATE" + state.toString();
}

function pad(s: string, n: i32, right: bool = false): string {
  if (s.length >= n) return s;
  return right ? " ".repeat(n - s.length) + s : s + " ".repeat(n - s.length);
}

/** ns as milliseconds with 3 decimals. */
function ms(ns: u64): string {
  const us = ns / 1000;
  const frac = (us % 1000).toString();
  return (us / 1000).toString() + "." + "000".slice(frac.length) + frac;
}

/** /proc/<pid>/status: one "key: value" line per fact. */
export function procStatus(r: ProcRecord): string {
  let s = "pid: " + r.pid.toString() + "\n";
  s += "name: " + r.name + "\n";
  s += "parent: " + r.parentPid.toString() + "\n";
  s += "state: " + stateName(r.state) + "\n";
  s += "blocked_in: " + r.blockedIn + "\n";
  s += "priority: " + r.priority.toString() + "\n";
  s += "base_priority: " + r.basePriority.toString() + "\n";
  s += "cpu_ns: " + r.cpuTimeNs.toString() + "\n";
  s += "memory_pages: " + r.memoryPages.toString() + "\n";
  s += "budget_pages: " + (r.budgetPages == 0xffffffff ? "none" : r.budgetPages.toString()) + "\n";
  s += "handles: " + r.handleCount.toString() + "\n";
  s += "partition: " + r.partition.toString() + " (" + r.partitionShare.toString() + " permille)\n";
  s += "bytes_copied: " + r.bytesCopied.toString() + "\n";
  if (r.state == <u32>STATE_EXITED) s += "exit: status " + r.exitStatus.toString() + " reason " + r.exitReason.toString() + "\n";
  return s;
}

/** The whole table, as pidin prints it: a header and one line per process. */
export function procTable(records: ProcRecord[]): string {
  let s = "  pid  ppid name             state    blocked      prio   cpu ms    mem KiB handles\n";
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    s += pad(r.pid.toString(), 5, true) + " " + pad(r.parentPid.toString(), 5, true) + " " + pad(r.name, 16) + " ";
    s += pad(stateName(r.state), 8) + " " + pad(r.blockedIn, 12) + " " + pad(r.priority.toString(), 4, true) + " ";
    s += pad(ms(r.cpuTimeNs), 10, true) + " " + pad((r.memoryPages * 64).toString(), 10, true) + " ";
    s += pad(r.handleCount.toString(), 7, true) + "\n";
  }
  return s;
}
