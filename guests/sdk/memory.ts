// Memory objects, windows, futexes and memory accounting for AssemblyScript
// guests. Raw syscalls return -errno; these wrappers keep that convention.
//
// Two ways to share a memory object:
//  - bound: the child imports `@wasmos/sdk/grants/<name>` and the spawner
//    passes the object under <name>; loads and stores are direct (see
//    ./grant.ts). Zero copies, no kernel call.
//  - mapped: Window<T> below, through the kernel: byte-exact and strided
//    views (the left channel of interleaved 16-bit stereo is
//    Window.map<i16>(mem, 0, 960, 4)), revocable at any time.

import {
  sys_futex_wait,
  sys_futex_wake,
  sys_memory_map,
  sys_memory_create,
  sys_memory_set_budget,
  sys_memory_size,
  sys_memory_stats,
  sys_window_get,
  sys_window_get_packed,
  sys_window_info,
  sys_window_read,
  sys_window_set,
  sys_window_write,
  DEADLINE_INFINITE,
  HANDLE_SELF,
  MEMORY_STATS_SIZE,
  MemoryStatsLayout,
  WINDOW_INFO_SIZE,
  WindowInfoLayout,
} from "./bindings/abi";

/** Create a zero-filled memory object of sizeBytes bytes (charged to this process's budget). Its handle, or -errno. */
export function memoryCreate(sizeBytes: i32): i32 {
  return sys_memory_create(sizeBytes);
}

/** The size a memory object was created with, or -errno. */
export function memorySize(memory: i32): i32 {
  return sys_memory_size(memory);
}

/** Sleep while the u32 at offset of a memory object holds expected (until futexWake or the deadline). 0 or -errno (ECHANGED: it did not hold it). */
export function futexWait(memory: i32, offset: u32, expected: u32, deadline: i64 = DEADLINE_INFINITE): i32 {
  return sys_futex_wait(memory, <i32>offset, <i32>expected, deadline);
}

/** Wake up to count sleepers on the u32 at offset. How many woke, or -errno. */
export function futexWake(memory: i32, offset: u32, count: i32 = 1): i32 {
  return sys_futex_wake(memory, <i32>offset, count);
}

/** A window's geometry. errno is 0 when the other fields are valid. */
export class WindowInfo {
  errno: i32 = 0;
  offset: u32 = 0;
  count: u32 = 0;
  stride: u32 = 0;
  elemSize: u32 = 0;
}

/**
 * A window of elements of T (i8, u8, i16, u16, i32, u32, f32: get/set;
 * i64, u64, f64 too, but only through read/write). Accessors are syscalls:
 * for hot loops over shared data, bind the object as a grant instead.
 */
export class Window<T> {
  /** The window handle, or -errno when map failed. */
  readonly handle: i32;
  /** -errno of the last get/set that failed (EREVOKED once revoked), 0 after one that worked. */
  error: i32 = 0;

  constructor(handle: i32) {
    this.handle = handle;
  }

  /** Map count elements of T, element i at offset + i * stride bytes (stride defaults to sizeof<T>()). */
  static map<T>(memory: i32, offset: i32, count: i32, stride: i32 = 0): Window<T> {
    const size = <i32>sizeof<T>();
    return new Window<T>(sys_memory_map(memory, offset, count, stride == 0 ? size : stride, size));
  }

  /** map succeeded. */
  get ok(): bool {
    return this.handle > 0;
  }

  /** Element i (0 when it fails: see error). */
  get(i: i32): T {
    const r = sys_window_get(this.handle, i);
    if (r < 0) {
      this.error = <i32>r;
      return <T>0;
    }
    this.error = 0;
    if (isFloat<T>()) return <T>reinterpret<f32>(<u32>r);
    return <T>r;
  }

  /**
   * Elements i .. i + n - 1 in one call, packed element i lowest (sizeof<T>() * 8 bits each, zero-extended; n *
   * sizeof<T>() at most 7 bytes: up to three 16-bit or seven 8-bit elements), or -errno (see error). Nothing is
   * copied: the values come back in the register, as get's do, a third of the calls for a scan of 16-bit elements.
   */
  getPacked(i: i32, n: i32): i64 {
    const r = sys_window_get_packed(this.handle, i, n);
    this.error = r < 0 ? <i32>r : 0;
    return r;
  }

  /** Set element i. 0 or -errno. */
  set(i: i32, value: T): i32 {
    let bits: i64;
    if (isFloat<T>()) {
      if (sizeof<T>() == 4) bits = <i64>reinterpret<u32>(<f32>value);
      else bits = reinterpret<i64>(<f64>value);
    } else {
      bits = <i64>value;
    }
    const r = sys_window_set(this.handle, i, bits);
    this.error = r < 0 ? r : 0;
    return r;
  }

  /** Copy count elements from element first into dst (count * sizeof<T>() bytes). count or -errno. */
  read(first: i32, count: i32, dst: usize): i32 {
    return sys_window_read(this.handle, first, count, <i32>dst);
  }

  /** Copy count elements from src into the window from element first. count or -errno. */
  write(first: i32, count: i32, src: usize): i32 {
    return sys_window_write(this.handle, first, count, <i32>src);
  }

  /** Fill `out` from element first on. Elements read, or -errno. */
  readInto(first: i32, out: StaticArray<T>): i32 {
    return sys_window_read(this.handle, first, out.length, changetype<i32>(out));
  }

  /** Write all of `src` from element first on. Elements written, or -errno. */
  writeFrom(first: i32, src: StaticArray<T>): i32 {
    return sys_window_write(this.handle, first, src.length, changetype<i32>(src));
  }

  info(): WindowInfo {
    const out = new WindowInfo();
    const buf = new ArrayBuffer(WINDOW_INFO_SIZE);
    const r = sys_window_info(this.handle, changetype<i32>(buf), WINDOW_INFO_SIZE);
    if (r < 0) {
      out.errno = -r;
      return out;
    }
    const p = changetype<usize>(buf);
    out.offset = WindowInfoLayout.offset(p);
    out.count = WindowInfoLayout.count(p);
    out.stride = WindowInfoLayout.stride(p);
    out.elemSize = WindowInfoLayout.elemSize(p);
    return out;
  }
}

/** What memory_stats reports. errno is 0 when the other fields are valid. */
export class MemoryStats {
  errno: i32 = 0;
  budgetPages: u32 = 0;
  usedPages: u32 = 0;
  ownPages: u32 = 0;
  objectPages: u32 = 0;
  objects: u32 = 0;
  grants: u32 = 0;
  bytesCopied: u64 = 0;
  systemPages: u32 = 0;
  systemObjectPages: u32 = 0;
  systemObjects: u32 = 0;
  systemPageLimit: u32 = 0;
  systemIpcBytes: u64 = 0;
  systemWindowBytes: u64 = 0;
}

/** Memory accounting of a process (HANDLE_SELF: this one) and of the system. */
export function memoryStats(process: i32 = HANDLE_SELF): MemoryStats {
  const out = new MemoryStats();
  const buf = new ArrayBuffer(MEMORY_STATS_SIZE);
  const r = sys_memory_stats(process, changetype<i32>(buf), MEMORY_STATS_SIZE);
  if (r < 0) {
    out.errno = -r;
    return out;
  }
  const p = changetype<usize>(buf);
  out.budgetPages = MemoryStatsLayout.budgetPages(p);
  out.usedPages = MemoryStatsLayout.usedPages(p);
  out.ownPages = MemoryStatsLayout.ownPages(p);
  out.objectPages = MemoryStatsLayout.objectPages(p);
  out.objects = MemoryStatsLayout.objects(p);
  out.grants = MemoryStatsLayout.grants(p);
  out.bytesCopied = MemoryStatsLayout.bytesCopied(p);
  out.systemPages = MemoryStatsLayout.systemPages(p);
  out.systemObjectPages = MemoryStatsLayout.systemObjectPages(p);
  out.systemObjects = MemoryStatsLayout.systemObjects(p);
  out.systemPageLimit = MemoryStatsLayout.systemPageLimit(p);
  out.systemIpcBytes = MemoryStatsLayout.systemIpcBytes(p);
  out.systemWindowBytes = MemoryStatsLayout.systemWindowBytes(p);
  return out;
}

/** Lower a process's memory budget (HANDLE_SELF: this one), in pages. 0 or -errno. */
export function setMemoryBudget(process: i32, pages: i32): i32 {
  return sys_memory_set_budget(process, pages);
}
