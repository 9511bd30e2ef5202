// The kernel memory's backing (kernel/fast/kernel-memory.ts): the scheduler's words live in one
// WebAssembly.Memory per host, so that a kernel-owned wasm module (the vDSO of docs/fastpath.md, "The
// kernel's switch state in linear memory") can import it and read and write the same words the TypeScript
// kernel does. The kernel sees only its buffer; this file makes the memory and grows it.
//
// The memory is made, and handed to the kernel, when the first Kernel is made (host/kernel.ts): whatever the
// kernel's records held before (a KernelCore made without a host) is copied into it. Nothing but the kernel
// may grow it: a grow detaches the buffer the kernel's views are made over, and only the kernel's own grow
// remakes them.

import { useKernelMemory } from "../../kernel/fast/kernel-memory.ts";

let memory: WebAssembly.Memory | null = null;

/**
 * The memory holding the kernel memory's records, for kernel-owned modules (import it, never hand it to a
 * guest): made, and given to the kernel as its store, on first use.
 */
export function kernelStateMemory(): WebAssembly.Memory {
  if (memory === null) {
    const m = new WebAssembly.Memory({ initial: 1 });
    memory = m;
    useKernelMemory(m.buffer, (minBytes) => {
      const pages = Math.ceil((minBytes - m.buffer.byteLength) / 65536);
      if (pages > 0) m.grow(pages);
      return m.buffer;
    });
  }
  return memory;
}
