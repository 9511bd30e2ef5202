// The server side of bench/guests/ipc-client.ts; runs until the client kills it.
//   ipc-server reply   receive on "in", read words 0 and 1, reply with their sum as the status
//   ipc-server pulse   receive a pulse on "in", pulse "out" back
//   ipc-server pulsewait   wait for a pulse on "in", then pulseWait: pulse "out" back and wait on "in", one call
//   ipc-server call    reply_wait on "in": answer with words 0 + 1 as the status, wait for the next

import {
  handle, ipcWord, pulseWait, replyWait, sys_msg_word, sys_pulse, sys_receive, sys_reply,
  DEADLINE_INFINITE,
} from "@wasmos/sdk";
import { fail, strArg } from "./lib/marks";

const inbox = handle("in");
if (inbox < 0) fail("handle_get in", inbox, 1);

if (strArg(1) == "pulse") {
  const out = handle("out");
  if (out < 0) fail("handle_get out", out, 1);
  for (;;) {
    const r = sys_receive(inbox, 0, 0, DEADLINE_INFINITE);
    if (r != 0) fail("receive (expected a pulse)", r, 2);
    const s = sys_pulse(out, 1, 0);
    if (s < 0) fail("pulse", s, 3);
  }
} else if (strArg(1) == "pulsewait") {
  const out = handle("out");
  if (out < 0) fail("handle_get out", out, 1);
  let r = replyWait(inbox, 0, 0); // the first pulse
  for (;;) {
    if (r != 0) fail("pulse_wait (expected a pulse)", r, 2);
    r = pulseWait(out, 1, 0, inbox);
  }
} else if (strArg(1) == "call") {
  let rcvid = replyWait(inbox, 0, 0);
  for (;;) {
    if (rcvid <= 0) fail("reply_wait (expected a message)", rcvid, 2);
    rcvid = replyWait(inbox, rcvid, ipcWord(0) + ipcWord(1));
  }
} else {
  const room = 65536;
  const buf = new ArrayBuffer(room);
  for (;;) {
    const rcvid = sys_receive(inbox, changetype<i32>(buf), room, DEADLINE_INFINITE);
    if (rcvid <= 0) fail("receive (expected a message)", rcvid, 2);
    const status = <i32>(sys_msg_word(0) + sys_msg_word(1));
    const r = sys_reply(rcvid, status, 0, 0, 0, 0);
    if (r < 0) fail("reply", r, 3);
  }
}
