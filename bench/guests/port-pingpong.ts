// port_rtt_ns, port_rtt_ns_queued, port_direct_ns: event-port delivery to a
// handler export.
//   port-pingpong <batch> <batches> ping [direct]   creates both ports, spawns the pong side
//   port-pingpong pong [direct]                     (spawned) binds "in", answers on "out"
//   port-pingpong <batch> <batches> oneway          sends to a spawned sink's direct port, batch packets per batch
//   port-pingpong sink                              (spawned) binds "in" with PORT_BIND_DIRECT, counts
// Ping-pong: two processes bounce a packet; the ping side's handler runs once
// per round trip (ping -> pong -> ping); it marks every <batch> round trips
// and ends both after <batches>. With "direct" both sides bind with
// PORT_BIND_DIRECT, as a user would a handler that only answers: the packet
// to the idle side runs its handler at once inside port_send; the answer finds
// its sender busy (its handler is still running) and queues. The pong side's
// handler (on_answer) only answers: its one import is port_send, so the loader
// gives it a direct copy and the ping side's port_send runs it wasm-to-wasm; its
// answer to the busy ping side is queued in the port's cell, without the kernel
// (docs/fastpath.md "Queued packets drained in wasm"). A failed answer traps
// (the ping side then sees ECLOSED and fails).
// One-way: the sender's loop sends to an idle direct binder: each port_send
// runs the sink's handler (on_sink, import-free: delivered wasm-to-wasm when
// the kernel offers it) and returns.

import {
  handle, kill, spawn, exit, sleep, NamedHandle,
  sys_port_bind, sys_port_create, sys_port_send, PORT_BIND_DIRECT,
} from "@wasmos/sdk";
import { fail, intArg, mark, runBatches, strArg } from "./lib/marks";

const HANDLER = String.UTF8.encode("on_packet");
// The sink's handler calls no import, so the loader gives it a direct copy and port_send runs it wasm-to-wasm.
const SINK_HANDLER = String.UTF8.encode("on_sink");
// The pong side's handler calls port_send only: a direct copy, run wasm-to-wasm.
const ANSWER_HANDLER = String.UTF8.encode("on_answer");
const role = strArg(1) == "pong" || strArg(1) == "sink" ? strArg(1) : strArg(3);
const pong = role == "pong";
const sink = role == "sink";
const flags = strArg(role == "ping" ? 4 : 2) == "direct" || sink ? PORT_BIND_DIRECT : 0;

let out: i32 = 0; // where this side sends
let batch: i32 = 0;
let total: i32 = 0;
let count: i32 = 0;
let peer: i32 = 0;

function bind(port: i32): void {
  const name = sink ? SINK_HANDLER : pong ? ANSWER_HANDLER : HANDLER;
  const r = sys_port_bind(port, changetype<i32>(name), name.byteLength, 0, flags);
  if (r < 0) fail("port_bind", r, 2);
}

function sendBatch(n: i32): void {
  for (let i = 0; i < n; i++) {
    const r = sys_port_send(out, 1, i);
    if (r < 0) fail("port_send", r, 4);
  }
}

if (pong || sink) {
  const inbox = handle("in");
  if (inbox < 0) fail("handle_get in", inbox, 1);
  if (pong) {
    out = handle("out");
    if (out < 0) fail("handle_get out", out, 1);
  }
  bind(inbox);
} else if (role == "oneway") {
  batch = intArg(1);
  const self = handle("peer");
  if (self < 0) fail("handle_get peer", self, 1);
  out = sys_port_create();
  if (out < 0) fail("port_create", out, 1);
  peer = spawn(self, ["port-pingpong", "sink"], [new NamedHandle("in", out)]);
  if (peer < 0) fail("spawn sink", peer, 3);
  sleep(1000000); // the sink binds and becomes resident (idle)
  runBatches(intArg(2), batch, sendBatch);
  kill(peer);
} else {
  batch = intArg(1);
  total = batch * intArg(2);
  const self = handle("peer");
  if (self < 0) fail("handle_get peer", self, 1);
  const mine = sys_port_create();
  out = sys_port_create();
  if (mine < 0 || out < 0) fail("port_create", mine < 0 ? mine : out, 1);
  bind(mine);
  peer = spawn(self, flags != 0 ? ["port-pingpong", "pong", "direct"] : ["port-pingpong", "pong"], [new NamedHandle("in", out), new NamedHandle("out", mine)]);
  if (peer < 0) fail("spawn pong", peer, 3);
  // The pong side binds and becomes resident (idle) first: the first packet then runs its handler directly,
  // and its answer queues for this side, whose loop drives the round trips from then on (with the pong side
  // still in _start the roles would swap: the answer runs this side's handler directly, through the kernel).
  sleep(1000000);
  mark();
  const r = sys_port_send(out, 1, 0);
  if (r < 0) fail("port_send", r, 4);
}
// _start returns here; with a port bound the process stays resident.

export function on_packet(key: i32, code: i32, value: i64): void {
  if (sink) {
    count++;
    return;
  }
  if (!pong) {
    count++;
    if (count % batch == 0) {
      mark();
      if (count == total) {
        kill(peer);
        exit(0);
      }
    }
  }
  const r = sys_port_send(out, code, value + 1);
  if (r < 0) fail("port_send", r, 4);
}

export function on_sink(key: i32, code: i32, value: i64): void {
  count++;
}

export function on_answer(key: i32, code: i32, value: i64): void {
  if (sys_port_send(out, code, value + 1) < 0) unreachable();
}
