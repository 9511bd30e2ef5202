// Paths of the namespace: decoding a guest's path argument and normalizing it
// against a DIR's scope. A normalized path is absolute ("/", "/tmp/a"), has no
// empty, "." or ".." component, and never leaves the scope it was resolved in
// (".." at the scope's root stays there: a DIR handle is a chroot).

import { Errno, Limits } from "../../abi/gen/abi.ts";
import type { GuestMemory } from "../mm/guest-memory.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decode a path argument: the string, or -EINVAL (empty, not UTF-8, NUL inside), -ENAMETOOLONG, -EFAULT. */
export function readPath(mem: GuestMemory, ptr: number, len: number): string | number {
  if (len <= 0) return -Errno.EINVAL;
  if (len > Limits.MAX_PATH_BYTES) return -Errno.ENAMETOOLONG;
  const bytes = mem.slice(ptr, len);
  if (bytes === null) return -Errno.EFAULT;
  if (bytes.includes(0)) return -Errno.EINVAL;
  try {
    return utf8.decode(bytes);
  } catch {
    return -Errno.EINVAL;
  }
}

/** The components of `path` taken relative to `scope` (itself normalized), normalized: "/"-joined, absolute. */
export function resolveIn(scope: string, path: string): string {
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
    const i = p.lastIndexOf("/");
    p = i === 0 ? "/" : p.slice(0, i);
  }
}
