// port_direct_w2w_floor_ns: what one port delivery wasm-to-wasm costs with
// the bare pieces (docs/fastpath.md "Port dispatch in wasm, wasm-to-wasm"),
// beside port_direct_ns (the kernel's path since w2wire: the same shape, in
// host/runtime/fast-ports.ts, over the kernel's own state words). Here the
// dispatcher is written out over state the bench sets, with no kernel: the
// floor the kernel's path is measured against. What is real: the binder is a metered module prepared by the
// loader (loader/prepare.ts) with a direct copy of its handler
// (loader/instrument/direct-copy.ts); the sender runs on a JSPI stack, as a
// guest does; every check the design makes is made.
//
//   sender (JSPI stack):   loop: port_send(h, code, value)         (an import: the dispatcher's export)
//   dispatcher port_send:  the handle mirror's checks (go-slow word, slot, live handle, type PORT, SEND right),
//                          the port's state word (the binder's trampoline slot, 0: not idle-direct), nesting word 0,
//                          the state word cleared (busy) while the handler runs,
//                          try_table (catch $tag, catch_all):  burned = call_indirect trampoline(key, code, value, quantum)
//                          the state word back, the sender's counter -= burned (its charge helper, through a table)
//   trampoline (binder):   kept = fuel; fuel = quantum; stack budget = BUDGET; call the copy; burned = quantum - fuel; fuel = kept

import wabtInit from "wabt";
import { defaultPolicy } from "../../loader/policy.ts";
import { prepareModule } from "../../loader/prepare.ts";
import {
  addDirectCopies,
  DIRECT_EXPORT_PREFIX,
  DIRECT_STACK_GLOBAL_EXPORT,
  DIRECT_TAG_IMPORT,
} from "../../loader/instrument/direct-copy.ts";
import { FUEL_GLOBAL_EXPORT, FUEL_IMPORT } from "../../loader/instrument/fuel.ts";
import { readModule } from "../../wasm/reader.ts";
import type { Family } from "../figure.ts";
import { attempt, timed } from "../figure.ts";
import { sampleHost } from "../stats.ts";

/** The binder: a handler that counts packets in memory (the shape of port-pingpong's sink). */
const BINDER = `(module
  (import "wasmos" "port_send" (func $port_send (param i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
    (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (i32.const 1))))
  (func (export "_start")))`;

/** The sender: a metered guest's loop of port_send calls; charge helper = what the loader would append to a sender. */
const SENDER = `(module
  (import "wasmos" "port_send" (func $port_send (param i32 i32 i64) (result i32)))
  (global $fuel (export "fuel") (mut i32) (i32.const 0x3fffffff))
  (func (export "charge") (param $n i32) (global.set $fuel (i32.sub (global.get $fuel) (local.get $n))))
  (func (export "run") (param $h i32) (param $n i32) (result i32) (local $bad i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $bad (i32.or (local.get $bad) (call $port_send (local.get $h) (i32.const 1) (i64.extend_i32_u (local.get $n)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $bad)))`;

/** Per (binder, handler), kernel-owned. */
const TRAMPOLINE = `(module
  (import "r" "fuel" (global $fuel (mut i32)))
  (import "r" "stack" (global $stack (mut i32)))
  (import "r" "copy" (func $copy (param i32 i32 i64)))
  (func (export "run") (param $key i32) (param $code i32) (param $value i64) (param $budget i32) (result i32) (local $kept i32)
    (local.set $kept (global.get $fuel))
    (global.set $fuel (local.get $budget))
    (global.set $stack (i32.const 262144))
    (call $copy (local.get $key) (local.get $code) (local.get $value))
    (local.set $budget (i32.sub (local.get $budget) (global.get $fuel)))
    (global.set $fuel (local.get $kept))
    (local.get $budget)))`;

// Kernel memory layout (i32 words): 0 go-slow, 4 nesting depth, 8 slot count, 16.. slots of 16 bytes
// [live handle, rights, type, state address]; a port's state: [trampoline slot + 1, key].
const PORT_TYPE = 7;
const SEND = 4;

/** Per sender process, kernel-owned. */
const DISPATCHER = `(module
  (import "k" "memory" (memory 1))
  (import "k" "tag" (tag $t (param i32)))
  (import "k" "trampolines" (table $tr 4 funcref))
  (import "k" "charges" (table $ch 4 funcref))
  (import "k" "slow" (func $slow (param i32 i32 i64) (result i32)))
  (import "k" "failed" (func $failed (param i32 i32) (result i32)))
  (type $tramp (func (param i32 i32 i64 i32) (result i32)))
  (type $charge (func (param i32)))
  (func (export "port_send") (param $h i32) (param $code i32) (param $value i64) (result i32)
    (local $s i32) (local $st i32) (local $slot i32) (local $burned i32)
    (if (i32.load (i32.const 0)) (then (return (call $slow (local.get $h) (local.get $code) (local.get $value)))))
    (local.set $s (i32.and (local.get $h) (i32.const 0xffff)))
    (if (i32.or (i32.le_s (local.get $h) (i32.const 0)) (i32.ge_u (local.get $s) (i32.load (i32.const 8))))
      (then (return (call $slow (local.get $h) (local.get $code) (local.get $value)))))
    (local.set $s (i32.add (i32.const 16) (i32.shl (local.get $s) (i32.const 4))))
    (if (i32.or (i32.or (i32.ne (i32.load (local.get $s)) (local.get $h)) (i32.ne (i32.load offset=8 (local.get $s)) (i32.const ${PORT_TYPE})))
                (i32.eqz (i32.and (i32.load offset=4 (local.get $s)) (i32.const ${SEND}))))
      (then (return (call $slow (local.get $h) (local.get $code) (local.get $value)))))
    (local.set $st (i32.load offset=12 (local.get $s)))
    (local.set $slot (i32.load (local.get $st)))
    (if (i32.or (i32.eqz (local.get $slot)) (i32.load (i32.const 4)))
      (then (return (call $slow (local.get $h) (local.get $code) (local.get $value)))))
    (i32.store (local.get $st) (i32.const 0))
    (block $js
      (block $trap (result i32)
        (try_table (catch $t $trap) (catch_all $js)
          (local.set $burned (call_indirect $tr (type $tramp)
            (i32.load offset=4 (local.get $st)) (local.get $code) (local.get $value) (i32.const 2000000)
            (i32.sub (local.get $slot) (i32.const 1)))))
        (i32.store (local.get $st) (local.get $slot))
        (call_indirect $ch (type $charge) (local.get $burned) (i32.const 0))
        (return (i32.const 0)))
      (local.set $burned) ;; the tag's kind
      (return (call $failed (local.get $h) (local.get $burned))))
    (call $failed (local.get $h) (i32.const -1))))`;

export const portW2w: Family = {
  name: "port_w2w",
  keys: ["port_direct_w2w_floor_ns"],
  needs: ["baseline_direct_call_ns", "port_direct_ns"],
  async run(ctx) {
    const floor = await attempt(async () => {
      const wabt = await wabtInit();
      const asm = (src: string) => {
        const f = { exceptions: true, reference_types: true };
        const m = wabt.parseWat("w2w.wat", src, f as never);
        try {
          m.resolveNames();
          (m.validate as (f: unknown) => void)(f);
          return new Uint8Array(m.toBinary({}).buffer);
        } finally {
          m.destroy();
        }
      };
      const tag = new WebAssembly.Tag({ parameters: ["i32"] });
      // The binder as the loader prepares it, plus its direct copy.
      const prepared = prepareModule(asm(BINDER), defaultPolicy());
      const copies = addDirectCopies(readModule(prepared.bytes), ["on_packet"], { overrunAt: 0 });
      if (!copies.copies.has("on_packet")) throw new Error(`no direct copy: ${copies.refused.get("on_packet")}`);
      const binder = new WebAssembly.Instance(new WebAssembly.Module(copies.bytes as Uint8Array<ArrayBuffer>), {
        wasmos: { [FUEL_IMPORT.name]: () => {}, [DIRECT_TAG_IMPORT.name]: tag, port_send: () => -1 },
      } as unknown as WebAssembly.Imports).exports;
      const trampoline = new WebAssembly.Instance(new WebAssembly.Module(asm(TRAMPOLINE)), {
        r: {
          fuel: binder[FUEL_GLOBAL_EXPORT],
          stack: binder[DIRECT_STACK_GLOBAL_EXPORT],
          copy: binder[DIRECT_EXPORT_PREFIX + "on_packet"],
        },
      }).exports;
      // Kernel state: handle 0x10003 (slot 3) names the port with SEND; the port's state at 1024 says slot 1, key 77.
      const memory = new WebAssembly.Memory({ initial: 1 });
      const w = new Int32Array(memory.buffer);
      w[2] = 16;
      const slot = (16 + 3 * 16) / 4;
      w.set([0x10003, SEND | 1, PORT_TYPE, 1024], slot);
      w.set([1, 77], 1024 / 4);
      const trampolines = new WebAssembly.Table({ element: "anyfunc", initial: 4 });
      trampolines.set(0, trampoline.run as () => void);
      const charges = new WebAssembly.Table({ element: "anyfunc", initial: 4 });
      let slowCalls = 0;
      let failures = 0;
      const dispatcher = new WebAssembly.Instance(new WebAssembly.Module(asm(DISPATCHER)), {
        k: { memory, tag, trampolines, charges, slow: () => (slowCalls++, -1), failed: () => (failures++, 0) },
      } as unknown as WebAssembly.Imports).exports;
      const sender = new WebAssembly.Instance(new WebAssembly.Module(asm(SENDER)), { wasmos: { port_send: dispatcher.port_send } }).exports;
      charges.set(0, sender.charge as () => void);
      const run = WebAssembly.promising(sender.run as (h: number, n: number) => number);
      const counted = () => new Int32Array((binder.memory as WebAssembly.Memory).buffer)[16];
      const before = counted();
      const s = await sampleHost(ctx.plan, async (n) => {
        if ((await run(0x10003, n)) !== 0) throw new Error("port_send failed");
      });
      if (slowCalls + failures > 0 || counted() === before)
        throw new Error(`the floor did not run its fast path (${slowCalls} slow, ${failures} failed)`);
      // (This handler is loop-free and small: the fuel pass leaves it unmetered ("bounded"), so it burns 0 and the charge is of 0.)
      return timed(s, {
        unit: "ns",
        measures:
          "one port delivery wasm-to-wasm with the built pieces (not yet the kernel's path): a sender on a JSPI stack calls the designed dispatcher (handle mirror checks, the port's state word, try_table around the binder's trampoline, the burned fuel billed to the sender's counter), which runs the loader-made direct copy of a counting handler",
        baseline: { key: "baseline_direct_call_ns" },
        goal: { op: "<=", value: 20, times: "baseline_direct_call_ns" },
        also: ["port_direct_ns"],
      });
    });
    return { port_direct_w2w_floor_ns: floor };
  },
};
