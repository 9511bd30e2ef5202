// The name registry: name_register, name_lookup, name_unregister.

import { Errno, ObjectType, Rights } from "../../abi/gen/abi.ts";
import { holdCap, releaseHeld } from "../handles.ts";
import type { KernelCore } from "../core.ts";
import { Namespace } from "../objects/namespace.ts";
import type { Process } from "../objects/process.ts";

/** What a lookup hands out (at most): a client's rights. */
export const LOOKUP_RIGHTS = Rights.SEND | Rights.DUPLICATE | Rights.TRANSFER;

export function sysNameRegister(_k: KernelCore, p: Process, namespace: number, namePtr: number, nameLen: number, endpoint: number): number {
  const ns = p.handles.get(namespace, Namespace, Rights.REGISTER);
  if (typeof ns === "number") return ns;
  const ep = p.handles.cap(endpoint);
  if (typeof ep === "number") return ep;
  if (ep.object.type !== ObjectType.ENDPOINT) return -Errno.EWRONGTYPE;
  if ((ep.rights & (Rights.SEND | Rights.DUPLICATE)) !== (Rights.SEND | Rights.DUPLICATE)) return -Errno.EACCES;
  const name = p.memory!.readName(namePtr, nameLen);
  if (typeof name === "number") return name;
  const registry = ns;
  if (registry.find(name) !== null) return -Errno.EEXIST;
  registry.entries.set(name, holdCap(ep.derive(LOOKUP_RIGHTS)));
  return 0;
}

export function sysNameLookup(_k: KernelCore, p: Process, namespace: number, namePtr: number, nameLen: number): number {
  const ns = p.handles.get(namespace, Namespace, Rights.LOOKUP);
  if (typeof ns === "number") return ns;
  const name = p.memory!.readName(namePtr, nameLen);
  if (typeof name === "number") return name;
  const entry = ns.find(name);
  if (entry === null) return -Errno.ENOENT;
  if (p.handles.full) return -Errno.EMFILE;
  return p.handles.insertCap(entry.derive(entry.rights));
}

export function sysNameUnregister(_k: KernelCore, p: Process, namespace: number, namePtr: number, nameLen: number): number {
  const ns = p.handles.get(namespace, Namespace, Rights.REGISTER);
  if (typeof ns === "number") return ns;
  const name = p.memory!.readName(namePtr, nameLen);
  if (typeof name === "number") return name;
  const registry = ns;
  const entry = registry.find(name);
  if (entry === null) return -Errno.ENOENT;
  registry.entries.delete(name);
  releaseHeld(entry);
  return 0;
}
