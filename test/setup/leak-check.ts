// The leak check, after every test that boots a kernel (vitest setupFiles).
//
// While a test runs, this records every host Kernel it uses and the
// references the host takes through the facade (images, endpoints, name
// registries, memory objects, devices, spawned processes) and gives back. After
// the test, each such kernel is shut down the way an embedder would: every
// process still alive is killed, every reference the host still holds is
// released. Then nothing may be left: no live kernel object of any type and no
// page of process memory or memory objects. A kernel that leaks (a refcount
// never dropped, a cycle between objects) fails the test that made it, naming
// what is left by type.

import { afterEach } from "vitest";
import { ExitReason, OBJECT_TYPE_NAMES } from "../../abi/gen/abi.ts";
import { HostProcess, Kernel } from "../../host/kernel.ts";
import type { KernelObject } from "../../kernel/object.ts";

interface Ledger {
  /** Host references still held, per object (a count: the host may take several). */
  held: Map<KernelObject, number>;
  processes: Set<HostProcess>;
}

const ledgers = new Map<Kernel, Ledger>();

function ledger(k: Kernel): Ledger {
  let l = ledgers.get(k);
  if (!l) ledgers.set(k, (l = { held: new Map(), processes: new Set() }));
  return l;
}

function took(k: Kernel, obj: KernelObject): void {
  const l = ledger(k);
  l.held.set(obj, (l.held.get(obj) ?? 0) + 1);
}

type Method = (this: Kernel, ...args: never[]) => unknown;
const proto = Kernel.prototype as unknown as Record<string, Method>;

/** Depth of facade calls in progress: only the outermost hands the host a reference (createFramebuffer makes a memory object it gives to the device). */
let depth = 0;

/** Wrap a facade method that hands the host a new reference. */
for (const name of ["loadImage", "createEndpoint", "createNamespace", "createMemory", "createDevice", "createFramebuffer"]) {
  const original = proto[name];
  if (typeof original !== "function") continue;
  proto[name] = function (this: Kernel, ...args: never[]) {
    depth++;
    try {
      const obj = original.apply(this, args) as KernelObject;
      if (depth === 1) took(this, obj);
      return obj;
    } finally {
      depth--;
    }
  };
}

const originalRelease = proto.release;
proto.release = function (this: Kernel, ...args: never[]) {
  const obj = args[0] as unknown as KernelObject;
  const l = ledger(this);
  const n = l.held.get(obj) ?? 0;
  if (n <= 1) l.held.delete(obj);
  else l.held.set(obj, n - 1);
  return originalRelease.apply(this, args);
};

const originalSpawn = proto.spawn;
proto.spawn = function (this: Kernel, ...args: never[]) {
  const hp = originalSpawn.apply(this, args) as HostProcess;
  ledger(this).processes.add(hp);
  return hp;
};

function describeLive(k: Kernel): string {
  const counts = k.core.objects.liveCounts();
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${n} ${OBJECT_TYPE_NAMES[Number(type)] ?? `type ${type}`}`)
    .join(", ");
}

/**
 * Shut k down as an embedder would (kill what is alive, release what the host holds) and
 * return what is left: an empty list, or a line per kind of leak.
 */
export function shutdownAndCheck(k: Kernel): string[] {
  const l = ledger(k);
  ledgers.delete(k);
  for (const p of [...k.core.processes.values()]) {
    if (p.exit === null) k.core.terminate(p, 0, ExitReason.KILLED, "test ended");
  }
  for (const hp of l.processes) hp.close();
  // What the host still holds; a test may also have dropped a reference another way (obj.releaseHandle()).
  for (const [obj, n] of l.held) for (let i = Math.min(n, obj.handleCount); i > 0; i--) obj.releaseHandle();
  k.core.mm.recount();
  const problems: string[] = [];
  const live = describeLive(k);
  if (live) problems.push(`objects still alive after shutdown: ${live}`);
  const pages = k.core.mm.totalPages();
  if (pages !== 0) problems.push(`${pages} pages still counted after shutdown`);
  return problems;
}

afterEach(() => {
  const problems = [...ledgers.keys()].flatMap(shutdownAndCheck);
  if (problems.length) throw new Error(`leak check: ${problems.join("; ")}`);
});
