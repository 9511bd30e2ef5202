// Cursor: a bounds-checked reader over wasm binary bytes, with LEB128
// decoding, and WasmParseError, the one error every parser in wasm/ throws.
//
// Invariant: a Cursor never reads at or past `limit`, and every failure is a
// WasmParseError naming the section being read and the absolute byte offset.

/** A module's bytes could not be parsed. `offset` is absolute in the module. */
export class WasmParseError extends Error {
  readonly section: string;
  readonly offset: number;
  readonly reason: string;

  constructor(section: string, offset: number, reason: string) {
    super(`malformed module: section '${section}' at offset 0x${offset.toString(16)}: ${reason}`);
    this.name = "WasmParseError";
    this.section = section;
    this.offset = offset;
    this.reason = reason;
  }
}

// ignoreBOM: a name starting U+FEFF keeps it (the default would strip it, and two exports could read the same).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class Cursor {
  readonly bytes: Uint8Array;
  /** Next byte to read (absolute offset). */
  pos: number;
  /** One past the last readable byte (absolute offset). */
  limit: number;
  /** Section name used in error messages. */
  section: string;
  /** Prefix for error reasons ("function 4"), or "". */
  context = "";

  constructor(bytes: Uint8Array, pos: number, limit: number, section: string) {
    this.bytes = bytes;
    this.pos = pos;
    this.limit = limit;
    this.section = section;
  }

  /** Throws a WasmParseError at `at` (default: the current position). */
  fail(reason: string, at: number = this.pos): never {
    throw new WasmParseError(this.section, at, this.context === "" ? reason : `${this.context}: ${reason}`);
  }

  get remaining(): number {
    return this.limit - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.limit;
  }

  u8(): number {
    if (this.pos >= this.limit) this.fail("unexpected end");
    return this.bytes[this.pos++];
  }

  /** Returns the next byte without consuming it. */
  peek(): number {
    if (this.pos >= this.limit) this.fail("unexpected end");
    return this.bytes[this.pos];
  }

  /** Advances past n bytes; returns the offset where they start. */
  skip(n: number): number {
    const start = this.pos;
    if (n < 0 || n > this.limit - start) this.fail("unexpected end");
    this.pos = start + n;
    return start;
  }

  /** Unsigned LEB128, at most 5 bytes, value < 2^32. */
  u32(): number {
    const bytes = this.bytes;
    const limit = this.limit;
    let pos = this.pos;
    if (pos < limit) {
      const b = bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    const start = pos;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= limit) this.fail("unexpected end", pos);
      const b = bytes[pos++];
      if (shift === 28) {
        if (b & 0x80) this.fail("integer representation too long", start);
        if (b & 0x70) this.fail("integer too large", start);
        result += b * 0x10000000;
        break;
      }
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    this.pos = pos;
    return result;
  }

  /** Signed LEB128, at most 5 bytes, value in i32 range. */
  s32(): number {
    return this.signed(5, 32);
  }

  /** Signed LEB128 for block types: at most 5 bytes, value in s33 range. */
  s33(): number {
    return this.signed(5, 33);
  }

  /** Skips a signed LEB128 of at most 10 bytes in i64 range (value not needed). */
  skipS64(): void {
    this.signed(10, 64);
  }

  /**
   * Unsigned LEB128 of at most 10 bytes (u64), returned as a number: exact up to
   * 2^53, rounded above (callers only compare such values against limits).
   */
  u64(): number {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    let result = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (pos >= this.limit) this.fail("unexpected end", pos);
      const b = bytes[pos++];
      if (i === 9) {
        if (b & 0x80) this.fail("integer representation too long", start);
        if (b & 0x7e) this.fail("integer too large", start);
      }
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= 128;
    }
    this.pos = pos;
    return result;
  }

  /**
   * Signed LEB128 of at most maxBytes bytes encoding a `bits`-bit value. The
   * value is exact for bits <= 33 and meaningless above (only validated).
   */
  private signed(maxBytes: number, bits: number): number {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    let result = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (pos >= this.limit) this.fail("unexpected end", pos);
      const b = bytes[pos++];
      if (i === maxBytes - 1) {
        if (b & 0x80) this.fail("integer representation too long", start);
        // Bits of the last byte above the value's width must all equal its sign bit.
        const used = bits - 7 * i; // value bits held in this byte, sign included
        const high = (b >> (used - 1)) & 0x7f;
        if (high !== 0 && high !== 0x7f >> (used - 1)) this.fail("integer too large", start);
        result += (b & 0x7f) * scale;
        if (b & 0x40) result -= 128 * scale;
        break;
      }
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= scale;
        break;
      }
    }
    this.pos = pos;
    return result;
  }

  /** A vector length, checked against the bytes left (each element >= minSize bytes). */
  count(minSize = 1): number {
    const at = this.pos;
    const n = this.u32();
    if (n * minSize > this.limit - this.pos) this.fail(`count ${n} exceeds the bytes left`, at);
    return n;
  }

  /** A length-prefixed UTF-8 name. */
  name(): string {
    const at = this.pos;
    const len = this.u32();
    const start = this.skip(len);
    try {
      return utf8.decode(this.bytes.subarray(start, start + len));
    } catch {
      this.fail("malformed UTF-8 encoding", at);
    }
  }
}
