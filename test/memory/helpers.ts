// Guests with grant memories, and small helpers for the memory tests.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { ABI_IMPORTS, wat } from "../helpers/wat.ts";
import { ERRNO_NAMES, Errno, SYSCALL_BY_NAME, type SyscallName } from "../../abi/gen/abi.ts";

export const INF = "(i64.const 0x7fffffffffffffff)";
export const E = (name: keyof typeof Errno): number => -Errno[name];

/**
 * A guest importing `grants` (each `name` or `name min` or `name min max`, bound
 * as memory $<name>), then its own exported memory $own (1 page unless
 * `ownPages`), the $rec/$flush recorder of test/helpers/wat.ts on $own, and body.
 * Memory indices: the grants in order, then $own.
 */
export function grantGuest(grants: readonly string[], body: string, ownPages = "1"): Uint8Array {
  const imports = grants.map((g) => {
    const [name, min = "0", max] = g.split(" ");
    return `(import "grant" "${name}" (memory $${name} ${min}${max === undefined ? "" : ` ${max}`}))`;
  });
  return wat(`(module
  ${ABI_IMPORTS}
  ${imports.join("\n  ")}
  (memory $own (export "memory") ${ownPages})
  (global $rp (mut i32) (i32.const 60000))
  (func $rec (param i32)
    (i32.store $own (global.get $rp) (local.get 0))
    (global.set $rp (i32.add (global.get $rp) (i32.const 4))))
  (func $flush
    (drop (call $console_write (i32.const 60000) (i32.sub (global.get $rp) (i32.const 60000)))))
  ${body}
)`);
}

/**
 * The errnos among a syscall's recorded results (negative values), plus those
 * shown in other tests (`elsewhere`), are exactly the ones its ABI entry
 * documents: a documented errno nobody produces, or a produced one nobody
 * documented, fails.
 */
export function demonstrates(name: SyscallName, results: readonly number[], elsewhere: readonly (keyof typeof Errno)[] = []): void {
  const shown = new Set<string>([...results.filter((v) => v < 0).map((v) => ERRNO_NAMES[-v]), ...elsewhere]);
  const documented = new Set<string>(SYSCALL_BY_NAME[name].errors.map((v) => ERRNO_NAMES[v]));
  expect(shown, `errnos of ${name}`).toEqual(documented);
}

/**
 * Compile an AssemblyScript fixture of test/memory/fixtures (grant intrinsics
 * lowered, build/grants.ts), cached under node_modules/.cache by the hash of
 * everything that can change the output: the fixture, the SDK, asconfig.json,
 * build/compile.ts and build/grants.ts, and the asc and binaryen versions.
 */
export async function compileFixture(name: string): Promise<Uint8Array> {
  const { ASCONFIG, REPO_ROOT, SDK_DIR, ascVersion, compileGuest } = await import("../../build/compile.ts");
  const entry = join(import.meta.dirname, "fixtures", `${name}.ts`);
  const h = createHash("sha256");
  h.update(
    `asc ${ascVersion()} binaryen ${JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", "binaryen", "package.json"), "utf8")).version}\n`,
  );
  const files = [entry, ASCONFIG, join(REPO_ROOT, "build", "compile.ts"), join(REPO_ROOT, "build", "grants.ts"), ...filesUnder(SDK_DIR)];
  for (const f of files) h.update(f).update(readFileSync(f));
  const dir = join(REPO_ROOT, "node_modules", ".cache", "wasmos-memory-fixtures");
  const cached = join(dir, `${name}-${h.digest("hex").slice(0, 16)}.wasm`);
  if (existsSync(cached)) return new Uint8Array(readFileSync(cached));
  const r = await compileGuest(entry);
  if (!r.ok) throw new Error(r.diagnostics);
  mkdirSync(dir, { recursive: true });
  writeFileSync(cached, r.binary!);
  return r.binary!;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}
