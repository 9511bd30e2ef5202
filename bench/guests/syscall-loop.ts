// cap_check_ns and baseline_null_syscall_ns: one cheap syscall in a loop.
//   syscall-loop <batch> <batches> null    arg_count(): no handle, no check
//   syscall-loop <batch> <batches> cap     kill(h, 0) on an exited child:
//     the kernel resolves h, checks its type (PROCESS) and right (KILL), finds
//     the child gone and returns -ESRCH, changing nothing.
//   syscall-loop <batch> <batches> sleep0  sleep(0) alone: a blocking call whose handler
//     resumes its own process at once (sleep0_ns)
//   syscall-loop <batch> <batches> receive pulse(ep) then receive(ep): a blocking call
//     with its message already queued (receive_ready_ns counts both)
//   syscall-loop <batch> <batches> window  window_get(w, i) on a strided 16-bit window
//     of 512 elements over the memory object "mem" (the PCM VU meter's call)

import {
  handle,
  sys_arg_count,
  sys_endpoint_create,
  sys_kill,
  sys_memory_map,
  sys_pulse,
  sys_receive,
  sys_sleep,
  sys_spawn,
  sys_wait,
  sys_window_get,
  DEADLINE_INFINITE,
  ESRCH,
  EXIT_INFO_SIZE,
} from "@wasmos/sdk";
import { fail, intArg, runBatches, strArg } from "./lib/marks";

let exited: i32 = 0; // a handle to a child that has exited

function nulls(n: i32): void {
  for (let i = 0; i < n; i++) sys_arg_count();
}

function caps(n: i32): void {
  for (let i = 0; i < n; i++) sys_kill(exited, 0);
}

function sleeps(n: i32): void {
  for (let i = 0; i < n; i++) sys_sleep(0);
}

let win: i32 = 0;
let windowSum: i64 = 0;

function windows(n: i32): void {
  const w = win;
  let sum: i64 = 0;
  for (let i = 0; i < n; i++) sum += sys_window_get(w, i & 511);
  windowSum += sum;
}

let ep: i32 = 0;
const rbuf = new ArrayBuffer(64);

function receives(n: i32): void {
  for (let i = 0; i < n; i++) {
    sys_pulse(ep, 1, 0);
    sys_receive(ep, changetype<i32>(rbuf), 64, DEADLINE_INFINITE);
  }
}

const batch = intArg(1);
const batches = intArg(2);
const mode = strArg(3);
if (mode == "null") runBatches(batches, batch, nulls);
else if (mode == "window") {
  win = sys_memory_map(handle("mem"), 0, 512, 4, 2);
  if (win < 0) fail("memory_map", win, 7);
  const v = sys_window_get(win, 511);
  if (v < 0) fail("window_get", v, 8);
  runBatches(batches, batch, windows);
  if (windowSum < 0) fail("window_get in the loop", windowSum, 9);
}
else if (mode == "sleep0") runBatches(batches, batch, sleeps);
else if (mode == "receive") {
  ep = sys_endpoint_create();
  if (ep < 0) fail("endpoint_create", ep, 5);
  sys_pulse(ep, 1, 0);
  const r = sys_receive(ep, changetype<i32>(rbuf), 64, DEADLINE_INFINITE);
  if (r != 0) fail("receive of a queued pulse (expected 0)", r, 6);
  runBatches(batches, batch, receives);
} else {
  const child = handle("child");
  if (child < 0) fail("handle_get child", child, 1);
  const childArgs = String.UTF8.encode("nop", true);
  exited = sys_spawn(child, changetype<i32>(childArgs), childArgs.byteLength, 0, 0);
  if (exited < 0) fail("spawn", exited, 2);
  const info = new ArrayBuffer(EXIT_INFO_SIZE);
  const w = sys_wait(exited, changetype<i32>(info), DEADLINE_INFINITE);
  if (w < 0) fail("wait", w, 3);
  const r = sys_kill(exited, 0);
  if (r != -ESRCH) fail("kill on an exited child (expected -ESRCH)", r, 4);
  runBatches(batches, batch, caps);
}
