// The WASI personality beside node:wasi, the same module in the same process:
//  - wasi_fd_write_ns: one small fd_write (16 bytes to stdout, discarded: the
//    /dev/null of each host) from a loop in the program; the per-call time is
//    (run with N calls - run with none) / N.
//  - wasi_file_read_mb_per_s: a 4 MiB file in a preopened directory read in
//    64 KiB fd_read calls, several passes (fd_seek back between them).
//  - wasi_startup_ms_cold / _cached: a large program (a generated command of
//    several MB whose _start returns at once) from bytes to exit: verify,
//    instrument, compile, instantiate, run; cached = the second load, answered
//    by the on-disk image store (a hash, a read, V8's compile).
// Each baseline_node_wasi_* is node:wasi (node's own WASI, no sandbox, no
// preemption) running the identical module.

import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";
import wabtInit from "wabt";
import table from "../../abi/personalities/wasi_snapshot_preview1.json" with { type: "json" };
import { DiskImageCache } from "../../loader/disk-cache.ts";
import { Kernel } from "../../host/kernel.ts";
import { Rights } from "../../abi/gen/abi.ts";
import { scopeDir } from "../../kernel/ns/host.ts";
import { bootDefaultSystem } from "../../cli/system.ts";
import { mountHostDirs } from "../../cli/hostdirs.ts";
import { ImageLoader } from "../../loader/loader.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import type { BenchContext, Family, FigureResult } from "../figure.ts";
import { attempt, timed } from "../figure.ts";
import { summarize, type Summary } from "../stats.ts";

const IMPORTS = table.functions
  .map((f) => {
    const p = f.params.length ? ` (param ${f.params.join(" ")})` : "";
    const r = f.results.length ? ` (result ${f.results.join(" ")})` : "";
    return `(import "wasi_snapshot_preview1" "${f.name}" (func $${f.name}${p}${r}))`;
  })
  .join("\n");

let wabt: Awaited<ReturnType<typeof wabtInit>> | null = null;
async function wat(src: string): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const m = wabt.parseWat("bench.wat", src);
  try {
    return new Uint8Array(m.toBinary({}).buffer);
  } finally {
    m.destroy();
  }
}

/** A command writing 16 bytes to fd 1, n times. */
function writer(n: number): Promise<Uint8Array> {
  return wat(`(module ${IMPORTS}
    (memory (export "memory") 1)
    (data (i32.const 0x100) "0123456789abcdef")
    (func (export "_start") (local $i i32)
      (i32.store (i32.const 0x80) (i32.const 0x100)) (i32.store (i32.const 0x84) (i32.const 16))
      (block $done (loop $more
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${n})))
        (drop (call $fd_write (i32.const 1) (i32.const 0x80) (i32.const 1) (i32.const 0x88)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))))`);
}

/** A command reading data.bin from fd 3 in 64 KiB calls, `passes` times; exits 1 if a pass read a different count. */
function reader(passes: number, size: number): Promise<Uint8Array> {
  return wat(`(module ${IMPORTS}
    (memory (export "memory") 2)
    (data (i32.const 0x100) "data.bin")
    (func (export "_start") (local $fd i32) (local $p i32) (local $total i32) (local $n i32)
      (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 8) (i32.const 0) (i64.const 6) (i64.const 0) (i32.const 0) (i32.const 0x10))
        (then (call $proc_exit (i32.const 2))))
      (local.set $fd (i32.load (i32.const 0x10)))
      (i32.store (i32.const 0x80) (i32.const 0x10000)) (i32.store (i32.const 0x84) (i32.const 0x10000))
      (block $end (loop $pass
        (br_if $end (i32.ge_u (local.get $p) (i32.const ${passes})))
        (drop (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 0x20)))
        (local.set $total (i32.const 0))
        (block $eof (loop $chunk
          (drop (call $fd_read (local.get $fd) (i32.const 0x80) (i32.const 1) (i32.const 0x90)))
          (local.set $n (i32.load (i32.const 0x90)))
          (br_if $eof (i32.eqz (local.get $n)))
          (local.set $total (i32.add (local.get $total) (local.get $n)))
          (br $chunk)))
        (if (i32.ne (local.get $total) (i32.const ${size})) (then (call $proc_exit (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pass)))))`);
}

/** A large command: `funcs` functions of arithmetic and branches, all reachable, and a _start that returns at once. */
export function large(funcs: number): Promise<Uint8Array> {
  const bodies: string[] = [];
  for (let i = 0; i < funcs; i++) {
    const next = i + 1 < funcs ? `(call $f${i + 1} (local.get $x))` : `(local.get $x)`;
    bodies.push(`(func $f${i} (param $x i32) (result i32) (local $a i32)
      (local.set $a (i32.mul (local.get $x) (i32.const ${(i * 2654435761) >>> 0})))
      (if (i32.gt_u (local.get $a) (i32.const ${i * 977})) (then (local.set $a (i32.xor (local.get $a) (i32.const ${i})))) (else (local.set $a (i32.add (local.get $a) (i32.const 7)))))
      (loop $l (local.set $a (i32.rotl (local.get $a) (i32.const 3))) (br_if $l (i32.lt_u (local.get $a) (i32.const 16))))
      (i32.add (local.get $a) (i32.and ${next} (i32.const 255))))`);
  }
  return wat(`(module ${IMPORTS}
    (memory (export "memory") 1)
    (global $never (mut i32) (i32.const 0))
    ${bodies.join("\n")}
    ;; Every function is reachable from _start, and none runs (the chain is deeper than any stack).
    (func (export "_start") (if (global.get $never) (then (drop (call $f0 (i32.const 0)))))))`);
}

/** Run a WASI command under node:wasi; resolves with its exit code. */
function nodeWasi(module: WebAssembly.Module, preopen?: string): number {
  const devnull = fs.openSync("/dev/null", "w");
  try {
    const w = new WASI({
      version: "preview1",
      args: ["bench"],
      env: {},
      preopens: preopen ? { "/": preopen } : {},
      stdout: devnull,
      returnOnExit: true,
    });
    const inst = new WebAssembly.Instance(module, w.getImportObject() as WebAssembly.Imports);
    return w.start(inst);
  } finally {
    fs.closeSync(devnull);
  }
}

/** The namespace of a kernel the read bench runs in: the default system, dir served by hostfs at /bench (once per kernel). */
const served = new WeakMap<Kernel, Promise<Awaited<ReturnType<typeof bootDefaultSystem>>>>();
function benchSystem(kernel: Kernel, dir: string) {
  let sys = served.get(kernel);
  if (sys === undefined) {
    sys = (async () => {
      const s = await bootDefaultSystem({ kernel, stdout: () => {}, stderr: () => {}, stdin: null });
      await mountHostDirs(kernel, s.root, s.io, [{ host: dir, guest: "/bench", readOnly: false }]);
      return s;
    })();
    served.set(kernel, sys);
  }
  return sys;
}

/** Run a WASI command under wasmos (stdout discarded); resolves with its exit status. dir: preopened as "/" (hostfs, as --dir). */
async function wasmosRun(kernel: Kernel, bytes: Uint8Array, dir?: string): Promise<number> {
  const img = kernel.loadImage(bytes, "bench.wasm");
  let p;
  if (dir !== undefined) {
    const sys = await benchSystem(kernel, dir);
    const d = scopeDir(kernel.core, sys.root, "/bench");
    d.retainHandle();
    const rights = Rights.READ | Rights.WRITE | Rights.CREATE | Rights.DUPLICATE | Rights.TRANSFER;
    p = kernel.spawn(img, {
      args: ["bench"],
      handles: [{ name: "preopen.0", object: d, rights }],
      wasi: { preopens: [{ guest: "/", handle: "preopen.0" }] },
    });
    kernel.release(d);
  } else p = kernel.spawn(img, { args: ["bench"], wasi: {} });
  kernel.release(img);
  const exit = await p.exited;
  p.close();
  await kernel.run();
  if (exit.reason !== 0) throw new Error(`bench program ended abnormally: ${exit.message}`);
  return exit.status;
}

async function time(fn: () => unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Per-operation times over `samples` runs of `ops` operations each, less the same run with none. */
async function perOp(
  samples: number,
  ops: number,
  full: () => Promise<unknown>,
  empty: () => Promise<unknown>,
  scale: number,
): Promise<Summary> {
  await full(); // warm-up: compile, tier-up
  await empty();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const a = await time(full);
    const b = await time(empty);
    // Below the clock's resolution (a --quick run) the difference can come out <= 0: count it as 1 ns, structure only.
    out.push((Math.max(1e-6, a - b) * scale) / ops);
  }
  return summarize(out, samples * ops);
}

export const wasi: Family = {
  name: "wasi",
  keys: [
    "baseline_node_wasi_fd_write_ns",
    "wasi_fd_write_ns",
    "wasi_fd_write_preopen_ns",
    "baseline_node_wasi_file_read_mb_per_s",
    "wasi_file_read_mb_per_s",
    "baseline_node_wasi_startup_ms",
    "wasi_startup_ms_cold",
    "wasi_startup_ms_cached",
  ],
  async run(ctx: BenchContext) {
    const samples = ctx.quick ? 1 : 7;
    const out: Record<string, FigureResult> = {};
    const kernel = new Kernel({ loader: ctx.loader });

    // fd_write
    const calls = ctx.quick ? 1000 : 200_000;
    const [many, none] = [await writer(calls), await writer(0)];
    const [mMany, mNone] = [
      new WebAssembly.Module(many as Uint8Array<ArrayBuffer>),
      new WebAssembly.Module(none as Uint8Array<ArrayBuffer>),
    ];
    const nodeWrite = await attempt(async () =>
      timed(
        await perOp(
          samples,
          calls,
          async () => nodeWasi(mMany),
          async () => nodeWasi(mNone),
          1e6,
        ),
        { unit: "ns", measures: "node:wasi: one fd_write of 16 bytes to stdout opened on /dev/null, from a loop in the program" },
      ),
    );
    out.baseline_node_wasi_fd_write_ns = nodeWrite;
    out.wasi_fd_write_ns = await attempt(async () =>
      timed(
        await perOp(
          samples,
          calls,
          () => wasmosRun(kernel, many),
          () => wasmosRun(kernel, none),
          1e6,
        ),
        {
          unit: "ns",
          measures: "wasmos: the same module's fd_write of 16 bytes to a discarded stdout, through the WASI personality (fuel-metered)",
          baseline: { key: "baseline_node_wasi_fd_write_ns" },
        },
      ),
    );

    // file read
    const size = 4 << 20;
    const passes = ctx.quick ? 1 : 16;
    const dir = fs.mkdtempSync(join(tmpdir(), "wasmos-bench-wasi-"));
    try {
      const data = new Uint8Array(size);
      for (let i = 0; i < size; i++) data[i] = (i * 31) & 0xff;
      fs.writeFileSync(join(dir, "data.bin"), data);
      const [rd, rd0] = [await reader(passes, size), await reader(0, size)];
      const [mRd, mRd0] = [new WebAssembly.Module(rd as Uint8Array<ArrayBuffer>), new WebAssembly.Module(rd0 as Uint8Array<ArrayBuffer>)];
      // fd_write again, by a process with a preopen: its imports that may block (fd_write among them: it may
      // reach a file) are split imports (host/runtime/split-imports.ts), so a write to stdout does not suspend.
      out.wasi_fd_write_preopen_ns = await attempt(async () =>
        timed(
          await perOp(
            samples,
            calls,
            () => wasmosRun(kernel, many, dir),
            () => wasmosRun(kernel, none, dir),
            1e6,
          ),
          {
            unit: "ns",
            measures:
              "wasmos: wasi_fd_write_ns's fd_write by a process with a preopened directory (its fd_write may block, so it is a split import)",
            baseline: { key: "wasi_fd_write_ns" },
          },
        ),
      );
      const mb = (size * passes) / (1 << 20);
      // perOp gives ms per MB; the figure is its inverse, MB per second.
      const rate = (s: Summary): Summary => {
        const inv = (v: number) => (v > 0 ? 1000 / v : Infinity);
        return { ...s, median: inv(s.median), p99: inv(s.max), min: inv(s.max), max: inv(s.min), mean: inv(s.mean) };
      };
      out.baseline_node_wasi_file_read_mb_per_s = await attempt(async () =>
        timed(
          rate(
            await perOp(
              samples,
              mb,
              async () => nodeWasi(mRd, dir),
              async () => nodeWasi(mRd0, dir),
              1,
            ),
          ),
          {
            unit: "MB/s",
            measures: `node:wasi: MiB per second reading a 4 MiB file from a preopened directory in 64 KiB fd_read calls (${passes} passes)`,
          },
        ),
      );
      out.wasi_file_read_mb_per_s = await attempt(async () =>
        timed(
          rate(
            await perOp(
              samples,
              mb,
              () => wasmosRun(kernel, rd, dir),
              () => wasmosRun(kernel, rd0, dir),
              1,
            ),
          ),
          {
            unit: "MB/s",
            measures: "wasmos: the same module through the WASI personality and --dir (MiB per second; higher is better)",
            baseline: { key: "baseline_node_wasi_file_read_mb_per_s" },
          },
        ),
      );

      // startup of a large program
      const big = await large(ctx.quick ? 50 : 20_000);
      const mbBig = (big.length / 1e6).toFixed(1);
      const store = join(dir, "cache");
      out.baseline_node_wasi_startup_ms = await attempt(async () => {
        const t: number[] = [];
        for (let i = 0; i < samples; i++) t.push(await time(() => nodeWasi(new WebAssembly.Module(big as Uint8Array<ArrayBuffer>))));
        return timed(summarize(t, samples), { unit: "ms", measures: `node:wasi: compile + instantiate + run a ${mbBig} MB command ` });
      });
      const fresh = (root: string) => new Kernel({ loader: new ImageLoader(defaultPolicy(), { diskCache: new DiskImageCache(root) }) });
      out.wasi_startup_ms_cold = await attempt(async () => {
        const t: number[] = [];
        for (let i = 0; i < Math.min(samples, 3); i++) t.push(await time(() => wasmosRun(fresh(join(store, `cold${i}`)), big)));
        return timed(summarize(t, t.length), {
          unit: "ms",
          measures: `wasmos: verify + fuel-instrument + compile + spawn + run the same ${mbBig} MB command, nothing cached `,
          baseline: { key: "baseline_node_wasi_startup_ms" },
        });
      });
      out.wasi_startup_ms_cached = await attempt(async () => {
        await wasmosRun(fresh(join(store, "warm")), big);
        const t: number[] = [];
        for (let i = 0; i < samples; i++) t.push(await time(() => wasmosRun(fresh(join(store, "warm")), big)));
        return timed(summarize(t, samples), {
          unit: "ms",
          measures: "wasmos: the same, second load: the image from the on-disk store (hash, read, compile), spawn, run",
          baseline: { key: "baseline_node_wasi_startup_ms" },
          goal: { op: "<=", value: 1.3, times: "baseline_node_wasi_startup_ms" },
        });
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};
