// pcm audio driver: holds the audio device and a read-only handle to the
// PCM buffer. On "buffer ready" it has the device consume the buffer straight
// from the memory object (audio_submit: nothing copied) and replies only when
// the device has taken it (IRQ_AUDIO_PERIOD for that ticket), which paces the
// whole pipeline at 20 ms a period. The last period is submitted with
// AUDIO_SUBMIT_END; the driver then waits for IRQ_AUDIO_DRAINED.
//
//   pcm-driver <periods>
//
// Handles: "pcm" (READ), "audio" (the device: WRITE|ATTACH), "ep" (its endpoint).
// After the last period, one more "buffer ready" (sent by init after it
// revoked the buffer) shows what the driver sees then.
import {
  args, audioSubmitMemory, deviceAttach, deviceInfo, errnoName, exit, handle, irqCode, irqDatum, irqKind, println,
  forever, receive, reply, replyError, word, DEVINFO_AUDIO_UNDERRUNS, IRQ_AUDIO_DRAINED, IRQ_AUDIO_PERIOD,
} from "@wasmos/sdk";
import { FRAMES, PING } from "./signal";

const AUDIO_IRQ = 1;
const periods = I32.parseInt(args()[1]);
const pcm = handle("pcm");
const audio = handle("audio");
const ep = handle("ep");

const a = deviceAttach(audio, ep, AUDIO_IRQ);
if (a < 0) {
  println("driver: cannot attach the audio device: " + errnoName(-a));
  exit(1);
}

let submitted = 0;
let waiting = 0; // the producer's receive id, answered when its buffer is taken
let ticket = -1;
let drained = false;
let sawRevoke = false;

/** One message (an interrupt or a buffer-ready request); false once drained and past the revoke. Called through forever. */
function serveOne(): bool {
  if (drained && sawRevoke) return false;
  const r = receive(ep);
  if (r < 0) {
    println("driver: receive failed: " + errnoName(-r));
    exit(1);
  }
  if (r == 0) {
    if (irqCode() != AUDIO_IRQ) return true;
    const kind = irqKind();
    if (kind == IRQ_AUDIO_PERIOD && waiting > 0 && <i32>irqDatum() == ticket) {
      reply(waiting, 0); // the device has read the buffer: the producer may refill it
      waiting = 0;
    } else if (kind == IRQ_AUDIO_DRAINED) {
      drained = true;
      println("driver: drained after " + submitted.toString() + " periods, underruns " +
        deviceInfo(audio, DEVINFO_AUDIO_UNDERRUNS).toString());
    }
    return true;
  }
  const id = word(0);
  if (id == PING) {
    reply(r, 0);
    return true;
  }
  if (submitted == periods) {
    // Past the end: init has revoked the buffer and asks us to look once more.
    const t = audioSubmitMemory(audio, pcm, 0, FRAMES);
    sawRevoke = true;
    if (t < 0) {
      println("driver: buffer " + id.toString() + " after the revoke: audio_submit -> " + errnoName(-t));
      replyError(r, -t);
    } else {
      println("driver: buffer " + id.toString() + " after the revoke: audio_submit still accepted (ticket " + t.toString() + ")");
      reply(r, 0);
    }
    return true;
  }
  const t = audioSubmitMemory(audio, pcm, 0, FRAMES, submitted == periods - 1);
  if (t < 0) {
    println("driver: audio_submit failed: " + errnoName(-t));
    replyError(r, -t);
    return true;
  }
  submitted++;
  waiting = r;
  ticket = t;
  return true;
}
forever(serveOne);
