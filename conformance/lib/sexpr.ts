// A minimal WAT s-expression reader and printer, enough to rewrite folded
// syscall calls into the numbered `sys` entry (see sys-variant.ts). Comments
// are dropped; strings are kept verbatim.

export type SExpr = string | SExpr[];

/** Parse WAT text into a list of top-level s-expressions (atoms keep their exact spelling). */
export function parse(src: string): SExpr[] {
  const stack: SExpr[][] = [[]];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === ";" && src[i + 1] === ";") {
      while (i < n && src[i] !== "\n") i++;
    } else if (c === "(" && src[i + 1] === ";") {
      let depth = 0;
      do {
        if (src[i] === "(" && src[i + 1] === ";") {
          depth++;
          i += 2;
        } else if (src[i] === ";" && src[i + 1] === ")") {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < n);
    } else if (c === "(") {
      stack.push([]);
      i++;
    } else if (c === ")") {
      const done = stack.pop();
      if (!done || stack.length === 0) throw new SyntaxError(`unbalanced ')' at offset ${i}`);
      stack[stack.length - 1].push(done);
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      stack[stack.length - 1].push(src.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < n && !/[\s()]/.test(src[j]) && !(src[j] === ";" && src[j + 1] === ";")) j++;
      stack[stack.length - 1].push(src.slice(i, j));
      i = j;
    }
  }
  if (stack.length !== 1) throw new SyntaxError("unbalanced '(' at end of input");
  return stack[0];
}

/** Print s-expressions back as WAT. */
export function print(exprs: SExpr[]): string {
  return exprs.map((e) => printOne(e, "")).join("\n");
}

function printOne(e: SExpr, indent: string): string {
  if (typeof e === "string") return e;
  const inner = indent + "  ";
  const simple = e.every((x) => typeof x === "string" || (x as SExpr[]).every((y) => typeof y === "string"));
  if (simple) return "(" + e.map((x) => (typeof x === "string" ? x : "(" + x.join(" ") + ")")).join(" ") + ")";
  return "(" + e.map((x) => printOne(x, inner)).join("\n" + inner) + ")";
}
