// Mapped windows: byte-exact and strided views of a memory object, element
// accessors and bulk copies (counted), every errno of memory_size, map and
// the window_* calls.
import { describe, expect, it } from "vitest";
import { ObjectType, PledgeClass, Rights } from "../../abi/gen/abi.ts";
import { Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";
import { demonstrates, E } from "./helpers.ts";

const { READ, WRITE, MAP, DUPLICATE, TRANSFER } = Rights;
const FORGED = "(i32.const 0x00090009)";

/** Interleaved 16-bit stereo: left = 3i, right = -i, for 960 frames. */
function stereo(k: Kernel) {
  const pcm = k.createMemory(3840);
  const v = new DataView(k.memoryBytes(pcm).buffer, 0, 3840);
  for (let i = 0; i < 960; i++) {
    v.setInt16(4 * i, 3 * i, true);
    v.setInt16(4 * i + 2, -i, true);
  }
  return { pcm, v };
}

describe("windows", () => {
  it("a strided window reads and writes one channel of interleaved 16-bit stereo: offset 0, stride 4, element 2", async () => {
    const k = new Kernel();
    const { pcm, v } = stereo(k);
    const bytes = guest(`
      (data (i32.const 0) "pcm")
      (func (export "_start") (local $h i32) (local $l i32) (local $r i32)
        (local.set $h (call $handle_get (i32.const 0) (i32.const 3)))
        (call $rec (call $memory_size (local.get $h)))
        (local.set $l (call $memory_map (local.get $h) (i32.const 0) (i32.const 960) (i32.const 4) (i32.const 2)))
        (local.set $r (call $memory_map (local.get $h) (i32.const 2) (i32.const 960) (i32.const 4) (i32.const 2)))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $l) (i32.const 5))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $r) (i32.const 5))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $l) (i32.const 959))))
        ;; the whole left channel, packed, into our memory at 1000
        (call $rec (call $window_read (local.get $l) (i32.const 0) (i32.const 960) (i32.const 1000)))
        (call $rec (i32.load16_s (i32.const 1002)))
        (call $rec (i32.load16_s (i32.const ${1000 + 959 * 2})))
        ;; three samples into the right channel from element 10, one with window_set
        (i64.store (i32.const 4000) (i64.const 0x0009_0008_0007))
        (call $rec (call $window_write (local.get $r) (i32.const 10) (i32.const 3) (i32.const 4000)))
        (call $rec (call $window_set (local.get $l) (i32.const 1) (i64.const 0x12345)))
        (call $rec (call $window_info (local.get $l) (i32.const 100) (i32.const 16)))
        (call $rec (i32.load (i32.const 100))) (call $rec (i32.load (i32.const 104)))
        (call $rec (i32.load (i32.const 108))) (call $rec (i32.load (i32.const 112)))
        (call $rec (call $handle_info (local.get $l) (i32.const 100)))
        (call $rec (i32.load (i32.const 100))) (call $rec (i32.load (i32.const 104)))
        ;; zero elements copy nothing and succeed
        (call $rec (call $window_read (local.get $l) (i32.const 960) (i32.const 0) (i32.const 1000)))
        (call $flush))`);
    const r = await runSystem([{ name: "p", bytes, handles: [{ name: "pcm", object: pcm, rights: MEMORY_GRANT_RIGHTS }] }], {}, k);
    expect(r.rec.p).toEqual([
      3840,
      15,
      0x10000 - 5,
      2877,
      960,
      3,
      2877,
      3,
      0,
      16,
      0,
      960,
      4,
      2,
      16,
      ObjectType.WINDOW,
      DUPLICATE | TRANSFER | READ | WRITE,
      0,
    ]);
    expect([
      v.getInt16(4 * 10 + 2, true),
      v.getInt16(4 * 11 + 2, true),
      v.getInt16(4 * 12 + 2, true),
      v.getInt16(4 * 13 + 2, true),
    ]).toEqual([7, 8, 9, -13]);
    expect([v.getUint16(4, true), v.getInt16(6, true)]).toEqual([0x2345, -1]); // left[1] set, right[1] untouched
    // Bulk copies are counted (1920 read + 6 written); accessors move values in registers and are not.
    expect(k.memoryStats(r.procs.p).bytesCopied).toBe(1926);
    expect(k.core.copied.windowBytes).toBe(1926);
    closeAll(r);
    k.release(pcm);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("windows of 1-, 4- and 8-byte elements, contiguous and strided; get zero-extends, set keeps the low bytes", async () => {
    const k = new Kernel();
    const m = k.createMemory(64);
    k.memoryBytes(m).set([0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 1, 2, 3, 4, 5, 6, 7, 8]);
    const bytes = guest(`
      (data (i32.const 0) "m")
      (func (export "_start") (local $h i32) (local $b i32) (local $w i32) (local $q i32)
        (local.set $h (call $handle_get (i32.const 0) (i32.const 1)))
        (local.set $b (call $memory_map (local.get $h) (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 1)))
        (local.set $w (call $memory_map (local.get $h) (i32.const 0) (i32.const 2) (i32.const 8) (i32.const 4)))
        (local.set $q (call $memory_map (local.get $h) (i32.const 0) (i32.const 2) (i32.const 8) (i32.const 8)))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $b) (i32.const 1))))
        (call $rec (i32.wrap_i64 (i64.shr_u (call $window_get (local.get $w) (i32.const 0)) (i64.const 16))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 1))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $q) (i32.const 0))))
        (call $rec (call $window_read (local.get $q) (i32.const 1) (i32.const 1) (i32.const 200)))
        (call $rec (i32.wrap_i64 (i64.load (i32.const 200))))
        (call $rec (call $window_set (local.get $q) (i32.const 1) (i64.const -2)))
        (call $rec (call $window_set (local.get $b) (i32.const 15) (i64.const 0x1ff)))
        (call $rec (call $window_read (local.get $b) (i32.const 0) (i32.const 16) (i32.const 300)))
        (call $rec (i32.load (i32.const 312)))
        (call $flush))`);
    const r = await runSystem([{ name: "p", bytes, handles: [{ name: "m", object: m, rights: MEMORY_GRANT_RIGHTS }] }], {}, k, [m]);
    expect(r.rec.p).toEqual([0xfe, 0xfcfd, 0x04030201, E("EINVAL"), 1, 0x04030201, 0, 0, 16, -1]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("memory_size and map refuse what they document", async () => {
    const k = new Kernel({ limits: { maxHandles: 8 } });
    const revoked = k.createMemory(16);
    k.revokeMemory(revoked);
    const bytes = guest(`
      (data (i32.const 0) "gone")
      (func (export "_start") (local $m i32) (local $nomap i32) (local $ep i32) (local $x i32) (local $i i32)
        (local.set $m (call $memory_create (i32.const 100)))
        (local.set $nomap (call $handle_dup (local.get $m) (i32.const ${READ | WRITE})))
        (local.set $ep (call $endpoint_create))
        (local.set $x (call $handle_dup (local.get $m) (i32.const ${READ})))
        (drop (call $handle_close (local.get $x)))
        ;; memory_size
        (call $rec (call $memory_size ${FORGED}))
        (call $rec (call $memory_size (local.get $x)))
        (call $rec (call $memory_size (local.get $ep)))
        (call $rec (call $memory_size (call $handle_get (i32.const 0) (i32.const 4))))
        (call $rec (call $memory_size (local.get $nomap)))
        ;; map
        (call $rec (call $memory_map ${FORGED} (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1)))
        (call $rec (call $memory_map (local.get $x) (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1)))
        (call $rec (call $memory_map (local.get $ep) (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1)))
        (call $rec (call $memory_map (local.get $nomap) (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1)))
        (call $rec (call $memory_map (local.get $m) (i32.const -1) (i32.const 1) (i32.const 1) (i32.const 1)))
        (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1)))
        (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 1) (i32.const 3) (i32.const 3)))
        (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 2)))
        ;; the last element may end exactly at the end, not a byte beyond
        (call $rec (i32.gt_s (call $memory_map (local.get $m) (i32.const 2) (i32.const 25) (i32.const 4) (i32.const 2)) (i32.const 0)))
        (call $rec (call $memory_map (local.get $m) (i32.const 3) (i32.const 25) (i32.const 4) (i32.const 2)))
        (call $rec (call $memory_map (local.get $m) (i32.const 100) (i32.const 1) (i32.const 1) (i32.const 1)))
        (call $rec (call $memory_map (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1)))
        ;; fill the table (8 handles), then map has nowhere to put the window
        (block $full (loop $fill
          (br_if $full (i32.lt_s (call $handle_dup (local.get $m) (i32.const ${READ})) (i32.const 0)))
          (br $fill)))
        (call $rec (call $memory_map (local.get $m) (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1)))
        (call $flush))`);
    const r = await runSystem([{ name: "p", bytes, handles: [{ name: "gone", object: revoked, rights: MEMORY_GRANT_RIGHTS }] }], {}, k, [
      revoked,
    ]);
    expect(r.rec.p).toEqual([
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EREVOKED"),
      100,
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      1,
      E("ERANGE"),
      E("ERANGE"),
      E("EREVOKED"),
      E("EMFILE"),
    ]);
    demonstrates("memory_size", r.rec.p.slice(0, 5));
    demonstrates("memory_map", r.rec.p.slice(5));
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("window_read, window_write, window_get, window_set and window_info refuse what they document", async () => {
    const k = new Kernel();
    const bytes = guest(`
      (func (export "_start") (local $m i32) (local $rw i32) (local $ro i32) (local $wo i32) (local $q i32) (local $x i32) (local $ep i32) (local $d i32) (local $rv i32)
        (local.set $m (call $memory_create (i32.const 64)))
        (local.set $rw (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 4) (i32.const 2)))
        (local.set $ro (call $memory_map (call $handle_dup (local.get $m) (i32.const ${READ | MAP})) (i32.const 0) (i32.const 8) (i32.const 4) (i32.const 2)))
        (local.set $wo (call $memory_map (call $handle_dup (local.get $m) (i32.const ${WRITE | MAP})) (i32.const 0) (i32.const 8) (i32.const 4) (i32.const 2)))
        (local.set $q (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 8) (i32.const 8)))
        (local.set $x (call $handle_dup (local.get $rw) (i32.const ${READ})))
        (drop (call $handle_close (local.get $x)))
        (local.set $ep (call $endpoint_create))
        ;; a window mapped through a handle whose descendants are then revoked (the handle itself stays)
        (local.set $d (call $handle_dup (local.get $m) (i32.const ${READ | WRITE | MAP | DUPLICATE})))
        (local.set $rv (call $memory_map (local.get $d) (i32.const 0) (i32.const 8) (i32.const 4) (i32.const 2)))
        (call $rec (call $handle_revoke (local.get $d)))
        (call $rec (call $memory_size (local.get $d)))
        ;; window_read
        (call $rec (call $window_read ${FORGED} (i32.const 0) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_read (local.get $x) (i32.const 0) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_read (local.get $m) (i32.const 0) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_read (local.get $wo) (i32.const 0) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_read (local.get $rw) (i32.const -1) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_read (local.get $rw) (i32.const 0) (i32.const -1) (i32.const 500)))
        (call $rec (call $window_read (local.get $rw) (i32.const 7) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_read (local.get $rw) (i32.const 7) (i32.const 2) (i32.const 500)))
        (call $rec (call $window_read (local.get $rw) (i32.const 0) (i32.const 2) (i32.const 65533)))
        (call $rec (call $window_read (local.get $rv) (i32.const 0) (i32.const 1) (i32.const 500)))
        ;; window_write
        (call $rec (call $window_write ${FORGED} (i32.const 0) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_write (local.get $x) (i32.const 0) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_write (local.get $ep) (i32.const 0) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_write (local.get $ro) (i32.const 0) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_write (local.get $rw) (i32.const -1) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_write (local.get $rw) (i32.const 0) (i32.const -1) (i32.const 500)))
        (call $rec (call $window_write (local.get $rw) (i32.const 8) (i32.const 1) (i32.const 500)))
        (call $rec (call $window_write (local.get $rw) (i32.const 0) (i32.const 1) (i32.const 65535)))
        (call $rec (call $window_write (local.get $rv) (i32.const 0) (i32.const 1) (i32.const 500)))
        ;; window_get
        (call $rec (i32.wrap_i64 (call $window_get ${FORGED} (i32.const 0))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $x) (i32.const 0))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $m) (i32.const 0))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $wo) (i32.const 0))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $q) (i32.const 0))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $rw) (i32.const -1))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $rw) (i32.const 8))))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $rv) (i32.const 0))))
        ;; window_set
        (call $rec (call $window_set ${FORGED} (i32.const 0) (i64.const 1)))
        (call $rec (call $window_set (local.get $x) (i32.const 0) (i64.const 1)))
        (call $rec (call $window_set (local.get $ep) (i32.const 0) (i64.const 1)))
        (call $rec (call $window_set (local.get $ro) (i32.const 0) (i64.const 1)))
        (call $rec (call $window_set (local.get $rw) (i32.const 8) (i64.const 1)))
        (call $rec (call $window_set (local.get $rv) (i32.const 0) (i64.const 1)))
        ;; window_info
        (call $rec (call $window_info ${FORGED} (i32.const 500) (i32.const 16)))
        (call $rec (call $window_info (local.get $x) (i32.const 500) (i32.const 16)))
        (call $rec (call $window_info (local.get $m) (i32.const 500) (i32.const 16)))
        (call $rec (call $window_info (local.get $rw) (i32.const 500) (i32.const 15)))
        (call $rec (call $window_info (local.get $rw) (i32.const 65530) (i32.const 16)))
        (call $rec (call $window_info (local.get $rv) (i32.const 500) (i32.const 16)))
        ;; the revoked window's handle is still there to close; the others still work
        (call $rec (call $handle_close (local.get $rv)))
        (call $rec (call $window_set (local.get $wo) (i32.const 0) (i64.const 7)))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $ro) (i32.const 0))))
        (call $flush))`);
    const r = await runSystem([{ name: "p", bytes }], {}, k);
    expect(r.rec.p).toEqual([
      0,
      64,
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      1,
      E("ERANGE"),
      E("EFAULT"),
      E("EREVOKED"),
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      E("ERANGE"),
      E("EFAULT"),
      E("EREVOKED"),
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("ERANGE"),
      E("ERANGE"),
      E("EREVOKED"),
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("ERANGE"),
      E("EREVOKED"),
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EINVAL"),
      E("EFAULT"),
      E("EREVOKED"),
      0,
      0,
      7,
    ]);
    const rec = r.rec.p;
    demonstrates("window_read", rec.slice(2, 12));
    demonstrates("window_write", rec.slice(12, 21));
    demonstrates("window_get", rec.slice(21, 29));
    demonstrates("window_set", rec.slice(29, 35));
    demonstrates("window_info", rec.slice(35, 41));
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a process that pledged away the memory class gets EPLEDGE from every memory call, i64 results included", async () => {
    const k = new Kernel();
    const all = Object.values(PledgeClass).reduce((m: number, bit: number) => m | (1 << bit), 0);
    const bytes = guest(`(func (export "_start") (local $m i32) (local $w i32)
      (local.set $m (call $memory_create (i32.const 8)))
      (local.set $w (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 1) (i32.const 1)))
      (call $rec (call $pledge (i32.const ${all & ~(1 << PledgeClass.memory)})))
      (call $rec (call $memory_create (i32.const 8)))
      (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 0))))
      (call $rec (call $futex_wake (local.get $m) (i32.const 0) (i32.const 1)))
      (call $rec (call $memory_stats (i32.const -1) (i32.const 100) (i32.const 64)))
      (call $rec (call $handle_close (local.get $w)))
      (call $flush))`);
    const r = await runSystem([{ name: "p", bytes }], {}, k);
    expect(r.rec.p).toEqual([0, E("EPLEDGE"), E("EPLEDGE"), E("EPLEDGE"), E("EPLEDGE"), 0]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a window outlives the handle it was mapped through, and keeps the object alive until it is closed", async () => {
    const k = new Kernel();
    const bytes = guest(`
      (func (export "_start") (local $m i32) (local $w i32)
        (local.set $m (call $memory_create (i32.const 8)))
        (local.set $w (call $memory_map (local.get $m) (i32.const 0) (i32.const 8) (i32.const 1) (i32.const 1)))
        (call $rec (call $handle_close (local.get $m)))
        (call $rec (call $window_set (local.get $w) (i32.const 7) (i64.const 9)))
        (call $rec (i32.wrap_i64 (call $window_get (local.get $w) (i32.const 7))))
        (call $rec (call $memory_stats (i32.const -1) (i32.const 100) (i32.const 64)))
        (call $rec (i32.load (i32.const 116)))
        (call $rec (call $handle_close (local.get $w)))
        (call $rec (call $memory_stats (i32.const -1) (i32.const 100) (i32.const 64)))
        (call $rec (i32.load (i32.const 116)))
        (call $flush))`);
    const r = await runSystem([{ name: "p", bytes }], {}, k);
    expect(r.rec.p).toEqual([0, 0, 9, 64, 1, 0, 64, 0]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
