// Syscall observation (strace, the Chrome trace) is free when off: an
// unobserved kernel hands guests the plain imports, an observed one wrapped
// imports; observing must be chosen before the first process starts.
import { describe, expect, it } from "vitest";
import { Kernel } from "../../host/kernel.ts";
import { observeSyscalls, syscallImports } from "../../host/runtime/bridge.ts";
import { Strace } from "../../host/trace/index.ts";
import { guest } from "../helpers/wat.ts";

const BYE = guest(
  `(data (i32.const 0) "bye\\n") (func (export "_start") (drop (call $console_write (i32.const 0) (i32.const 4))) (call $exit (i32.const 3)))`,
);

describe("syscall observation", () => {
  it("leaves the imports plain when nobody observes, and wraps them only for an observed kernel", () => {
    const module = new WebAssembly.Module(BYE as Uint8Array<ArrayBuffer>);
    const plain = syscallImports(new Kernel().core, module).wasmos as Record<string, unknown>;
    expect(typeof plain.console_write).toBe("function");
    const k = new Kernel();
    observeSyscalls(k.core, new Strace(() => {}));
    const wrapped = syscallImports(k.core, module).wasmos as Record<string, unknown>;
    expect(wrapped.console_write).toBeInstanceOf(WebAssembly.Suspending);
  });

  it("sees every call with its result, in order, and refuses to start once imports exist", async () => {
    const lines: string[] = [];
    const k = new Kernel();
    observeSyscalls(k.core, new Strace((l) => lines.push(l)));
    const p = k.spawn(k.loadImage(BYE, "bye.wasm"));
    expect(await p.exited).toMatchObject({ status: 3 });
    expect(lines).toEqual(['[pid 1] console_write(buf_ptr="bye\\n", buf_len=4) = 4', "[pid 1] exit(status=3) = ?"]);
    expect(() => observeSyscalls(k.core, new Strace(() => {}))).toThrow(/before the first spawn/);
  });
});
