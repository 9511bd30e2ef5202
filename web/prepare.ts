// Before vite: compile the guests the page fetches (the PCM pipeline's five;
// the default system's servers devfs and tmpfs, and hostfs for the dropped
// files; hello, examples/files and examples/upper as samples) into dist/web-public/guests/, vite's public folder,
// through the same build cache as the CLI.

import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildGuest } from "../build/build-guests.ts";
import { compileGuest, REPO_ROOT } from "../build/compile.ts";
import { buildPcmGuests } from "../cli/demo/build.ts";

export const WEB_PUBLIC = join(REPO_ROOT, "dist", "web-public");

export async function prepareWebGuests(): Promise<void> {
  const dir = join(WEB_PUBLIC, "guests");
  mkdirSync(dir, { recursive: true });
  const { images } = await buildPcmGuests();
  for (const [role, bytes] of Object.entries(images)) writeFileSync(join(dir, `pcm-${role}.wasm`), bytes);
  for (const name of ["devfs", "tmpfs", "hostfs"]) {
    const b = await buildGuest(name);
    if (b.status === "failed") throw new Error(`guests/${name} does not build: ${b.message}`);
    copyFileSync(b.path, join(dir, `${name}.wasm`));
  }
  for (const [name, src] of [
    ["hello", join("guests", "hello", "main.ts")],
    ["files", join("guests", "examples", "files.ts")],
    ["upper", join("guests", "examples", "upper.ts")],
  ]) {
    const r = await compileGuest(join(REPO_ROOT, src));
    if (!r.ok || !r.binary) throw new Error(`${src} does not compile:\n${r.diagnostics}`);
    writeFileSync(join(dir, `${name}.wasm`), r.binary);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await prepareWebGuests();
