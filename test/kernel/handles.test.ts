import { describe, expect, it } from "vitest";
import { Errno, ObjectType, Rights } from "../../abi/gen/abi.ts";
import { HandleTable } from "../../kernel/handles.ts";
import { KernelObject, ObjectRegistry } from "../../kernel/object.ts";

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
});
