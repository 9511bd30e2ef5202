// PNG snapshots decode, with a standard decoder's steps (chunk CRCs, zlib
// inflate with its Adler-32 check, reversal of all five row filters), to the
// pixels that were written; stored and deflated streams alike.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 as zlibCrc32, inflateSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { FramebufferDevice } from "../../hal/framebuffer/framebuffer.ts";
import { adler32, crc32, encodePng, zlibStored } from "../../hal/framebuffer/png.ts";
import { PngSnapshot } from "../../hal/framebuffer/snapshot.ts";
import { PngFileSnapshot, zlibDeflate } from "../../hal/node/png-file.ts";
import { SeededRng } from "../../kernel/rng.ts";
import { decodePng, FakeContext } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "wasmos-png-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A picture with flat areas, gradients, a diagonal line and noise, so every row filter has a use. */
function picture(w: number, h: number): Uint8Array {
  const px = new Uint8Array(w * h * 4);
  const noise = new Uint8Array(w * h);
  new SeededRng(3).fill(noise);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (y < h / 4) px.set([10, 20, 30, 255], i);
      else if (y < h / 2) px.set([x * 4, y * 3, (x + y) & 255, 255], i);
      else if (y < (3 * h) / 4) px.set([noise[y * w + x], 255 - noise[y * w + x], 0, 128], i);
      else px.set(x === y % w ? [255, 255, 255, 255] : [0, 0, 0, 0], i);
    }
  }
  return px;
}

describe("PNG encoding", () => {
  it("checksums agree with known values (CRC-32 of IEND, Adler-32 of 'Wikipedia')", () => {
    expect(crc32(new TextEncoder().encode("IEND"))).toBe(0xae426082);
    expect(adler32(new TextEncoder().encode("Wikipedia"))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(100000).fill(255))).toBe(adler32Slow(new Uint8Array(100000).fill(255)));
  });

  it("CRC-32 is zlib's on the standard check string and on random bytes of many lengths, as an unsigned 32-bit value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const rng = new SeededRng(16);
    for (const n of [1, 2, 3, 7, 64, 255, 256, 1000, 65537]) {
      const bytes = new Uint8Array(n);
      rng.fill(bytes);
      expect(crc32(bytes), `${n} bytes`).toBe(zlibCrc32(bytes));
    }
  });

  it("a stored (uncompressed) zlib stream inflates back, across several 64 KiB blocks", () => {
    const raw = new Uint8Array(200000);
    new SeededRng(1).fill(raw);
    expect(Buffer.compare(inflateSync(zlibStored(raw)), raw)).toBe(0);
    expect(new Uint8Array(inflateSync(zlibStored(new Uint8Array(0))))).toEqual(new Uint8Array(0));
  });

  it("the pure encoder's PNG decodes to the pixels written", () => {
    const px = picture(64, 40);
    const d = decodePng(encodePng(64, 40, px));
    expect([d.width, d.height]).toEqual([64, 40]);
    expect(d.pixels).toEqual(px);
    expect(new Set(d.filters)).toEqual(new Set([0]));
  });

  it("with node:zlib and adaptive filters it decodes to the same pixels, uses several filters, and is smaller", () => {
    const px = picture(64, 40);
    const png = encodePng(64, 40, px, { deflate: zlibDeflate });
    const d = decodePng(png);
    expect(d.pixels).toEqual(px);
    expect(new Set(d.filters).size).toBeGreaterThan(1);
    expect(png.length).toBeLessThan(encodePng(64, 40, px).length);
  });

  it("refuses a size that does not match the pixels", () => {
    expect(() => encodePng(0, 1, new Uint8Array(4))).toThrow(RangeError);
    expect(() => encodePng(2, 2, new Uint8Array(15))).toThrow(RangeError);
  });
});

describe("PNG snapshots of a framebuffer", () => {
  it("keep the last presented frame, not what was drawn after it", () => {
    const snap = new PngSnapshot();
    const fb = new FramebufferDevice({ width: 16, height: 8, listeners: [snap] });
    fb.bind(new FakeContext());
    expect(snap.encode()).toBeNull();
    const px = picture(16, 8);
    fb.pixels().set(px);
    expect(fb.present()).toBe(1);
    fb.pixels().fill(9); // drawing the next frame
    expect(decodePng(snap.encode()!).pixels).toEqual(px);
    expect(snap.frame).toBe(1);
  });

  it("in live mode keep a view, not a copy: encode shows the pixels as they are when encoded, numbered as the last presented frame", () => {
    const snap = new PngSnapshot({ live: true });
    const fb = new FramebufferDevice({ width: 16, height: 8, listeners: [snap] });
    fb.bind(new FakeContext());
    expect(snap.encode()).toBeNull();
    const px = picture(16, 8);
    fb.pixels().set(px);
    fb.present();
    expect(decodePng(snap.encode()!).pixels).toEqual(px);
    fb.pixels().fill(9); // drawn over after the present: a live snapshot sees it
    expect(decodePng(snap.encode()!).pixels).toEqual(new Uint8Array(16 * 8 * 4).fill(9));
    expect(snap.frame).toBe(1);
  });

  it("the file snapshot writes the last frame when the device closes", () => {
    const path = join(tmp, "out", "fb.png");
    const snap = new PngFileSnapshot(path);
    const fb = new FramebufferDevice({ width: 20, height: 10, listeners: [snap] });
    fb.bind(new FakeContext());
    const px = picture(20, 10);
    fb.pixels().set(px);
    fb.present();
    fb.close();
    expect(decodePng(new Uint8Array(readFileSync(path))).pixels).toEqual(px);
    expect(snap.written).toBe(1);
  });

  it("with writeOnClose off, closing the device writes nothing: only write() does (the PCM demo writes after its timed run)", () => {
    const path = join(tmp, "out", "later.png");
    const snap = new PngFileSnapshot(path, { live: true, writeOnClose: false });
    const fb = new FramebufferDevice({ width: 20, height: 10, listeners: [snap] });
    fb.bind(new FakeContext());
    const px = picture(20, 10);
    fb.pixels().set(px);
    fb.present();
    fb.close();
    expect(existsSync(path)).toBe(false);
    expect(snap.written).toBe(0);
    expect(snap.write()).toBe(true);
    expect(decodePng(new Uint8Array(readFileSync(path))).pixels).toEqual(px);
    expect(snap.written).toBe(1);
  });
});

function adler32Slow(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
