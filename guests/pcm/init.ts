// pcm init: the root of the PCM audio pipeline (README "The demo").
// Holds the audio device, the framebuffer and the console; creates the one
// 3840-byte PCM buffer (960 frames of 48 kHz s16le stereo = 20 ms) and an
// endpoint per consumer, and spawns, each with only the capabilities it needs:
//   producer   the buffer READ|WRITE (bound grant), send rights to the three consumers
//   driver     the buffer READ, the audio device
//   vu         the buffer READ|MAP without WRITE (it maps the left channel as a window)
//   visualizer the buffer READ (bound read-only grant), the framebuffer memory (read-write
//              grant) and the framebuffer device
// When the producer is done it revokes the buffer (handle_revoke: every
// capability derived from its own), asks the surviving consumers to look
// at the buffer once more, and reports what each saw.
//
//   pcm-init <periods> [ping batches] [pings per batch]
//
// Handles: "audio", "fb", "console" (devices), "producer", "driver", "vu",
// "visualizer" (images).
import {
  args, consolePrint, dup, endpointCreate, errnoName, exit, fbMemory, handle, memoryCreate, NamedHandle, println,
  revoke, send, close, spawn, wait, ExitStatus, exitReasonName,
  RIGHT_ATTACH, RIGHT_MAP, RIGHT_READ, RIGHT_SEND, RIGHT_TRANSFER, RIGHT_WRITE,
} from "@wasmos/sdk";
import { PERIOD_BYTES } from "./signal";

const argv = args();
const periods = argv.length > 1 ? argv[1] : "150";
const batches = argv.length > 2 ? argv[2] : "0";
const perBatch = argv.length > 3 ? argv[3] : "0";

/** init speaks through the console device it holds. */
function say(line: string): void {
  consolePrint(con, line + "\n");
}

function check(what: string, h: i32): i32 {
  if (h < 0) {
    println("init: " + what + ": " + errnoName(-h));
    exit(1);
  }
  return h;
}

const audio = check("audio device", handle("audio"));
const fbdev = check("framebuffer", handle("fb"));
const con = check("console", handle("console"));

const pcm = check("memory_create", memoryCreate(PERIOD_BYTES));
// Narrowed handles made for one child each are moved into it (TRANSFER alone:
// the child cannot pass on copies); revoking `pcm` still reaches every one.
const pcmRead = check("dup", dup(pcm, RIGHT_READ | RIGHT_TRANSFER));
const VIEW = RIGHT_READ | RIGHT_MAP | RIGHT_TRANSFER;
const fbPixels = check("fb_memory", fbMemory(fbdev));

const epDriver = check("endpoint", endpointCreate());
const epVu = check("endpoint", endpointCreate());
const epVis = check("endpoint", endpointCreate());
const SEND = RIGHT_SEND | RIGHT_TRANSFER;
// init keeps only send rights: once a consumer is gone, its endpoint has no receiver (ECLOSED).
const asks: i32[] = [check("dup", dup(epDriver, SEND)), check("dup", dup(epVu, SEND)), check("dup", dup(epVis, SEND))];

say("init: pcm buffer " + PERIOD_BYTES.toString() + " bytes; spawning driver, vu meter, visualizer, producer for " +
  periods + " periods");

const driver = check("spawn driver", spawn(handle("driver"), ["pcm-driver", periods], [
  new NamedHandle("pcm", pcmRead, true),
  new NamedHandle("audio", check("dup", dup(audio, RIGHT_WRITE | RIGHT_ATTACH | RIGHT_READ | RIGHT_TRANSFER)), true),
  new NamedHandle("ep", epDriver),
]));
const vu = check("spawn vu", spawn(handle("vu"), ["pcm-vu", periods], [
  new NamedHandle("pcm", check("dup", dup(pcm, VIEW)), true),
  new NamedHandle("ep", epVu),
]));
const vis = check("spawn visualizer", spawn(handle("visualizer"), ["pcm-visualizer"], [
  new NamedHandle("pcm", check("dup", dup(pcm, VIEW)), true),
  new NamedHandle("fb", fbPixels, true),
  new NamedHandle("fbdev", check("dup", dup(fbdev, RIGHT_WRITE | RIGHT_READ | RIGHT_TRANSFER)), true),
  new NamedHandle("ep", epVis),
]));
const producer = check("spawn producer", spawn(handle("producer"), ["pcm-producer", periods, batches, perBatch], [
  new NamedHandle("pcm", pcm),
  new NamedHandle("driver", check("dup", dup(epDriver, SEND)), true),
  new NamedHandle("vu", check("dup", dup(epVu, SEND)), true),
  new NamedHandle("vis", check("dup", dup(epVis, SEND)), true),
]));
close(epDriver);
close(epVu);
close(epVis);

function describe(e: ExitStatus): string {
  if (!e.ok) return "wait failed: " + errnoName(e.errno);
  if (e.reason == 0) return "exited " + e.status.toString();
  return "ended by the kernel: " + exitReasonName(e.reason);
}

const p = wait(producer);
say("init: producer " + describe(p));

// Revoke the buffer: every capability derived from ours, in every process, at once.
const r = revoke(pcm);
say("init: revoked the pcm buffer (" + r.toString() + " capabilities)");
// Ask each consumer to look at it once more (the id is all a message carries).
const names: string[] = ["driver", "vu", "visualizer"];
const answers: string[] = [];
for (let i = 0; i < 3; i++) {
  const s = send(asks[i], <i64>pcm);
  answers.push(s < 0 ? errnoName(-s) : "ok");
}
const ends: ExitStatus[] = [wait(driver), wait(vu), wait(vis)];
say("init: after the revoke:");
for (let i = 0; i < 3; i++) {
  say("init:   " + names[i] + ": its answer " + answers[i] + "; " + describe(ends[i]));
}
