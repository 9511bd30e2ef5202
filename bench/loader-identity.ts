// Byte-identity check of the loader against another checkout's (docs/fastpath.md
// "The body walk on two threads"): every module of a corpus loaded by both
// loaders in this process, under two policies (the default, the spec driver's
// permissive one) and three variants (fuel, epoch, uninstrumented), each into a
// fresh disk cache; the report (or the refusal's) and every file of the cache
// entry must be byte-identical. The corpus: every .wasm under node_modules
// (compiler outputs, the test suite's cached guests), those under 1 MB also
// padded past it with a custom section (so a large module's paths run on
// them), the large guests of bench/big-module.ts and copies of them with one
// or two bodies made malformed, and random programs plain and padded. With
// --wait MS this checkout's verifier waits that long before its body walk, so
// the engine gate's worker takes most of it (loader/parallel-scan.ts).
// Prints each difference and the totals; exits 1 on any difference. Not part
// of `npm run bench`.
//
//   node bench/loader-identity.ts --against /path/to/checkout [--wait 20]

import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { DiskImageCache } from "../loader/disk-cache.ts";
import { ImageLoader, ModuleRefusedError } from "../loader/loader.ts";
import { defaultPolicy, type VerifyPolicy } from "../loader/policy.ts";
import { verifierTestHooks } from "../loader/verify.ts";
import { readModule } from "../wasm/reader.ts";
import { ByteSink } from "../wasm/sink.ts";
import { REPO_ROOT } from "../build/compile.ts";
import { permissivePolicy } from "../conformance/spec/driver.ts";
import { randomProgram } from "../test/instrument/random-programs.ts";
import { wat } from "../test/wasm/helpers.ts";
import { bigGuest } from "./big-module.ts";

const args = process.argv.slice(2);
let against: string | null = null;
let waitMs = 0;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--against") against = resolve(args[++i]);
  else if (a === "--wait") waitMs = Number(args[++i]);
  else throw new Error(`unknown argument ${a}`);
}
if (against === null) throw new Error("usage: node bench/loader-identity.ts --against DIR [--wait MS]");

const other = (await import(join(against, "loader", "loader.ts"))) as typeof import("../loader/loader.ts");
const otherCache = (await import(join(against, "loader", "disk-cache.ts"))) as typeof import("../loader/disk-cache.ts");

let fromWorker = 0;
verifierTestHooks.beforeCode = waitMs > 0 ? () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitMs) : null;
verifierTestHooks.afterCode = (s) => (fromWorker += s?.fromWorker ?? 0);

/** `bytes` with a custom section appended that makes the module at least `size` bytes (no meaning changes). */
function padded(bytes: Uint8Array, size = (1 << 20) + 1000): Uint8Array {
  const content = new ByteSink(size).name("wasmos-test-padding");
  content.bytes(new Uint8Array(Math.max(0, size - bytes.length)));
  return new ByteSink(size + 16).bytes(bytes).section(0, content).finish();
}

function wasmFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(".wasm")) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

const corpus: [string, Uint8Array][] = [];
for (const f of wasmFiles(join(REPO_ROOT, "node_modules"))) {
  const b = new Uint8Array(readFileSync(f));
  const name = relative(REPO_ROOT, f);
  corpus.push([name, b]);
  if (b.length < 1 << 20) corpus.push([`${name} (padded)`, padded(b)]);
}
for (const small of [false, true]) {
  const { bytes, source } = bigGuest(small);
  corpus.push([`${source} as a guest`, bytes]);
  const m = readModule(bytes);
  const n = m.code.length;
  for (const at of [[n - 1], [n - 3, n - 2], [5, n - 1], [n >> 1], [0], [n >> 2, (3 * n) >> 2]]) {
    const out = bytes.slice();
    for (const i of at) out[m.code[i].bodyStart] = 0xff; // an opcode that does not exist
    corpus.push([`${source} as a guest, bodies ${at.join(", ")} malformed`, out]);
  }
}
for (let seed = 1; seed <= 30; seed++) {
  const b = wat(randomProgram(seed).replace(/\)\s*$/, `(func (export "_start")))`));
  corpus.push([`random program ${seed}`, b], [`random program ${seed} (padded)`, padded(b)]);
}

interface LoaderLike {
  load(bytes: Uint8Array, name: string): { report: unknown };
}
/** The digest of what a load leaves: its report (or the refusal's) and every file of the disk cache. */
function outcome(make: (dir: string) => LoaderLike, bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), "wasmos-loader-identity-"));
  try {
    let report: unknown;
    try {
      report = make(dir).load(bytes, "m").report;
    } catch (e) {
      if (!(e instanceof Error) || !("report" in e)) throw e;
      report = (e as ModuleRefusedError).report;
    }
    const h = createHash("sha256").update(JSON.stringify(report));
    for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
      h.update(f);
      try {
        h.update(readFileSync(join(dir, f)));
      } catch {
        // a directory
      }
    }
    return h.digest("hex");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const policies: [string, VerifyPolicy][] = [
  ["default", defaultPolicy()],
  ["permissive", permissivePolicy()],
];
const variants: [string, object][] = [
  ["fuel", {}],
  ["epoch", { preemption: "epoch" }],
  ["uninstrumented", { instrument: false }],
];
let loads = 0;
let differences = 0;
for (const [name, bytes] of corpus) {
  for (const [pn, policy] of policies) {
    for (const [vn, options] of variants) {
      const here = outcome((dir) => new ImageLoader(policy, { diskCache: new DiskImageCache(dir), ...options }), bytes);
      const there = outcome(
        (dir) => new other.ImageLoader(policy, { diskCache: new otherCache.DiskImageCache(dir), ...options }) as LoaderLike,
        bytes,
      );
      loads++;
      if (here !== there) {
        differences++;
        console.log(`differs: ${name}, ${pn} policy, ${vn}`);
      }
    }
  }
}
console.log(
  `${corpus.length} modules, ${loads} loads a side, ${differences} differences; ${fromWorker} chunks of the walk adopted from the worker`,
);
process.exitCode = differences === 0 ? 0 : 1;
