#!/usr/bin/env node
// The `wasmos` command. wasmos needs Node >= 24 (JSPI, multi-memory). This
// file stays plain JavaScript any Node can parse, so an older Node gets one
// clear line instead of a syntax error or a stack. In the checkout, where the
// `node` devDependency brings Node 24, an older Node re-runs this under it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import module from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), "..");
// The checkout runs the TypeScript sources; the installed package its compiled dist/.
const checkout = existsSync(join(root, "cli", "main.ts"));
const major = Number(process.versions.node.split(".")[0]);
const argv = process.argv.slice(2);
if (major < 24 || typeof WebAssembly.Suspending !== "function") {
  const bundled = join(root, "node_modules", "node", "bin", "node");
  if (!checkout || !existsSync(bundled) || process.env.WASMOS_REEXEC) {
    process.stderr.write(
      `wasmos: needs Node.js 24 or newer (for WebAssembly JSPI); this is Node ${process.version}. Install Node 24+ and run again.\n`,
    );
    process.exit(78);
  }
  await rerun(bundled, [self, ...argv], { ...process.env, WASMOS_REEXEC: "1" });
}

// V8's compile cache for wasmos's own modules, beside the prepared-image cache
// (loader/disk-cache.ts defaultCacheDir): a checkout's TypeScript is then
// stripped once, not on every run (a run starts in ~0.1 s of CPU instead of
// ~0.4 s, ~30 MB smaller). WASMOS_NO_CACHE=1 turns it off with the rest.
if (!process.env.WASMOS_NO_CACHE && typeof module.enableCompileCache === "function") {
  const base = process.env.WASMOS_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "wasmos");
  try {
    module.enableCompileCache(join(base, "node-compile-cache"));
  } catch {
    // A cache that cannot be made only costs time.
  }
}
// What escapes main() (it catches what its commands throw) is an error on the event loop: a stream's 'error' with
// no listener, a callback's throw. Never a Node stack: a reader that went away (`wasmos demo pcm | head -1`:
// EPIPE on stdout or stderr) ends the command quietly, as SIGPIPE ends a Unix program; anything else is one line
// and the internal-error status (70), the stack only with WASMOS_DEBUG=1.
const escaped = (e) => {
  if (e && e.code === "EPIPE") process.exit(0);
  if (process.env.WASMOS_DEBUG) process.stderr.write(`${(e && e.stack) || String(e)}\n`);
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  process.stderr.write(`wasmos: internal error: ${what} (a bug in wasmos; WASMOS_DEBUG=1 shows the stack)\n`);
  process.exit(70);
};
process.on("uncaughtException", escaped);
process.on("unhandledRejection", escaped);
// The commands that run a steady state re-run under the steady heap's V8 flags (cli/steady-heap.ts: no page
// faults in the steady state), unless this process has them already.
const { steadyHeapReexec } = await import(checkout ? "../cli/steady-heap.ts" : "../dist/cli/steady-heap.js");
const steady = steadyHeapReexec(self, argv, process.execArgv, process.env);
if (steady !== null) await rerun(process.execPath, steady, process.env);
const { main } = await import(checkout ? "../cli/main.ts" : "../dist/cli/main.js");
process.exitCode = await main(argv);

/**
 * Runs this command again as `node args` and ends as it ends: its exit status, or the signal that ended it
 * raised on this process. Meanwhile this process only waits: SIGINT from a terminal reaches both (one process
 * group), so it is ignored here; SIGTERM and SIGHUP sent to this process alone are passed on.
 */
function rerun(node, args, env) {
  return new Promise(() => {
    const child = spawn(node, args, { stdio: "inherit", env });
    const pass = (signal) => child.kill(signal);
    process.on("SIGINT", () => {});
    process.on("SIGTERM", pass);
    process.on("SIGHUP", pass);
    child.on("error", (e) => {
      process.stderr.write(`wasmos: cannot start ${node}: ${e.message}\n`);
      process.exit(70);
    });
    child.on("exit", (code, signal) => {
      if (signal === null) process.exit(code ?? 70);
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    });
  });
}
