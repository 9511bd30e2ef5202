// An output line built in place: ASCII text and numbers written straight into
// one static byte buffer and handed to console_write as it is, so a line a
// period costs no allocation (no string per number, per concatenation, nor a
// UTF-8 copy) and so no garbage collection. The bytes are those of the same
// line built from strings and printed with println.

import { sys_console_write } from "@wasmos/sdk";

const CAPACITY = 256;
const buf = new StaticArray<u8>(CAPACITY);
let len = 0;
/** Digits of a number, least significant first. */
const digits = new StaticArray<u8>(20);

/** Start a new line. */
export function begin(): void {
  len = 0;
}

/** One ASCII byte (dropped past the buffer's end: a line never gets that long). */
@inline export function byte(c: i32): void {
  if (len < CAPACITY) unchecked((buf[len++] = <u8>c));
}

/** ASCII text (a literal: each UTF-16 unit is one byte). */
export function text(s: string): void {
  for (let i = 0, n = s.length; i < n; i++) byte(s.charCodeAt(i));
}

/** A non-negative integer in decimal. */
export function uint(v: u64): void {
  let n = 0;
  do {
    unchecked((digits[n++] = <u8>(48 + <i32>(v % 10))));
    v /= 10;
  } while (v != 0);
  while (n > 0) byte(unchecked(digits[--n]));
}

/** x with two decimals ("-12.34": hundredths by Math.round); "-inf" for -Infinity, "inf" for +Infinity and NaN. */
export function fixed2(x: f64): void {
  if (!isFinite(x)) {
    text(x < 0 ? "-inf" : "inf");
    return;
  }
  const c = <i64>Math.round(x * 100);
  const a = c < 0 ? -c : c;
  if (c < 0) byte(45); // "-"
  uint(<u64>(a / 100));
  byte(46); // "."
  const frac = a % 100;
  if (frac < 10) byte(48);
  uint(<u64>frac);
}

/** End the line ("\n") and write it to standard output: console_write's result. */
export function end(): i32 {
  byte(10);
  return sys_console_write(<i32>changetype<usize>(buf), len);
}
