// A stand-in for the kernel when unit-testing device models: a manual clock,
// one-shot timers fired by advancing it, and the interrupts raised.
import { inflateSync } from "node:zlib";
import type { DeviceContext } from "../../kernel/devices/contract.ts";
import { crc32 } from "../../hal/framebuffer/png.ts";

export interface RaisedIrq {
  at: number;
  kind: number;
  datum: number;
}

export class FakeContext implements DeviceContext {
  t = 0;
  /** Added to the clock when a timer fires (a late timer, as on a busy wall clock). */
  lateness = 0;
  readonly irqs: RaisedIrq[] = [];
  readonly logs: string[] = [];
  private timers: { deadline: number; fire: () => void; seq: number }[] = [];
  private seq = 0;

  now(): number {
    return this.t;
  }

  setTimer(deadline: number, fire: () => void): () => void {
    const t = { deadline, fire, seq: this.seq++ };
    this.timers.push(t);
    return () => {
      this.timers = this.timers.filter((x) => x !== t);
    };
  }

  interrupt(kind: number, datum: number): void {
    this.irqs.push({ at: this.t, kind, datum });
  }

  log(line: string): void {
    this.logs.push(line);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Fire every timer due by `until`, in deadline order, moving the clock to each (plus lateness). */
  advance(until: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
      const next = this.timers[0];
      if (next === undefined || next.deadline > until) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.deadline + this.lateness);
      next.fire();
    }
    this.t = Math.max(this.t, until);
  }
}

/** Interleaved s16le stereo: frame f has left = f * 3 + base, right = -(f * 5) - base (wrapping to i16). */
export function testSignal(frames: number, base = 0): Uint8Array {
  const out = new Uint8Array(frames * 4);
  const v = new DataView(out.buffer);
  for (let f = 0; f < frames; f++) {
    v.setInt16(f * 4, ((f * 3 + base) << 16) >> 16, true);
    v.setInt16(f * 4 + 2, ((-(f * 5) - base) << 16) >> 16, true);
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Decoded {
  width: number;
  height: number;
  pixels: Uint8Array;
  filters: number[];
}

/** Decode an 8-bit RGBA, non-interlaced PNG the way a standard decoder does (chunk CRCs, zlib with its Adler-32, all five row filters). Throws on any deviation. */
export function decodePng(png: Uint8Array): Decoded {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => png[i] === b)) throw new Error("bad signature");
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (at < png.length) {
    const len = v.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    if (crc32(png.subarray(at + 4, at + 8 + len)) !== v.getUint32(at + 8 + len)) throw new Error(`bad CRC in ${type}`);
    types.push(type);
    if (type === "IHDR") {
      width = v.getUint32(at + 8);
      height = v.getUint32(at + 12);
      if ([...data.subarray(8)].join() !== "8,6,0,0,0") throw new Error("not 8-bit RGBA, deflate, filter 0, no interlace");
    } else if (type === "IDAT") idat.push(data);
    at += 12 + len;
  }
  if (types[0] !== "IHDR" || types.at(-1) !== "IEND") throw new Error(`chunk order ${types.join(",")}`);
  const raw = new Uint8Array(inflateSync(Buffer.concat(idat))); // checks the zlib header and Adler-32
  const stride = width * 4;
  if (raw.length !== height * (stride + 1)) throw new Error("wrong amount of image data");
  const out = new Uint8Array(height * stride);
  const filters: number[] = [];
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    filters.push(f);
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= 4 ? out[y * stride + i - 4] : 0;
      const b = y > 0 ? out[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= 4 ? out[(y - 1) * stride + i - 4] : 0;
      let pred: number;
      if (f === 0) pred = 0;
      else if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else throw new Error(`filter ${f}`);
      out[y * stride + i] = (x + pred) & 0xff;
    }
  }
  return { width, height, pixels: out, filters };
}
