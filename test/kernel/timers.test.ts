import { describe, expect, it } from "vitest";
import { TimerHeap } from "../../kernel/timers.ts";
import { RunQueues } from "../../kernel/sched/run-queues.ts";
import { SeededRng } from "../../kernel/rng.ts";

describe("TimerHeap", () => {
  it("fires timers in deadline order, ties in insertion order, skipping cancelled ones", () => {
    const h = new TimerHeap();
    const fired: string[] = [];
    const rng = new SeededRng(7);
    const expected: [number, number, string][] = [];
    for (let i = 0; i < 200; i++) {
      const d = rng.nextU32() % 50;
      const name = `t${i}`;
      const t = h.add(d, () => fired.push(name));
      if (i % 7 === 3) h.cancel(t);
      else expected.push([d, i, name]);
    }
    expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(h.next()).toBe(expected[0][0]);
    h.fireDue(24);
    h.fireDue(1000);
    expect(fired).toEqual(expected.map((e) => e[2]));
    expect(h.next()).toBe(Infinity);
  });
});

describe("RunQueues", () => {
  it("picks the highest priority first and is FIFO within a priority", () => {
    const q = new RunQueues<{ priority: number; queued: boolean; id: string }>();
    const mk = (id: string, priority: number) => ({ id, priority, queued: false });
    const items = [mk("a", 10), mk("b", 200), mk("c", 10), mk("d", 255), mk("e", 0), mk("f", 200)];
    for (const x of items) q.enqueue(x);
    q.remove(items[2]);
    const order: string[] = [];
    for (let x = q.dequeue(); x; x = q.dequeue()) order.push(x.id);
    expect(order).toEqual(["d", "b", "f", "a", "e"]);
    expect(q.size).toBe(0);
  });
});

describe("SeededRng", () => {
  it("gives the same bytes for the same seed and different bytes for another", () => {
    const a = new Uint8Array(37);
    const b = new Uint8Array(37);
    const c = new Uint8Array(37);
    new SeededRng(1).fill(a);
    new SeededRng(1).fill(b);
    new SeededRng(2).fill(c);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});
