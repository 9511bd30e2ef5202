// Random syscall sequences from a hostile guest, and the invariants checked
// after every step (among them: a syscall that returns an error leaves the
// caller's handle table and the kernel's objects as they were). A sequence becomes one WAT module: straight-line code
// that performs each op on a registry of handles it obtained, then, after
// every op, records handle_info (result, type, rights, object id) of every
// handle in the registry. The checker reads those records back.
import fc from "fast-check";
import { Errno } from "../../abi/gen/abi.ts";
import { assemble, decodeResults, withPrelude } from "../../conformance/lib/case.ts";
import { executeCase } from "../../conformance/lib/execute.ts";

export type Op =
  | { op: "create"; kind: "endpoint" | "port" | "memory" | "namespace_lookup" }
  | { op: "dup"; of: number; rights: number }
  | { op: "close"; of: number }
  | { op: "revoke"; of: number }
  | { op: "map"; of: number; offset: number; count: number }
  | { op: "pulse"; of: number; code: number }
  | { op: "pulse_wait"; of: number; code: number }
  | { op: "port_send"; of: number; code: number }
  | { op: "receive"; of: number }
  | { op: "window_set"; of: number; index: number }
  | { op: "forged"; value: number }
  | { op: "spawn_pass"; of: number }
  | { op: "sendmsg_move"; of: number; handle: number };

const MAX_REG = 24;
const I32 = fc.oneof(fc.constantFrom(0, -1, 1, 0x7fffffff, -0x80000000, 0xffff, 0x10000), fc.integer());

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("create" as const),
      kind: fc.constantFrom("endpoint" as const, "port" as const, "memory" as const),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("dup" as const),
      of: fc.nat(MAX_REG),
      rights: fc.oneof(fc.constantFrom(0, 1, 0x101, 0x103, 0x4003, 0x400f, 0x105fff, -1), fc.integer()),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("close" as const), of: fc.nat(MAX_REG) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("revoke" as const), of: fc.nat(MAX_REG) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("map" as const), of: fc.nat(MAX_REG), offset: I32, count: I32 }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("pulse" as const), of: fc.nat(MAX_REG), code: I32 }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("pulse_wait" as const), of: fc.nat(MAX_REG), code: I32 }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("port_send" as const), of: fc.nat(MAX_REG), code: I32 }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("receive" as const), of: fc.nat(MAX_REG) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("window_set" as const), of: fc.nat(MAX_REG), index: I32 }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("forged" as const), value: I32 }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("spawn_pass" as const), of: fc.nat(MAX_REG) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("sendmsg_move" as const), of: fc.nat(MAX_REG), handle: fc.nat(MAX_REG) }) },
);

const REG = 1000; // registry of handle values, 4 bytes each
const reg = (i: number) => `(i32.load (i32.const ${REG + 4 * i}))`;

/** The module for a sequence: op k stores its result in registry slot k when it yields a handle. */
export function fuzzModule(ops: readonly Op[]): Uint8Array {
  const lines: string[] = [];
  const pick = (of: number, k: number) => (k === 0 ? "(i32.const 0)" : reg(of % k));
  ops.forEach((o, k) => {
    const store = (expr: string) => `(i32.store (i32.const ${REG + 4 * k}) ${expr})`;
    let code: string;
    switch (o.op) {
      case "create":
        code = store(
          o.kind === "endpoint"
            ? "(call $endpoint_create)"
            : o.kind === "port"
              ? "(call $port_create)"
              : "(call $memory_create (i32.const 4096))",
        );
        break;
      case "dup":
        code = store(`(call $handle_dup ${pick(o.of, k)} (i32.const ${o.rights | 0}))`);
        break;
      case "close":
        code = store(`(i32.const 0)`) + `(call $rec (call $handle_close ${pick(o.of, k)}))`;
        break;
      case "revoke":
        code = store(`(i32.const 0)`) + `(call $rec (call $handle_revoke ${pick(o.of, k)}))`;
        break;
      case "map":
        code = store(
          `(call $memory_map ${pick(o.of, k)} (i32.const ${o.offset | 0}) (i32.const ${o.count | 0}) (i32.const 1) (i32.const 1))`,
        );
        break;
      case "pulse":
        code = store(`(i32.const 0)`) + `(call $rec (call $pulse ${pick(o.of, k)} (i32.const ${o.code | 0}) (i64.const 1)))`;
        break;
      case "pulse_wait":
        // pulse and wait on the same handle: with both rights the caller takes the head of its own queue
        // (its own pulse at the latest), so it never blocks; anything else is refused before the pulse
        code =
          store(`(i32.const 0)`) +
          `(drop (call $ipc_buffer (i32.const 3600)))` +
          `(call $rec (call $pulse_wait ${pick(o.of, k)} (i32.const ${o.code | 0}) (i32.const -1) ${pick(o.of, k)}))`;
        break;
      case "port_send":
        code = store(`(i32.const 0)`) + `(call $rec (call $port_send ${pick(o.of, k)} (i32.const ${o.code | 0}) (i64.const 1)))`;
        break;
      case "receive":
        code = store(`(i32.const 0)`) + `(call $rec (call $receive ${pick(o.of, k)} (i32.const 2000) (i32.const 64) (i64.const 0)))`;
        break;
      case "window_set":
        code = store(`(i32.const 0)`) + `(call $rec (call $window_set ${pick(o.of, k)} (i32.const ${o.index | 0}) (i64.const 7)))`;
        break;
      case "forged":
        code = store(`(i32.const 0)`) + `(call $rec (call $handle_info (i32.const ${o.value | 0}) (i32.const 3000)))`;
        break;
      case "spawn_pass":
        // pass the handle to a child (it exits at once): the copy dies with the child
        code =
          store(`(i32.const 0)`) +
          `(i32.store (i32.const 3100) ${pick(o.of, k)}) (i32.store (i32.const 3104) (i32.const 3200)) (i32.store (i32.const 3108) (i32.const 1))` +
          `(call $rec (i32.lt_s (call $spawn (call $h (i32.const 0) (i32.const 4)) (i32.const 0) (i32.const 0) (i32.const 3100) (i32.const 1)) (i32.const 0)))`;
        break;
      case "sendmsg_move":
        // a message moving one handle, with a deadline already past: it never blocks
        code =
          store(`(i32.const 0)`) +
          `(memory.fill (i32.const 3300) (i32.const 0) (i32.const 56)) (i32.store (i32.const 3400) ${pick(o.handle, k)})` +
          `(i32.store offset=48 (i32.const 3300) (i32.const 3400)) (i32.store16 offset=52 (i32.const 3300) (i32.const 1)) (i32.store16 offset=54 (i32.const 3300) (i32.const 1))` +
          `(call $rec (call $sendmsg ${pick(o.of, k)} (i32.const 3300) (i64.const 0)))`;
        break;
    }
    lines.push(`;; op ${k}: ${JSON.stringify(o)}\n  ${code}`);
    // the check after every step: handle_info of every registry entry so far
    for (let j = 0; j <= k; j++) {
      lines.push(`(call $info ${reg(j)})`);
    }
  });
  return assemble(
    withPrelude(`
(data (i32.const 0) "self")
(data (i32.const 3200) "h")
(func $info (param $h i32) (local $r i32)
  (local.set $r (call $handle_info (local.get $h) (i32.const 4000)))
  (call $rec (local.get $r))
  (call $rec (i32.load (i32.const 4000)))
  (call $rec (i32.load (i32.const 4004)))
  (call $rec (i32.load (i32.const 4008)))
  ;; a long sequence fills the results area: write it out and start again
  (if (i32.gt_u (global.get $rp) (i32.const 65000)) (then (call $flush))))
(func (export "_start")
  (if (i32.eqz (call $arg_count)) (then (return)))
  ${lines.join("\n  ")}
  (call $flush))`),
  );
}

/** What one run recorded, split per op: the op's own result (if any) and the registry snapshot after it. */
interface Step {
  own?: number;
  snap: { r: number; type: number; rights: number; oid: number }[];
}

function split(ops: readonly Op[], vals: number[]): Step[] {
  const steps: Step[] = [];
  let at = 0;
  ops.forEach((o, k) => {
    const step: Step = { snap: [] };
    if (o.op !== "create" && o.op !== "dup" && o.op !== "map") step.own = vals[at++];
    for (let j = 0; j <= k; j++) {
      step.snap.push({ r: vals[at], type: vals[at + 1], rights: vals[at + 2] >>> 0, oid: vals[at + 3] });
      at += 4;
    }
    steps.push(step);
  });
  if (at !== vals.length) throw new Error(`recorded ${vals.length} values, expected ${at}`);
  return steps;
}

/** Run a sequence and check every invariant; returns the violations (empty when it holds). */
export async function checkSequence(ops: readonly Op[]): Promise<string[]> {
  const bytes = fuzzModule(ops);
  let out;
  try {
    out = await executeCase("fuzz", bytes, { args: ["go"] });
  } catch (e) {
    return [`host exception: ${(e as Error).stack ?? e}`];
  }
  const bad: string[] = [...(out.problems ?? [])];
  if (out.refused) return [...bad, `refused: ${out.refused}`];
  if (out.exit?.reason !== "NORMAL") bad.push(`guest ended ${out.exit?.reason}: ${out.exit?.message}`);
  if (bad.length) return bad;
  const steps = split(ops, decodeResults(out.stdout));
  const ESTALE = -Errno.ESTALE;
  // Registry slot -> value is fixed once stored; what we learn about each live handle:
  const firstRights = new Map<number, number>();
  const parent = new Map<number, number>(); // slot -> slot it was derived from (dup)
  const dead = new Set<number>(); // slots whose handle must never work again
  const oidOfSlot = new Map<number, number>();
  const value = (k: number) => steps[k].snap[k].r; // not the value; see below
  void value;
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k];
    const s = steps[k];
    const target = k === 0 ? -1 : "of" in o ? o.of % k : -1;
    // effects of this op on the model, known before checking the snapshot
    if (o.op === "close" && s.own === 0 && target >= 0) dead.add(target);
    if (o.op === "revoke" && s.own !== undefined && s.own >= 0 && target >= 0) {
      // every slot derived (transitively) from the target dies; the target lives
      for (let j = 0; j < k; j++) {
        let p = parent.get(j);
        while (p !== undefined) {
          if (p === target) {
            dead.add(j);
            break;
          }
          p = parent.get(p);
        }
      }
    }
    if (o.op === "dup" && target >= 0 && s.snap[k].r >= 0) parent.set(k, target);
    // a syscall that returns an error leaves the caller's handle table as it was
    // (the kernel's objects are checked inside the kernel: checkFailedCalls)
    if (s.own !== undefined && s.own < 0 && k > 0 && o.op !== "spawn_pass") {
      for (let j = 0; j < k; j++) {
        const was = steps[k - 1].snap[j];
        const now = s.snap[j];
        // a failed handle_info leaves its buffer as it was: compare the details of working handles only
        const same = was.r < 0 ? now.r === was.r : JSON.stringify(was) === JSON.stringify(now);
        if (!same) bad.push(`step ${k}: ${o.op} failed (${s.own}) but slot ${j} changed: ${JSON.stringify(was)} -> ${JSON.stringify(now)}`);
      }
    }
    // the snapshot after this op
    const liveOids = new Map<number, number[]>();
    s.snap.forEach((e, j) => {
      if (dead.has(j) && e.r >= 0) {
        // a slot can only work again if the same value was handed out again (it never is: generations)
        bad.push(`step ${k}: slot ${j} works after it was closed or revoked (${JSON.stringify(e)})`);
      }
      if (e.r < 0) return;
      if (!firstRights.has(j)) firstRights.set(j, e.rights);
      else if ((e.rights & ~firstRights.get(j)!) !== 0)
        bad.push(`step ${k}: slot ${j} rights grew from ${firstRights.get(j)} to ${e.rights}`);
      const p = parent.get(j);
      if (p !== undefined && firstRights.has(p) && (e.rights & ~firstRights.get(p)!) !== 0)
        bad.push(`step ${k}: slot ${j} has rights ${e.rights} beyond its parent's ${firstRights.get(p)}`);
      if (p !== undefined && oidOfSlot.has(p) && oidOfSlot.get(p) !== e.oid && o.op !== "close") {
        bad.push(`step ${k}: slot ${j} names object ${e.oid}, its parent ${oidOfSlot.get(p)}`);
      }
      if (!oidOfSlot.has(j)) oidOfSlot.set(j, e.oid);
      else if (oidOfSlot.get(j) !== e.oid) bad.push(`step ${k}: slot ${j} changed object ${oidOfSlot.get(j)} -> ${e.oid}`);
      if (!liveOids.has(e.oid)) liveOids.set(e.oid, []);
      liveOids.get(e.oid)!.push(j);
    });
    // two slots naming one object must be related by derivation (or hold the same value)
    for (const [oid, slots] of liveOids) {
      const root = (j: number) => {
        let r = j;
        while (parent.has(r)) r = parent.get(r)!;
        return r;
      };
      const roots = new Set(slots.map(root));
      const fresh = slots.filter((j) => ops[j].op === "create");
      if (fresh.length > 1) bad.push(`step ${k}: object ${oid} came out of two creations (slots ${fresh.join(", ")})`);
      void roots;
    }
    if (o.op === "forged" && s.own !== undefined && s.own >= 0 && (o.value | 0) !== 0) {
      // a "forged" value may be a real handle of ours; then it must be one the registry or startup holds
    }
    void ESTALE;
  }
  return bad;
}
