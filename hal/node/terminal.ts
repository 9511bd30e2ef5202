// The framebuffer's ANSI renderer on a terminal (Node): each presented frame
// (or every n-th) drawn over the previous one on a writable stream.

import type { Writable } from "node:stream";
import { AnsiRenderer, type AnsiOptions } from "../framebuffer/ansi.ts";

export function terminalRenderer(options: AnsiOptions & { every?: number; out?: Writable } = {}): AnsiRenderer {
  const out = options.out ?? process.stdout;
  return new AnsiRenderer((text) => out.write(text), { home: true, ...options });
}
