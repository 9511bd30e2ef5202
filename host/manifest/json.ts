// A strict JSON parser that remembers where each value starts, so that a
// manifest error can name its place in the file (JSON pointer and
// line:column). JSON.parse gives neither positions nor duplicate-key errors.
// RFC 8259 grammar exactly: no comments, no trailing commas; duplicate keys
// are refused (the last one would silently win otherwise).

/** Where a value starts in the text: 1-based line and column (in UTF-16 code units). */
export interface Position {
  line: number;
  column: number;
}

export interface ParsedJson {
  value: unknown;
  /** JSON pointer (RFC 6901) of every value -> where it starts. "" is the root. */
  positions: Map<string, Position>;
}

export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
  readonly position: Position;
  /** Pointer of the innermost value being read when it failed. */
  readonly pointer: string;
  constructor(message: string, position: Position, pointer: string) {
    super(message);
    this.position = position;
    this.pointer = pointer;
  }
}

/** Escape one reference token of a JSON pointer. */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}

const MAX_DEPTH = 64;

export function parseJson(text: string): ParsedJson {
  const positions = new Map<string, Position>();
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const pos = (at = i): Position => ({ line, column: at - lineStart + 1 });
  const fail = (msg: string, pointer: string, at = i): never => {
    throw new JsonSyntaxError(msg, pos(at), pointer);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) {
        i++;
        line++;
        lineStart = i;
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) i++;
      else return;
    }
  };
  const describe = (at: number) => (at >= text.length ? "end of file" : JSON.stringify(text[at]));

  function value(ptr: string, depth: number): unknown {
    ws();
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`, ptr);
    positions.set(ptr, pos());
    const c = text[i];
    if (c === "{") return object(ptr, depth);
    if (c === "[") return array(ptr, depth);
    if (c === '"') return string(ptr);
    if (c === "-" || (c >= "0" && c <= "9")) return number(ptr);
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(`unexpected ${describe(i)}: expected a value`, ptr);
  }

  function object(ptr: string, depth: number): Record<string, unknown> {
    i++; // {
    const out: Record<string, unknown> = Object.create(null);
    ws();
    if (text[i] === "}") {
      i++;
      return out;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail(`unexpected ${describe(i)}: expected a key in double quotes`, ptr);
      const keyAt = i;
      const key = string(ptr);
      if (Object.prototype.hasOwnProperty.call(out, key)) fail(`duplicate key "${key}"`, ptr, keyAt);
      ws();
      if (text[i] !== ":") fail(`unexpected ${describe(i)}: expected ":" after key "${key}"`, ptr);
      i++;
      const child = `${ptr}/${pointerToken(key)}`;
      out[key] = value(child, depth + 1);
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return out;
      }
      fail(`unexpected ${describe(i)}: expected "," or "}"`, ptr);
    }
  }

  function array(ptr: string, depth: number): unknown[] {
    i++; // [
    const out: unknown[] = [];
    ws();
    if (text[i] === "]") {
      i++;
      return out;
    }
    for (;;) {
      out.push(value(`${ptr}/${out.length}`, depth + 1));
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return out;
      }
      fail(`unexpected ${describe(i)}: expected "," or "]"`, ptr);
    }
  }

  function string(ptr: string): string {
    i++; // "
    let out = "";
    let from = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string", ptr);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail("control character in a string (escape it)", ptr);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(from, i);
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape (want 4 hex digits)", ptr);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else fail(`bad escape \\${e ?? ""}`, ptr);
      from = i;
    }
    out += text.slice(from, i);
    i++; // "
    return out;
  }

  function number(ptr: string): number {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail("malformed number", ptr);
    i += m[0].length;
    return Number(m[0]);
  }

  const v = value("", 0);
  ws();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the document`, "");
  return { value: v, positions };
}
