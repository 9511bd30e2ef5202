// Namespace: a name registry. Each entry holds a capability derived from the
// registrant's endpoint capability, so revoking that capability also removes
// what the registry hands out. Lookup is one Map access.

import { ObjectType } from "../../abi/gen/abi.ts";
import { type Cap, releaseHeld } from "../handles.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";

export class Namespace extends KernelObject {
  readonly type = ObjectType.NAMESPACE;
  readonly entries = new Map<string, Cap>();

  constructor(registry: ObjectRegistry) {
    super(registry, ObjectType.NAMESPACE);
  }

  /** The live entry for name, dropping it if its capability was revoked. */
  find(name: string): Cap | null {
    const cap = this.entries.get(name);
    if (cap === undefined) return null;
    if (cap.revoked) {
      this.entries.delete(name);
      return null;
    }
    return cap;
  }

  protected override onDestroy(): void {
    for (const cap of this.entries.values()) releaseHeld(cap);
    this.entries.clear();
  }
}
