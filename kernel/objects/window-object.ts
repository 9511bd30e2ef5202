// WindowObject: a byte-exact, possibly strided view of a memory object, read
// and written through the kernel (window_* syscalls). Element i is elemSize
// bytes at offset + i * stride. The window holds a capability derived from
// the one it was mapped through, kept by the kernel: revoking any ancestor of
// that capability (or the object itself) revokes the window at once, and
// every access then fails with EREVOKED.

import { ObjectType } from "../../abi/gen/abi.ts";
import { type Cap, releaseHeld } from "../handles.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";
import type { MemoryObject } from "./memory.ts";

export class WindowObject extends KernelObject {
  readonly type = ObjectType.WINDOW;
  readonly memory: MemoryObject;
  /** Held cap derived from the mapping handle; its revocation revokes the window. */
  readonly source: Cap;
  readonly offset: number;
  readonly count: number;
  readonly stride: number;
  readonly elemSize: number;

  constructor(registry: ObjectRegistry, source: Cap, offset: number, count: number, stride: number, elemSize: number) {
    super(registry, ObjectType.WINDOW);
    this.memory = source.object as MemoryObject;
    this.source = source;
    this.offset = offset;
    this.count = count;
    this.stride = stride;
    this.elemSize = elemSize;
  }

  /** The mapping capability or the object was revoked: nothing may be done through the window. */
  get revoked(): boolean {
    return this.source.revoked || this.memory.revoked;
  }

  /** Byte offset of element i in the memory object (i checked by the caller). */
  at(i: number): number {
    return this.offset + i * this.stride;
  }

  protected override onDestroy(): void {
    releaseHeld(this.source); // no effect if revoked (the revoke released it)
  }
}
