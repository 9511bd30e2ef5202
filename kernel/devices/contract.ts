// The kernel's side of the HAL: what a device model must offer the kernel and
// what the kernel offers it. Device models live in hal/ (which cannot import
// kernel/) and implement these interfaces structurally; the host wires the two
// (host/kernel.ts createDevice). The kernel never sees a backend (a file, a
// terminal, WebAudio): only these calls.
//
// Contract for every model: a call from the kernel never throws. A backend
// error makes the model fail (failure != null, the kernel answers EIO from
// then on) and is reported through DeviceContext.log.

/** What a device may use of the kernel. Given once, when the device becomes a kernel object. */
export interface DeviceContext {
  /** The kernel clock in ns since boot: virtual in deterministic mode, the wall clock in real-time mode. */
  now(): number;
  /** A one-shot deadline on the kernel clock (there is no periodic tick). Returns a canceller. */
  setTimer(deadline: number, fire: () => void): () => void;
  /**
   * Raise an interrupt: an IRQ_* kind and an unsigned 32-bit datum, delivered
   * as a pulse to the endpoint the driver attached (dropped, and counted, when
   * none can take it).
   */
  interrupt(kind: number, datum: number): void;
  /** A line for the kernel log (why the device failed). */
  log(line: string): void;
}

export interface DeviceModel {
  /** Its object type: ObjectType.DEV_*. */
  readonly objectType: number;
  /** For messages and the log. */
  readonly name: string;
  /** Why it takes no more work (its backend failed, the host shut it down), or null. */
  readonly failure: string | null;
  /** Called once, before any other call. */
  bind(ctx: DeviceContext): void;
  /** A DEVINFO_* fact of this kind of device, or null when the key is not one of its kind's. */
  info(key: number): number | null;
  /** The last reference is gone (or the host shuts it down): stop timers, flush and close backends. Idempotent. */
  close(): void;
}

/** DEV_TIMER: one deadline at a time; its expiry raises IRQ_TIMER. */
export interface TimerModel extends DeviceModel {
  /** Arm the deadline (Infinity disarms). Returns whether an armed deadline was replaced or disarmed. */
  arm(deadline: number): boolean;
}

/** DEV_CONSOLE: output bytes; input bytes buffered until read (arrivals raise IRQ_CONSOLE_RX). */
export interface ConsoleModel extends DeviceModel {
  /** Input bytes waiting. */
  readonly buffered: number;
  /** Input has ended (buffered bytes may remain). */
  readonly ended: boolean;
  /** Move up to into.length waiting bytes into `into`; returns how many (0 when none wait). */
  read(into: Uint8Array): number;
  /** Output bytes; `bytes` is a view of guest memory, consumed before write returns. */
  write(bytes: Uint8Array): void;
}

/** Where an audio buffer's bytes are. The device reads it once, when the buffer's turn comes. */
export interface SampleSource {
  /**
   * The buffer's bytes now: a view of exactly the buffer in the source
   * memory (no copy; valid only during the call), or null when the source is
   * gone (its process ended, its capability or memory object was revoked).
   */
  read(): Uint8Array | null;
  /** The device is done with the buffer (taken, or discarded when the device stopped): drop what keeps the source. Called once. */
  release(): void;
}

/** DEV_AUDIO: plays submitted buffers one at a time at its own pace, counting underruns. */
export interface AudioModel extends DeviceModel {
  /** Buffers submitted and not yet taken. */
  readonly queued: number;
  /**
   * Queue a buffer of `frames` frames (the kernel checked the range and that
   * fewer than MAX_AUDIO_QUEUED wait). Returns its ticket. `end`: the stream
   * ends with it.
   */
  submit(frames: number, source: SampleSource, end: boolean): number;
}

/** DEV_FRAMEBUFFER: width x height RGBA pixels; present() shows them. */
export interface FramebufferModel extends DeviceModel {
  readonly width: number;
  readonly height: number;
  /** The pixels, live: width * height * 4 bytes, rows top to bottom. */
  pixels(): Uint8Array;
  /** The pixels form a frame: show it. Returns the frame's number (from 1). */
  present(): number;
}

/** DEV_RNG: a generator of its own. */
export interface RngModel extends DeviceModel {
  fill(out: Uint8Array): void;
}

/** A host file as DEV_HOSTDIR describes it (hostdir_stat). */
export interface HostFileStat {
  type: number;
  size: number;
  ino: number;
  nlink: number;
  mtimeNs: number;
}

/** One directory entry (hostdir_dirent plus its name). */
export interface HostDirEntry {
  name: string;
  type: number;
  ino: number;
}

/**
 * DEV_HOSTDIR: one directory of the host. Paths are the guest's, unchecked
 * (the model checks them and keeps every call inside its root). Every call
 * answers a result or a negative errno, never throws; a string/object/array
 * result is success.
 */
export interface HostDirModel extends DeviceModel {
  readonly readOnly: boolean;
  stat(path: string, follow: boolean): HostFileStat | number;
  read(path: string, offset: number, into: Uint8Array): number;
  write(path: string, offset: number, data: Uint8Array, create: boolean): number;
  create(path: string, exclusive: boolean, truncate: boolean): number;
  setSize(path: string, size: number): number;
  /** follow = false: a final symbolic link gets the time itself. */
  setTimes(path: string, mtimeNs: number, follow?: boolean): number;
  list(path: string): HostDirEntry[] | number;
  mkdir(path: string): number;
  remove(path: string): number;
  rename(from: string, to: string): number;
  symlink(target: string, path: string): number;
  /** A hard link at `path` to the regular file `existing` (HOSTDIR_LINK). */
  link(existing: string, path: string): number;
  readlink(path: string): string | number;
  /**
   * Open files (HOSTDIR_OPEN): kept by the model for `owner` (a pid) under
   * an id (> 0) until closeOpen or closeOwner. Every call on an id checks
   * it was issued to that owner and is still open (-EBADF otherwise).
   */
  open(owner: number, path: string, write: boolean, create: boolean, exclusive: boolean, truncate: boolean): number;
  readOpen(owner: number, id: number, offset: number, into: Uint8Array): number;
  writeOpen(owner: number, id: number, offset: number, data: Uint8Array): number;
  statOpen(owner: number, id: number): HostFileStat | number;
  setSizeOpen(owner: number, id: number, size: number): number;
  setTimesOpen(owner: number, id: number, mtimeNs: number): number;
  closeOpen(owner: number, id: number): number;
  /** Close every file `owner` has open (the kernel calls it when the owner no longer holds the device). */
  closeOwner(owner: number): void;
}
