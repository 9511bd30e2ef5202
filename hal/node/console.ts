// A console device backend on the host's stdio (Node): output to a writable
// stream (stdout), input from a readable one (stdin), delivered as it arrives.

import type { Readable, Writable } from "node:stream";
import type { ConsoleBackend, ConsoleInput } from "../console.ts";

export class StdioConsole implements ConsoleBackend {
  private readonly input: Readable;
  private readonly output: Writable;

  constructor(options: { input?: Readable; output?: Writable } = {}) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
  }

  write(bytes: Uint8Array): void {
    this.output.write(Buffer.from(bytes)); // a copy: the stream may write later, the view is guest memory
  }

  listen(to: ConsoleInput): () => void {
    const onData = (chunk: Buffer | string): void =>
      to.input(typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
    const onEnd = (): void => to.end();
    this.input.on("data", onData);
    this.input.on("end", onEnd);
    return () => {
      this.input.off("data", onData);
      this.input.off("end", onEnd);
      this.input.pause();
    };
  }
}
