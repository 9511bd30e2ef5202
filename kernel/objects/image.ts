// ImageObject: a verified, compiled guest module that processes are spawned
// from. What the module is (a compiled WebAssembly.Module and its verifier
// report) is the host's business; the kernel only counts and names it.

import { ObjectType } from "../../abi/gen/abi.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";

export class ImageObject extends KernelObject {
  readonly type = ObjectType.IMAGE;
  /** Human-readable name (file name or manifest name), for messages and traces. */
  readonly name: string;
  /** Content hash of the original bytes. */
  readonly hash: string;
  /** Opaque host data (the compiled module). */
  readonly hostData: unknown;

  constructor(registry: ObjectRegistry, name: string, hash: string, hostData: unknown) {
    super(registry, ObjectType.IMAGE);
    this.name = name;
    this.hash = hash;
    this.hostData = hostData;
  }
}
