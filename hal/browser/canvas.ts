// The framebuffer on a <canvas>: each presented frame is copied into an
// ImageData and drawn (RGBA rows, the framebuffer's layout), at most once per
// animation frame: a guest presenting faster than the display refreshes
// costs one copy per refresh, not one per present.

import type { Frame, FrameListener } from "../framebuffer/framebuffer.ts";

export class CanvasRenderer implements FrameListener {
  private readonly ctx: CanvasRenderingContext2D;
  private image: ImageData | null = null;
  private pending = false;
  presented = 0;
  drawn = 0;

  constructor(canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2d context on the canvas");
    this.ctx = ctx;
  }

  present(frame: Frame): void {
    this.presented++;
    if (!this.image || this.image.width !== frame.width || this.image.height !== frame.height) {
      this.ctx.canvas.width = frame.width;
      this.ctx.canvas.height = frame.height;
      this.image = new ImageData(frame.width, frame.height);
    }
    // The frame is a live view, valid only now: copy it.
    this.image.data.set(frame.pixels.subarray(0, frame.width * frame.height * 4));
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => this.draw());
  }

  /** Draw the last frame now (also called at the end of a run). */
  draw(): void {
    this.pending = false;
    if (!this.image) return;
    this.ctx.putImageData(this.image, 0, 0);
    this.drawn++;
  }
}
