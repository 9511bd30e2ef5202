// The host's standard input for a WASI program's fd 0.

import type { WasiStdin } from "../host/personality/wasi/personality.ts";
import type { InputStream } from "../host/system.ts";

/** process.stdin, or a stream standing in for it (a recording's or a replay's input): resume and destroy if it has them. */
export type StdinStream = InputStream & { resume?(): unknown; destroy?(): unknown };

/** The host's standard input as a WASI stdin: read on demand, so an unused stdin never holds the process open. */
export function hostStdin(stream: StdinStream = process.stdin): WasiStdin & { close(): void } {
  const chunks: Uint8Array[] = [];
  let ended = false;
  let waiting: (() => void) | null = null;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    stream.on("data", (c: Uint8Array | string) => {
      chunks.push(typeof c === "string" ? new TextEncoder().encode(c) : c);
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
        stream.resume?.();
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
        stream.resume?.();
      });
    },
    close() {
      if (started) stream.destroy?.();
    },
  };
}

/**
 * Fixed bytes as a WASI stdin: every read answers at once, then the end. A
 * recorded WASI run reads a piped stdin whole first and its replay gets the
 * same bytes this way, so when they arrived cannot change the run.
 */
export function bytesStdin(bytes: Uint8Array): WasiStdin & { close(): void } {
  let at = 0;
  return {
    read: (max) => {
      if (at >= bytes.length) return null;
      const n = Math.min(max, bytes.length - at);
      at += n;
      return bytes.subarray(at - n, at);
    },
    buffered: () => (at >= bytes.length ? null : bytes.length - at),
    wait: () => Promise.resolve(),
    close: () => {},
  };
}
