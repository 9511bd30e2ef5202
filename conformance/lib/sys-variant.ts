// The `sys` variant of a case: every folded `(call $<syscall> args...)` becomes
//   (i32.wrap_i64 (call $sys (i32.const NR) (i64.extend_i32_u a0) ... (i64.const 0)))
// i32 arguments widened with i64.extend_i32_u (the entry takes their low 32
// bits), i64 arguments as they are, missing ones padded with (i64.const 0);
// an i32 result is wrapped, an i64 result kept, a `never` result dropped.
// Only folded calls are rewritten: a case that calls a syscall in the flat
// form (`call $x` as a bare instruction) is rejected, so no call escapes the
// rewrite unnoticed.
import { SYS_ENTRY, SYSCALL_BY_NAME, SYSCALLS, type SyscallDef } from "../../abi/gen/abi.ts";
import { parse, print, type SExpr } from "./sexpr.ts";

const BY_NAME = SYSCALL_BY_NAME as Readonly<Record<string, SyscallDef>>;
const SYS_ARGS = SYS_ENTRY.params.length - 1;

function rewrite(e: SExpr): SExpr {
  if (typeof e === "string") return e;
  const out = e.map(rewrite);
  if (out[0] !== "call" || typeof out[1] !== "string" || !out[1].startsWith("$")) return out;
  const def = BY_NAME[out[1].slice(1)];
  if (!def) return out;
  const args = out.slice(2);
  if (args.length !== def.params.length) {
    throw new SyntaxError(`(call $${def.name}) has ${args.length} folded arguments, the ABI says ${def.params.length}`);
  }
  const wide: SExpr[] = args.map((a, i) => (def.params[i].type === "i32" ? ["i64.extend_i32_u", a] : a));
  while (wide.length < SYS_ARGS) wide.push(["i64.const", "0"]);
  const call: SExpr = ["call", "$sys", ["i32.const", String(def.nr)], ...wide];
  if (def.result === "i32") return ["i32.wrap_i64", call];
  if (def.result === "i64") return call;
  return ["drop", call];
}

/** Throw if the text calls a syscall in flat (unfolded) form, which the rewrite would miss. */
function checkFlat(e: SExpr): void {
  if (typeof e === "string") return;
  for (let i = 0; i < e.length; i++) {
    const x = e[i];
    if (x === "call" && i > 0 && typeof e[i + 1] === "string" && BY_NAME[(e[i + 1] as string).slice(1)]) {
      throw new SyntaxError(
        `flat \`call ${e[i + 1]}\`: write syscalls folded, (call ${e[i + 1]} ...), so the sys variant can rewrite them`,
      );
    }
    checkFlat(x);
  }
}

/** The body with every syscall call routed through `sys`. */
export function sysVariant(body: string): string {
  const exprs = parse(body);
  exprs.forEach(checkFlat);
  return print(exprs.map(rewrite));
}

/** Whether the body calls syscalls at all (a case without calls has no distinct sys variant). */
export function callsSyscalls(body: string): boolean {
  return SYSCALLS.some((d) => body.includes(`$${d.name} `) || body.includes(`$${d.name})`));
}
