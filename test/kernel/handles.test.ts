import { describe, expect, it } from "vitest";
import { Errno, ObjectType, Rights } from "../../abi/gen/abi.ts";
import { Cap, HandleTable } from "../../kernel/handles.ts";
import { KernelObject, ObjectRegistry } from "../../kernel/object.ts";
import { currentEpoch } from "../../kernel/fast/epoch.ts";

class Other extends KernelObject {
  readonly type = ObjectType.PROCESS;
}

class Thing extends KernelObject {
  readonly type: number;
  destroyed = 0;
  constructor(reg: ObjectRegistry, type: number = ObjectType.IMAGE) {
    super(reg, type);
    this.type = type;
  }
  protected override onDestroy(): void {
    this.destroyed++;
  }
}

describe("HandleTable", () => {
  it("changes the capability epoch when a handle leaves, except a FILE's, which no cache holds", () => {
    const reg = new ObjectRegistry();
    const t = new HandleTable(8);
    for (const type of [ObjectType.ENDPOINT, ObjectType.PORT, ObjectType.MEMORY, ObjectType.IMAGE, ObjectType.DIR]) {
      const h = t.insert(new Thing(reg, type), Rights.DUPLICATE);
      const before = currentEpoch();
      expect(t.close(h)).toBe(0);
      expect(currentEpoch(), `closing a handle of type ${type}`).toBeGreaterThan(before);
      const moved = t.insert(new Thing(reg, type), Rights.DUPLICATE);
      const beforeTake = currentEpoch();
      expect(t.take(moved)).toBeInstanceOf(Cap);
      expect(currentEpoch(), `moving a handle of type ${type}`).toBeGreaterThan(beforeTake);
    }
    const file = t.insert(new Thing(reg, ObjectType.FILE), Rights.READ);
    const before = currentEpoch();
    expect(t.close(file)).toBe(0);
    expect(currentEpoch()).toBe(before);
  });

  it("resolves a handle to its object when type and rights match", () => {
    const reg = new ObjectRegistry();
    const t = new HandleTable(8);
    const obj = new Thing(reg);
    const h = t.insert(obj, Rights.SPAWN | Rights.DUPLICATE);
    expect(h).toBeGreaterThan(0);
    expect(t.get(h, Thing, Rights.SPAWN, ObjectType.IMAGE)).toBe(obj);
  });

  it("refuses a handle with the wrong object type or missing rights, in that order", () => {
    const reg = new ObjectRegistry();
    const t = new HandleTable(8);
    const h = t.insert(new Thing(reg), Rights.DUPLICATE);
    expect(t.get(h, Thing, Rights.SPAWN, ObjectType.PROCESS)).toBe(-Errno.EWRONGTYPE);
    expect(t.get(h, Other, Rights.SPAWN)).toBe(-Errno.EWRONGTYPE);
    expect(t.get(h, Thing, Rights.SPAWN, ObjectType.IMAGE)).toBe(-Errno.EACCES);
  });

  it("tells a closed handle (ESTALE) from one never issued (EBADH)", () => {
    const reg = new ObjectRegistry();
    const t = new HandleTable(8);
    const h = t.insert(new Thing(reg), Rights.ALL);
    expect(t.close(h)).toBe(0);
    expect(t.lookup(h)).toBe(-Errno.ESTALE);
    expect(t.close(h)).toBe(-Errno.ESTALE);
    expect(t.lookup(0)).toBe(-Errno.EBADH);
    expect(t.lookup(-5)).toBe(-Errno.EBADH);
    expect(t.lookup(h + 1)).toBe(-Errno.EBADH); // a slot never used
    expect(t.lookup(h + (5 << 16))).toBe(-Errno.EBADH); // a generation never issued
  });

  it("never lets a closed handle reach a newer object in the same slot", () => {
    const reg = new ObjectRegistry();
    const t = new HandleTable(1);
    const a = new Thing(reg);
    const b = new Thing(reg);
    const ha = t.insert(a, Rights.ALL);
    t.close(ha);
    const hb = t.insert(b, Rights.ALL);
    expect(hb & 0xffff).toBe(ha & 0xffff);
    expect(hb).not.toBe(ha);
    expect(t.lookup(ha)).toBe(-Errno.ESTALE);
    expect(t.lookup(hb)).toBe(b);
  });

  it("returns EMFILE when full and retires a slot whose generation is exhausted", () => {
    const reg = new ObjectRegistry();
    const t = new HandleTable(1);
    const h = t.insert(new Thing(reg), Rights.ALL);
    expect(t.insert(new Thing(reg), Rights.ALL)).toBe(-Errno.EMFILE);
    t.close(h);
    let last = 0;
    for (let i = 0; i < 0x7fff - 1; i++) {
      last = t.insert(new Thing(reg), Rights.ALL);
      expect(last).toBeGreaterThan(0);
      t.close(last);
    }
    expect(last >>> 16).toBe(0x7fff);
    expect(t.insert(new Thing(reg), Rights.ALL)).toBe(-Errno.EMFILE);
  });

  it("destroys an object when its last handle closes, and counts live objects", () => {
    const reg = new ObjectRegistry();
    const t = new HandleTable(4);
    const obj = new Thing(reg);
    const h1 = t.insert(obj, Rights.ALL);
    const h2 = t.insert(obj, Rights.READ);
    expect(reg.liveTotal()).toBe(1);
    t.close(h1);
    expect(obj.destroyed).toBe(0);
    t.closeAll();
    expect(t.lookup(h2)).toBe(-Errno.ESTALE);
    expect(obj.destroyed).toBe(1);
    expect(reg.liveTotal()).toBe(0);
  });

  it("keeps a cap's children in derivation order as they come and go, moves them up when it leaves, and revokes them all", () => {
    const reg = new ObjectRegistry();
    const t = new HandleTable(16);
    const obj = new Thing(reg);
    const root = t.cap(t.insert(obj, Rights.ALL)) as Cap;
    const mid = root.derive(Rights.READ | Rights.DUPLICATE);
    const kids = [0, 1, 2, 3].map(() => mid.derive(Rights.READ));
    const order = (c: Cap) => [...c.children].map((k) => kids.indexOf(k));
    expect(order(mid)).toEqual([0, 1, 2, 3]);
    // Children leave from the middle, the ends, and come again: the list stays in derivation order.
    kids[1].detachFromTree();
    kids[3].detachFromTree();
    expect(order(mid)).toEqual([0, 2]);
    kids[1] = mid.derive(Rights.READ);
    expect(order(mid)).toEqual([0, 2, 1]);
    kids[0].detachFromTree();
    expect(order(mid)).toEqual([2, 1]);
    expect(mid.children.size).toBe(2);
    // mid leaves: its children follow root's own (mid was one of them) in their order.
    const own = root.derive(Rights.READ);
    mid.detachFromTree();
    expect([...root.children]).toEqual([own, kids[2], kids[1]]);
    expect(kids[2].parent).toBe(root);
    // Held in tables, they all go with a revoke of root.
    const h = [kids[2], kids[1], own].map((c) => t.insertCap(c));
    expect(HandleTable.revokeDescendants(root)).toBe(3);
    expect(root.children.size).toBe(0);
    for (const x of h) expect(t.lookup(x)).toBe(-Errno.ESTALE);
  });
});
