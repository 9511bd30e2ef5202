// PNG snapshots of a framebuffer: a frame listener that keeps a copy of the
// last presented frame and encodes it on demand (pure; hal/node/png-file.ts
// writes it to a file with node:zlib compression).

import type { Frame, FrameListener } from "./framebuffer.ts";
import { encodePng, type PngOptions } from "./png.ts";

export class PngSnapshot implements FrameListener {
  private last: { width: number; height: number; pixels: Uint8Array; n: number } | null = null;
  protected readonly options: PngOptions;

  constructor(options: PngOptions = {}) {
    this.options = options;
  }

  present(frame: Frame, n: number): void {
    const size = frame.width * frame.height * 4;
    if (this.last === null || this.last.pixels.length !== size)
      this.last = { width: frame.width, height: frame.height, pixels: new Uint8Array(size), n };
    this.last.pixels.set(frame.pixels.subarray(0, size));
    this.last.n = n;
  }

  /** The number of the last presented frame (0 if none). */
  get frame(): number {
    return this.last?.n ?? 0;
  }

  /** The last presented frame as a PNG file, or null if none was presented. */
  encode(): Uint8Array | null {
    const f = this.last;
    return f === null ? null : encodePng(f.width, f.height, f.pixels, this.options);
  }
}
