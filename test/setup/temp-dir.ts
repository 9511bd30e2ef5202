// vitest globalSetup: the whole run's temporary files in one directory of its
// own, removed when the run ends. Tests make scratch directories with
// mkdtemp(tmpdir()) (a packed-and-installed npm package is about 440 MB, a
// PCM run's WAV 5-11 MB) and child processes inherit TMPDIR; left in the
// system's /tmp they piled up run after run until the disk was full. Setting
// TMPDIR here, before the workers start, moves every one of them (and those
// of the CLI, npm and Chromium the tests start) under the run's directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "wasmos-test-run-"));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
