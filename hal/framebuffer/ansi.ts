// ANSI terminal rendering of RGBA frames, pure (returns text; the Node
// backend writes it to stdout). Each character cell shows two pixels, one
// above the other: "▀" (upper half block) with the upper pixel as the 24-bit
// foreground colour and the lower as the background. A frame wider than
// `columns` is scaled down by box sampling that keeps each channel's maximum,
// so thin bright lines (a waveform) survive. Alpha is composited over black.

import type { Frame, FrameListener } from "./framebuffer.ts";

export interface AnsiOptions {
  /** Most cells per line (default: the frame's width, one cell per pixel column). */
  columns?: number;
  /** Start with cursor-home (ESC [H) so successive frames draw over each other. */
  home?: boolean;
}

export const UPPER_HALF = "\u2580";
const ESC = "\x1b[";

/** Colour of the box [x0,x1) x [y0,y1), channel-wise maximum, alpha over black; [r, g, b]. */
function sample(f: Frame, x0: number, x1: number, y0: number, y1: number): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * f.width + x) * 4;
      const a = f.pixels[i + 3];
      r = Math.max(r, Math.round((f.pixels[i] * a) / 255));
      g = Math.max(g, Math.round((f.pixels[i + 1] * a) / 255));
      b = Math.max(b, Math.round((f.pixels[i + 2] * a) / 255));
    }
  }
  return [r, g, b];
}

/**
 * The frame as terminal text: ceil(rows / 2) lines of `cols` cells, each
 * line ending with ESC [0m and a newline, where cols = min(width, columns)
 * and rows = round(height * cols / width).
 */
export function renderAnsi(frame: Frame, options: AnsiOptions = {}): string {
  const cols = Math.max(1, Math.min(frame.width, options.columns ?? frame.width));
  const scale = frame.width / cols;
  const rows = Math.max(1, Math.round(frame.height / scale));
  const span = (i: number, n: number, limit: number): [number, number] => {
    const a = Math.floor((i * limit) / n);
    return [a, Math.max(a + 1, Math.floor(((i + 1) * limit) / n))];
  };
  let out = options.home ? `${ESC}H` : "";
  for (let cy = 0; cy < Math.ceil(rows / 2); cy++) {
    let fg = "";
    let bg = "";
    for (let cx = 0; cx < cols; cx++) {
      const [x0, x1] = span(cx, cols, frame.width);
      const [t0, t1] = span(2 * cy, rows, frame.height);
      const top = sample(frame, x0, x1, t0, t1);
      const bottom = 2 * cy + 1 < rows ? sample(frame, x0, x1, ...span(2 * cy + 1, rows, frame.height)) : [0, 0, 0];
      const f = `${ESC}38;2;${top[0]};${top[1]};${top[2]}m`;
      const b = `${ESC}48;2;${bottom[0]};${bottom[1]};${bottom[2]}m`;
      if (f !== fg) out += fg = f;
      if (b !== bg) out += bg = b;
      out += UPPER_HALF;
    }
    out += `${ESC}0m\n`;
  }
  return out;
}

/** A frame listener that renders each presented frame (or every `every`-th) as ANSI text to `write`. */
export class AnsiRenderer implements FrameListener {
  private readonly write: (text: string) => void;
  private readonly options: AnsiOptions;
  private readonly every: number;
  rendered = 0;

  constructor(write: (text: string) => void, options: AnsiOptions & { every?: number } = {}) {
    this.write = write;
    this.options = options;
    this.every = Math.max(1, options.every ?? 1);
  }

  present(frame: Frame, n: number): void {
    if ((n - 1) % this.every !== 0) return;
    this.write(renderAnsi(frame, this.options));
    this.rendered++;
  }
}
