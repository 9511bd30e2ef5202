// Devices for AssemblyScript guests: routing a device's interrupts to an
// endpoint and decoding them, and wrappers for the timer, console, audio,
// framebuffer and RNG devices. A driver's loop: attach the device to an
// endpoint, start the device, then receive() and act on irqKind()/irqDatum().
// Raw results keep the ABI convention: negative means -errno.

import {
  sys_audio_submit, sys_console_rx, sys_console_tx, sys_device_attach, sys_device_info, sys_fb_memory, sys_fb_present,
  sys_fb_write, sys_rng_read, sys_timer_set,
  AUDIO_FRAME_BYTES, AUDIO_SUBMIT_END, HANDLE_INVALID, HANDLE_SELF, IRQ_KIND_SHIFT,
} from "./bindings/abi";
import { word } from "./ipc";

// ---- interrupts -------------------------------------------------------------------

/** Send the device's interrupts to `endpoint` as pulses with word 0 = code. 0 or -errno. */
export function deviceAttach(device: i32, endpoint: i32, code: i32 = 0): i32 {
  return sys_device_attach(device, endpoint, code);
}

/** Stop the device's interrupts. 0 or -errno. */
export function deviceDetach(device: i32): i32 {
  return sys_device_attach(device, HANDLE_INVALID, 0);
}

/** One DEVINFO_* fact about a device, or -errno. */
export function deviceInfo(device: i32, key: i32): i64 {
  return sys_device_info(device, key);
}

/** The IRQ_* kind of the interrupt pulse just received. */
export function irqKind(): i32 {
  return <i32>(<u64>word(1) >> IRQ_KIND_SHIFT);
}

/** The datum of the interrupt pulse just received (a ticket, a count). */
export function irqDatum(): u32 {
  return <u32>word(1);
}

/** The code the device was attached with (word 0 of the pulse just received). */
export function irqCode(): i32 {
  return <i32>word(0);
}

// ---- timer ------------------------------------------------------------------------

/** Arm the timer's one deadline (absolute ns); IRQ_TIMER when it passes. 1 if one was replaced, 0, or -errno. */
export function timerSet(timer: i32, deadline: i64): i32 {
  return sys_timer_set(timer, deadline);
}

// ---- console -----------------------------------------------------------------------

/** Write bytes to the console device. The count or -errno. */
export function consoleTx(console: i32, bytes: Uint8Array): i32 {
  return sys_console_tx(console, <i32>bytes.dataStart, bytes.byteLength);
}

/** Write a string (UTF-8) to the console device. */
export function consolePrint(console: i32, s: string): i32 {
  const b = Uint8Array.wrap(String.UTF8.encode(s));
  return consoleTx(console, b);
}

/** Read waiting input into `into`: the count, 0 at end of input, -EAGAIN if none yet (wait for IRQ_CONSOLE_RX). */
export function consoleRx(console: i32, into: Uint8Array): i32 {
  return sys_console_rx(console, <i32>into.dataStart, into.byteLength);
}

// ---- audio -------------------------------------------------------------------------

/**
 * Queue frames of interleaved s16le stereo from the caller's own memory at
 * `samples` for the audio device; it reads them when their turn comes
 * (IRQ_AUDIO_PERIOD with this ticket): do not change them before. The
 * ticket, or -errno.
 */
export function audioSubmit(audio: i32, samples: Int16Array, frames: i32 = samples.length >> 1, end: bool = false): i32 {
  return sys_audio_submit(audio, HANDLE_SELF, <i32>samples.dataStart, frames, end ? AUDIO_SUBMIT_END : 0);
}

/** The same from a memory object (a MEMORY handle with READ) at a byte offset: read in place, never copied. */
export function audioSubmitMemory(audio: i32, memory: i32, offset: i32, frames: i32, end: bool = false): i32 {
  return sys_audio_submit(audio, memory, offset, frames, end ? AUDIO_SUBMIT_END : 0);
}

/** Bytes of `frames` audio frames. */
export function audioBytes(frames: i32): i32 {
  return frames * AUDIO_FRAME_BYTES;
}

// ---- framebuffer -------------------------------------------------------------------

/** Copy RGBA bytes into the framebuffer at a byte offset. The count or -errno. */
export function fbWrite(fb: i32, offset: i32, pixels: Uint8Array): i32 {
  return sys_fb_write(fb, offset, <i32>pixels.dataStart, pixels.byteLength);
}

/** Show the frame. Its number (from 1) or -errno. */
export function fbPresent(fb: i32): i32 {
  return sys_fb_present(fb);
}

/** A MEMORY handle for the framebuffer's pixels (to pass as a `grant` at spawn, or to map), or -errno. */
export function fbMemory(fb: i32): i32 {
  return sys_fb_memory(fb);
}

// ---- RNG -------------------------------------------------------------------------

/** Fill `into` from the RNG device. The count or -errno. */
export function rngRead(rng: i32, into: Uint8Array): i32 {
  return sys_rng_read(rng, <i32>into.dataStart, into.byteLength);
}
