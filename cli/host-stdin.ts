// The host's standard input for a WASI program's fd 0.

import type { WasiStdin } from "../host/personality/wasi/personality.ts";

/** The host's standard input as a WASI stdin: read on demand, so an unused stdin never holds the process open. */
export function hostStdin(stream: NodeJS.ReadStream = process.stdin): WasiStdin & { close(): void } {
  const chunks: Buffer[] = [];
  let ended = false;
  let waiting: (() => void) | null = null;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    stream.on("data", (c: Buffer) => {
      chunks.push(c);
      stream.pause();
      waiting?.();
    });
    stream.on("end", () => {
      ended = true;
      waiting?.();
    });
    stream.on("error", () => {
      ended = true;
      waiting?.();
    });
  };
  const take = (max: number): Uint8Array | null => {
    const c = chunks[0];
    if (c === undefined) return null;
    if (c.length <= max) chunks.shift();
    else chunks[0] = c.subarray(max);
    return c.subarray(0, Math.min(max, c.length));
  };
  return {
    read(max: number) {
      if (chunks.length > 0) return take(max);
      if (ended) return null;
      start();
      return new Promise<Uint8Array | null>((resolve) => {
        waiting = () => {
          waiting = null;
          resolve(chunks.length > 0 ? take(max) : null);
        };
        stream.resume();
      });
    },
    buffered() {
      if (chunks.length > 0) return chunks.reduce((n, c) => n + c.length, 0);
      return ended ? null : 0;
    },
    wait() {
      if (chunks.length > 0 || ended) return Promise.resolve();
      start();
      return new Promise<void>((resolve) => {
        waiting = () => {
          waiting = null;
          resolve();
        };
        stream.resume();
      });
    },
    close() {
      if (started) stream.destroy();
    },
  };
}
