// `npm run build` (and prepack): what the npm package ships besides the
// sources it compiles. 1. JavaScript + .d.ts from the TypeScript sources into
// dist/ (tsc -p tsconfig.build.json, after clearing what an older build left
// there). 2. The guests the CLI needs at once, prebuilt into dist/guests/
// with their cache keys: the default system's servers (devfs, tmpfs) and the
// PCM demo's five, so a fresh install runs `wasmos run` and `wasmos demo pcm`
// without compiling them (the keys cover build/compile.ts and build/grants.ts,
// which the package ships for that reason; a different asc version rebuilds).

import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { buildGuest } from "../build/build-guests.ts";
import { REPO_ROOT } from "../build/compile.ts";
import { buildPcmGuests } from "./demo/build.ts";

const COMPILED = ["abi", "build", "cli", "conformance", "hal", "host", "kernel", "loader", "wasm"];

export async function packageBuild(log: (line: string) => void = () => {}): Promise<void> {
  for (const d of COMPILED) rmSync(join(REPO_ROOT, "dist", d), { recursive: true, force: true });
  log("tsc -p tsconfig.build.json");
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(REPO_ROOT, "tsconfig.build.json")],
    { stdio: "inherit" },
  );
  for (const name of ["devfs", "tmpfs"]) {
    const r = await buildGuest(name);
    if (r.status === "failed") throw new Error(`guest ${name} does not build:\n${r.message}`);
    log(`guest ${name}: ${r.status}`);
  }
  const pcm = await buildPcmGuests();
  log(`pcm guests: ${pcm.built.length} built, ${5 - pcm.built.length} cached`);
}

if (import.meta.main) await packageBuild((line) => process.stdout.write(line + "\n"));
