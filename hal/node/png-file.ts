// PNG snapshots written to a file (Node): the last presented frame, deflated
// with node:zlib, written when asked (write()) and when the device closes.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { deflateSync } from "node:zlib";
import { PngSnapshot } from "../framebuffer/snapshot.ts";

/** node:zlib's deflate as PngOptions.deflate (a zlib stream, RFC 1950). */
export function zlibDeflate(raw: Uint8Array): Uint8Array {
  return new Uint8Array(deflateSync(raw, { level: 9 }));
}

export class PngFileSnapshot extends PngSnapshot {
  readonly path: string;
  /** Frame number last written (0: none). */
  written = 0;

  private readonly writeOnClose: boolean;

  /**
   * `live`: keep a view of the pixels, not a copy per frame (hal/framebuffer/snapshot.ts).
   * `writeOnClose` (default true): write the last frame when the device closes, if write() has not since.
   * Off, only write() writes: the owner chooses when the encode (deflate at level 9) runs.
   */
  constructor(path: string, options: { live?: boolean; writeOnClose?: boolean } = {}) {
    super({ deflate: zlibDeflate, live: options.live });
    this.path = path;
    this.writeOnClose = options.writeOnClose ?? true;
  }

  /** Write the last presented frame to the file now. Returns false if no frame was presented. */
  write(): boolean {
    const png = this.encode();
    if (png === null) return false;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, png);
    this.written = this.frame;
    return true;
  }

  close(): void {
    if (this.writeOnClose && this.frame !== this.written) this.write();
  }
}
