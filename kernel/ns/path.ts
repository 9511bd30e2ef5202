// Paths of the namespace: decoding a guest's path argument and normalizing it
// against a DIR's scope. A normalized path is absolute ("/", "/tmp/a"), has no
// empty, "." or ".." component, and never leaves the scope it was resolved in
// (".." at the scope's root stays there: a DIR handle is a chroot).

import { Errno, Limits, type StructMemory } from "../../abi/gen/abi.ts";
import type { GuestMemory } from "../mm/guest-memory.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The last ASCII path readPath made (any kernel's: it is only a string). */
let lastPath = "";

/** Decode a path argument: the string, or -EINVAL (empty, not UTF-8, NUL inside), -ENAMETOOLONG, -EFAULT. */
export function readPath(mem: GuestMemory, ptr: number, len: number): string | number {
  if (len <= 0) return -Errno.EINVAL;
  if (len > Limits.MAX_PATH_BYTES) return -Errno.ENAMETOOLONG;
  if (!mem.inBounds(ptr, len)) return -Errno.EFAULT;
  // The path read last time again (a program opening one file over and over):
  // that string, without a view or a new string (whose hash the resolve cache
  // would compute again). lastPath is ASCII, so a byte equals its char code.
  if (len === lastPath.length) {
    const p = ptr >>> 0;
    let i = 0;
    while (i < len && mem.u8(p + i) === lastPath.charCodeAt(i)) i++;
    if (i === len) return lastPath;
  }
  const bytes = mem.slice(ptr, len)!;
  // Paths are short and nearly always ASCII: build those without the decoder (a per-request cost).
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) return -Errno.EINVAL;
    if (b >= 0x80) ascii = false;
  }
  if (ascii && bytes.length <= 256) return (lastPath = String.fromCharCode.apply(null, bytes as unknown as number[]));
  try {
    return utf8.decode(bytes);
  } catch {
    return -Errno.EINVAL;
  }
}

/** Check a path the host gives for a process (a personality): the path, or -EINVAL (empty, NUL inside), -ENAMETOOLONG, as readPath. */
export function checkPath(path: string): string | number {
  if (path.length === 0) return -Errno.EINVAL;
  if (path.includes("\0")) return -Errno.EINVAL;
  if (path.length > Limits.MAX_PATH_BYTES || encodePath(path).length > Limits.MAX_PATH_BYTES) return -Errno.ENAMETOOLONG;
  return path;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a path (ASCII without the encoder). */
export function encodePath(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return encoder.encode(s);
    out[i] = c;
  }
  return out;
}

/** Whether path is already normalized: absolute, no empty, "." or ".." component, no trailing "/". */
function normalized(path: string): boolean {
  if (path.charCodeAt(0) !== 47) return false;
  if (path.length === 1) return true;
  if (path.charCodeAt(path.length - 1) === 47) return false;
  return !(path.includes("//") || path.includes("/./") || path.includes("/../") || path.endsWith("/.") || path.endsWith("/.."));
}

/** The components of `path` taken relative to `scope` (itself normalized), normalized: "/"-joined, absolute. */
export function resolveIn(scope: string, path: string): string {
  if (normalized(path)) return scope === "/" ? path : path === "/" ? scope : scope + path;
  const base = scope === "/" ? [] : scope.slice(1).split("/");
  const out: string[] = [];
  for (const c of path.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (out.length > 0) out.pop(); // never above the scope
      continue;
    }
    out.push(c);
  }
  const all = [...base, ...out];
  return all.length === 0 ? "/" : "/" + all.join("/");
}

/** Whether `path` is `prefix` or lies below it (component-wise). */
export function isUnder(path: string, prefix: string): boolean {
  if (prefix === "/") return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47); /* / */
}

/** `path` relative to `prefix` (which covers it): "" for the prefix itself, no leading "/". */
export function relativeTo(path: string, prefix: string): string {
  if (path === prefix) return "";
  return prefix === "/" ? path.slice(1) : path.slice(prefix.length + 1);
}

/** The prefixes of a normalized path, longest first: "/a/b" -> "/a/b", "/a", "/". */
export function* prefixesOf(path: string): IterableIterator<string> {
  let p = path;
  for (;;) {
    yield p;
    if (p === "/") return;
    p = parentOf(p);
  }
}

/** The parent of a normalized path other than "/": "/a/b" -> "/a", "/a" -> "/". */
export function parentOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i === 0 ? "/" : p.slice(0, i);
}

/** Little-endian struct accessors over bytes the kernel holds (a host-side request's output, Message.kernelReply). */
export class StructView implements StructMemory {
  private readonly dv: DataView;
  constructor(bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  i32(at: number): number {
    return this.dv.getInt32(at, true);
  }
  setI32(at: number, v: number): void {
    this.dv.setInt32(at, v, true);
  }
  i64(at: number): bigint {
    return this.dv.getBigInt64(at, true);
  }
  setI64(at: number, v: bigint): void {
    this.dv.setBigInt64(at, v, true);
  }
  u16(at: number): number {
    return this.dv.getUint16(at, true);
  }
  setU16(at: number, v: number): void {
    this.dv.setUint16(at, v, true);
  }
  u32(at: number): number {
    return this.dv.getUint32(at, true);
  }
  setU32(at: number, v: number): void {
    this.dv.setUint32(at, v >>> 0, true);
  }
  u64(at: number): bigint {
    return this.dv.getBigUint64(at, true);
  }
  setU64(at: number, v: bigint): void {
    this.dv.setBigUint64(at, BigInt.asUintN(64, v), true);
  }
  u8(at: number): number {
    return this.dv.getUint8(at);
  }
  setU8(at: number, v: number): void {
    this.dv.setUint8(at, v);
  }
}
