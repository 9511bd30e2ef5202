// ByteSink: a growable byte buffer with the LEB128 and name encoders a wasm
// writer needs.

const utf8 = new TextEncoder();
/** Runs shorter than this are copied byte by byte: a typed array view (subarray) or set() per run costs more than the copy. */
const SHORT = 48;

export class ByteSink {
  private buf: Uint8Array<ArrayBuffer>;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 256, buffer?: Uint8Array<ArrayBuffer>) {
    this.buf = buffer !== undefined && buffer.length >= capacity ? buffer : new Uint8Array(Math.max(16, capacity));
  }

  private reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  u8(b: number): this {
    this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }

  bytes(data: Uint8Array): this {
    const n = data.length;
    this.reserve(n);
    const buf = this.buf;
    if (n < SHORT) {
      let at = this.length;
      for (let i = 0; i < n; i++) buf[at++] = data[i];
    } else buf.set(data, this.length);
    this.length += n;
    return this;
  }

  /** Bytes start..end of `src` (the same as bytes(src.subarray(start, end)), without making the view). */
  range(src: Uint8Array, start: number, end: number): this {
    const n = end - start;
    if (n <= 0) return this;
    this.reserve(n);
    const buf = this.buf;
    if (n < SHORT) {
      let at = this.length;
      for (let i = start; i < end; i++) buf[at++] = src[i];
    } else buf.set(src.subarray(start, end), this.length);
    this.length += n;
    return this;
  }

  /** Unsigned LEB128 of a u32 (throws RangeError outside 0..2^32-1). */
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not a u32: ${value}`);
    this.reserve(5);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
    return this;
  }

  /** Signed LEB128 of an i32 (throws RangeError outside the i32 range). */
  s32(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`not an i32: ${value}`);
    this.reserve(5);
    let v = value;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.buf[this.length++] = b;
        return this;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  /** Unsigned LEB128 of a u64. */
  u64(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.u8(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    return this.u8(Number(v));
  }

  /** Signed LEB128 of an i64. */
  s64(value: bigint): this {
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) return this.u8(b);
      this.u8(b | 0x80);
    }
  }

  /** A length-prefixed UTF-8 name. */
  name(text: string): this {
    const encoded = utf8.encode(text);
    return this.u32(encoded.length).bytes(encoded);
  }

  /** A section: id, size, then the contents of `content`. */
  section(id: number, content: ByteSink): this {
    return this.u8(id).u32(content.length).bytes(content.view());
  }

  /** The whole buffer the sink writes into (for handing it to another sink once this one is written no more). */
  storage(): Uint8Array<ArrayBuffer> {
    return this.buf;
  }

  /** The bytes written so far (a view, invalidated by later writes). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }

  /**
   * The bytes written, without a copy: a view of the sink's buffer (which
   * may be longer), for a sink that is written no more (a module's output).
   */
  take(): Uint8Array<ArrayBuffer> {
    const out = this.buf.subarray(0, this.length);
    this.buf = new Uint8Array(16);
    this.length = 0;
    return out;
  }

  /**
   * Starts a length-prefixed run written in place (a section's contents):
   * room for the size is kept; endSized(mark) writes it.
   */
  beginSized(): number {
    this.reserve(5);
    this.length += 5;
    return this.length;
  }

  /**
   * Starts a length-prefixed run whose size's LEB128 will most likely take
   * `room` bytes (from an upper bound of the size): that much room is kept
   * before it; endSizedIn(mark, room) writes the size there.
   */
  beginSizedIn(room: number): number {
    this.reserve(room);
    this.length += room;
    return this.length;
  }

  /** Ends a run begun by beginSizedIn(room): its size as a minimal LEB128 before it, the run moved only if that is not `room` bytes. */
  endSizedIn(mark: number, room: number): this {
    const size = this.length - mark;
    const leb = u32Size(size);
    const at = mark - room;
    if (leb !== room) {
      if (leb > room) this.reserve(leb - room);
      this.buf.copyWithin(at + leb, mark, mark + size);
    }
    this.length = at;
    this.u32(size);
    this.length = at + leb + size;
    return this;
  }

  /** Ends a run begun at `mark`: writes its size as a minimal LEB128 before it (moving the run back over unused room). */
  endSized(mark: number): this {
    const size = this.length - mark;
    const leb = u32Size(size);
    const at = mark - 5;
    if (leb < 5) this.buf.copyWithin(at + leb, mark, this.length);
    this.length = at;
    this.u32(size);
    this.length = at + leb + size;
    return this;
  }
}

/** Bytes an unsigned LEB128 encoding of `value` takes. */
export function u32Size(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    n++;
  }
  return n;
}

/** Unsigned LEB128 encoding of a u32. */
export function encodeU32(value: number): Uint8Array<ArrayBuffer> {
  return new ByteSink(5).u32(value).finish();
}

/** Signed LEB128 encoding of an i32. */
export function encodeS32(value: number): Uint8Array<ArrayBuffer> {
  return new ByteSink(5).s32(value).finish();
}

/** Signed LEB128 encoding of an i64. */
export function encodeS64(value: bigint): Uint8Array<ArrayBuffer> {
  return new ByteSink(10).s64(value).finish();
}
