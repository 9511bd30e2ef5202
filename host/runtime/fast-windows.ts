// The kernel's fast path in wasm, first part: window_get answered without
// leaving wasm (docs/fastpath.md).
//
// window_get is the one syscall a guest calls in a hot loop (the PCM VU meter
// reads 960 samples a period through it). Through the bridge each call pays a
// wasm-to-JS crossing from a JSPI stack (~17 ns more than off one, DESIGN.md
// decision 11), the handle lookup, and a BigInt for its i64 result (which is
// garbage at once). Here, a process whose module imports window_get gets,
// instead of the JS function, the export of a small kernel-owned wasm module
// instantiated for it (the "dispatcher"), whose memory and table the guest
// never sees:
//
//   window_get(h, i):
//     if slot(h) has an accessor: r = accessor(h, i); if r != MISS: return r
//     return slow(h, i)          (the bridge's own window_get: every check)
//
// An accessor is a tiny module instantiated per window, importing the memory
// object's WebAssembly.Memory itself, that answers only when everything the
// kernel checked still holds: the same handle (generation included), the
// capability epoch unchanged since it was cached (kernel/fast/epoch.ts: any
// close, move, revoke or pledge changes it), and the index in range. Anything
// else is a MISS, and the kernel decides, with its errno. An accessor is made
// (after ACCESSOR_AFTER kernel answers for the handle, so a window read once or
// twice never costs an instantiation) and re-armed with the current epoch only
// right after the kernel's own window_get succeeded for that handle, so the
// fast path never answers a call the slow path would have refused. Results are
// identical (zero-extended elements) and nothing is copied.
//
// Revocation is immediate: the revoke changes the epoch word the accessor
// reads on every call, so the next call after it goes to the kernel and gets
// EREVOKED.

import { IMPORT_MODULE, Rights } from "../../abi/gen/abi.ts";
import { currentEpoch, useEpochCell } from "../../kernel/fast/epoch.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { WindowObject } from "../../kernel/objects/window-object.ts";
import { assemble, ByteSink, FUNCREF, funcType, I32, I64, oneFunctionCode } from "./assemble.ts";

/** What an accessor returns when it cannot answer: never a window_get result (those are >= -errno). */
const MISS = -(1n << 63n);

/** The host's epoch word, in a memory the accessors import (one page, never grows). */
let epochMemory: WebAssembly.Memory | null = null;

function epoch(): WebAssembly.Memory {
  if (epochMemory === null) {
    epochMemory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    useEpochCell(new Int32Array(epochMemory.buffer, 0, 1));
  }
  return epochMemory;
}

// ---- the two modules --------------------------------------------------------------

/** Type section with the one signature both modules use: (i32 handle, i32 index) -> i64. */
function accessorType(): ByteSink {
  return funcType(new ByteSink().u32(1), [I32, I32], [I64]);
}

let dispatcherModule: WebAssembly.Module | null = null;

/**
 * (import "k" "slow" (func (param i32 i32) (result i64)))
 * (table (export "windows") 0 funcref)
 * (func (export "window_get") (param $h i32) (param $i i32) (result i64) (local $slot i32) (local $r i64)
 *   (local.set $slot (i32.and (local.get $h) (i32.const 0xffff)))
 *   (block $slow
 *     (br_if $slow (i32.ge_u (local.get $slot) (table.size)))
 *     (br_if $slow (ref.is_null (table.get (local.get $slot))))
 *     (if (i64.ne (local.tee $r (call_indirect (type 0) (local.get $h) (local.get $i) (local.get $slot))) (i64.const MISS))
 *       (then (return (local.get $r)))))
 *   (call $slow (local.get $h) (local.get $i)))
 */
function dispatcher(): WebAssembly.Module {
  if (dispatcherModule !== null) return dispatcherModule;
  const imports = new ByteSink().u32(1).name("k").name("slow").u8(0x00).u32(0);
  const funcs = new ByteSink().u32(1).u32(0);
  const tables = new ByteSink().u32(1).u8(FUNCREF).u8(0x00).u32(0);
  const exports = new ByteSink().u32(2).name("window_get").u8(0x00).u32(1).name("windows").u8(0x01).u32(0);
  const b = new ByteSink()
    .u8(0x20)
    .u32(0)
    .u8(0x41)
    .s32(0xffff)
    .u8(0x71)
    .u8(0x21)
    .u32(2) // slot = h & 0xffff
    .u8(0x02)
    .u8(0x40) // block
    .u8(0x20)
    .u32(2)
    .u8(0xfc)
    .u32(16)
    .u32(0)
    .u8(0x4f)
    .u8(0x0d)
    .u32(0) // br_if slot >= table.size
    .u8(0x20)
    .u32(2)
    .u8(0x25)
    .u32(0)
    .u8(0xd1)
    .u8(0x0d)
    .u32(0) // br_if ref.is_null(table.get slot)
    .u8(0x20)
    .u32(0)
    .u8(0x20)
    .u32(1)
    .u8(0x20)
    .u32(2)
    .u8(0x11)
    .u32(0)
    .u32(0) // call_indirect type 0 table 0
    .u8(0x22)
    .u32(3)
    .u8(0x42)
    .s64(MISS)
    .u8(0x52) // local.tee r; i64.ne MISS
    .u8(0x04)
    .u8(0x40)
    .u8(0x20)
    .u32(3)
    .u8(0x0f)
    .u8(0x0b) // if: return r
    .u8(0x0b) // end block
    .u8(0x20)
    .u32(0)
    .u8(0x20)
    .u32(1)
    .u8(0x10)
    .u32(0); // call slow
  dispatcherModule = assemble([
    [1, accessorType()],
    [2, imports],
    [3, funcs],
    [4, tables],
    [7, exports],
    [
      10,
      oneFunctionCode(
        [
          [1, I32],
          [1, I64],
        ],
        b,
      ),
    ],
  ]);
  return dispatcherModule;
}

const accessorModules = new Map<number, WebAssembly.Module>();

/**
 * For elements of `size` bytes (1, 2, 4):
 * (import "k" "epoch" (memory 1 1))                 memory 0: the epoch word at 0
 * (import "w" "memory" (memory 0))                  memory 1: the memory object
 * (import "w" "handle" (global i32)) (import "w" "offset" (global i32))
 * (import "w" "count" (global i32)) (import "w" "stride" (global i32))
 * (global $epoch (export "epoch") (mut i32) (i32.const 0))   the epoch it was cached at
 * (func (export "get") (param $h i32) (param $i i32) (result i64)
 *   (if (i32.or (i32.or (i32.ne (local.get $h) (global.get $handle))
 *                       (i32.ne (i32.load 0 (i32.const 0)) (global.get $epoch)))
 *               (i32.ge_u (local.get $i) (global.get $count)))
 *     (then (return (i64.const MISS))))
 *   (i64.extend_i32_u (i32.load{8,16}_u|i32.load 1 (i32.add (global.get $offset) (i32.mul (local.get $i) (global.get $stride))))))
 */
function accessor(size: number): WebAssembly.Module {
  let m = accessorModules.get(size);
  if (m !== undefined) return m;
  const imports = new ByteSink().u32(6);
  imports.name("k").name("epoch").u8(0x02).u8(0x01).u32(1).u32(1);
  imports.name("w").name("memory").u8(0x02).u8(0x00).u32(0);
  for (const g of ["handle", "offset", "count", "stride"]) imports.name("w").name(g).u8(0x03).u8(I32).u8(0x00);
  const funcs = new ByteSink().u32(1).u32(0);
  const globals = new ByteSink().u32(1).u8(I32).u8(0x01).u8(0x41).s32(0).u8(0x0b); // global 4
  const exports = new ByteSink().u32(2).name("get").u8(0x00).u32(0).name("epoch").u8(0x03).u32(4);
  const [op, align] = size === 1 ? [0x2d, 0] : size === 2 ? [0x2f, 1] : [0x28, 2];
  const b = new ByteSink()
    .u8(0x20)
    .u32(0)
    .u8(0x23)
    .u32(0)
    .u8(0x47) // h != handle
    .u8(0x41)
    .s32(0)
    .u8(0x28)
    .u32(2)
    .u32(0)
    .u8(0x23)
    .u32(4)
    .u8(0x47)
    .u8(0x72) // | epoch word != cached epoch
    .u8(0x20)
    .u32(1)
    .u8(0x23)
    .u32(2)
    .u8(0x4f)
    .u8(0x72) // | i >= count (unsigned)
    .u8(0x04)
    .u8(0x40)
    .u8(0x42)
    .s64(MISS)
    .u8(0x0f)
    .u8(0x0b) // if: return MISS
    .u8(0x23)
    .u32(1)
    .u8(0x20)
    .u32(1)
    .u8(0x23)
    .u32(3)
    .u8(0x6c)
    .u8(0x6a) // offset + i * stride
    .u8(op)
    .u32(0x40 | align)
    .u32(1)
    .u32(0) // load from memory 1 (multi-memory memarg)
    .u8(0xad); // i64.extend_i32_u
  m = assemble([
    [1, accessorType()],
    [2, imports],
    [3, funcs],
    [6, globals],
    [7, exports],
    [10, oneFunctionCode([], b)],
  ]);
  accessorModules.set(size, m);
  return m;
}

// ---- per process -------------------------------------------------------------------

/** Calls the fast path passed to the kernel, and accessors it made (for tests: the rest were answered in wasm). */
export const fastWindowStats = { slow: 0, accessors: 0 };

interface Cached {
  readonly handle: number;
  readonly window: WindowObject;
  /** Successful kernel answers for this handle so far (an accessor is made at ACCESSOR_AFTER). */
  hits: number;
  /** The accessor's cached epoch, once it exists. */
  epoch: WebAssembly.Global | null;
}

/**
 * Kernel answers for a handle before it gets an accessor: a window read once
 * or twice never costs an instantiation, and a guest cannot make the host
 * instantiate more often than every few of its own calls.
 */
export const ACCESSOR_AFTER = 4;

/**
 * If `imports` (one process's, from syscallImports) has window_get, put the
 * fast path in its place. Returns whether it did. `slow` stays the authority:
 * every call the fast path cannot answer goes to it unchanged.
 */
export function addFastWindowGet(k: KernelCore, imports: Record<string, unknown>): boolean {
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  const slowGet = ns?.window_get as ((h: number, i: number) => bigint) | undefined;
  if (ns === undefined || slowGet === undefined) return false;
  const kmem = epoch();
  const cached = new Map<number, Cached>(); // by slot
  let table: WebAssembly.Table;
  const slow = (h: number, i: number): bigint => {
    fastWindowStats.slow++;
    const r = slowGet(h, i); // the bridge: caller, pledge, lookup, rights, revocation, range; may unwind
    if (r >= 0n) remember(h);
    else forget(h);
    return r;
  };
  /** The window h names for the caller with READ, or null. */
  const windowOf = (h: number): WindowObject | null => {
    const p = k.current;
    const w = p === null ? -1 : p.handles.get(h, WindowObject, Rights.READ);
    return typeof w === "number" ? null : w;
  };
  // The kernel said no. If h no longer names the window its slot cached, drop it (it would only miss, and
  // the window can go); an index out of range or a revoked window keeps it (the epoch already stops it).
  const forget = (h: number): void => {
    const slot = h & 0xffff;
    const c = cached.get(slot);
    if (c === undefined || (c.handle === h && windowOf(h) === c.window)) return;
    cached.delete(slot);
    if (slot < table.length) table.set(slot, null);
  };
  // The kernel said yes to (h, some index) just now: count it, and make or re-arm h's accessor at the current epoch.
  const remember = (h: number): void => {
    const win = windowOf(h);
    if (win === null) return;
    const backing = win.memory.backing;
    if (!(backing instanceof WebAssembly.Memory) || (win.elemSize !== 1 && win.elemSize !== 2 && win.elemSize !== 4)) return;
    const slot = h & 0xffff;
    const now = currentEpoch();
    let c = cached.get(slot);
    if (c === undefined || c.handle !== h || c.window !== win) {
      if (c?.epoch) table.set(slot, null);
      c = { handle: h, window: win, hits: 0, epoch: null };
      cached.set(slot, c);
    }
    if (c.epoch !== null) {
      c.epoch.value = now; // still the same capability: trust it again
      return;
    }
    if (++c.hits < ACCESSOR_AFTER) return;
    const inst = new WebAssembly.Instance(accessor(win.elemSize), {
      k: { epoch: kmem },
      w: { memory: backing, handle: h, offset: win.offset, count: win.count, stride: win.stride },
    });
    fastWindowStats.accessors++;
    c.epoch = inst.exports.epoch as WebAssembly.Global;
    c.epoch.value = now;
    if (slot >= table.length) table.grow(slot + 1 - table.length);
    table.set(slot, inst.exports.get as () => void);
  };
  const d = new WebAssembly.Instance(dispatcher(), { k: { slow } });
  table = d.exports.windows as WebAssembly.Table;
  ns.window_get = d.exports.window_get;
  return true;
}
