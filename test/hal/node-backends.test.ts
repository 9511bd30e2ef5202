// The Node backends: stdio console over streams, the terminal renderer.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Constants } from "../../abi/gen/abi.ts";
import { ConsoleDevice } from "../../hal/console.ts";
import { FramebufferDevice } from "../../hal/framebuffer/framebuffer.ts";
import { StdioConsole, terminalRenderer } from "../../hal/node/index.ts";
import { FakeContext } from "./helpers.ts";

const collect = (s: PassThrough) => {
  const chunks: Buffer[] = [];
  s.on("data", (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
};

describe("the Node backends", () => {
  it("a stdio console writes to its output stream and delivers its input stream, then its end", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const written = collect(output);
    const ctx = new FakeContext();
    const dev = new ConsoleDevice(new StdioConsole({ input, output }));
    dev.bind(ctx);
    const line = new TextEncoder().encode("out\n");
    dev.write(line);
    line.fill(0); // the backend copied it: the guest may reuse its buffer at once
    input.write("in");
    input.end();
    await new Promise((r) => setImmediate(r));
    expect(written()).toBe("out\n");
    expect(ctx.irqs.map((i) => i.kind)).toEqual([Constants.IRQ_CONSOLE_RX, Constants.IRQ_CONSOLE_EOF]);
    const buf = new Uint8Array(8);
    expect(new TextDecoder().decode(buf.subarray(0, dev.read(buf)))).toBe("in");
    dev.close();
    expect(input.listenerCount("data")).toBe(0);
  });

  it("the terminal renderer draws each frame from the cursor's home position", () => {
    const out = new PassThrough();
    const text = collect(out);
    const fb = new FramebufferDevice({ width: 4, height: 4, listeners: [terminalRenderer({ out, columns: 2 })] });
    fb.bind(new FakeContext());
    fb.present();
    fb.present();
    const frames = text()
      .split("\x1b[H")
      .filter((f) => f !== "");
    expect(frames.length).toBe(2);
    expect(frames[0].split("\n").length - 1).toBe(1); // 4x4 scaled to 2 columns: 2 rows, one line
  });
});
