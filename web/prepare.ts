// Before vite: compile the guests the page fetches (the PCM pipeline's five,
// and hello as the sample) into dist/web-public/guests/, vite's public folder,
// through the same build cache as the CLI.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileGuest, REPO_ROOT } from "../build/compile.ts";
import { buildPcmGuests } from "../cli/demo/build.ts";

export const WEB_PUBLIC = join(REPO_ROOT, "dist", "web-public");

export async function prepareWebGuests(): Promise<void> {
  const dir = join(WEB_PUBLIC, "guests");
  mkdirSync(dir, { recursive: true });
  const { images } = await buildPcmGuests();
  for (const [role, bytes] of Object.entries(images)) writeFileSync(join(dir, `pcm-${role}.wasm`), bytes);
  const hello = await compileGuest(join(REPO_ROOT, "guests", "hello", "main.ts"));
  if (!hello.ok || !hello.binary) throw new Error(`guests/hello does not compile:\n${hello.diagnostics}`);
  writeFileSync(join(dir, "hello.wasm"), hello.binary);
}

if (import.meta.url === `file://${process.argv[1]}`) await prepareWebGuests();
