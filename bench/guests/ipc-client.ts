// ipc_rtt_ns, ipc_rtt_ns_by_size and pulse_ns: the client side of a
// ping-pong with bench/guests/ipc-server.ts (image handle "server").
//   ipc-client <batch> <batches> send          send(ep, w0, w1, 0, 0): a 16-byte message
//   ipc-client <batch> <batches> msg <bytes>   sendmsg with a body of <bytes> bytes
//   ipc-client <batch> <batches> pulsewait     pulseWait: pulse the server and wait for its pulse back, one call
//   ipc-client <batch> <batches> pulse         the same in two calls: pulse the server, receive its pulse back
//   ipc-client <batch> <batches> call          call(ep, 2) with words i, 1 in the IPC buffer (server: reply_wait)
// The client creates the endpoint(s) and gives the server the receive side;
// it keeps only a send-only handle (so every send is checked for SEND, and
// if the server dies its endpoint closes and the client's send fails), runs
// the batches and kills the server at the end.

import {
  call, close, declareIpcBuffer, handle, kill, pulseWait, setIpcWord, spawn, NamedHandle,
  sys_endpoint_create, sys_handle_dup, sys_pulse, sys_receive, sys_send, sys_sendmsg,
  DEADLINE_INFINITE, MSG_DESC_SIZE, RIGHT_SEND, RIGHT_TRANSFER,
} from "@wasmos/sdk";
import { fail, intArg, runBatches, strArg } from "./lib/marks";

let ep: i32 = 0; // send-only, to the server
let back: i32 = 0; // the client's own endpoint (pulse and pulsewait modes)
let desc: usize = 0; // sendmsg's descriptor (msg mode)

function sends(n: i32): void {
  for (let i = 0; i < n; i++) {
    const r = sys_send(ep, i, 1, 0, 0, DEADLINE_INFINITE);
    if (r < 0) fail("send", r, 4);
  }
}

function calls(n: i32): void {
  for (let i = 0; i < n; i++) {
    setIpcWord(0, i);
    setIpcWord(1, 1);
    const r = call(ep, 2);
    if (r < 0) fail("call", r, 4);
  }
}

function sendmsgs(n: i32): void {
  for (let i = 0; i < n; i++) {
    const r = sys_sendmsg(ep, <i32>desc, DEADLINE_INFINITE);
    if (r != 3) fail("sendmsg (expected status 3)", r, 4);
  }
}

function pulses(n: i32): void {
  for (let i = 0; i < n; i++) {
    const s = sys_pulse(ep, 1, i);
    if (s < 0) fail("pulse", s, 4);
    const r = sys_receive(back, 0, 0, DEADLINE_INFINITE);
    if (r != 0) fail("receive (expected a pulse)", r, 5);
  }
}

function pulseWaits(n: i32): void {
  for (let i = 0; i < n; i++) {
    const r = pulseWait(ep, 1, i, back);
    if (r != 0) fail("pulse_wait (expected a pulse)", r, 5);
  }
}

const batch = intArg(1);
const batches = intArg(2);
const mode = strArg(3);
const server = handle("server");
if (server < 0) fail("handle_get server", server, 1);
const inbox = sys_endpoint_create(); // the server's
if (inbox < 0) fail("endpoint_create", inbox, 2);
ep = sys_handle_dup(inbox, RIGHT_SEND);
if (ep < 0) fail("handle_dup", ep, 2);

let child: i32;
if (mode == "pulse" || mode == "pulsewait") {
  back = sys_endpoint_create();
  if (back < 0) fail("endpoint_create", back, 2);
  const backSend = sys_handle_dup(back, RIGHT_SEND | RIGHT_TRANSFER);
  if (backSend < 0) fail("handle_dup", backSend, 2);
  child = spawn(server, ["ipc-server", mode], [new NamedHandle("in", inbox), new NamedHandle("out", backSend, true)]);
  if (child < 0) fail("spawn server", child, 3);
  close(backSend);
} else if (mode == "call") {
  child = spawn(server, ["ipc-server", "call"], [new NamedHandle("in", inbox)]);
  if (child < 0) fail("spawn server", child, 3);
  setIpcWord(0, 1);
  setIpcWord(1, 2);
  const first = call(ep, 2);
  if (first != 3) fail("call (expected status 3)", first, 4);
} else {
  child = spawn(server, ["ipc-server", "reply"], [new NamedHandle("in", inbox)]);
  if (child < 0) fail("spawn server", child, 3);
  // The server replies with w0 + w1 as the status.
  const first = sys_send(ep, 1, 2, 0, 0, DEADLINE_INFINITE);
  if (first != 3) fail("send (expected status 3)", first, 4);
}
close(inbox);

if (mode == "pulsewait") {
  const d = declareIpcBuffer(); // before the batches: the first one is timed too
  if (d < 0) fail("ipc_buffer", d, 2);
  runBatches(batches, batch, pulseWaits);
} else if (mode == "pulse") runBatches(batches, batch, pulses);
else if (mode == "send") runBatches(batches, batch, sends);
else if (mode == "call") runBatches(batches, batch, calls);
else {
  const size = intArg(4);
  const body = new ArrayBuffer(size);
  const d = new ArrayBuffer(MSG_DESC_SIZE); // zeroed: no reply buffer, no handles, no flags
  desc = changetype<usize>(d);
  store<i64>(desc, 1);
  store<i64>(desc, 2, 8);
  store<u32>(desc, changetype<u32>(body), 32);
  store<u32>(desc, <u32>size, 36);
  runBatches(batches, batch, sendmsgs);
}
kill(child);
