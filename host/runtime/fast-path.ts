// The kernel's fast path in wasm (Zircon's vDSO; docs/fastpath.md): a small
// kernel-owned module instantiated per process, whose exports replace some of
// the process's syscall imports, and whose memory and table the guest never
// sees. It answers, without leaving wasm, what it can answer exactly from
// state the kernel put there; everything else goes to the bridge's own import
// for the call (the "slow" import), which checks everything and gives the
// errno. The TypeScript kernel stays the authority.
//
// Two kinds of answers:
//
// - Capability checks against the handle mirror (kernel/fast/mirror.ts: per
//   process, per handle slot, the handle, rights and object type, and a state
//   word per object, written by the kernel in the same step that changes
//   them). kill and memory_size: pledge, handle decode, type and rights are
//   checked in the bridge's order, and every error is answered here, as are
//   ESRCH for an exited target (kill) and the size or EREVOKED (memory_size).
//   A live kill target goes to the kernel, which kills.
//
//     check(h, type, need, pledgeBit):
//       header SLOW set                  -> ask the kernel
//       promises & pledgeBit == 0        -> -EPLEDGE
//       h <= 0                           -> -EBADH
//       slot(h) >= header CAP            -> -EBADH (the mirror covers every slot the table has used)
//       slot's HANDLE != h               -> gen(h) == 0 or gen(h) > slot's last gen ? -EBADH : -ESTALE
//       slot's TYPE != type              -> -EWRONGTYPE
//       slot's RIGHTS & need != need     -> -EACCES
//       else                             -> the slot (its STATE word names the object's state)
//
// - window_get, through per-window accessors (below): caches validated by the
//   capability epoch (kernel/fast/epoch.ts).
//
// Neither charges anything: time in syscalls is not metered (loader/instrument
// fuel.ts: the kernel charges per context switch, not per call), and the
// module is not instrumented, so the virtual clock is the same either way.
//
// window_get is the one syscall a guest calls in a hot loop (the PCM VU meter
// reads 960 samples a period through it). Through the bridge each call pays a
// wasm-to-JS crossing from a JSPI stack (~17 ns more than off one, DESIGN.md
// decision 11), the handle lookup, and a BigInt for its i64 result (which is
// garbage at once). Here:
//
//   window_get(h, i):
//     if h is the folded window's handle, the epoch unchanged, i < count: load it here
//     if slot(h) has an accessor: r = accessor(h, i); if r != MISS: return r
//     return slow(h, i)          (the bridge's own window_get: every check)
//
// The folded window is one window onto the memory object the process held
// first when it was instantiated (the dispatcher imports that memory; imports
// are fixed then), checked exactly as an accessor checks, in the dispatcher
// itself: one call from the guest instead of two (V8 inlines no imported
// function, so each call between instances is paid in full).
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
// reads on every call (and the mirror's words the checks read), so the next
// call after it sees it.

import { Errno, IMPORT_MODULE, ObjectType, PledgeClass, Rights } from "../../abi/gen/abi.ts";
import { currentEpoch, useEpochCell } from "../../kernel/fast/epoch.ts";
import {
  H_CAP,
  H_PROMISES,
  H_SLOTS,
  H_SLOW,
  S_HANDLE,
  S_RIGHTS,
  S_STATE,
  S_TYPE,
  SLOT_WORDS,
  STATE_EXITED,
  useMirrorWords,
} from "../../kernel/fast/mirror.ts";
import type { KernelCore } from "../../kernel/core.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { MemoryObject } from "../../kernel/objects/memory.ts";
import { WindowObject } from "../../kernel/objects/window-object.ts";
import {
  ADD,
  AND,
  assemble,
  ByteSink,
  Code,
  EQ,
  EQZ,
  FUNCREF,
  funcType,
  GE_U,
  GT_U,
  I32,
  I64,
  LE_S,
  LT_U,
  MUL,
  NE,
  OR,
  oneFunctionCode,
  SELECT,
  SHL,
  SHR_U,
  SUB,
  XOR,
} from "./assemble.ts";

/** What an accessor returns when it cannot answer: never a window_get result (those are >= -errno). */
const MISS = -(1n << 63n);

/** The host's capability epoch (an i64 at byte 0), in a memory the accessors import (one page, never grows). */
let epochMemory: WebAssembly.Memory | null = null;

function epoch(): WebAssembly.Memory {
  if (epochMemory === null) {
    epochMemory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    useEpochCell(new Int32Array(epochMemory.buffer, 0, 2));
  }
  return epochMemory;
}

/** The handle mirror's words (kernel/fast/mirror.ts), in a memory only the dispatchers import; grows with the mirror. */
let mirrorMemory: WebAssembly.Memory | null = null;

/**
 * The memory holding the handle mirror, for kernel-owned modules that check
 * handles in wasm (import it, never hand it to a guest): made, and given to
 * the kernel as the mirror's store, on first use.
 */
export function handleMirrorMemory(): WebAssembly.Memory {
  if (mirrorMemory === null) {
    const m = new WebAssembly.Memory({ initial: 1 });
    mirrorMemory = m;
    useMirrorWords(new Int32Array(m.buffer), (minWords) => {
      const pages = Math.ceil((minWords * 4 - m.buffer.byteLength) / 65536);
      if (pages > 0) m.grow(pages);
      return new Int32Array(m.buffer);
    });
  }
  return mirrorMemory;
}

// ---- the modules --------------------------------------------------------------------

/** (i32 handle, i32 index) -> i64: window_get and the accessors (type 0 of both modules). */
function accessorType(): ByteSink {
  return funcType(new ByteSink().u32(1), [I32, I32], [I64]);
}

/**
 * The check of the header comment, emitted in line at the start of each
 * served call (one call less per syscall), against the mirror (memory 0) at
 * the header whose byte address is global 0. `h` is the handle parameter;
 * `hdr`, `a`, `w` are scratch i32 locals; type, need and pledge are the
 * call's constants; `slow` emits the call's fallback (the bridge's import
 * with the call's own parameters, then return). Errors return at once; on
 * success the slot's byte address is in local `a` (its STATE word names the
 * object's state word). Another kernel-owned module may emit it too (port
 * dispatch in wasm, for a SEND check), if its memory 0 is
 * handleMirrorMemory() and its global 0 the process's header address
 * (HandleTable.startMirror(...).address):
 *   (if (i32.load offset=SLOW (local.tee $hdr (global.get 0))) (then slow))
 *   (if (i32.eqz (i32.and (i32.load offset=PROMISES (local.get $hdr)) (i32.const pledge))) (then (return (i32.const -EPLEDGE))))
 *   (if (i32.le_s (local.get $h) (i32.const 0)) (then (return (i32.const -EBADH))))
 *   (if (i32.ge_u (local.tee $a (i32.and (local.get $h) (i32.const 0xffff))) (i32.load offset=CAP (local.get $hdr)))
 *     (then (return (i32.const -EBADH))))   ;; the mirror covers every slot the table ever used
 *   (local.set $a (i32.add (i32.load offset=SLOTS (local.get $hdr)) (i32.shl (local.get $a) (i32.const 4))))
 *   (if (i32.ne (local.tee $w (i32.load offset=HANDLE (local.get $a))) (local.get $h))
 *     (then (return (select (i32.const -EBADH) (i32.const -ESTALE)
 *       (i32.or (i32.gt_u (i32.shr_u (local.get $h) (i32.const 16)) (i32.and (i32.shr_u (local.get $w) (i32.const 16)) (i32.const 0x7fff)))
 *               (i32.eqz (i32.shr_u (local.get $h) (i32.const 16))))))))
 *   (if (i32.ne (i32.load offset=TYPE (local.get $a)) (i32.const type)) (then (return (i32.const -EWRONGTYPE))))
 *   (if (i32.ne (i32.and (i32.load offset=RIGHTS (local.get $a)) (i32.const need)) (i32.const need)) (then (return (i32.const -EACCES))))
 */
export function emitCheck(
  c: Code,
  l: { h: number; hdr: number; a: number; w: number },
  type: number,
  need: number,
  pledge: number,
  slow: (c: Code) => void,
): void {
  if (SLOT_WORDS !== 4) throw new Error("the dispatcher assumes 16-byte mirror slots");
  c.global(0).tee(l.hdr).load(H_SLOW).b.u8(0x04).u8(0x40);
  slow(c);
  c.b.u8(0x0f).u8(0x0b);
  c.get(l.hdr)
    .load(H_PROMISES)
    .i32(pledge)
    .op(AND)
    .op(EQZ)
    .returnIf((c) => c.i32(-Errno.EPLEDGE));
  c.get(l.h)
    .i32(0)
    .op(LE_S)
    .returnIf((c) => c.i32(-Errno.EBADH));
  c.get(l.h)
    .i32(0xffff)
    .op(AND)
    .tee(l.a)
    .get(l.hdr)
    .load(H_CAP)
    .op(GE_U)
    .returnIf((c) => c.i32(-Errno.EBADH));
  c.get(l.hdr).load(H_SLOTS).get(l.a).i32(4).op(SHL).op(ADD).set(l.a);
  c.get(l.a)
    .load(S_HANDLE)
    .tee(l.w)
    .get(l.h)
    .op(NE)
    .returnIf((c) => {
      c.i32(-Errno.EBADH).i32(-Errno.ESTALE);
      c.get(l.h).i32(16).op(SHR_U).get(l.w).i32(16).op(SHR_U).i32(0x7fff).op(AND).op(GT_U);
      c.get(l.h).i32(16).op(SHR_U).op(EQZ).op(OR).op(SELECT);
    });
  c.get(l.a)
    .load(S_TYPE)
    .i32(type)
    .op(NE)
    .returnIf((c) => c.i32(-Errno.EWRONGTYPE));
  if (need !== 0)
    c.get(l.a)
      .load(S_RIGHTS)
      .i32(need)
      .op(AND)
      .i32(need)
      .op(NE)
      .returnIf((c) => c.i32(-Errno.EACCES));
}

/**
 * (func (export "kill") (param $h i32) (param $status i32) (result i32) (local $hdr i32) (local $a i32) (local $w i32)
 *   check(h, PROCESS, KILL, proc) (slow: (return (call $kill_slow (local.get $h) (local.get $status))))
 *   (if (i32.and (i32.load (i32.load offset=STATE (local.get $a))) (i32.const EXITED)) (then (return (i32.const -ESRCH))))
 *   (call $kill_slow (local.get $h) (local.get $status)))
 * A PROCESS slot always names a state word (and word 0, what a STATE of 0 would read, is always 0).
 */
function killBody(): Code {
  const c = new Code();
  const slow = (c: Code) => c.get(0).get(1).call(F_KILL_SLOW);
  emitCheck(c, { h: 0, hdr: 2, a: 3, w: 4 }, ObjectType.PROCESS, Rights.KILL, 1 << PledgeClass.proc, slow);
  c.get(3)
    .load(S_STATE)
    .load()
    .i32(STATE_EXITED)
    .op(AND)
    .returnIf((c) => c.i32(-Errno.ESRCH));
  slow(c);
  return c;
}

/**
 * (func (export "memory_size") (param $h i32) (result i32) (local $hdr i32) (local $a i32) (local $w i32)
 *   check(h, MEMORY, 0, memory) (slow: (return (call $memory_size_slow (local.get $h))))
 *   (i32.load (i32.load offset=STATE (local.get $a))))     the size, or -EREVOKED
 * A MEMORY slot always names a state word.
 */
function memorySizeBody(): Code {
  const c = new Code();
  emitCheck(c, { h: 0, hdr: 1, a: 2, w: 3 }, ObjectType.MEMORY, 0, 1 << PledgeClass.memory, (c) => c.get(0).call(F_MEMORY_SIZE_SLOW));
  c.get(2).load(S_STATE).load();
  return c;
}

/**
 * i32 on the stack, nonzero when the capability epoch (the i64 at byte 0 of memory `mem`) differs from the i64
 * global `g`, the epoch a cached check was armed at: (i64.ne (i64.load mem (i32.const 0)) (global.get g)).
 * 64 bits, so it never comes back to a value a cache saw (kernel/fast/epoch.ts).
 */
function epochNe(c: Code, mem: number, g: number): void {
  c.i32(0)
    .b.u8(0x29)
    .u32(0x40 | 3)
    .u32(mem)
    .u32(0); // i64.load from memory `mem`
  c.global(g).op(0x52); // i64.ne
}

/**
 * The folded window's checks, OR-ed into one i32 on the stack (nonzero: some check failed, take the kernel):
 * the handle ($h, local 0) is the folded one, the epoch is the one it was armed at, then `shape`'s and
 * `range`'s, each an i32 that is nonzero when it fails. One compare per check, every check on every call;
 * a check is left out only under windowMutation.
 */
function foldedChecks(c: Code, shape: ((c: Code) => void)[], range: ((c: Code) => void)[]): void {
  const checks: ((c: Code) => void)[] = [];
  if (windowMutation.skip !== "handle") checks.push((c) => c.get(0).global(G_FH).op(XOR));
  if (windowMutation.skip !== "epoch") checks.push((c) => epochNe(c, 1, G_FE));
  checks.push(...shape);
  if (windowMutation.skip !== "range") checks.push(...range);
  checks.forEach((emit, n) => {
    emit(c);
    if (n > 0) c.op(OR);
  });
}

/**
 * (func (export "window_get_packed") (param $h i32) (param $i i32) (param $n i32) (result i64) (local $a i32)
 *   (if (i32.eqz (i32.or ... (i32.xor (local.get $h) (global.get $fh))              the folded window's handle,
 *                        (i64.ne (i64.load 1 (i32.const 0)) (global.get $fe))      the epoch it was armed at,
 *                        (i32.xor (global.get $fsize) (i32.const 2))               16-bit elements,
 *                        (i32.xor (local.get $n) (i32.const 3))                    three of them,
 *                        (i32.ge_u (local.get $i) (global.get $fcount))            i in range,
 *                        (i32.lt_u (i32.sub (global.get $fcount) (local.get $i)) (i32.const 3))))   and i + 2 (no overflow)
 *     (then
 *       (local.set $a (i32.add (global.get $foff) (i32.mul (local.get $i) (global.get $fstride))))
 *       (return (i64.or (i64.or (i64.extend_i32_u (i32.load16_u 2 (local.get $a)))
 *                               (i64.shl (i64.extend_i32_u (i32.load16_u 2 (i32.add (local.get $a) (global.get $fstride)))) (i64.const 16)))
 *                       (i64.shl (i64.extend_i32_u (i32.load16_u 2 (i32.add (local.get $a) (i32.shl (global.get $fstride) (i32.const 1))))) (i64.const 32))))))
 *   (call $window_get_packed_slow (local.get $h) (local.get $i) (local.get $n)))
 * The PCM VU meter's scan (three samples of its window a call); any other shape goes to the kernel.
 */
function packedBody(): Code {
  const c = new Code();
  foldedChecks(
    c,
    [(c) => c.global(G_FSIZE).i32(2).op(XOR), (c) => c.get(2).i32(3).op(XOR)],
    [(c) => c.get(1).global(G_FCOUNT).op(GE_U), (c) => c.global(G_FCOUNT).get(1).op(SUB).i32(3).op(LT_U)],
  );
  const load16 = () =>
    c.b
      .u8(0x2f)
      .u32(0x40 | 1)
      .u32(2)
      .u32(0)
      .u8(0xad); // i32.load16_u from memory 2, i64.extend_i32_u
  c.op(EQZ).b.u8(0x04).u8(0x40); // if every check passed
  c.global(G_FOFF).get(1).global(G_FSTRIDE).op(MUL).op(ADD).set(3);
  c.get(3);
  load16();
  c.get(3).global(G_FSTRIDE).op(ADD);
  load16();
  c.b.u8(0x42).s64(16n).u8(0x86).u8(0x84); // i64.shl 16, i64.or
  c.get(3).global(G_FSTRIDE).i32(1).op(SHL).op(ADD);
  load16();
  c.b.u8(0x42).s64(32n).u8(0x86).u8(0x84).u8(0x0f).u8(0x0b); // i64.shl 32, i64.or; return; end if
  c.get(0).get(1).get(2).call(F_WINDOW_GET_PACKED_SLOW);
  return c;
}

/** The dispatcher's functions: imports 0-3 (the bridge's), then window_get, kill, memory_size, window_get_packed. */
const F_WINDOW_GET_SLOW = 0,
  F_KILL_SLOW = 1,
  F_MEMORY_SIZE_SLOW = 2,
  F_WINDOW_GET_PACKED_SLOW = 3;

/** The calls a dispatcher serves, and whether each needs the handle mirror. */
const SERVED: Readonly<Record<string, boolean>> = { window_get: false, kill: true, memory_size: true, window_get_packed: false };

/**
 * For tests only: a dispatcher built with one check of the folded window left
 * out, to show that the tests catch it (set before the process starts).
 */
export const windowMutation: { skip: "handle" | "epoch" | "range" | null } = { skip: null };

const dispatcherModules = new Map<string, WebAssembly.Module>();

/** The dispatcher's own globals (after the imported header, global 0): the folded window, all 0 until armed. */
const G_FH = 1,
  G_FE = 2,
  G_FCOUNT = 3,
  G_FOFF = 4,
  G_FSTRIDE = 5,
  G_FSIZE = 6;
const FOLDED_GLOBALS = ["fold_handle", "fold_epoch", "fold_count", "fold_offset", "fold_stride", "fold_size"] as const;

/**
 * (type 0 (func (param i32 i32) (result i64)))   window_get, the accessors
 * (type 1 (func (param i32 i32) (result i32)))   kill
 * (type 2 (func (param i32) (result i32)))       memory_size
 * (import "k" "window_get" (func $window_get_slow (type 0)))
 * (import "k" "kill" (func $kill_slow (type 1)))
 * (import "k" "memory_size" (func $memory_size_slow (type 2)))
 * (import "k" "mirror" (memory 1))               memory 0: the handle mirror
 * (import "k" "header" (global i32))             this process's header in it (byte address)
 * (import "k" "epoch" (memory 1 1))              memory 1: the epoch, an i64 at 0
 * (import "w" "memory" (memory 0))               memory 2: the memory object the folded window reads
 * (global $fh (export "fold_handle") (mut i32) (i32.const 0))   the folded window: its handle,
 * (global $fe (export "fold_epoch") (mut i64) (i64.const 0))    the epoch it was armed at,
 * (global $fcount (export "fold_count") (mut i32) (i32.const 0)) count (0: nothing folded),
 * (global $foff ...) (global $fstride ...) (global $fsize ...)   offset, stride, element size
 * (table (export "windows") 0 funcref)
 * kill, memory_size: above (each with the check in line)
 * (func (export "window_get") (param $h i32) (param $i i32) (result i64) (local $slot i32) (local $r i64) (local $a i32)
 *   (if (i32.eqz (i32.or (i32.or (i32.xor (local.get $h) (global.get $fh))
 *                                (i64.ne (i64.load 1 (i32.const 0)) (global.get $fe)))
 *                        (i32.ge_u (local.get $i) (global.get $fcount))))
 *     (then
 *       (local.set $a (i32.add (global.get $foff) (i32.mul (local.get $i) (global.get $fstride))))
 *       (if (i32.eq (global.get $fsize) (i32.const 2)) (then (return (i64.extend_i32_u (i32.load16_u 2 (local.get $a))))))
 *       (if (i32.eq (global.get $fsize) (i32.const 1)) (then (return (i64.extend_i32_u (i32.load8_u 2 (local.get $a))))))
 *       (return (i64.extend_i32_u (i32.load 2 (local.get $a))))))
 *   (local.set $slot (i32.and (local.get $h) (i32.const 0xffff)))
 *   (block $slow
 *     (br_if $slow (i32.ge_u (local.get $slot) (table.size)))
 *     (br_if $slow (ref.is_null (table.get (local.get $slot))))
 *     (if (i64.ne (local.tee $r (call_indirect (type 0) (local.get $h) (local.get $i) (local.get $slot))) (i64.const MISS))
 *       (then (return (local.get $r)))))
 *   (call $window_get_slow (local.get $h) (local.get $i)))
 */
function dispatcher(): WebAssembly.Module {
  const key = windowMutation.skip ?? "";
  const cached = dispatcherModules.get(key);
  if (cached !== undefined) return cached;
  const types = new ByteSink().u32(4);
  funcType(types, [I32, I32], [I64]);
  funcType(types, [I32, I32], [I32]);
  funcType(types, [I32], [I32]);
  funcType(types, [I32, I32, I32], [I64]);
  const imports = new ByteSink().u32(8);
  imports.name("k").name("window_get").u8(0x00).u32(0);
  imports.name("k").name("kill").u8(0x00).u32(1);
  imports.name("k").name("memory_size").u8(0x00).u32(2);
  imports.name("k").name("mirror").u8(0x02).u8(0x00).u32(1);
  imports.name("k").name("header").u8(0x03).u8(I32).u8(0x00);
  imports.name("k").name("epoch").u8(0x02).u8(0x01).u32(1).u32(1);
  imports.name("w").name("memory").u8(0x02).u8(0x00).u32(0);
  imports.name("k").name("window_get_packed").u8(0x00).u32(3);
  const funcs = new ByteSink().u32(4).u32(0).u32(1).u32(2).u32(3); // window_get, kill, memory_size, window_get_packed
  const tables = new ByteSink().u32(1).u8(FUNCREF).u8(0x00).u32(0);
  const globals = new ByteSink().u32(FOLDED_GLOBALS.length);
  for (const name of FOLDED_GLOBALS)
    if (name === "fold_epoch") globals.u8(I64).u8(0x01).u8(0x42).u8(0x00).u8(0x0b);
    else globals.u8(I32).u8(0x01).u8(0x41).s32(0).u8(0x0b);
  const exports = new ByteSink().u32(5 + FOLDED_GLOBALS.length);
  exports.name("window_get").u8(0x00).u32(4).name("kill").u8(0x00).u32(5).name("memory_size").u8(0x00).u32(6);
  exports.name("window_get_packed").u8(0x00).u32(7);
  exports.name("windows").u8(0x01).u32(0);
  FOLDED_GLOBALS.forEach((name, g) =>
    exports
      .name(name)
      .u8(0x03)
      .u32(G_FH + g),
  );
  const wg = new Code();
  foldedChecks(wg, [], [(c) => c.get(1).global(G_FCOUNT).op(GE_U)]);
  const load = (op: number, align: number) => {
    wg.get(4)
      .b.u8(op)
      .u32(0x40 | align)
      .u32(2)
      .u32(0)
      .u8(0xad); // from memory 2, i64.extend_i32_u
    return wg;
  };
  wg.op(EQZ).b.u8(0x04).u8(0x40); // if every check passed
  wg.global(G_FOFF).get(1).global(G_FSTRIDE).op(MUL).op(ADD).set(4);
  wg.global(G_FSIZE).i32(2).op(EQ).b.u8(0x04).u8(0x40);
  load(0x2f, 1).b.u8(0x0f).u8(0x0b);
  wg.global(G_FSIZE).i32(1).op(EQ).b.u8(0x04).u8(0x40);
  load(0x2d, 0).b.u8(0x0f).u8(0x0b);
  load(0x28, 2).b.u8(0x0f).u8(0x0b); // return; end if
  wg.b
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
    .u32(F_WINDOW_GET_SLOW); // call slow
  const code = new ByteSink().u32(4);
  const fn = (locals: readonly [number, number][], body: ByteSink) => {
    const f = new ByteSink().u32(locals.length);
    for (const [n, t] of locals) f.u32(n).u8(t);
    f.bytes(body.view()).u8(0x0b);
    code.u32(f.length).bytes(f.view());
  };
  fn(
    [
      [1, I32],
      [1, I64],
      [1, I32],
    ],
    wg.b,
  );
  fn([[3, I32]], killBody().b);
  fn([[3, I32]], memorySizeBody().b);
  fn([[1, I32]], packedBody().b);
  const m = assemble([
    [1, types],
    [2, imports],
    [3, funcs],
    [4, tables],
    [6, globals],
    [7, exports],
    [10, code],
  ]);
  dispatcherModules.set(key, m);
  return m;
}

const accessorModules = new Map<number, WebAssembly.Module>();

/**
 * For elements of `size` bytes (1, 2, 4):
 * (import "k" "epoch" (memory 1 1))                 memory 0: the epoch, an i64 at 0
 * (import "w" "memory" (memory 0))                  memory 1: the memory object
 * (import "w" "handle" (global i32)) (import "w" "offset" (global i32))
 * (import "w" "count" (global i32)) (import "w" "stride" (global i32))
 * (global $epoch (export "epoch") (mut i64) (i64.const 0))   the epoch it was cached at
 * (func (export "get") (param $h i32) (param $i i32) (result i64)
 *   (if (i32.or (i32.or (i32.ne (local.get $h) (global.get $handle))
 *                       (i64.ne (i64.load 0 (i32.const 0)) (global.get $epoch)))
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
  const globals = new ByteSink().u32(1).u8(I64).u8(0x01).u8(0x42).u8(0x00).u8(0x0b); // global 4: the epoch cached at
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
    .u8(0x29)
    .u32(3)
    .u32(0) // i64.load: the epoch
    .u8(0x23)
    .u32(4)
    .u8(0x52)
    .u8(0x72) // | epoch != cached epoch (i64.ne)
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

/** Calls the fast path passed to the kernel, accessors it made, windows it folded into a dispatcher (for tests: the rest were answered in wasm). */
export const fastWindowStats = { slow: 0, accessors: 0, folds: 0 };
/** Calls of kill and memory_size the dispatcher passed to the kernel (for tests and the bench: the rest were answered in wasm). */
export const fastCheckStats = { kill: 0, memory_size: 0 };

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

/** Stands in for a slow import the process does not have (its module cannot call the export). */
const absent = (): never => {
  throw new Error("unreachable: a fast-path export the module does not import");
};

/**
 * If `imports` (process p's, from syscallImports) has a call the fast path
 * serves, put the dispatcher's export in its place (and start p's handle
 * mirror if a served call checks handles). Returns whether it did. The
 * bridge's imports stay the authority: every call the fast path cannot
 * answer goes to them unchanged.
 */
export function addFastPath(k: KernelCore, p: Process, imports: Record<string, unknown>): boolean {
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  if (ns === undefined) return false;
  let any = false;
  let checks = false;
  for (const name in SERVED) {
    if (name in ns) {
      any = true;
      checks ||= SERVED[name];
    }
  }
  if (!any) return false;
  const kmem = handleMirrorMemory();
  const header = checks ? p.handles.startMirror(p.promises).address : 0;
  const slowGet = ns.window_get as ((h: number, i: number) => bigint) | undefined;
  const slowKill = ns.kill as ((h: number, s: number) => number) | undefined;
  const slowSize = ns.memory_size as ((h: number) => number) | undefined;
  const slowPacked = ns.window_get_packed as ((h: number, i: number, n: number) => bigint) | undefined;
  const reads = slowGet !== undefined || slowPacked !== undefined;
  const born = reads && windowFold.on ? bornMemory(p) : null;
  const win = reads ? windowGetSlow(k, slowGet ?? absent, slowPacked ?? absent, born) : null;
  const d = new WebAssembly.Instance(dispatcher(), {
    k: {
      window_get: slowGet !== undefined ? win!.slow : absent,
      window_get_packed: slowPacked !== undefined ? win!.slowPacked : absent,
      kill:
        slowKill === undefined
          ? absent
          : (h: number, s: number) => {
              fastCheckStats.kill++;
              return slowKill(h, s);
            },
      memory_size:
        slowSize === undefined
          ? absent
          : (h: number) => {
              fastCheckStats.memory_size++;
              return slowSize(h);
            },
      mirror: kmem,
      header,
      epoch: epoch(),
    },
    w: { memory: (born?.backing as WebAssembly.Memory | undefined) ?? noMemory() },
  });
  if (win !== null) {
    win.bind(d.exports.windows as WebAssembly.Table, d.exports);
    if (slowGet !== undefined) ns.window_get = d.exports.window_get;
    if (slowPacked !== undefined) ns.window_get_packed = d.exports.window_get_packed;
  }
  if (slowKill !== undefined) ns.kill = d.exports.kill;
  if (slowSize !== undefined) ns.memory_size = d.exports.memory_size;
  return true;
}

/** Whether dispatchers fold a window (on; off only for A/B probes: bench/pcm-fold-ab.ts). */
export const windowFold = { on: true };

/** What the dispatcher's "w" "memory" import is when no window can be folded (never read: its count stays 0). */
let emptyMemory: WebAssembly.Memory | null = null;
function noMemory(): WebAssembly.Memory {
  return (emptyMemory ??= new WebAssembly.Memory({ initial: 0, maximum: 0 }));
}

/**
 * The memory object whose windows p's dispatcher reads itself (the folded
 * window): the first one p holds when it starts, if backed by a wasm memory
 * (the PCM VU meter's "pcm"). A process's imports are fixed when it is
 * instantiated, so only a memory known then can be the dispatcher's own;
 * windows onto any other memory are read through accessors. The
 * dispatcher keeps that WebAssembly.Memory reachable while the process
 * lives, even after the memory object is destroyed (as an accessor does
 * until its slot is dropped): the kernel's page accounting is unchanged,
 * and nothing reads it once no live handle names a window onto it.
 */
function bornMemory(p: Process): MemoryObject | null {
  for (const e of p.handles.entries()) {
    if (e.object instanceof MemoryObject && !e.object.revoked && e.object.backing instanceof WebAssembly.Memory) return e.object;
  }
  return null;
}

/**
 * window_get's slow import (the bridge's, caching what it answered) and the
 * bookkeeping behind the fast answers: the folded window (the dispatcher's
 * own globals, one window onto `born`: no second call) and the accessors
 * (one instance per other window, called through the dispatcher's table).
 */
function windowGetSlow(
  k: KernelCore,
  slowGet: (h: number, i: number) => bigint,
  slowGetPacked: (h: number, i: number, n: number) => bigint,
  born: MemoryObject | null,
) {
  const kmem = epoch();
  const cached = new Map<number, Cached>(); // by slot
  let table: WebAssembly.Table;
  /** The dispatcher's folded-window globals (fold_handle, fold_epoch, ...). */
  let fold: Record<(typeof FOLDED_GLOBALS)[number], WebAssembly.Global>;
  /** The handle folded now (0: none); its window's cache entry. */
  let folded: Cached | null = null;
  const slow = (h: number, i: number): bigint => {
    fastWindowStats.slow++;
    const r = slowGet(h, i); // the bridge: caller, pledge, lookup, rights, revocation, range; may unwind
    if (r >= 0n) remember(h);
    else forget(h);
    return r;
  };
  // window_get_packed's: the same bookkeeping (a window read in threes is folded as one read in ones is).
  const slowPacked = (h: number, i: number, n: number): bigint => {
    fastWindowStats.slow++;
    const r = slowGetPacked(h, i, n);
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
  // The kernel said no. If the handle h's slot cached no longer names its window, drop it (it would only miss,
  // and the window can go); an index out of range, a revoked window or a forged generation of a live handle
  // keeps it (the epoch already stops what must stop).
  const forget = (h: number): void => {
    const slot = h & 0xffff;
    const c = cached.get(slot);
    if (c === undefined || windowOf(c.handle) === c.window) return;
    cached.delete(slot);
    if (slot < table.length) table.set(slot, null);
    if (folded === c) unfold();
  };
  const unfold = (): void => {
    fold.fold_count.value = 0; // every call misses the folded window (the epoch has moved on anyway)
    fold.fold_handle.value = 0;
    folded = null;
  };
  // The kernel said yes to (h, some index) just now: count it, and make or re-arm h's accessor at the current epoch.
  const remember = (h: number): void => {
    const win = windowOf(h);
    if (win === null) return;
    const backing = win.memory.backing;
    if (!(backing instanceof WebAssembly.Memory) || (win.elemSize !== 1 && win.elemSize !== 2 && win.elemSize !== 4)) return;
    const slot = h & 0xffff;
    const now = BigInt(currentEpoch()); // the i64 globals hold it as wasm reads it (kernel/fast/epoch.ts)
    let c = cached.get(slot);
    if (c === undefined || c.handle !== h || c.window !== win) {
      if (c?.epoch) table.set(slot, null);
      if (c !== undefined && folded === c) unfold();
      c = { handle: h, window: win, hits: 0, epoch: null };
      cached.set(slot, c);
    }
    if (folded === c) {
      fold.fold_epoch.value = now; // still the same capability: trust it again
      return;
    }
    if (c.epoch !== null) {
      c.epoch.value = now; // still the same capability: trust it again
      return;
    }
    if (++c.hits < ACCESSOR_AFTER) return;
    // Fold it into the dispatcher if it reads the memory the dispatcher imports and the folded window is free:
    // none yet, or one not re-armed since the epoch moved (it only misses until then; a window that keeps being
    // read stays folded, so two windows read in turn never take the place from each other).
    if (win.memory === born && (folded === null || fold.fold_epoch.value !== now)) {
      if (folded !== null) folded.hits = ACCESSOR_AFTER - 1; // the next success re-arms it, as an accessor
      folded = c;
      fold.fold_handle.value = h;
      fold.fold_epoch.value = now;
      fold.fold_offset.value = win.offset;
      fold.fold_stride.value = win.stride;
      fold.fold_size.value = win.elemSize;
      fold.fold_count.value = win.count;
      fastWindowStats.folds++;
      return;
    }
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
  return {
    slow,
    slowPacked,
    bind(t: WebAssembly.Table, exports: WebAssembly.Exports): void {
      table = t;
      fold = Object.fromEntries(FOLDED_GLOBALS.map((n) => [n, exports[n] as WebAssembly.Global])) as typeof fold;
    },
  };
}
