// A reader for .wast scripts (the official spec test suite's format): a
// tokenizer to S-expressions that keeps every node's source range, so a
// module's text can be handed to a WAT assembler as written. Handles line
// comments, nested block comments, annotations (kept as lists) and string
// escapes (\n \t \\ \' \" \hh \u{...}). Iterative: a script's nesting depth
// cannot overflow the stack.

export type SExpr = SList | SAtom | SString;

export interface SList {
  kind: "list";
  items: SExpr[];
  start: number;
  end: number;
}

export interface SAtom {
  kind: "atom";
  text: string;
  start: number;
  end: number;
}

export interface SString {
  kind: "string";
  /** The string's bytes, escapes decoded. */
  bytes: Uint8Array;
  start: number;
  end: number;
}

export class WastSyntaxError extends Error {
  constructor(message: string, offset: number, src: string) {
    const line = src.slice(0, offset).split("\n").length;
    super(`${message} (line ${line})`);
    this.name = "WastSyntaxError";
  }
}

const utf8 = new TextEncoder();

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Parses a whole script: the top-level commands, in order. Throws WastSyntaxError. */
export function parseWast(src: string): SList[] {
  const top: SList = { kind: "list", items: [], start: 0, end: src.length };
  const stack: SList[] = [top];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 0x3b && src.charCodeAt(i + 1) === 0x3b) {
      // ;; line comment
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === 0x28 && src.charCodeAt(i + 1) === 0x3b) {
      // (; block comment ;), nested
      let depth = 1;
      let j = i + 2;
      while (depth > 0) {
        if (j >= n) throw new WastSyntaxError("unterminated block comment", i, src);
        if (src.startsWith("(;", j)) {
          depth++;
          j += 2;
        } else if (src.startsWith(";)", j)) {
          depth--;
          j += 2;
        } else j++;
      }
      i = j;
      continue;
    }
    if (c === 0x28) {
      const list: SList = { kind: "list", items: [], start: i, end: -1 };
      stack[stack.length - 1].items.push(list);
      stack.push(list);
      i++;
      continue;
    }
    if (c === 0x29) {
      if (stack.length === 1) throw new WastSyntaxError("unbalanced )", i, src);
      stack.pop()!.end = i + 1;
      i++;
      continue;
    }
    if (c === 0x22) {
      const start = i;
      const out: number[] = [];
      i++;
      for (;;) {
        if (i >= n) throw new WastSyntaxError("unterminated string", start, src);
        const d = src.charCodeAt(i);
        if (d === 0x22) {
          i++;
          break;
        }
        if (d === 0x5c) {
          const e = src[i + 1];
          i += 2;
          if (e === "n") out.push(10);
          else if (e === "t") out.push(9);
          else if (e === "r") out.push(13);
          else if (e === "\\") out.push(0x5c);
          else if (e === "'") out.push(0x27);
          else if (e === '"') out.push(0x22);
          else if (e === "u") {
            const close = src.indexOf("}", i);
            const cp = parseInt(src.slice(i + 1, close).replaceAll("_", ""), 16);
            out.push(...utf8.encode(String.fromCodePoint(cp)));
            i = close + 1;
          } else {
            const hex = src.slice(i - 1, i + 1);
            if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new WastSyntaxError(`bad escape \\${hex}`, i - 2, src);
            out.push(parseInt(hex, 16));
            i++;
          }
          continue;
        }
        // A run of plain characters: encode as UTF-8.
        let j = i;
        while (j < n && src.charCodeAt(j) !== 0x22 && src.charCodeAt(j) !== 0x5c) j++;
        out.push(...utf8.encode(src.slice(i, j)));
        i = j;
      }
      stack[stack.length - 1].items.push({ kind: "string", bytes: new Uint8Array(out), start, end: i });
      continue;
    }
    const start = i;
    while (i < n) {
      const d = src.charCodeAt(i);
      if (isSpace(d) || d === 0x28 || d === 0x29 || d === 0x22) break;
      if (d === 0x3b && src.charCodeAt(i + 1) === 0x3b) break;
      i++;
    }
    stack[stack.length - 1].items.push({ kind: "atom", text: src.slice(start, i), start, end: i });
  }
  if (stack.length !== 1) throw new WastSyntaxError("unbalanced (", stack[stack.length - 1].start, src);
  for (const item of top.items) if (item.kind !== "list") throw new WastSyntaxError("expected a command", item.start, src);
  return top.items as SList[];
}

/** The head keyword of a list ("module", "assert_return", ...), or "". */
export function head(e: SExpr): string {
  return e.kind === "list" && e.items[0]?.kind === "atom" ? e.items[0].text : "";
}

/** An atom's text, or null. */
export function atom(e: SExpr | undefined): string | null {
  return e?.kind === "atom" ? e.text : null;
}

const utf8d = new TextDecoder("utf-8", { ignoreBOM: true });
export function stringText(e: SString): string {
  return utf8d.decode(e.bytes);
}
