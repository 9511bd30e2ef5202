// baseline_bytes_per_instance: what holding a suspended instance costs with
// no kernel. Each instance of the blocker module (the loader's output, as
// the kernel would run it) is started under WebAssembly.promising and parks
// in its `sleep` import, a WebAssembly.Suspending whose promise never
// settles: one instance, one memory, one suspended JSPI stack. Run by the
// scale child process (figures/scale-child.ts), never in the bench process.

import { fillFuel } from "./instantiate.ts";

export class BareInstances {
  private readonly module: WebAssembly.Module;
  private readonly imports: WebAssembly.Imports;
  /** Held so nothing is collected while measuring. */
  private readonly held: WebAssembly.Instance[] = [];

  constructor(module: WebAssembly.Module) {
    this.module = module;
    const never = new WebAssembly.Suspending(() => new Promise<number>(() => {}));
    const imports: Record<string, Record<string, unknown>> = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== "function") throw new Error(`cannot stub ${imp.kind} import ${imp.module}.${imp.name}`);
      (imports[imp.module] ??= {})[imp.name] = imp.name === "sleep" ? never : () => 0;
    }
    this.imports = imports as WebAssembly.Imports;
  }

  get count(): number {
    return this.held.length;
  }

  /** Start one more instance and let it park. Throws what instantiation throws (out of wasm memory, ...). */
  async add(): Promise<void> {
    const inst = new WebAssembly.Instance(this.module, this.imports);
    fillFuel(inst);
    this.held.push(inst);
    let failure: unknown = null;
    WebAssembly.promising(inst.exports._start as () => void)().catch((e: unknown) => {
      failure = e;
    });
    await Promise.resolve();
    if (failure !== null) throw failure;
  }
}
