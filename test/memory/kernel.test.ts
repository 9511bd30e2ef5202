// Pure kernel pieces of memory sharing, without WebAssembly: revoke hooks run
// after the revoke's walk, so a hook that ends a process (closing its
// handles) cannot let a grandchild capability escape; memory objects work on
// a plain buffer when the host does not provide wasm memories.
import { describe, expect, it } from "vitest";
import { ObjectType, Rights } from "../../abi/gen/abi.ts";
import { Cap, HandleTable, holdCap } from "../../kernel/handles.ts";
import { KernelObject, ObjectRegistry } from "../../kernel/object.ts";
import { KernelCore } from "../../kernel/core.ts";
import type { ProcessRuntime } from "../../kernel/platform.ts";

class Thing extends KernelObject {
  readonly type = ObjectType.MEMORY;
  constructor(reg: ObjectRegistry) {
    super(reg, ObjectType.MEMORY);
  }
}

describe("revoke hooks", () => {
  it("run after the walk: a hook that closes a whole table (a process ending) does not let a grandchild escape", () => {
    const reg = new ObjectRegistry();
    const [a, b, c] = [new HandleTable(8), new HandleTable(8), new HandleTable(8)];
    const obj = new Thing(reg);
    const hRoot = a.insert(obj, Rights.READ | Rights.DUPLICATE);
    const root = a.cap(hRoot) as Cap;
    const hB = b.insertCap(root.derive(Rights.READ | Rights.DUPLICATE));
    const hC = c.insertCap((b.cap(hB) as Cap).derive(Rights.READ));
    // A binding held beside B's handle; its revocation "ends process B".
    const held = holdCap(root.derive(Rights.READ));
    let hookRan = 0;
    held.onRevoked = () => {
      hookRan++;
      b.closeAll();
    };
    const cCap = c.cap(hC) as Cap;
    expect(HandleTable.revokeDescendants(root)).toBe(2);
    expect(hookRan).toBe(1);
    expect(cCap.revoked).toBe(true);
    expect(c.count).toBe(0);
    expect(root.children.size).toBe(0);
    expect(obj.handleCount).toBe(1); // only A's root is left
    a.closeAll();
    expect(reg.liveTotal()).toBe(0);
  });
});

describe("memory objects on a host without wasm memories", () => {
  it("are backed by a plain buffer, charged to the system, and freed with their last handle", () => {
    const idle: ProcessRuntime = {
      start() {},
      resume() {},
      deliver() {},
      handlerStatus: () => 0,
      setFuel() {},
      fuelLeft: () => null,
      metered: false,
      dispose() {},
    };
    const k = new KernelCore({ host: { createRuntime: () => idle } });
    const m = k.mm.createObject(null, 100_000);
    if (typeof m === "number") throw new Error("refused");
    m.retainHandle();
    expect([m.size, m.pages, m.backing.buffer.byteLength]).toEqual([100_000, 2, 131072]);
    expect([k.mm.objectPages, k.mm.objects, k.mm.totalPages()]).toEqual([2, 1, 2]);
    m.bytes.setU32(99_996, 0xdeadbeef);
    expect(m.bytes.u32(99_996)).toBe(0xdeadbeef);
    m.releaseHandle();
    expect([k.mm.objectPages, k.mm.objects]).toEqual([0, 0]);
    expect(k.objects.liveTotal()).toBe(0);
  });
});
