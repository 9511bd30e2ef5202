// The kernel memory (kernel/fast/kernel-memory.ts; docs/fastpath.md "The kernel's switch state in linear
// memory", step 1): the scheduler's words live in records of one memory the host backs with a
// WebAssembly.Memory, and the TypeScript fields are accessors over them. These tests pin the layout itself:
// the constants agree with the declared table (and the table with the one in docs/fastpath.md), a wasm
// module reading the host's memory sees what the TypeScript kernel wrote, records come and go with the
// processes (a released slot cleared and reused, its old owner reading its own last values, never the new
// owner's), and the memory grows with every record's words carried over. The scheduling itself is pinned
// by the comparison tests (test/sched/flat-slice.test.ts, test/ipc/handoff.test.ts, ...), unchanged.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { kernelStateMemory } from "../../host/runtime/kernel-memory.ts";
import * as km from "../../kernel/fast/kernel-memory.ts";
import { KernelWords, LAYOUT, RECORD_BYTES, RECORD_I32 } from "../../kernel/fast/kernel-memory.ts";
import { VirtualClock } from "../../kernel/clock.ts";
import { DEFAULT_SWITCH_COST_NS } from "../../kernel/sched/params.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { fakeSystem } from "../model/fake-host.ts";
import { replyWaitServer, spawnOnEndpoint } from "../helpers/ipc-workloads.ts";
import { guest, wat } from "../helpers/wat.ts";

const H = SYSCALL_HANDLERS as unknown as Record<string, (k: KernelCore, p: Process, ...a: number[]) => unknown>;
const constants = km as unknown as Record<string, number>;

/** A module that reads the kernel memory the way a vDSO would: plain loads at byte addresses. */
function reader(memory: WebAssembly.Memory) {
  const bytes = wat(`(module (import "k" "mem" (memory 1))
    (func (export "f64") (param i32) (result f64) (f64.load (local.get 0)))
    (func (export "i32") (param i32) (result i32) (i32.load (local.get 0))))`);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { k: { mem: memory } });
  return inst.exports as { f64: (a: number) => number; i32: (a: number) => number };
}

/** The byte offset of a word in its record, from the declared table. */
function at(constant: string): number {
  const f = LAYOUT.find((x) => x.constant === constant);
  if (f === undefined) throw new Error(`${constant} is not in LAYOUT`);
  return f.at;
}

describe("the kernel memory's layout", () => {
  it("puts every word where the declared table says, aligned, inside its record, overlapping no other word of the same record", () => {
    for (const f of LAYOUT) {
      const size = f.type === "f64" ? 8 : 4;
      expect(constants[f.constant], f.constant).toBeTypeOf("number");
      expect(constants[f.constant] * size, f.constant).toBe(f.at);
      expect(f.at % size, f.constant).toBe(0);
      expect(f.at + size, f.constant).toBeLessThanOrEqual(RECORD_BYTES);
    }
    for (const kind of ["kernel", "process"]) {
      const words = LAYOUT.filter((f) => f.record === kind || f.record === "any").map((f) => ({
        ...f,
        end: f.at + (f.type === "f64" ? 8 : 4),
      }));
      for (const a of words)
        for (const b of words) if (a !== b) expect(a.end <= b.at || b.end <= a.at, `${a.constant} overlaps ${b.constant}`).toBe(true);
    }
    expect(RECORD_BYTES % 8).toBe(0);
  });

  it("is what the scheduler's literal indices say: every `[n /* NAME */]` in its source is NAME's index", () => {
    // The hot paths write indices as literals (an imported constant is a module-variable load, and bytecode
    // size is what V8's inlining budget counts: docs/fastpath.md, "The kernel's switch state in memory, step 1").
    let seen = 0;
    for (const file of ["kernel/sched/cpu.ts", "kernel/sched/state.ts", "kernel/clock.ts", "kernel/objects/process.ts"]) {
      const src = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
      for (const m of src.matchAll(/\[(\d+) \/\* (\w+) \*\/\]/g)) {
        expect(
          LAYOUT.some((f) => f.constant === m[2]),
          `${file}: ${m[2]} is not in LAYOUT`,
        ).toBe(true);
        expect(Number(m[1]), `${file}: ${m[0]}`).toBe(constants[m[2]]);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(40);
  });

  it("is the table docs/fastpath.md gives", () => {
    const doc = readFileSync(new URL("../../docs/fastpath.md", import.meta.url), "utf8");
    const rows = [...doc.matchAll(/^\| `(\w+)` \| (any|kernel|process) \| (f64|i32) \| (\d+) \|/gm)].map((m) => ({
      constant: m[1],
      record: m[2],
      type: m[3],
      at: Number(m[4]),
    }));
    expect(rows).toEqual(LAYOUT.map(({ constant, record, type, at }) => ({ constant, record, type, at })));
  });
});

describe("the kernel memory in the host's WebAssembly.Memory", () => {
  it("holds the words the TypeScript kernel reads and writes: a wasm module reading it sees the clock, the open slice and each process's accounting", async () => {
    const memory = kernelStateMemory();
    const r = reader(memory);
    const k = new Kernel({ sched: { quantumFuel: 5000 } });
    const ep = k.createEndpoint();
    // The server waits for a fourth message that never comes: its record stays live after the run.
    const { handles } = spawnOnEndpoint(k, ep, [
      { name: "server", bytes: replyWaitServer(4), priority: 100, ep: Rights.RECEIVE },
      {
        name: "client",
        bytes: guest(`(func (export "_start") (local $ep i32)
          (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
          (drop (call $ipc_buffer (i32.const 1024)))
          (drop (call $call (local.get $ep) (i32.const 1))) (drop (call $call (local.get $ep) (i32.const 1)))
          (drop (call $call (local.get $ep) (i32.const 1))))`),
        priority: 100,
        ep: Rights.SEND,
      },
    ]);
    k.release(ep);
    await k.run();
    const clock = k.core.clock as VirtualClock;
    const base = clock.words.address;
    expect(base).toBeGreaterThan(0);
    expect(r.i32(base + at("W_KIND"))).toBe(km.KIND_KERNEL);
    expect(r.f64(base + at("K_TIME"))).toBe(clock.now());
    expect(clock.now()).toBeGreaterThan(0);
    expect(r.f64(base + at("K_BILL_END"))).toBeGreaterThan(0); // a bucket is open: the run billed CPU time
    expect(r.f64(base + at("K_RUNNING"))).toBe(0); // nothing runs at quiescence
    const server = handles[0].process;
    const s = server.sched.address;
    expect(s).toBeGreaterThan(0);
    expect(r.i32(s + at("W_KIND"))).toBe(km.KIND_PROCESS);
    expect(r.i32(s + at("W_OWNER"))).toBe(server.pid);
    expect(r.f64(s + at("P_CPU"))).toBe(server.cpuTimeNs);
    expect(server.cpuTimeNs).toBeGreaterThan(0);
    expect(r.f64(s + at("P_QUANTUM"))).toBe(server.sched.quantumLeft);
    expect(r.f64(s + at("P_READY_SINCE"))).toBe(server.sched.readySince);
    expect(r.f64(s + at("P_FUEL_HELD"))).toBe(server.sched.fuelHeld);
    expect(server.sched.fuelHeld).toBeGreaterThan(0); // blocked in a call that kept its counter
    expect(r.i32(s + at("P_LATENCY_MISSES"))).toBe(server.sched.latencyMisses);
    // The client exited: its record is gone, its slot cleared.
    expect(handles[1].process.sched.slot).toBe(-1);
    // A word written in wasm is what the kernel reads: the words are the state, not a copy.
    new Float64Array(memory.buffer, s + at("P_QUANTUM"), 1)[0] = 1234;
    expect(server.sched.quantumLeft).toBe(1234);
    k.shutdown();
  });

  it("names the open slice's process in the running word while it runs, and 0 between slices", () => {
    const memory = kernelStateMemory();
    const r = reader(memory);
    const { k, procs } = fakeSystem(2, () => []);
    const [a, b] = procs;
    const kw = (k.clock as VirtualClock).words.address;
    expect(k.current).toBe(a);
    expect(r.f64(kw + at("K_RUNNING"))).toBe(a.sched.slot);
    H.yield(k, a);
    expect(k.current).toBe(b);
    expect(r.f64(kw + at("K_RUNNING"))).toBe(b.sched.slot);
    expect(r.f64(kw + at("K_TIME"))).toBe(k.clock.peek());
    // A dispatch charged the switch cost to b's CPU time, in b's record.
    expect(r.f64(b.sched.address + at("P_CPU"))).toBe(b.cpuTimeNs);
    expect(b.cpuTimeNs).toBeGreaterThan(0);
  });
});

describe("records and their slots", () => {
  it("clears a dead process's slot, reuses it for the next record, and keeps the dead process's last values in a copy of its own", () => {
    const { k, procs, spawn } = fakeSystem(2, () => []);
    const [a, b] = procs;
    H.yield(k, a);
    H.yield(k, b);
    const slot = b.sched.slot;
    const cpu = b.cpuTimeNs;
    b.sched.latencyMisses = 7;
    expect(cpu).toBeGreaterThan(0);
    k.terminate(b, 0, 0, "");
    expect(b.sched.slot).toBe(-1);
    const words = km.kernelMemoryWords();
    expect([...words.subarray(slot * RECORD_I32, (slot + 1) * RECORD_I32)].every((w) => w === 0)).toBe(true);
    const c = spawn([]);
    expect(c.sched.slot).toBe(slot); // last in, first out
    expect(c.cpuTimeNs).toBe(0);
    expect(c.sched.latencyMisses).toBe(0);
    expect(c.sched.fuelHeld).toBe(-1);
    c.cpuTimeNs = 99;
    c.sched.latencyMisses = 3;
    // The dead process reads its own last values, not the slot's new owner's.
    expect(b.cpuTimeNs).toBe(cpu);
    expect(b.sched.latencyMisses).toBe(7);
    expect(words[slot * RECORD_I32 + km.W_OWNER]).toBe(c.pid);
  });

  it("grows the memory past its first pages with every live record's words carried over, through the host's WebAssembly.Memory", () => {
    const memory = kernelStateMemory();
    const before = memory.buffer.byteLength;
    const recs: KernelWords[] = [];
    // Enough records to need more than the memory has (the host's grows page by page).
    const n = Math.ceil((before * 3) / RECORD_BYTES);
    for (let i = 0; i < n; i++) {
      const w = new KernelWords();
      w.f[km.K_TIME] = i + 0.5;
      w.f[km.K_RUNNING] = -3 * i - 1;
      recs.push(w);
    }
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    expect(km.kernelMemoryBuffer()).toBe(memory.buffer);
    const r = reader(memory);
    for (let i = 0; i < n; i++) {
      expect(recs[i].f[km.K_TIME]).toBe(i + 0.5);
      expect(r.f64(recs[i].address + at("K_TIME"))).toBe(i + 0.5);
      expect(r.f64(recs[i].address + at("K_RUNNING"))).toBe(-3 * i - 1);
    }
    expect(new Set(recs.map((x) => x.slot)).size).toBe(n);
    for (const x of recs) x.release();
  });

  it("runs ten thousand processes in one kernel, each with its own record", () => {
    const { k, procs } = fakeSystem(10_000, () => [], { limits: { maxProcesses: 10_016, maxHandles: 64 } });
    expect(new Set(procs.map((p) => p.sched.slot)).size).toBe(10_000);
    const last = procs[9_999];
    // Everyone yields once, each charged its switch cost in its own record (the first was dispatched twice).
    for (const p of procs) H.yield(k, p);
    expect(procs[0].cpuTimeNs).toBe(2 * DEFAULT_SWITCH_COST_NS);
    expect(procs.slice(1).every((p) => p.cpuTimeNs === DEFAULT_SWITCH_COST_NS)).toBe(true);
    expect(km.kernelMemoryWords()[last.sched.slot * RECORD_I32 + km.W_OWNER]).toBe(last.pid);
    for (const p of procs) k.terminate(p, 0, 0, "");
    expect(procs.every((p) => p.sched.slot === -1)).toBe(true);
  });
});
