// PNG encoding of RGBA frames (8 bits per channel, color type 6), pure: no
// Node, no DOM. The compressed data is a zlib stream; by default it is made
// of stored (uncompressed) deflate blocks, which every decoder reads; a
// backend with a real deflate (node:zlib, CompressionStream) passes it in and
// gets adaptive row filters with it. See the PNG spec (ISO/IEC 15948),
// sections 5 (chunks), 9 (filters) and 10 (zlib).

export interface PngOptions {
  /** Compress the filtered rows into a zlib stream (RFC 1950). Default: stored deflate blocks. */
  deflate?: (raw: Uint8Array) => Uint8Array;
  /** Row filters: "none" (type 0 everywhere) or "adaptive" (per row, the type with the smallest sum of |bytes|). Default: adaptive when deflate is given. */
  filter?: "none" | "adaptive";
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
// The table and the running CRC are signed 32-bit integers (the same bits as the unsigned ones): V8's
// optimized code plans for int32 and bailed out ("lost precision", once a PCM run) where a value passed 2^31.
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as PNG uses it) of bytes. */
export function crc32(bytes: Uint8Array): number {
  return crc32Bits(bytes) >>> 0;
}

/**
 * crc32's bits as a signed 32-bit integer, for a writer that stores them (DataView.setUint32 takes either): an
 * unsigned result above 2^31 made the optimized code of the chunk writer bail out ("lost precision") whenever
 * the CRCs it had seen so far were all below it.
 */
function crc32Bits(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c;
}

/** Adler-32 (RFC 1950) of bytes. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length;) {
    const end = Math.min(bytes.length, i + 5552); // the largest run before the sums can overflow 2^32
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored deflate blocks (no compression) holding raw. */
export function zlibStored(raw: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + blocks * 5 + raw.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no preset dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0
  let at = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, raw.length - start);
    out[at] = b === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00 (stored)
    out[at + 1] = len & 0xff;
    out[at + 2] = len >>> 8;
    out[at + 3] = ~len & 0xff;
    out[at + 4] = (~len >>> 8) & 0xff;
    out.set(raw.subarray(start, start + len), at + 5);
    at += 5 + len;
  }
  const adler = adler32(raw);
  out[at] = adler >>> 24;
  out[at + 1] = (adler >>> 16) & 0xff;
  out[at + 2] = (adler >>> 8) & 0xff;
  out[at + 3] = adler & 0xff;
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filter one row (bpp 4) with filter type `type` into out (length stride). */
function filterRow(type: number, cur: Uint8Array, prev: Uint8Array | null, out: Uint8Array): void {
  const n = cur.length;
  for (let i = 0; i < n; i++) {
    const a = i >= 4 ? cur[i - 4] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= 4 ? prev[i - 4] : 0;
    let pred = 0;
    if (type === 1) pred = a;
    else if (type === 2) pred = b;
    else if (type === 3) pred = (a + b) >>> 1;
    else if (type === 4) pred = paeth(a, b, c);
    out[i] = (cur[i] - pred) & 0xff;
  }
}

/** The scanlines: per row a filter byte, then the filtered row. */
/**
 * The sum of a filtered row's bytes read as signed (the adaptive filter's measure). A function of its own, not
 * a loop inside scanlines' loops: V8 compiled that inner loop on its own (on-stack replacement) in a process's
 * first PNG and bailed out at each of its exits, five a row ("exit from OSR'd inner loop", 100-240 a PNG).
 */
function absSum(row: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += row[i] < 128 ? row[i] : 256 - row[i];
  return sum;
}

function scanlines(width: number, height: number, rgba: Uint8Array, adaptive: boolean): Uint8Array {
  const stride = width * 4;
  const raw = new Uint8Array(height * (stride + 1));
  const trial = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const cur = rgba.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? rgba.subarray((y - 1) * stride, y * stride) : null;
    const at = y * (stride + 1);
    let best = 0;
    if (adaptive) {
      let bestSum = Infinity;
      for (let type = 0; type <= 4; type++) {
        filterRow(type, cur, prev, trial);
        const sum = absSum(trial);
        if (sum < bestSum) {
          bestSum = sum;
          best = type;
        }
      }
    }
    raw[at] = best;
    filterRow(best, cur, prev, raw.subarray(at + 1, at + 1 + stride));
  }
  return raw;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32Bits(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encode width x height RGBA pixels (rows top to bottom, no padding) as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array, options: PngOptions = {}): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`PNG size ${width}x${height}`);
  if (rgba.length < width * height * 4) throw new RangeError(`PNG pixels: ${rgba.length} bytes for ${width}x${height}`);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // color type: RGBA
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  const adaptive = (options.filter ?? (options.deflate ? "adaptive" : "none")) === "adaptive";
  const raw = scanlines(width, height, rgba, adaptive);
  const idat = (options.deflate ?? zlibStored)(raw);
  const parts = [new Uint8Array(SIGNATURE), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
