// Serving host-directory devices into a namespace (browser-safe): each
// directory is a HostDirDevice over some backend (hal/node/hostdir.ts for the
// CLI's --dir, hal/browser/memdir.ts for the page's dropped files), served by
// a hostfs process (guests/hostfs) on an endpoint the host mounts at its guest
// path before any program runs. docs/system.md "Host directories".

import { ExitReason, Rights } from "../abi/gen/abi.ts";
import { type HostDirBackend, HostDirDevice } from "../hal/hostdir/hostdir.ts";
import { type DirObject, hostMount } from "../kernel/ns/host.ts";
import type { KernelObject } from "../kernel/object.ts";
import type { ImageObject } from "../kernel/objects/image.ts";
import type { MemoryObject } from "../kernel/objects/memory.ts";
import { DEVICE_GRANT_RIGHTS, type HostProcess, IMAGE_GRANT_RIGHTS, type Kernel, MEMORY_GRANT_RIGHTS } from "./kernel.ts";

export interface ServedDir {
  /** Where it appears in the namespace (absolute, normalized). */
  guest: string;
  backend: HostDirBackend;
  readOnly: boolean;
}

/**
 * Serve each directory into the namespace under `root` with the hostfs image
 * `hostfs` (the caller keeps its own reference): a device, an endpoint mounted
 * at its guest path, and a hostfs process (priority `priority`) that binds
 * `io` as its grant. Returns a function that ends the servers and drops the
 * host's references (idempotent).
 */
export function serveHostDirs(
  kernel: Kernel,
  root: DirObject,
  io: MemoryObject,
  hostfs: ImageObject,
  dirs: readonly ServedDir[],
  options: { priority?: number; stderr?: (bytes: Uint8Array) => void } = {},
): () => void {
  const held: KernelObject[] = [];
  const servers: HostProcess[] = [];
  for (const d of dirs) {
    const dev = kernel.createDevice(new HostDirDevice(d.backend, { readOnly: d.readOnly, name: d.guest }));
    const ep = kernel.createEndpoint();
    held.push(dev, ep);
    hostMount(root, d.guest, ep);
    servers.push(
      kernel.spawn(hostfs, {
        args: ["hostfs"],
        priority: options.priority,
        stdout: options.stderr,
        handles: [
          { name: "self", object: hostfs, rights: IMAGE_GRANT_RIGHTS },
          { name: "endpoint", object: ep, rights: Rights.RECEIVE | Rights.SEND | Rights.DUPLICATE },
          { name: "hostdir", object: dev, rights: DEVICE_GRANT_RIGHTS & ~Rights.ATTACH },
          { name: "io", object: io, rights: MEMORY_GRANT_RIGHTS },
        ],
      }),
    );
  }
  let down = false;
  return () => {
    if (down) return;
    down = true;
    for (const s of servers) {
      if (!s.process.exited) kernel.core.terminate(s.process, 0, ExitReason.KILLED, "system shutdown");
      s.close();
    }
    for (const o of held) o.releaseHandle();
  };
}
