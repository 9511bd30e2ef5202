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
  args, audioSubmitMemory, deviceAttach, deviceInfo, errnoName, exit, handle, ipcWord, irqKind, println,
  forever, replyError, replyWait, DEVINFO_AUDIO_UNDERRUNS, IRQ_AUDIO_DRAINED, IRQ_AUDIO_PERIOD,
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
let answer = 0; // a receive id the next replyWait answers (status 0) before it waits again
let ticket = -1;
let drained = false;
let sawRevoke = false;

/**
 * One message (an interrupt or a buffer-ready request); false once drained and past the revoke. Called
 * through forever. Answers go out with the next wait (replyWait: one call, not reply then receive), and
 * what arrives is read from the IPC buffer (a message's words; a pulse's code and its value's low half,
 * the datum) except the interrupt's kind, the value's high half, which only msg_word gives.
 */
function serveOne(): bool {
  if (drained && sawRevoke) return false;
  const r = replyWait(ep, answer, 0);
  answer = 0;
  if (r < 0) {
    println("driver: receive failed: " + errnoName(-r));
    exit(1);
  }
  if (r == 0) {
    if (ipcWord(0) != AUDIO_IRQ) return true;
    const kind = irqKind();
    if (kind == IRQ_AUDIO_PERIOD && waiting > 0 && ipcWord(1) == ticket) {
      answer = waiting; // the device has read the buffer: the producer may refill it
      waiting = 0;
    } else if (kind == IRQ_AUDIO_DRAINED) {
      drained = true;
      println("driver: drained after " + submitted.toString() + " periods, underruns " +
        deviceInfo(audio, DEVINFO_AUDIO_UNDERRUNS).toString());
    }
    return true;
  }
  const id = ipcWord(0);
  if (id == <i32>PING) {
    answer = r;
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
      answer = r;
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
