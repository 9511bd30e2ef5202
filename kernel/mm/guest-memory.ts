// GuestMemory: the one bounds-checked path from a guest pointer to bytes.
// Every pointer and length a syscall receives passes through here; an
// out-of-range access yields false/null (the caller returns EFAULT), never a
// host exception.

import { Errno, Limits, type StructMemory } from "../../abi/gen/abi.ts";

/** The one rule for names (handles, the registry, ports, spawn): strict UTF-8, a malformed name is refused. */
const utf8 = new TextDecoder("utf-8", { fatal: true });
/** For messages people read (panic): malformed bytes become U+FFFD. */
const lossy = new TextDecoder("utf-8", { fatal: false });

/** The views before the first access: length 0, as a detached buffer's, so refresh() makes the real ones. */
const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(new ArrayBuffer(0));

/** Anything with a growable `buffer` (a WebAssembly.Memory in practice). */
export interface MemorySource {
  readonly buffer: ArrayBuffer;
}

export class GuestMemory implements StructMemory {
  private readonly source: MemorySource;
  private bytes: Uint8Array;
  private view: DataView;

  /** The views are made at the first access: a process the kernel never reads or writes (one that only computes and exits) costs none. */
  constructor(source: MemorySource) {
    this.source = source;
    this.bytes = NO_BYTES;
    this.view = NO_VIEW;
  }

  /**
   * Current bytes. Growing a (never shared) memory detaches its old buffer,
   * which then reads as length 0: only then (and before the first access) is
   * the native `buffer` getter worth calling. This runs on every pointer check.
   */
  private refresh(): void {
    if (this.bytes.byteLength === 0) {
      this.bytes = new Uint8Array(this.source.buffer);
      this.view = new DataView(this.source.buffer);
    }
  }

  /**
   * A fresh Int32Array over the whole memory now, for a caller that writes aligned words itself (a pulse
   * pair's IPC buffers: host/runtime/fast-yield.ts); on a little-endian host its words are wasm's. Length 0
   * once the memory grows (the caller makes another then).
   */
  int32(): Int32Array {
    return new Int32Array(this.source.buffer);
  }

  /** Bytes now. Makes no views: the grow limit reads it at instantiation, and a process the kernel never reads or writes should still cost none. */
  get size(): number {
    const n = this.bytes.byteLength;
    return n !== 0 ? n : this.source.buffer.byteLength;
  }

  /** True when [ptr, ptr+len) lies inside memory. ptr is read as unsigned, len must be >= 0. */
  inBounds(ptr: number, len: number): boolean {
    if (len < 0) return false;
    this.refresh();
    const p = ptr >>> 0;
    return p + len <= this.bytes.byteLength;
  }

  /** A live view of [ptr, ptr+len) (no copy), or null when out of bounds. Valid until memory grows. */
  slice(ptr: number, len: number): Uint8Array | null {
    if (!this.inBounds(ptr, len)) return null;
    const p = ptr >>> 0;
    return this.bytes.subarray(p, p + len);
  }

  /** A copy of [ptr, ptr+len), or null when out of bounds. */
  copyOut(ptr: number, len: number): Uint8Array | null {
    const s = this.slice(ptr, len);
    return s === null ? null : s.slice();
  }

  /** Write bytes at ptr; false (and nothing written) when any byte would fall outside. */
  write(ptr: number, data: Uint8Array): boolean {
    if (!this.inBounds(ptr, data.byteLength)) return false;
    this.bytes.set(data, ptr >>> 0);
    return true;
  }

  /**
   * A name argument (ptr, len): 1..MAX_NAME_BYTES bytes of well-formed UTF-8.
   * Returns the string, -EINVAL (length out of range, or not UTF-8) or -EFAULT
   * (outside memory).
   */
  readName(ptr: number, len: number): string | number {
    if (len <= 0 || len > Limits.MAX_NAME_BYTES) return -Errno.EINVAL;
    const bytes = this.slice(ptr, len);
    if (bytes === null) return -Errno.EFAULT;
    try {
      return utf8.decode(bytes);
    } catch {
      return -Errno.EINVAL;
    }
  }

  /** Text for people (a panic message): lossy UTF-8, or null when outside memory. */
  readText(ptr: number, len: number): string | null {
    const bytes = this.slice(ptr, len);
    return bytes === null ? null : lossy.decode(bytes);
  }

  /** Little-endian accessors; callers check bounds first with inBounds. */
  u8(ptr: number): number {
    this.refresh();
    return this.bytes[ptr >>> 0];
  }
  setU8(ptr: number, v: number): void {
    this.refresh();
    this.bytes[ptr >>> 0] = v;
  }
  setU16(ptr: number, v: number): void {
    this.refresh();
    this.view.setUint16(ptr >>> 0, v & 0xffff, true);
  }
  u16(ptr: number): number {
    this.refresh();
    return this.view.getUint16(ptr >>> 0, true);
  }
  i64(ptr: number): bigint {
    this.refresh();
    return this.view.getBigInt64(ptr >>> 0, true);
  }
  u32(ptr: number): number {
    this.refresh();
    return this.view.getUint32(ptr >>> 0, true);
  }
  setU32(ptr: number, v: number): void {
    this.refresh();
    this.view.setUint32(ptr >>> 0, v >>> 0, true);
  }
  setI32(ptr: number, v: number): void {
    this.refresh();
    this.view.setInt32(ptr >>> 0, v | 0, true);
  }
  setU64(ptr: number, v: bigint): void {
    this.refresh();
    this.view.setBigUint64(ptr >>> 0, v, true);
  }
  i32(ptr: number): number {
    this.refresh();
    return this.view.getInt32(ptr >>> 0, true);
  }
  /** Four i32 at ptr (the IPC buffer: in bounds, checked once at ipc_buffer). */
  setI32x4(ptr: number, words: Int32Array): void {
    this.refresh();
    const v = this.view;
    ptr >>>= 0;
    v.setInt32(ptr, words[0], true);
    v.setInt32(ptr + 4, words[1], true);
    v.setInt32(ptr + 8, words[2], true);
    v.setInt32(ptr + 12, words[3], true);
  }
  /** Words 0..n-1 (n <= 4) of the four at ptr into out, the rest 0. */
  readI32x4(ptr: number, n: number, out: Int32Array): void {
    this.refresh();
    const v = this.view;
    ptr >>>= 0;
    for (let i = 0; i < 4; i++) out[i] = i < n ? v.getInt32(ptr + 4 * i, true) : 0;
  }
  u64(ptr: number): bigint {
    this.refresh();
    return this.view.getBigUint64(ptr >>> 0, true);
  }
  setI64(ptr: number, v: bigint): void {
    this.refresh();
    this.view.setBigInt64(ptr >>> 0, v, true);
  }
}
