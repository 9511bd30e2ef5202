// The console device model: output to its backend, input buffered up to a
// bound (the rest dropped and counted), read across chunks, end of input.
import { describe, expect, it } from "vitest";
import { Constants, Limits } from "../../abi/gen/abi.ts";
import { ConsoleDevice, MemoryConsole, type ConsoleInput } from "../../hal/console.ts";
import { FakeContext } from "./helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

describe("the console device", () => {
  it("writes output to its backend and counts it", () => {
    const backend = new MemoryConsole();
    const dev = new ConsoleDevice(backend);
    dev.bind(new FakeContext());
    dev.write(enc.encode("hello "));
    dev.write(enc.encode("world"));
    expect(backend.text()).toBe("hello world");
    expect(dev.info(Constants.DEVINFO_CONSOLE_TX_BYTES)).toBe(11);
  });

  it("buffers input, raising IRQ_CONSOLE_RX with the bytes waiting, and reads it across chunks", () => {
    const ctx = new FakeContext();
    const dev = new ConsoleDevice(new MemoryConsole());
    dev.bind(ctx);
    dev.input(enc.encode("abc"));
    dev.input(enc.encode("defg"));
    expect(ctx.irqs.map((i) => [i.kind, i.datum])).toEqual([
      [Constants.IRQ_CONSOLE_RX, 3],
      [Constants.IRQ_CONSOLE_RX, 7],
    ]);
    const buf = new Uint8Array(5);
    expect(dev.read(buf)).toBe(5);
    expect(dec.decode(buf)).toBe("abcde");
    expect(dev.buffered).toBe(2);
    expect(dev.read(buf)).toBe(2);
    expect(dec.decode(buf.subarray(0, 2))).toBe("fg");
    expect(dev.read(buf)).toBe(0);
  });

  it("drops input beyond MAX_CONSOLE_RX_BYTES and counts it", () => {
    const dev = new ConsoleDevice(new MemoryConsole());
    dev.bind(new FakeContext());
    dev.input(new Uint8Array(Limits.MAX_CONSOLE_RX_BYTES - 10));
    dev.input(new Uint8Array(25));
    expect(dev.buffered).toBe(Limits.MAX_CONSOLE_RX_BYTES);
    expect(dev.info(Constants.DEVINFO_CONSOLE_RX_DROPPED)).toBe(15);
  });

  it("signals the end of input once, with what is still buffered", () => {
    const ctx = new FakeContext();
    const dev = new ConsoleDevice(new MemoryConsole());
    dev.bind(ctx);
    dev.input(enc.encode("x"));
    dev.end();
    dev.end();
    dev.input(enc.encode("late"));
    expect(ctx.irqs.at(-1)).toEqual({ at: 0, kind: Constants.IRQ_CONSOLE_EOF, datum: 1 });
    expect(ctx.irqs.length).toBe(2);
    expect(dev.info(Constants.DEVINFO_CONSOLE_RX_EOF)).toBe(1);
  });

  it("listens to its backend's input from bind until close", () => {
    let to: ConsoleInput | null = null;
    let stopped = 0;
    const dev = new ConsoleDevice({ write() {}, listen: (t) => ((to = t), () => stopped++) });
    dev.bind(new FakeContext());
    to!.input(enc.encode("hi"));
    expect(dev.buffered).toBe(2);
    dev.close();
    expect(stopped).toBe(1);
    expect(dev.failure).toBe("shut down");
  });

  it("fails instead of throwing when its backend's write throws", () => {
    const ctx = new FakeContext();
    const dev = new ConsoleDevice({
      write: () => {
        throw new Error("EPIPE");
      },
    });
    dev.bind(ctx);
    dev.write(enc.encode("x"));
    expect(dev.failure).toBe("write: EPIPE");
    expect(dev.info(Constants.DEVINFO_CONSOLE_TX_BYTES)).toBe(0);
  });
});
