// PNG snapshots of a framebuffer: a frame listener that keeps the last
// presented frame and encodes it on demand (pure; hal/node/png-file.ts writes
// it to a file with node:zlib compression).
//
// By default it copies each presented frame (width * height * 4 bytes: 384 KB
// at 480x200, the largest cost of a PCM period), so what it encodes is the
// last presented frame even if the pixels were drawn over since. With
// `{ live: true }` it keeps only a view of the device's pixels and the frame
// number: encode() shows the pixels as they are then, which is the last
// presented frame whenever nothing has drawn since (a snapshot taken after
// the drawing processes have ended, as the PCM demo's is).

import type { Frame, FrameListener } from "./framebuffer.ts";
import { encodePng, type PngOptions } from "./png.ts";

export interface SnapshotOptions extends PngOptions {
  /** Keep a view of the live pixels instead of a copy of each frame (see the top of this file). */
  live?: boolean;
}

export class PngSnapshot implements FrameListener {
  private last: { width: number; height: number; pixels: Uint8Array; n: number } | null = null;
  protected readonly options: PngOptions;
  private readonly live: boolean;

  constructor(options: SnapshotOptions = {}) {
    const { live, ...png } = options;
    this.options = png;
    this.live = live ?? false;
  }

  present(frame: Frame, n: number): void {
    const size = frame.width * frame.height * 4;
    if (this.live) {
      const last = this.last;
      // The same view as last time (the device keeps its frame while the memory stays): only the number moves.
      if (last !== null && last.pixels === frame.pixels && last.width === frame.width && last.height === frame.height) last.n = n;
      else
        this.last = {
          width: frame.width,
          height: frame.height,
          pixels: frame.pixels.length === size ? frame.pixels : frame.pixels.subarray(0, size),
          n,
        };
      return;
    }
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
