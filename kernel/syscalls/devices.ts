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
 * A buffer in the caller's own memory (HANDLE_SELF), looked up again when
 * its turn comes (an ended process reads as gone). One object a submit: the
 * source is the queued buffer's, never shared.
 */
class SelfSource implements SampleSource {
  private readonly p: Process;
  private readonly offset: number;
  private readonly bytes: number;
  constructor(p: Process, offset: number, bytes: number) {
    this.p = p;
    this.offset = offset;
    this.bytes = bytes;
  }
  read(): Uint8Array | null {
    return this.p.memory?.slice(this.offset, this.bytes) ?? null;
  }
  release(): void {}
}

/**
 * A buffer in a shared memory object, read through a capability derived from
 * the caller's (READ) and held by the kernel from the submit until the
 * buffer is taken or discarded: revoking the caller's cap or an ancestor
 * (or the object) revokes it in the same cascade, and the buffer reads as
 * gone. Each submit derives its own cap (hold(), once nothing can fail), so a
 * revoke that ended an earlier submit's cap never reaches a later one's. One
 * object a submit instead of a closure making an object of two closures.
 */
class HeldMemorySource implements SampleSource {
  private held: Cap | null = null;
  private readonly cap: Cap;
  private readonly mem: MemoryObject;
  private readonly offset: number;
  private readonly bytes: number;
  constructor(cap: Cap, mem: MemoryObject, offset: number, bytes: number) {
    this.cap = cap;
    this.mem = mem;
    this.offset = offset;
    this.bytes = bytes;
  }
  /** Derive and hold this buffer's cap; called once, after the last check. */
  hold(): this {
    this.held = holdCap(this.cap.derive(Rights.READ));
    return this;
  }
  read(): Uint8Array | null {
    const held = this.held;
    return held === null || held.revoked || this.mem.revoked ? null : this.mem.bytes.slice(this.offset, this.bytes);
  }
  release(): void {
    if (this.held !== null) releaseHeld(this.held);
    this.held = null;
  }
}

/**
 * Check where audio_submit's buffer lives; returns its SampleSource (nothing
 * held yet: HeldMemorySource.hold() once nothing can fail any more), or a
 * negative errno. Nothing is copied: the device reads the bytes in place
 * when the buffer's turn comes. HANDLE_SELF: the caller's own memory. A
 * MEMORY handle with READ: the shared object, through a capability the
 * device holds until the buffer is taken or discarded (HeldMemorySource).
 */
function checkSource(p: Process, source: number, offset: number, bytes: number): SelfSource | HeldMemorySource | number {
  if (source === Constants.HANDLE_SELF) {
    if (!p.memory!.inBounds(offset, bytes)) return -Errno.EFAULT;
    return new SelfSource(p, offset, bytes);
  }
  const obj = p.handles.get(source, MemoryObject, Rights.READ);
  if (typeof obj === "number") return obj;
  const mem = obj;
  if (offset < 0) return -Errno.EINVAL;
  if (mem.revoked) return -Errno.EREVOKED;
  if (offset + bytes > mem.size) return -Errno.ERANGE;
  return new HeldMemorySource(p.handles.cap(source) as Cap, mem, offset, bytes);
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
  const src = checkSource(p, source, offset, frames * Constants.AUDIO_FRAME_BYTES);
  if (typeof src === "number") return src;
  if (m.failure !== null) return -Errno.EIO;
  if (m.queued >= Limits.MAX_AUDIO_QUEUED) return -Errno.EAGAIN;
  return m.submit(frames, src instanceof HeldMemorySource ? src.hold() : src, (flags & Constants.AUDIO_SUBMIT_END) !== 0) & 0x7fffffff;
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
