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

  it("keeps the order a list per priority keeps, over thousands of random enqueues, fronts, removes and dequeues", () => {
    // The levels are rings that grow (kernel/sched/run-queues.ts): compared with plain arrays, step by step.
    type X = { priority: number; queued: boolean; id: number };
    const q = new RunQueues<X>();
    const model = new Map<number, X[]>();
    const all: X[] = Array.from({ length: 60 }, (_, id) => ({ id, priority: [3, 3, 3, 128, 128, 250][id % 6], queued: false }));
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const modelFirst = (): X | null => {
      for (const pr of [...model.keys()].sort((a, b) => b - a)) if (model.get(pr)!.length > 0) return model.get(pr)![0];
      return null;
    };
    for (let step = 0; step < 20000; step++) {
      const x = all[rand(all.length)];
      const op = rand(5);
      const level = model.get(x.priority) ?? [];
      model.set(x.priority, level);
      if (op === 0 && !x.queued) {
        q.enqueue(x);
        level.push(x);
      } else if (op === 1 && !x.queued) {
        q.enqueueFront(x);
        level.unshift(x);
      } else if (op === 2 && x.queued) {
        q.remove(x);
        level.splice(level.indexOf(x), 1);
      } else if (op === 3) {
        const want = modelFirst();
        if (want !== null) model.get(want.priority)!.shift();
        expect(q.dequeue()).toBe(want);
      } else {
        const odd = (y: X) => y.id % 2 === 1;
        const want = [...model.keys()]
          .sort((a, b) => b - a)
          .map((pr) => model.get(pr)!.find(odd))
          .find((y) => y !== undefined);
        expect(q.find(odd)).toBe(want ?? null);
      }
      expect(q.size).toBe([...model.values()].reduce((n, l) => n + l.length, 0));
    }
    const order: number[] = [];
    for (let x = q.dequeue(); x; x = q.dequeue()) order.push(x.id);
    const want: number[] = [];
    for (const pr of [...model.keys()].sort((a, b) => b - a)) want.push(...model.get(pr)!.map((y) => y.id));
    expect(order).toEqual(want);
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
