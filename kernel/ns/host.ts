// What the host (the embedding, the CLI's system builder) does with the
// namespace: make one, scope views of it for servers and programs, mount
// endpoints it created itself, and read the counters.

import { Rights } from "../../abi/gen/abi.ts";
import { Cap, holdCap } from "../handles.ts";
import type { KernelCore as Kernel } from "../core.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import { DirObject, MountTable } from "./objects.ts";
import { resolveIn } from "./path.ts";
import { nsOf } from "./state.ts";

/** Rights a DIR handle can carry. */
export const DIR_RIGHTS = Rights.READ | Rights.WRITE | Rights.CREATE | Rights.EXEC | Rights.MOUNT | Rights.DUPLICATE | Rights.TRANSFER;
/** What a MOUNT_ENDPOINT open hands out, and what a mount holds. */
export const ENDPOINT_CLIENT_RIGHTS = Rights.SEND | Rights.DUPLICATE | Rights.TRANSFER;

/** A new namespace (an empty mount table) and a DIR object viewing its root. Nothing holds it yet. */
export function newRootDir(k: Kernel): DirObject {
  const table = new MountTable();
  table.onRemoved = (m) => nsOf(k).mountRemoved(m);
  return new DirObject(k.objects, table, "/");
}

/** A DIR object viewing the subtree at path (relative to dir's scope) of the same namespace. */
export function scopeDir(k: Kernel, dir: DirObject, path: string): DirObject {
  return new DirObject(k.objects, dir.table, resolveIn(dir.scope, path));
}

/**
 * Mount an endpoint from the host: no owner, so it lasts as long as the
 * namespace, or until unmounted. `start`, if given, is called once, when the
 * first request for this mount is about to be sent (inside the requester's
 * syscall): it spawns the server that receives on `endpoint` (an on-demand
 * server, as inetd starts one).
 */
export function hostMount(dir: DirObject, path: string, endpoint: Endpoint, flags = 0, start?: () => void): void {
  const abs = resolveIn(dir.scope, path);
  const cap = holdCap(new Cap(endpoint, ENDPOINT_CLIENT_RIGHTS, null));
  dir.table.add({ table: dir.table, path: abs, cap, flags, owner: null, start: start ?? null });
}

/** The namespace's counters: unveil violations, opens answered, close pulses posted, live mounts per process. */
export function nsCounters(k: Kernel): { violations: number; opens: number; closes: number; mountOwners: number } {
  const s = nsOf(k);
  return { violations: s.violations, opens: s.opens, closes: s.closes, mountOwners: s.mountsOf.size };
}

export { unveilViolations } from "./state.ts";
export { DirObject, FileObject } from "./objects.ts";
