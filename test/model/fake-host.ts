// The kernel core driven without WebAssembly: each process is a fake whose
// "guest code" is the test itself. The kernel dispatches exactly as with real
// guests (it calls start/resume on the runtime); the test then makes syscalls
// for whichever process the kernel has running, through the same handler table
// the JSPI bridge uses (kernel/syscalls/index.ts SYSCALL_HANDLERS).

import { KernelCore } from "../../kernel/core.ts";
import { GuestMemory } from "../../kernel/mm/guest-memory.ts";
import type { ImageObject } from "../../kernel/objects/image.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { ProcessHost, ProcessRuntime } from "../../kernel/platform.ts";
import type { KernelOptions, StartupHandle } from "../../kernel/core.ts";

/** What the kernel last handed each fake process: the result its blocked call returned. */
export class FakeRuntime implements ProcessRuntime {
  /** Results of blocking calls, in the order the kernel resumed the process with them. */
  readonly resumed: number[] = [];
  started = false;
  readonly metered = false;
  disposed = false;
  start(): void {
    this.started = true;
  }
  resume(result: number): void {
    this.resumed.push(result);
  }
  deliver(): void {}
  handlerStatus(): number {
    return -2;
  }
  setFuel(): void {}
  fuelLeft(): number | null {
    return null;
  }
  dispose(): void {
    this.disposed = true;
  }
}

export class FakeHost implements ProcessHost {
  readonly runtimes = new Map<number, FakeRuntime>();
  createRuntime(p: Process, _image: ImageObject): ProcessRuntime {
    const r = new FakeRuntime();
    this.runtimes.set(p.pid, r);
    return r;
  }
}

/**
 * A deterministic kernel with `n` fake processes, each given `handles(i)` (which may derive from the
 * handles of the processes made before it, `earlier`) and a 64 KiB memory for syscall buffers.
 */
export function fakeSystem(
  n: number,
  handles: (k: KernelCore, i: number, earlier: readonly Process[]) => StartupHandle[],
  options: Partial<KernelOptions> = {},
) {
  const host = new FakeHost();
  const k = new KernelCore({ ...options, host, deterministic: true });
  const image = k.createImage("fake", "fake", null);
  image.retainHandle();
  const procs: Process[] = [];
  const views = new Map<number, DataView>();
  /** One more fake process (it joins procs). */
  const spawn = (given: StartupHandle[]): Process => {
    const p = k.spawn({ image, args: [], parentPid: 0, stdout: () => {}, handles: given });
    if (typeof p === "number") throw new Error(`spawn failed: ${p}`);
    const buffer = new ArrayBuffer(65536);
    p.memory = new GuestMemory({ buffer });
    p.handles.startMirror(p.promises); // as a process whose module imports kill: the invariants check the mirror
    views.set(p.pid, new DataView(buffer));
    procs.push(p);
    return p;
  };
  for (let i = 0; i < n; i++) spawn(handles(k, i, procs));
  return { k, host, procs, image, views, spawn };
}

/**
 * Make fake runtimes metered through a JavaScript counter (as the loader's fuel counter, read and written by
 * the kernel at slice ends and starts, kept across slices), for the benches that price the kernel's part on
 * fake runtimes (bench/kswitch.ts, bench/kopen.ts). Returns `use(i)`: process i burns `burn` of its counter.
 */
export function meterFakes(procs: readonly Process[], burn: number): (i: number) => void {
  const counters = procs.map((p) => {
    const c = { value: 0 };
    const rt = p.runtime as unknown as Record<string, unknown>;
    Object.defineProperty(rt, "metered", { value: true });
    Object.defineProperty(rt, "fuelKept", { value: true });
    rt.setFuel = (f: number) => (c.value = f);
    rt.fuelLeft = () => c.value;
    return c;
  });
  return (i) => (counters[i].value -= burn);
}
