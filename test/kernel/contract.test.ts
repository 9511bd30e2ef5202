// The ABI contract check on the dispatcher (kernel/syscalls/contract.ts): on
// in every test worker (test/setup/contract-check.ts), in the conformance runner and
// in the fuzzer; a handler returning an errno its ABI entry does not list is
// a kernel bug that ends the caller with KERNEL_FAULT.

import { describe, expect, it } from "vitest";
import { Errno, ExitReason, SYSCALL_BY_NAME } from "../../abi/gen/abi.ts";
import { KERNEL_DEFAULTS } from "../../kernel/core.ts";
import { KernelBug } from "../../kernel/object.ts";
import { checkedHandler, SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import { Kernel } from "../../host/kernel.ts";
import { wat } from "../helpers/wat.ts";

describe("the ABI contract check", () => {
  it("is on in every test worker", () => {
    expect(KERNEL_DEFAULTS.checkContracts).toBe(true);
    expect(new Kernel().core.checkContracts).toBe(true);
    expect(new Kernel({ checkContracts: false }).core.checkContracts).toBe(false);
  });

  it("passes listed errors and successes through and raises a KernelBug for an unlisted errno", () => {
    const def = SYSCALL_BY_NAME.handle_close;
    const returning = (r: number) => checkedHandler(def, () => r);
    const k = {} as never;
    const p = {} as never;
    expect(returning(0)(k, p)).toBe(0);
    expect(returning(-Errno.EBADH)(k, p)).toBe(-Errno.EBADH);
    expect(() => returning(-Errno.ENOMEM)(k, p)).toThrow(KernelBug);
    expect(() => returning(-Errno.ENOMEM)(k, p)).toThrow("handle_close returned ENOMEM, which its ABI entry does not list");
  });

  it("checks i64 results too, but not msg_word's, whose result is the word itself", () => {
    const k = {} as never;
    const p = {} as never;
    expect(() => checkedHandler(SYSCALL_BY_NAME.window_get, () => BigInt(-Errno.EMFILE))(k, p)).toThrow(KernelBug);
    expect(checkedHandler(SYSCALL_BY_NAME.window_get, () => 5n)(k, p)).toBe(5n);
    expect(checkedHandler(SYSCALL_BY_NAME.msg_word, () => BigInt(-Errno.EMFILE))(k, p)).toBe(BigInt(-Errno.EMFILE));
  });

  it("ends a guest whose syscall broke the contract with KERNEL_FAULT, and the kernel carries on", async () => {
    // Break one handler for kernels built while it is patched: handle_close answers ENOMEM.
    const table = SYSCALL_HANDLERS as unknown as Record<string, unknown>;
    const original = table.handle_close;
    table.handle_close = () => -Errno.ENOMEM;
    try {
      const log: string[] = [];
      const k = new Kernel({ log: (l) => log.push(l) });
      const guest = (body: string) =>
        k.loadImage(
          wat(`(module (import "wasmos" "handle_close" (func $c (param i32) (result i32))) (import "wasmos" "clock_now" (func $t (result i64)))
            (memory (export "memory") 1) (func (export "_start") ${body}))`),
        );
      const bad = k.spawn(guest("(drop (call $c (i32.const 5)))"));
      const other = k.spawn(guest("(drop (call $t))"));
      expect((await bad.exited).reason).toBe(ExitReason.KERNEL_FAULT);
      expect(log.join("\n")).toContain("handle_close returned ENOMEM, which its ABI entry does not list");
      expect((await other.exited).reason).toBe(ExitReason.NORMAL);
    } finally {
      table.handle_close = original;
    }
  });
});
