// Every family the harness knows, in table order: baselines first, so a
// figure's baseline has been measured (in this process) before it is.

import { directCall } from "./baselines/direct-call.ts";
import { instantiate } from "./baselines/instantiate.ts";
import { jspiPingpong } from "./baselines/jspi-pingpong.ts";
import { jspiSwitch } from "./baselines/jspi-switch.ts";
import { nullSyscall } from "./baselines/null-syscall.ts";
import { workerAtomics } from "./baselines/worker-atomics.ts";
import type { Family } from "./figure.ts";
import { blockingReady } from "./figures/blocking-ready.ts";
import { capCheck } from "./figures/cap-check.ts";
import { ctxSwitch } from "./figures/ctx-switch.ts";
import { files } from "./figures/files.ts";
import { fuel } from "./figures/fuel.ts";
import { fuelCharges } from "./figures/fuel-charges.ts";
import { ipc } from "./figures/ipc.ts";
import { ipcKernel } from "./figures/ipc-kernel.ts";
import { loaderSpeed } from "./figures/loader.ts";
import { model } from "./figures/model.ts";
import { pcm } from "./figures/pcm.ts";
import { port } from "./figures/port.ts";
import { portW2w } from "./figures/port-w2w.ts";
import { pulse } from "./figures/pulse.ts";
import { ring } from "./figures/ring.ts";
import { scale } from "./figures/scale.ts";
import { spawn } from "./figures/spawn.ts";
import { wasi } from "./figures/wasi.ts";

export const FAMILIES: readonly Family[] = [
  jspiPingpong,
  jspiSwitch,
  workerAtomics,
  directCall,
  nullSyscall,
  instantiate,
  ipc,
  ipcKernel,
  port,
  portW2w,
  pulse,
  capCheck,
  blockingReady,
  ctxSwitch,
  spawn,
  ring,
  pcm,
  files,
  fuel,
  fuelCharges,
  loaderSpeed,
  scale,
  wasi,
  model,
];
