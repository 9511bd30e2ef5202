// Devices: the driver syscalls: device_attach,
// device_info, timer_set, console_rx, console_tx, audio_submit, fb_write,
// fb_present, rng_read. Each call decodes and checks everything first, then
// acts; a model is only called once the call can no longer fail.

import { Constants, Errno, Limits, ObjectType, Rights } from "../../abi/gen/abi.ts";
import type { AudioModel, ConsoleModel, DeviceModel, FramebufferModel, RngModel, SampleSource, TimerModel } from "../devices/contract.ts";
import { type Cap, holdCap, releaseHeld } from "../handles.ts";
import type { KernelCore } from "../core.ts";
import { Device } from "../devices/device.ts";
import { Endpoint } from "../objects/endpoint.ts";
import { MemoryObject } from "../objects/memory.ts";
import type { Process } from "../objects/process.ts";
import { deadlineToTime } from "../clock.ts";

/** The device behind a handle of any device type, with `need`; or a negative errno. */
function anyDevice(p: Process, handle: number, need: number): Device | number {
  return p.handles.get(handle, Device, need);
}

/** The model of a device of `type` behind a handle with `need`; or a negative errno. */
function model<M extends DeviceModel>(p: Process, handle: number, type: number, need: number): M | number {
  const dev = p.handles.get(handle, Device, need, type);
  return typeof dev === "number" ? dev : (dev.model as M); // the object type fixes the model's kind
}

/** Another live process holds the attachment of dev and its endpoint is open. */
function attachedByOther(dev: Device, p: Process): boolean {
  const a = dev.liveAttachment();
  return a !== null && a.owner !== p && !a.owner.exited;
}

export function sysDeviceAttach(_k: KernelCore, p: Process, device: number, endpoint: number, code: number): number {
  const dev = anyDevice(p, device, Rights.ATTACH);
  if (typeof dev === "number") return dev;
  if (endpoint === Constants.HANDLE_INVALID) {
    if (attachedByOther(dev, p)) return -Errno.EBUSY;
    dev.detach();
    return 0;
  }
  const epCap = p.handles.cap(endpoint);
  if (typeof epCap === "number") return epCap;
  const ep = epCap.object;
  if (!(ep instanceof Endpoint)) return -Errno.EWRONGTYPE;
  if ((epCap.rights & Rights.SEND) === 0) return -Errno.EACCES;
  if (ep.closed) return -Errno.ECLOSED;
  if (attachedByOther(dev, p)) return -Errno.EBUSY;
  dev.detach();
  dev.attachment = { cap: holdCap(epCap.derive(Rights.SEND)), code, owner: p };
  return 0;
}

export function sysDeviceInfo(_k: KernelCore, p: Process, device: number, key: number): bigint {
  const dev = anyDevice(p, device, 0);
  if (typeof dev === "number") return BigInt(dev);
  let v: number | null;
  switch (key) {
    case Constants.DEVINFO_ATTACHED:
      v = dev.liveAttachment() === null ? 0 : 1;
      break;
    case Constants.DEVINFO_IRQ_RAISED:
      v = dev.irqRaised;
      break;
    case Constants.DEVINFO_IRQ_LOST:
      v = dev.irqLost;
      break;
    case Constants.DEVINFO_FAILED:
      v = dev.model.failure === null ? 0 : 1;
      break;
    default:
      v = dev.model.info(key);
  }
  if (v === null) return BigInt(-Errno.EINVAL);
  return v === Infinity ? Constants.DEADLINE_INFINITE : BigInt(Math.max(0, Math.floor(v)));
}

export function sysTimerSet(_k: KernelCore, p: Process, timer: number, deadline: bigint): number {
  const m = model<TimerModel>(p, timer, ObjectType.DEV_TIMER, Rights.WRITE);
  if (typeof m === "number") return m;
  if (deadline < 0n) return -Errno.EINVAL;
  if (m.failure !== null) return -Errno.EIO;
  return m.arm(deadlineToTime(deadline)) ? 1 : 0;
}

export function sysConsoleRx(_k: KernelCore, p: Process, console: number, bufPtr: number, bufLen: number): number {
  const m = model<ConsoleModel>(p, console, ObjectType.DEV_CONSOLE, Rights.READ);
  if (typeof m === "number") return m;
  if (bufLen < 1 || bufLen > Limits.MAX_IO_BYTES) return -Errno.EINVAL;
  const buf = p.memory!.slice(bufPtr, bufLen);
  if (buf === null) return -Errno.EFAULT;
  if (m.failure !== null) return -Errno.EIO;
  if (m.buffered === 0) return m.ended ? 0 : -Errno.EAGAIN;
  return m.read(buf);
}

export function sysConsoleTx(k: KernelCore, p: Process, console: number, bufPtr: number, bufLen: number): number {
  const m = model<ConsoleModel>(p, console, ObjectType.DEV_CONSOLE, Rights.WRITE);
  if (typeof m === "number") return m;
  if (bufLen < 0 || bufLen > Limits.MAX_IO_BYTES) return -Errno.EINVAL;
  const bytes = p.memory!.slice(bufPtr, bufLen);
  if (bytes === null) return -Errno.EFAULT;
  if (m.failure !== null) return -Errno.EIO;
  k.trace.enabled && k.trace.record(k.clock.now(), p.pid, "console-tx", String(bufLen));
  m.write(bytes);
  return bufLen;
}

/**
 * Check where audio_submit's buffer lives; returns what makes its
 * SampleSource once nothing can fail any more, or a negative errno. Nothing
 * is copied: the device reads the bytes in place when the buffer's turn
 * comes. HANDLE_SELF: the caller's own memory, looked up again at that moment
 * (an ended process reads as gone). A MEMORY handle with READ: the shared
 * object, through a capability the device holds until the buffer is taken or
 * discarded, derived from the caller's: revoking it (or the object) makes the
 * buffer read as gone.
 */
function checkSource(p: Process, source: number, offset: number, bytes: number): (() => SampleSource) | number {
  if (source === Constants.HANDLE_SELF) {
    if (!p.memory!.inBounds(offset, bytes)) return -Errno.EFAULT;
    return () => ({ read: () => p.memory?.slice(offset, bytes) ?? null, release: () => {} });
  }
  const obj = p.handles.get(source, MemoryObject, Rights.READ);
  if (typeof obj === "number") return obj;
  const mem = obj;
  if (offset < 0) return -Errno.EINVAL;
  if (mem.revoked) return -Errno.EREVOKED;
  if (offset + bytes > mem.size) return -Errno.ERANGE;
  const cap = p.handles.cap(source) as Cap;
  return () => {
    let held: Cap | null = holdCap(cap.derive(Rights.READ));
    return {
      read: () => (held === null || held.revoked || mem.revoked ? null : mem.bytes.slice(offset, bytes)),
      release: () => {
        if (held !== null) releaseHeld(held);
        held = null;
      },
    };
  };
}

export function sysAudioSubmit(
  _k: KernelCore,
  p: Process,
  audio: number,
  source: number,
  offset: number,
  frames: number,
  flags: number,
): number {
  const m = model<AudioModel>(p, audio, ObjectType.DEV_AUDIO, Rights.WRITE);
  if (typeof m === "number") return m;
  if (source !== Constants.HANDLE_SELF) {
    const obj = p.handles.get(source, MemoryObject, Rights.READ);
    if (typeof obj === "number") return obj;
  }
  if (frames < 1 || frames > Limits.MAX_AUDIO_FRAMES || (flags & ~Constants.AUDIO_SUBMIT_END) !== 0) return -Errno.EINVAL;
  const makeSource = checkSource(p, source, offset, frames * Constants.AUDIO_FRAME_BYTES);
  if (typeof makeSource === "number") return makeSource;
  if (m.failure !== null) return -Errno.EIO;
  if (m.queued >= Limits.MAX_AUDIO_QUEUED) return -Errno.EAGAIN;
  return m.submit(frames, makeSource(), (flags & Constants.AUDIO_SUBMIT_END) !== 0) & 0x7fffffff;
}

export function sysFbWrite(_k: KernelCore, p: Process, fb: number, offset: number, bufPtr: number, bufLen: number): number {
  const m = model<FramebufferModel>(p, fb, ObjectType.DEV_FRAMEBUFFER, Rights.WRITE);
  if (typeof m === "number") return m;
  if (offset < 0 || bufLen < 0 || offset + bufLen > m.width * m.height * 4) return -Errno.EINVAL;
  const bytes = p.memory!.slice(bufPtr, bufLen);
  if (bytes === null) return -Errno.EFAULT;
  if (m.failure !== null) return -Errno.EIO;
  m.pixels().set(bytes, offset);
  return bufLen;
}

export function sysFbPresent(_k: KernelCore, p: Process, fb: number): number {
  const m = model<FramebufferModel>(p, fb, ObjectType.DEV_FRAMEBUFFER, Rights.WRITE);
  if (typeof m === "number") return m;
  if (m.failure !== null) return -Errno.EIO;
  return m.present();
}

export function sysRngRead(_k: KernelCore, p: Process, rng: number, bufPtr: number, bufLen: number): number {
  const m = model<RngModel>(p, rng, ObjectType.DEV_RNG, Rights.READ);
  if (typeof m === "number") return m;
  if (bufLen < 0 || bufLen > Limits.MAX_IO_BYTES) return -Errno.EINVAL;
  const buf = p.memory!.slice(bufPtr, bufLen);
  if (buf === null) return -Errno.EFAULT;
  if (m.failure !== null) return -Errno.EIO;
  m.fill(buf);
  return bufLen;
}

/** Rights of fb_memory's handle: these, and WRITE when the framebuffer handle has it. */
const FB_MEMORY_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.MAP;

export function sysFbMemory(_k: KernelCore, p: Process, fb: number): number {
  const dev = p.handles.get(fb, Device, Rights.READ, ObjectType.DEV_FRAMEBUFFER);
  if (typeof dev === "number") return dev;
  const mem = dev.memory;
  if (mem === null) return -Errno.ENOENT;
  if (p.handles.full) return -Errno.EMFILE;
  return p.handles.insert(mem, FB_MEMORY_RIGHTS | (p.handles.rightsOf(fb) & Rights.WRITE));
}
