// port_rtt_ns: two processes bouncing a packet between event ports, each
// delivered by the kernel calling the receiver's exported handler.
//   port-pingpong <batch> <batches> ping   creates both ports, spawns the pong side
//   port-pingpong pong                     (spawned) binds "in", answers on "out"
// The ping side's handler runs once per round trip (ping -> pong -> ping);
// it marks every <batch> round trips and ends both after <batches>.

import {
  handle, kill, spawn, exit, NamedHandle,
  sys_port_bind, sys_port_create, sys_port_send,
} from "@wasmos/sdk";
import { fail, intArg, mark, strArg } from "./lib/marks";

const HANDLER = String.UTF8.encode("on_packet");
const pong = strArg(1) == "pong";

let out: i32 = 0; // where this side sends
let batch: i32 = 0;
let total: i32 = 0;
let count: i32 = 0;
let peer: i32 = 0;

function bind(port: i32): void {
  const r = sys_port_bind(port, changetype<i32>(HANDLER), HANDLER.byteLength, 0, 0);
  if (r < 0) fail("port_bind", r, 2);
}

if (pong) {
  const inbox = handle("in");
  out = handle("out");
  if (inbox < 0 || out < 0) fail("handle_get in/out", inbox < 0 ? inbox : out, 1);
  bind(inbox);
} else {
  batch = intArg(1);
  total = batch * intArg(2);
  const self = handle("peer");
  if (self < 0) fail("handle_get peer", self, 1);
  const mine = sys_port_create();
  out = sys_port_create();
  if (mine < 0 || out < 0) fail("port_create", mine < 0 ? mine : out, 1);
  bind(mine);
  peer = spawn(self, ["port-pingpong", "pong"], [new NamedHandle("in", out), new NamedHandle("out", mine)]);
  if (peer < 0) fail("spawn pong", peer, 3);
  mark();
  const r = sys_port_send(out, 1, 0);
  if (r < 0) fail("port_send", r, 4);
}
// _start returns here; with a port bound the process stays resident.

export function on_packet(key: i32, code: i32, value: i64): void {
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
