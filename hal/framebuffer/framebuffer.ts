// Framebuffer device: width x height RGBA pixels (4 bytes each, rows top to
// bottom, no padding) in a memory of their own, and listeners that are shown
// each presented frame (an ANSI terminal renderer, a PNG snapshot, a canvas).
//
// The pixels live in a MemorySource: anything with a `buffer` (an
// ArrayBuffer by default; the host may pass a WebAssembly.Memory so that the
// same pages can later be a kernel memory object a guest binds as a grant and
// draws into directly).

import { Constants, ObjectType } from "../../abi/gen/abi.ts";
import { BaseDevice } from "../device.ts";

/** Where the pixels live: an ArrayBuffer holder (a WebAssembly.Memory fits). */
export interface PixelMemory {
  readonly buffer: ArrayBuffer;
}

/** A frame as listeners see it: `pixels` is a live view, valid only during present(); copy what you keep. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

export interface FrameListener {
  /** Frame number `n` (from 1) is complete at kernel time atNs. */
  present(frame: Frame, n: number, atNs: number): void;
  close?(): void;
}

/** Largest width or height a framebuffer may have. */
export const MAX_FB_SIDE = 8192;

export class FramebufferDevice extends BaseDevice {
  readonly objectType = ObjectType.DEV_FRAMEBUFFER;
  readonly width: number;
  readonly height: number;
  readonly memory: PixelMemory;
  private readonly listeners: FrameListener[] = [];
  private lastFrame: Frame | null = null;
  frames = 0;

  constructor(options: { width: number; height: number; memory?: PixelMemory; listeners?: FrameListener[]; name?: string }) {
    super(options.name ?? "framebuffer");
    const { width, height } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_FB_SIDE || height > MAX_FB_SIDE) {
      throw new RangeError(`framebuffer size ${width}x${height} out of range (1..${MAX_FB_SIDE})`);
    }
    this.width = width;
    this.height = height;
    this.memory = options.memory ?? { buffer: new ArrayBuffer(width * height * 4) };
    if (this.memory.buffer.byteLength < width * height * 4)
      throw new RangeError(`framebuffer memory holds ${this.memory.buffer.byteLength} bytes, needs ${width * height * 4}`);
    for (const l of options.listeners ?? []) this.listeners.push(l);
  }

  addListener(l: FrameListener): void {
    this.listeners.push(l);
  }

  /** The pixels, live: width * height * 4 bytes. */
  pixels(): Uint8Array {
    return this.frame().pixels;
  }

  /**
   * The frame listeners are shown: made again only when the memory's buffer has changed (a
   * WebAssembly.Memory that grew), not per present (a frame a period, in the PCM pipeline).
   */
  private frame(): Frame {
    const buffer = this.memory.buffer;
    let f = this.lastFrame;
    if (f === null || f.pixels.buffer !== buffer) {
      f = { width: this.width, height: this.height, pixels: new Uint8Array(buffer, 0, this.width * this.height * 4) };
      this.lastFrame = f;
    }
    return f;
  }

  /** The pixels form a frame: show it to every listener. Returns its number (from 1). */
  present(): number {
    const n = ++this.frames;
    const frame = this.frame();
    const at = this.ctx.now();
    this.presenting.frame = frame;
    this.presenting.n = n;
    this.presenting.at = at;
    for (let i = 0; i < this.listeners.length; i++) {
      this.presenting.to = this.listeners[i];
      this.guard("present", this.presentOne);
    }
    this.presenting.to = null;
    this.presenting.frame = null; // the live view is valid only during present()
    return n;
  }

  /**
   * What present() shows its current listener, and the guarded call made
   * once: a closure a frame was part of the PCM period's garbage
   * (docs/fastpath.md "Per-period allocation in the PCM pipeline").
   */
  private readonly presenting: { to: FrameListener | null; frame: Frame | null; n: number; at: number } = {
    to: null,
    frame: null,
    n: 0,
    at: 0,
  };
  private readonly presentOne = (): void => {
    const p = this.presenting;
    p.to!.present(p.frame!, p.n, p.at);
  };

  override info(key: number): number | null {
    switch (key) {
      case Constants.DEVINFO_FB_WIDTH:
        return this.width;
      case Constants.DEVINFO_FB_HEIGHT:
        return this.height;
      case Constants.DEVINFO_FB_STRIDE:
        return this.width * 4;
      case Constants.DEVINFO_FB_FRAMES:
        return this.frames;
      default:
        return null;
    }
  }

  protected override onClose(): void {
    let first: unknown = null;
    for (const l of this.listeners) {
      try {
        l.close?.();
      } catch (e) {
        first ??= e;
      }
    }
    if (first !== null) throw first;
  }
}
