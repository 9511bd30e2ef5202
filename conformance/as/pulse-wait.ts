// pulseWait in the SDK: it declares the IPC buffer itself; the pulse, then the wait on one endpoint
// (the caller takes its own pulse: words in the IPC buffer, the value sign-extended in word(1));
// refusals are values.
import { close, dup, endpointCreate, errnoName, ipcWord, println, pulse, pulseWait, word, RIGHT_SEND } from "@wasmos/sdk";

const ep = endpointCreate();
println(pulseWait(ep, 7, -5, ep).toString());
println(ipcWord(0).toString() + " " + ipcWord(1).toString() + " " + word(1).toString());

// No receiver any more: ECLOSED.
const gone = endpointCreate();
const send = dup(gone, RIGHT_SEND);
close(gone);
println(errnoName(pulseWait(send, 1, 0, ep)));

// MAX_PENDING_PULSES already pending on q: EAGAIN.
const q = endpointCreate();
for (let i = 0; i < 16; i++) pulse(q, 100 + i, i);
println(errnoName(pulseWait(q, 1, 0, ep)));
// Take them back with pulseWait(ep, ..., q): each pulses ep (queued: nobody waits there) and takes q's next.
let codes = 0;
for (let i = 0; i < 16; i++) {
  if (pulseWait(ep, 200 + i, 0, q) != 0) println("expected a pulse");
  codes += ipcWord(0);
}
println(codes.toString());
