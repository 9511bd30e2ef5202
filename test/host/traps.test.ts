// A trap ends only the process that trapped, with a reason its parent can
// read; the kernel and every other process carry on.
import { describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { guest } from "../helpers/wat.ts";

const TRAPS: [string, string, number, RegExp][] = [
  ["unreachable", '(func (export "_start") unreachable)', ExitReason.TRAP_UNREACHABLE, /unreachable/],
  ["an out-of-bounds load", '(func (export "_start") (drop (i32.load (i32.const -4))))', ExitReason.TRAP_MEMORY, /out of bounds/],
  ["unbounded recursion", '(func $f (call $f)) (func (export "_start") (call $f))', ExitReason.TRAP_STACK_OVERFLOW, /stack/],
  [
    "division by zero",
    '(func (export "_start") (drop (i32.div_u (i32.const 1) (i32.const 0))))',
    ExitReason.TRAP_DIVIDE_BY_ZERO,
    /by zero/,
  ],
  [
    "INT_MIN / -1",
    '(func (export "_start") (drop (i32.div_s (i32.const 0x80000000) (i32.const -1))))',
    ExitReason.TRAP_INTEGER_OVERFLOW,
    /unrepresentable/,
  ],
  [
    "a float-to-int overflow",
    '(func (export "_start") (drop (i32.trunc_f64_s (f64.const 1e100))))',
    ExitReason.TRAP_INTEGER_OVERFLOW,
    /unrepresentable/,
  ],
  [
    "a call through a null table entry",
    '(type $t (func)) (table 1 funcref) (func (export "_start") (call_indirect (type $t) (i32.const 0)))',
    ExitReason.TRAP_INDIRECT_CALL,
    /function/,
  ],
  [
    "a panic",
    '(data (i32.const 0) "it broke") (func (export "_start") (call $panic (i32.const 0) (i32.const 8)))',
    ExitReason.PANIC,
    /panic: it broke/,
  ],
  [
    "an out-of-bounds data segment",
    '(data (i32.const 65535) "ab") (func (export "_start"))',
    ExitReason.START_FAILED,
    /could not instantiate/,
  ],
];

// Sleeps 1 ms so the trap happens while it is blocked, then prints "survivor ok".
const SURVIVOR = guest(`
  (data (i32.const 0) "survivor ok\\n")
  (func (export "_start")
    (drop (call $sleep (i64.const 1000000)))
    (drop (call $console_write (i32.const 0) (i32.const 12))))`);

describe("trap containment", () => {
  for (const [what, body, reason, message] of TRAPS) {
    it(`${what} ends only that process, with reason ${Object.entries(ExitReason).find(([, v]) => v === reason)![0]}`, async () => {
      let out = "";
      const logs: string[] = [];
      const k = new Kernel({ stdout: (b) => (out += new TextDecoder().decode(b)), log: (l) => logs.push(l) });
      const survivorImage = k.loadImage(SURVIVOR, "survivor");
      const badImage = k.loadImage(guest(body), "bad");
      const survivor = k.spawn(survivorImage);
      const bad = k.spawn(badImage);
      k.release(survivorImage);
      k.release(badImage);
      const badExit = await bad.exited;
      expect(badExit.reason).toBe(reason);
      expect(badExit.status).toBe(-1);
      expect(badExit.message).toMatch(message);
      expect(logs.join("\n")).toMatch(new RegExp(`pid ${bad.pid} \\(bad\\) ended`));
      const ok = await survivor.exited;
      expect(ok.reason).toBe(ExitReason.NORMAL);
      expect(out).toBe("survivor ok\n");
      await k.run();
      bad.close();
      survivor.close();
      expect(k.core.objects.liveTotal()).toBe(0);
    });
  }

  it("a parent reads a trapped child's reason through wait", async () => {
    const child = guest('(func (export "_start") unreachable)');
    const parent = guest(`
      (data (i32.const 0) "child")
      (func (export "_start") (local $c i32)
        (local.set $c (call $spawn (call $handle_get (i32.const 0) (i32.const 5)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
        (call $rec (call $wait (local.get $c) (i32.const 100) (i64.const 0x7fffffffffffffff)))
        (call $rec (i32.load (i32.const 100)))
        (call $rec (i32.load (i32.const 104)))
        (call $flush))`);
    let bytes = new Uint8Array();
    const k2 = new Kernel({ stdout: (b) => (bytes = b.slice()) });
    const img = k2.loadImage(child, "child");
    const p = k2.spawn(k2.loadImage(parent, "parent"), { handles: [{ name: "child", object: img, rights: 0x13 }] });
    expect((await p.exited).reason).toBe(ExitReason.NORMAL);
    expect(Array.from(new Int32Array(bytes.buffer, bytes.byteOffset, 3))).toEqual([0, -1, ExitReason.TRAP_UNREACHABLE]);
  });
});
