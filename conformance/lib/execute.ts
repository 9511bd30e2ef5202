// Run one case module under this repository's kernel, in process: create
// the host objects its setup asks for, spawn it as the root process with its
// own image as "self", wait until the system is quiet, and report what
// happened. Also checks what only an in-process run can see: processes left
// blocked and kernel objects left alive once everything is closed.
import { ExitReason, EXIT_REASON_NAMES, Rights } from "../../abi/gen/abi.ts";
import {
  DEVICE_GRANT_RIGHTS,
  DIR_GRANT_RIGHTS,
  IMAGE_GRANT_RIGHTS,
  Kernel,
  MEMORY_GRANT_RIGHTS,
  ModuleRefusedError,
  NAMESPACE_GRANT_RIGHTS,
} from "../../host/kernel.ts";
import type { KernelObject } from "../../kernel/object.ts";
import { ConsoleDevice, MemoryConsole } from "../../hal/console.ts";
import { TimerDevice } from "../../hal/timer.ts";
import { RngDevice } from "../../hal/rng.ts";
import { AudioOutDevice } from "../../hal/audio/audio-out.ts";
import { NullSink } from "../../hal/audio/sink.ts";
import { FramebufferDevice } from "../../hal/framebuffer/framebuffer.ts";
import type { CaseOutcome, CaseSetup, HandleSetup } from "./case.ts";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { HostDirDevice } from "../../hal/hostdir/hostdir.ts";
import { NodeHostDir } from "../../hal/node/hostdir.ts";

const RIGHTS = Rights as Record<string, number>;

export function rightsMask(names: readonly string[]): number {
  let m = 0;
  for (const n of names) {
    if (RIGHTS[n] === undefined) throw new Error(`unknown right "${n}"`);
    m |= RIGHTS[n];
  }
  return m;
}

interface Made {
  object: KernelObject;
  rights: number;
  after?: () => void;
}

function make(k: Kernel, h: HandleSetup, log: string[]): Made {
  const rights = (dflt: number) => (h.rights ? rightsMask(h.rights) : dflt);
  const device = <T extends { shutdown(): void }>(model: T): Made => {
    const dev = k.createDevice(model as never) as unknown as KernelObject;
    if (h.shutdown) model.shutdown();
    return { object: dev, rights: rights(DEVICE_GRANT_RIGHTS) };
  };
  switch (h.object) {
    case "namespace":
      return { object: k.createNamespace(), rights: rights(NAMESPACE_GRANT_RIGHTS) };
    case "hostdir": {
      const dir = mkdtempSync(join(tmpdir(), "wasmos-case-"));
      for (const [path, content] of Object.entries(h.files ?? {})) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      const backend = new NodeHostDir(dir);
      // The directory goes with the device (when the last handle to it closes).
      const close = backend.close.bind(backend);
      backend.close = () => {
        close();
        rmSync(dir, { recursive: true, force: true });
      };
      return device(new HostDirDevice(backend, { readOnly: h.readOnly, name: h.name }));
    }
    case "dir":
      return { object: k.createRootDir(), rights: rights(DIR_GRANT_RIGHTS) };
    case "kinfo":
      return { object: k.createKernelInfo(), rights: rights(Rights.READ | Rights.DUPLICATE | Rights.TRANSFER) };
    case "endpoint":
      return { object: k.createEndpoint(), rights: rights(Rights.SEND | Rights.RECEIVE | Rights.DUPLICATE | Rights.TRANSFER) };
    case "memory": {
      const m = k.createMemory(h.size ?? 65536);
      return { object: m, rights: rights(MEMORY_GRANT_RIGHTS), after: h.revoked ? () => k.revokeMemory(m) : undefined };
    }
    case "timer":
      return device(new TimerDevice(h.name));
    case "rng":
      return device(new RngDevice({ seed: 1, name: h.name }));
    case "audio":
      return device(new AudioOutDevice({ sink: new NullSink(), name: h.name }));
    case "console": {
      const model = new ConsoleDevice(new MemoryConsole(), h.name);
      const made = device(model);
      if (h.input !== undefined) {
        model.input(new TextEncoder().encode(h.input));
        model.end();
      }
      return made;
    }
    case "framebuffer": {
      const opts = { width: h.width ?? 4, height: h.height ?? 2, name: h.name };
      if (h.pixelMemory === false) return device(new FramebufferDevice(opts));
      const dev = k.createFramebuffer(opts);
      if (h.shutdown) (dev as unknown as { model: { shutdown(): void } }).model.shutdown();
      return { object: dev as unknown as KernelObject, rights: rights(DEVICE_GRANT_RIGHTS) };
    }
    default:
      log.push(`unknown setup object "${(h as HandleSetup).object}"`);
      throw new Error(`unknown setup object "${(h as HandleSetup).object}"`);
  }
}

export interface ExecuteOptions {
  /** Check that no kernel object outlives the run (default true). */
  leakCheck?: boolean;
  /** A module to run alongside, spawned first (the hostile corpus's bystander). */
  bystander?: Uint8Array;
}

/** Run a case module with its setup; never throws for anything the guest does. */
export async function executeCase(
  name: string,
  bytes: Uint8Array,
  setup: CaseSetup = {},
  opts: ExecuteOptions = {},
  images: Record<string, Uint8Array> = {},
): Promise<CaseOutcome> {
  const log: string[] = [];
  const k = new Kernel({
    limits: setup.limits,
    memory: setup.memory,
    log: (l) => log.push(l),
    checkContracts: true,
    checkFailedCalls: true,
  });
  const chunks: Uint8Array[] = [];
  const stdout = () => {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  };
  const bchunks: Uint8Array[] = [];
  let by: ReturnType<Kernel["spawn"]> | undefined;
  if (opts.bystander) {
    const bimg = k.loadImage(opts.bystander, "bystander");
    by = k.spawn(bimg, { args: ["bystander"], stdout: (b) => bchunks.push(b.slice()) });
    k.release(bimg);
  }
  const joined = (cs: Uint8Array[]) => {
    const all = new Uint8Array(cs.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of cs) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  };
  const bystanderOutcome = async () => {
    if (!by) return undefined;
    await k.run();
    const e = by.process.exit;
    by.close();
    return {
      exit: e ? { status: e.status, reason: EXIT_REASON_NAMES[e.reason] ?? String(e.reason), message: e.message } : undefined,
      stdout: joined(bchunks),
    };
  };
  let img;
  try {
    img = k.loadImage(bytes, name);
  } catch (e) {
    if (e instanceof ModuleRefusedError) return { refused: e.message, stdout: new Uint8Array(), bystander: await bystanderOutcome() };
    throw e;
  }
  const made: { h: { name: string }; m: Made }[] = [];
  for (const [iname, ibytes] of Object.entries(images)) {
    try {
      made.push({ h: { name: iname }, m: { object: k.loadImage(ibytes, iname), rights: IMAGE_GRANT_RIGHTS } });
    } catch (e) {
      if (e instanceof ModuleRefusedError) return { refused: `image ${iname}: ${e.message}`, stdout: new Uint8Array() };
      throw e;
    }
  }
  made.push(...(setup.handles ?? []).map((h) => ({ h, m: make(k, h, log) })));
  const problems: string[] = [];
  let proc;
  try {
    proc = k.spawn(img, {
      args: [name, ...(setup.args ?? [])],
      env: setup.env,
      handles: [
        { name: "self", object: img, rights: IMAGE_GRANT_RIGHTS },
        ...made.map(({ h, m }) => ({ name: h.name, object: m.object, rights: m.rights })),
      ],
      stdout: (b) => chunks.push(b.slice()),
    });
  } catch (e) {
    k.release(img);
    for (const { m } of made) k.release(m.object);
    return { refused: (e as Error).message, stdout: new Uint8Array(), bystander: await bystanderOutcome() };
  }
  k.release(img);
  for (const { m } of made) m.after?.();
  await k.run();
  // Processes left blocked forever: report, end them, let the kernel settle.
  const stuck = k.core.blockedProcesses();
  if (stuck.length > 0) {
    problems.push(
      `${stuck.length} process(es) still blocked when the system went quiet: ` +
        stuck.map((p) => `pid ${p.pid} in ${p.blockedIn}`).join(", "),
    );
    for (const p of stuck) k.core.terminate(p, 0, ExitReason.KILLED, "conformance runner: still blocked at the end");
    await k.run();
  }
  const exit = proc.process.exit;
  proc.close();
  const bystander = await bystanderOutcome();
  for (const { m } of made) k.release(m.object);
  await k.run();
  if (opts.leakCheck !== false) {
    const live = k.core.objects.liveTotal();
    if (live !== 0) problems.push(`${live} kernel object(s) still alive after every process ended and every handle was closed`);
  }
  return {
    exit: exit ? { status: exit.status, reason: EXIT_REASON_NAMES[exit.reason] ?? String(exit.reason), message: exit.message } : undefined,
    stdout: stdout(),
    bystander,
    problems,
  };
}
