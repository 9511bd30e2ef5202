// The embedding API: what `import { Kernel } from "wasmos"` gives. The kernel
// facade, its errors and types, the ABI's constants, and the device models a
// host hands to drivers (their Node backends are at "wasmos/node").

export {
  DEVICE_GRANT_RIGHTS,
  HostProcess,
  IMAGE_GRANT_RIGHTS,
  Kernel,
  KernelShutdownError,
  MEMORY_GRANT_RIGHTS,
  MEMORY_READ_ONLY_RIGHTS,
  ModuleRefusedError,
  NAMESPACE_GRANT_RIGHTS,
  type ExitInfo,
  type HostSpawnOptions,
  type KernelConfig,
} from "./kernel.ts";
export { ImageLoader } from "../loader/loader.ts";
export { ABI_VERSION, Constants, Errno, ERRNO_NAMES, EXIT_REASON_NAMES, ExitReason, Limits, Rights } from "../abi/gen/abi.ts";
export { AudioOutDevice } from "../hal/audio/audio-out.ts";
export type { AudioSink } from "../hal/audio/sink.ts";
export { ConsoleDevice, MemoryConsole, type ConsoleBackend } from "../hal/console.ts";
export { FramebufferDevice, type Frame, type FrameListener } from "../hal/framebuffer/framebuffer.ts";
export { CryptoRandom, RngDevice, type RandomSource } from "../hal/rng.ts";
export { TimerDevice } from "../hal/timer.ts";

// Fail at import, in one sentence, where there is no JSPI (Node < 24): every
// process blocks through it.
if (typeof (WebAssembly as { Suspending?: unknown }).Suspending !== "function") {
  const where = typeof process !== "undefined" && process.versions?.node ? `this is Node.js ${process.version}` : "this runtime lacks it";
  throw new Error(`wasmos needs WebAssembly JSPI (WebAssembly.Suspending): Node.js 24 or newer; ${where}`);
}
