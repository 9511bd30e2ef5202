// The port loop's own take (docs/fastpath.md "Queued packets drained in wasm", kernel/ipc/ports.ts
// takeCellPacket): a loop may take its next packet from its port's cell in wasm while the kernel's run-on
// version word keeps its value. Every change the run-on's decision reads must bump that word; these tests
// make each change from inside a chain whose loop is taking its packets in wasm, and compare the run with
// the wasm port paths on (portW2w: true) against the same run with them off (every activation's end through
// the kernel). Each site is shown able to fail in the suite itself: with mutateRunOnChangedForTest(site)
// that one site does not bump, the loop takes on past the change, and the comparison must fail ("bind",
// "priority", "deadline", "partition", and "grant" with the host's yield clock the test's own). Two sites,
// "join" and "leave-deadline", bump for changes another bump always covers: their tests show that dropping
// either changes no run, and say which bump covers it.
import { afterEach, describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, Rights } from "../../abi/gen/abi.ts";
import { type HostProcess, IMAGE_GRANT_RIGHTS, Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { nodeEpochTicker } from "../../hal/node/epoch-ticker.ts";
import { loopTaken, mutatePortLoopForTest, type PortLoopMutation } from "../../host/runtime/port-loop.ts";
import { HOST_YIELD_MS, setHostClock } from "../../host/runtime/process-runtime.ts";
import { CELL_EPOCH_ADDRESS, mirrorWords, portAtCell, setCounterHighOnlyForTest } from "../../kernel/fast/mirror.ts";
import { mutateRunOnChangedForTest, mutateTakeForTest, type RunOnChangedSite } from "../../kernel/ipc/ports.ts";
import { Port } from "../../kernel/objects/port.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { guest, results } from "../helpers/wat.ts";
import { grantGuest } from "../memory/helpers.ts";

const DIRECT = Constants.PORT_BIND_DIRECT;
const { SEND, RECEIVE } = Rights;

// A chain bound PORT_BIND_DIRECT to "port" (its own): queues packet 1 to itself from _start; each handler
// records its code and the clock's low bits, burns 200 iterations, and sends code + 1 to its own port (into
// the port's cell: it is running, so its loop takes it next), until code n: then it flushes and exits. At
// code `at` it runs `action` (a syscall changing something the run-on reads) and records its result.
// The handler's key is recorded too (a second port bound with key 2 tells its packets apart).
// Names stored into the own memory by _start (the assembler writes a data segment for a memory other than 0,
// as the own memory is when a grant is imported, without its memory index: so no data segments).
const names = (at: [number, string][]) =>
  at
    .map(([a, t]) => [...t].map((ch, i) => `(i32.store8 $own (i32.const ${a + i}) (i32.const ${ch.charCodeAt(0)}))`).join(" "))
    .join("\n    ");

const chain = (n: number, at: number, action: string, grant = false, last = false, then?: { at: number; action: string }) =>
  grantGuest(
    grant ? ["m 1"] : [],
    `
  (global $port (mut i32) (i32.const 0))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) (local $i i32) (local $r i32)
    (call $rec (i32.add (i32.mul (local.get $key) (i32.const 1000)) (local.get $code)))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (local.set $i (i32.const 200))
    (loop $burn (if (i32.gt_s (local.get $i) (i32.const 0)) (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $burn))))
    (if (i32.ne (local.get $key) (i32.const 1)) (then (return)))
    (if (i32.and (i32.const ${last ? 0 : 1}) (i32.eq (local.get $code) (i32.const ${at}))) (then ${action}))
    ${then === undefined ? "" : `(if (i32.eq (local.get $code) (i32.const ${then.at})) (then ${then.action}))`}
    (if (i32.ge_s (local.get $code) (i32.const ${n})) (then (call $flush) (call $exit (i32.const 0))))
    (local.set $r (call $port_send (global.get $port) (i32.add (local.get $code) (i32.const 1)) (i64.const 0)))
    (if (i32.lt_s (local.get $r) (i32.const 0)) (then (call $rec (local.get $r)) (call $flush) (call $exit (i32.const 1))))
    (if (i32.and (i32.const ${last ? 1 : 0}) (i32.eq (local.get $code) (i32.const ${at}))) (then ${action})))
  (func (export "_start")
    ${names([
      [0, "on_packet"],
      [16, "port"],
      [24, "second"],
      [40, "killer"],
      [48, "edfproc"],
      [64, "sys"],
    ])}
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (call $rec (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 1) (i32.const ${DIRECT})))
    (call $rec (call $port_send (global.get $port) (i32.const 1) (i64.const 0))))`,
  );

// The revoker: holds the chain's port (and, with `grant`, a memory object "m") and spawns the chain from the
// image "chainimg", passing it copies derived from its own handles ("port", "killer": its own port, and "m"),
// then binds "rport" PORT_BIND_DIRECT and stays resident. Its handler, reached inside the chain's port_send,
// revokes what derives from its handle to "m" (code 6) or to the chain's port (code 5: with `derivedPort` the
// chain holds a copy; else the handle itself, moved to it, which the revoker no longer holds) and records the
// result.
const revoker = (grant: boolean, derivedPort = false) =>
  guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "rport")
  (data (i32.const 24) "port")
  (data (i32.const 32) "m")
  (data (i32.const 40) "killer")
  (data (i32.const 48) "chainimg")
  (func $h (param $ptr i32) (param $len i32) (result i32) (call $handle_get (local.get $ptr) (local.get $len)))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
    (call $rec (call $handle_revoke (if (result i32) (i32.eq (local.get $code) (i32.const 5))
      (then (call $h (i32.const 24) (i32.const 4))) (else (call $h (i32.const 32) (i32.const 1))))))
    (call $flush))
  (func $entry (param $at i32) (param $handle i32) (param $name i32) (param $len i32)
    (i32.store (local.get $at) (local.get $handle))
    (i32.store offset=4 (local.get $at) (local.get $name))
    (i32.store offset=8 (local.get $at) (local.get $len))
    (i32.store offset=12 (local.get $at) (i32.const 0)))
  (func (export "_start")
    (call $rec (call $port_bind (call $h (i32.const 16) (i32.const 5)) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${DIRECT})))
    (call $entry (i32.const 200) (call $h (i32.const 24) (i32.const 4)) (i32.const 24) (i32.const 4))
    (i32.store offset=12 (i32.const 200) (i32.const ${derivedPort ? 0 : Constants.SPAWN_MOVE_HANDLE})) ;; the port moved: the chain's handle is a root (a derived one takes no wasm path)
    (call $entry (i32.const 216) (call $h (i32.const 16) (i32.const 5)) (i32.const 40) (i32.const 6))
    (call $entry (i32.const 232) ${grant ? "(call $h (i32.const 32) (i32.const 1))" : "(i32.const 0)"} (i32.const 32) (i32.const 1))
    (call $rec (i32.gt_s (call $spawn (call $h (i32.const 48) (i32.const 8)) (i32.const 0) (i32.const 0) (i32.const 200) (i32.const ${grant ? 3 : 2})) (i32.const 0))))`);

// Computes `rounds` times (after sleeping `sleepNs` each, if not 0), recording the clock's low bits after each round: ready from its spawn, it runs
// whenever the queue chooses it over the chain.
const hog = (iterations: number, rounds: number, sleepNs: number) =>
  guest(`
  (func (export "_start") (local $i i32) (local $r i32)
    (loop $round
      ${sleepNs > 0 ? `(drop (call $sleep (i64.const ${sleepNs})))` : ""}
      (local.set $i (i32.const 0))
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const ${iterations}))))
      (call $rec (i32.wrap_i64 (call $clock_now)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (i32.const ${rounds}))))
    (call $flush))`);

// Binds "port" PORT_BIND_DIRECT (idle, so a packet to it runs its handler at once, inside the sender's
// port_send); its handler kills "victim" with status 3 and records the result.
const killer = guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "port")
  (data (i32.const 24) "victim")
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
    (call $rec (call $kill (call $handle_get (i32.const 24) (i32.const 6)) (i32.const 3)))
    (call $flush))
  (func (export "_start")
    (call $rec (call $port_bind (call $handle_get (i32.const 16) (i32.const 4)) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${DIRECT}))))`);

// Enters the deadline class (1 ms of every 10 s: no release falls inside the chain's run), records the result,
// then waits for its next release (recording what sched_wait_period returns: -EINVAL once it is moved out of the
// class) or receives forever on an endpoint of its own.
const edfProcess = (wait: "release" | "receive") =>
  guest(`
  (func (export "_start")
    (call $rec (call $sched_set_deadline (i32.const ${Constants.HANDLE_SELF}) (i64.const 1000000) (i64.const 10000000000) (i64.const 0)))
    ${
      wait === "release"
        ? "(call $rec (call $sched_wait_period))"
        : "(call $rec (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) (i64.const 0x7fffffffffffffff)))"
    }
    (call $flush))`);

interface Spec {
  /** The chain's action at code `at` (WAT statements). */
  action: string;
  at?: number;
  n?: number;
  chainPriority?: number;
  /** A hog at this priority, ready from the start (none: undefined). */
  hogPriority?: number;
  /** Give the chain a second port, "second" (SEND and RECEIVE). */
  second?: boolean;
  quantumFuel?: number;
  /** A process bound PORT_BIND_DIRECT to "killer" (the chain may send to it) whose handler kills the chain (status 3). */
  killer?: boolean;
  /** The action after the chain's send of its next packet (the handler's last syscall), not before. */
  last?: boolean;
  /** The chain spawned by the revoker (at priority 200), with a bound grant "m". */
  revoker?: boolean;
  /** The revoker passes the chain a copy of its port handle (derived: it can revoke it), not the handle itself. */
  derivedPort?: boolean;
  /** A real-time kernel: with the host's epoch ticker (the epoch variant: no fuel counter), or counting (fuel). */
  realTime?: "epoch" | "counting";
  /** The hog's sleep before each round (ns; default 0: none). */
  hogSleepNs?: number;
  /** A second action, at another code (after `at`'s). */
  then?: { at: number; action: string };
  /**
   * A process "edf" at priority 200 that enters the deadline class (1 ms every 10 s) and then waits for its next
   * release ("release") or receives forever on an endpoint of its own ("receive"); the chain gets a handle to it,
   * "edfproc", with SCHEDULE.
   */
  edf?: "release" | "receive";
  /** The chain gets a handle "sys" to the system partition (READ, WRITE: it can join it again). */
  systemPartition?: boolean;
}

async function run(spec: Spec, portW2w: boolean) {
  const sched = spec.quantumFuel === undefined ? undefined : { quantumFuel: spec.quantumFuel };
  const k =
    spec.realTime === undefined
      ? new Kernel({ fastPath: true, portW2w, sched })
      : new Kernel({ deterministic: false, epochTicker: spec.realTime === "epoch" ? nodeEpochTicker() : null, portW2w, sched });
  const out = new Map<string, Uint8Array[]>();
  const procs = new Map<string, Process>();
  const hosts: HostProcess[] = [];
  const spawn = (name: string, bytes: Uint8Array, priority: number, handles: { name: string; object: object; rights: number }[]) => {
    const img = k.loadImage(bytes, name);
    out.set(name, []);
    const hp = k.spawn(img, { args: [name], priority, handles: handles as never, stdout: (b) => void out.get(name)!.push(b.slice()) });
    k.release(img);
    procs.set(name, hp.process);
    hosts.push(hp);
  };
  const port = new Port(k.core.objects);
  port.retainHandle();
  const second = new Port(k.core.objects);
  second.retainHandle();
  const killerPort = new Port(k.core.objects);
  killerPort.retainHandle();
  const handles: { name: string; object: object; rights: number }[] = [{ name: "port", object: port, rights: SEND | RECEIVE }];
  if (spec.second) handles.push({ name: "second", object: second, rights: SEND | RECEIVE });
  if (spec.killer) handles.push({ name: "killer", object: killerPort, rights: SEND });
  if (spec.revoker) {
    const img = k.loadImage(chain(spec.n ?? 300, spec.at ?? 40, spec.action, true, spec.last), "chain");
    const m = k.createMemory(65536);
    spawn("revoker", revoker(true, spec.derivedPort), 200, [
      { name: "rport", object: killerPort, rights: SEND | RECEIVE | Rights.DUPLICATE | Rights.TRANSFER },
      { name: "port", object: port, rights: SEND | RECEIVE | Rights.DUPLICATE | Rights.TRANSFER },
      { name: "chainimg", object: img, rights: IMAGE_GRANT_RIGHTS },
      { name: "m", object: m, rights: MEMORY_GRANT_RIGHTS },
    ]);
    k.release(img);
    k.release(m);
  } else {
    if (spec.systemPartition) handles.push({ name: "sys", object: k.core.sched.system, rights: Rights.READ | Rights.WRITE });
    if (spec.edf !== undefined) {
      spawn("edf", edfProcess(spec.edf), 200, []);
      handles.push({ name: "edfproc", object: procs.get("edf")!, rights: Rights.SCHEDULE });
    }
    spawn("chain", chain(spec.n ?? 300, spec.at ?? 40, spec.action, false, false, spec.then), spec.chainPriority ?? 128, handles);
  }
  if (spec.killer)
    spawn("killer", killer, 200, [
      { name: "port", object: killerPort, rights: RECEIVE },
      { name: "victim", object: procs.get("chain")!, rights: Rights.KILL },
    ]);
  k.release(killerPort);
  if (spec.hogPriority !== undefined) spawn("hog", hog(2000, 20, spec.hogSleepNs ?? 0), spec.hogPriority, []);
  k.release(port);
  k.release(second);
  const took = loopTaken();
  await k.run();
  const rec: Record<string, number[]> = {};
  const exit: Record<string, unknown> = {};
  for (const [name, chunks] of out) rec[name] = chunks.flatMap((c) => results(c));
  for (const [name, p] of procs) exit[name] = p.exit;
  for (const h of hosts) h.close();
  return { now: k.core.clock.now(), rec, exit, taken: loopTaken() - took };
}

const seen = (r: Awaited<ReturnType<typeof run>>) => ({ now: r.now, rec: r.rec, exit: r.exit });

/**
 * The run with the wasm port paths on equals the run with them off, the loop took packets in wasm before the
 * change, and with `site`'s bump dropped the run differs.
 */
async function checkSite(spec: Spec, site: RunOnChangedSite) {
  const on = await run(spec, true);
  const off = await run(spec, false);
  expect(seen(on)).toEqual(seen(off));
  expect(on.taken).toBeGreaterThan(10); // the loop took packets itself (the comparison would be idle otherwise)
  mutateRunOnChangedForTest(site);
  try {
    const wrong = await run(spec, true);
    expect(seen(wrong), `${site}'s bump dropped`).not.toEqual(seen(off));
  } finally {
    mutateRunOnChangedForTest(null);
  }
  return on;
}

/**
 * A site whose bump no run can miss: the run with the wasm port paths on equals the run with them off, the
 * loop took packets itself, and with `site`'s bump dropped the run is still the reference run, since another
 * bump always covers the change (the comment at each use says which). With `sensitive`, the same workload with
 * every bump ignored by the loop (mutateTakeForTest("stale")) differs: a bump is needed there, just not that one.
 */
async function checkCovered(spec: Spec, site: RunOnChangedSite, sensitive: boolean) {
  const on = await run(spec, true);
  const off = await run(spec, false);
  expect(seen(on)).toEqual(seen(off));
  expect(on.taken).toBeGreaterThan(10);
  mutateRunOnChangedForTest(site);
  try {
    expect(seen(await run(spec, true)), `${site}'s bump dropped`).toEqual(seen(off));
  } finally {
    mutateRunOnChangedForTest(null);
  }
  if (sensitive) {
    mutateTakeForTest("stale");
    try {
      expect(seen(await run(spec, true)), "every bump ignored by the loop").not.toEqual(seen(off));
    } finally {
      mutateTakeForTest(null);
    }
  }
  return on;
}

afterEach(() => {
  mutateRunOnChangedForTest(null);
  mutateTakeForTest(null);
  mutatePortLoopForTest(null);
  setCounterHighOnlyForTest(false);
});

const SELF = Constants.HANDLE_SELF;

describe("the port loop's own take lapses at every change the run-on reads", () => {
  it("a second port bound mid-chain, with a packet queued on it: the kernel's round robin delivers it next, not the loop's take", async () => {
    // At code 40 the chain binds "second" (key 2) and sends a packet to it; then sends code 41 to its own
    // port. The kernel's next packet is by round robin over the two ports, so the second port's packet
    // comes between the chain's; the loop's take (one port's cell) would run the chain on without it.
    const action = `
      (call $rec (call $port_bind (call $handle_get (i32.const 24) (i32.const 6)) (i32.const 0) (i32.const 9) (i32.const 2) (i32.const 0)))
      (call $rec (call $port_send (call $handle_get (i32.const 24) (i32.const 6)) (i32.const 7) (i64.const 0)))`;
    const on = await checkSite({ action, second: true }, "bind");
    expect(on.rec.chain).toContain(2007); // the second port's packet was delivered
  });

  it("the chain lowers its priority to a ready hog's: it goes behind the hog at its next activation's end", async () => {
    const action = `(call $rec (call $sched_set_priority (i32.const ${SELF}) (i32.const 100) (i32.const ${Constants.SCHED_RR})))`;
    await checkSite({ action, chainPriority: 128, hogPriority: 100 }, "priority");
  });

  it("the chain enters a deadline class: its activations end through the run queue from then on", async () => {
    const action = `(call $rec (call $sched_set_deadline (i32.const ${SELF}) (i64.const 200000) (i64.const 400000) (i64.const 0)))`;
    await checkSite({ action, chainPriority: 128, hogPriority: 100 }, "deadline");
  });

  it("a partition is created mid-chain: budgets are weighed from then on, the run-on no longer applies", async () => {
    const action = `(call $rec (i32.gt_s (call $partition_create (i32.const 300)) (i32.const 0)))`;
    await checkSite({ action, chainPriority: 128, hogPriority: 100 }, "partition");
  });
});

// Two sites bump for changes another bump always covers: their bumps are kept (they cost one compare while no
// loop may take, and keep each site's rule local), and these tests show that dropping either changes no run.
// A chain bound to its own port "port" with a bound grant "m": each handler stores its code at m[0], sends code + 1
// to its own port (into the cell: its loop may take it), stores 1 at m[4] (no syscall from here to its return),
// burns `burn` iterations, stores 0 at m[4] and returns; at code n it exits. The host reads m to see where it is.
const grantChain = (n: number, burn: number) =>
  grantGuest(
    ["m 1"],
    `
  (global $port (mut i32) (i32.const 0))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) (local $i i32)
    (i32.store $m (i32.const 0) (local.get $code))
    (if (i32.ge_s (local.get $code) (i32.const ${n})) (then (call $exit (i32.const 0))))
    (drop (call $port_send (global.get $port) (i32.add (local.get $code) (i32.const 1)) (i64.const 0)))
    (i32.store $m (i32.const 4) (i32.const 1))
    (local.set $i (i32.const ${burn}))
    (loop $burn (if (i32.gt_s (local.get $i) (i32.const 0)) (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $burn))))
    (i32.store $m (i32.const 4) (i32.const 0)))
  (func (export "_start")
    ${names([
      [0, "on_packet"],
      [16, "port"],
    ])}
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (drop (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 1) (i32.const ${DIRECT})))
    (drop (call $port_send (global.get $port) (i32.const 1) (i64.const 0))))`,
  );

/**
 * The grant chain, whose grant the host revokes while the chain is the current process, paused for the host's
 * event loop in the middle of a handler, after its send (hostYieldDue: a refill of its counter goes through a
 * macrotask). The host's yield clock is the test's: it stands still, except while the chain is past code 40
 * between its send and its return, where each reading moves it on past HOST_YIELD_MS, so the pause falls there.
 * Returns the code of the handler the revoke fell in and the last code a handler of the chain began.
 */
async function grantRevokedWhilePaused(portW2w: boolean) {
  const k = new Kernel({ fastPath: true, portW2w, sched: { quantumFuel: 300 } });
  const mem = k.createMemory(65536);
  const port = new Port(k.core.objects);
  port.retainHandle();
  const img = k.loadImage(grantChain(300, 400), "chain");
  const chainProc = k.spawn(img, {
    args: ["chain"],
    priority: 128,
    handles: [
      { name: "port", object: port, rights: SEND | RECEIVE },
      { name: "m", object: mem, rights: MEMORY_GRANT_RIGHTS },
    ],
  });
  k.release(img);
  k.release(port);
  const word = (at: number) => new DataView(k.memoryBytes(mem).buffer).getInt32(at, true);
  const inBurn = () => word(0) >= 40 && word(4) === 1;
  let t = 0;
  setHostClock(() => (inBurn() ? (t += HOST_YIELD_MS + 1) : t));
  let revokedIn = -1;
  const poll = () => {
    if (chainProc.process.exit !== null) return;
    if (revokedIn < 0 && k.core.current === chainProc.process && inBurn()) {
      revokedIn = word(0);
      k.revokeMemory(mem);
      return;
    }
    setImmediate(poll);
  };
  setImmediate(poll);
  const took = loopTaken();
  try {
    await k.run();
  } finally {
    setHostClock(() => performance.now());
  }
  const r = { revokedIn, last: word(0), exit: chainProc.process.exit, taken: loopTaken() - took };
  chainProc.close();
  return r;
}

describe("runOnChanged: a grant revoked while its binder is the current process", () => {
  it("grant: revoked by the host while the binder is paused mid-handler: the binder ends before its loop takes the next packet, with the wasm port paths on or off; with the bump dropped, the loop runs one more handler", async () => {
    for (const portW2w of [true, false]) {
      const r = await grantRevokedWhilePaused(portW2w);
      expect(r.revokedIn, `portW2w ${portW2w}`).toBeGreaterThanOrEqual(40);
      expect(r.exit).toMatchObject({ reason: ExitReason.GRANT_REVOKED });
      expect(r.last).toBe(r.revokedIn); // no handler began after the one the revoke fell in
      if (portW2w) expect(r.taken).toBeGreaterThan(10);
    }
    mutateRunOnChangedForTest("grant");
    try {
      const r = await grantRevokedWhilePaused(true);
      expect(r.exit).toMatchObject({ reason: ExitReason.GRANT_REVOKED });
      expect(r.last, "grant's bump dropped").toBe(r.revokedIn + 1); // the loop took the packet in the cell, ran its handler
    } finally {
      mutateRunOnChangedForTest(null);
    }
  });
});

describe("runOnChanged sites another bump always covers", () => {
  // "join" (CpuScheduler.movePartition): a join needs a partition besides the system's (one joined, or the one
  // left), so partitions exist at every join; while any does, the run queue's wouldChooseFirst is false and no
  // run-on allows a take; and the partition's creation bumped ("partition") after the last take allowed.
  it("join: the chain creates a partition and joins it; the partition's creation has bumped already", async () => {
    const action = `(call $rec (call $partition_join (call $partition_create (i32.const 300)) (i32.const ${SELF})))`;
    const on = await checkCovered({ action, chainPriority: 128, hogPriority: 100 }, "join", true);
    expect(on.rec.chain.slice(2, 4)).toEqual([1001, expect.any(Number)]);
    expect(on.rec.chain).toContain(0); // the join succeeded
  });

  it("join: the chain joins the system partition again and closes its own, which goes; the loop takes again after, and the join's bump is still covered", async () => {
    const action = `(i32.store $own (i32.const 56) (call $partition_create (i32.const 300)))
      (call $rec (call $partition_join (i32.load $own (i32.const 56)) (i32.const ${SELF})))`;
    const back = `(call $rec (call $partition_join (call $handle_get (i32.const 64) (i32.const 3)) (i32.const ${SELF})))
      (call $rec (call $handle_close (i32.load $own (i32.const 56))))`;
    const stays = await run({ action, chainPriority: 128, hogPriority: 100, systemPartition: true }, true);
    const spec: Spec = { action, then: { at: 60, action: back }, chainPriority: 128, hogPriority: 100, systemPartition: true };
    const on = await checkCovered(spec, "join", true);
    expect(on.rec.chain.filter((v) => v === 0).length).toBeGreaterThanOrEqual(3); // bound, joined, joined back, closed
    expect(on.taken).toBeGreaterThan(stays.taken); // no partition left: the run-on allows takes again
  });

  // "leave-deadline" (CpuScheduler.leaveDeadlineClass): what the run-on reads for a process q that may take
  // (wouldChooseFirst: the queues, q's own class; sliceGoesOn: q's own counter) changes when p leaves the class
  // only if p is queued, or queued again: a queued p was taken out of the deadline queue and queued again (an
  // enqueue, which bumps), a p waiting for its release is woken (queued: a bump), a throttled ready one queued
  // (a bump). A p blocked otherwise changes nothing q's run-on reads until it is queued. And q = p leaving the
  // class itself had no take allowed while in it (wouldChooseFirst is false for a deadline-class process).
  it("leave-deadline: a process waiting for its release, moved out of the class by the chain, is woken and queued, which bumps", async () => {
    const action = `(call $rec (call $sched_set_priority (call $handle_get (i32.const 48) (i32.const 7)) (i32.const 128) (i32.const ${Constants.SCHED_RR})))`;
    // (Not `sensitive`: the chain stops at once either way, since setPriority's recheck zeroes its counter when the
    // woken process may preempt it, and the loop reads the counter too.)
    const on = await checkCovered({ action, edf: "release" }, "leave-deadline", false);
    expect(on.rec.edf).toEqual([0, -Errno.EINVAL]); // it entered the class; its wait ended when it was moved out
  });

  it("leave-deadline: a process blocked in receive, moved out of the class at its own priority: nothing the run-on reads changes", async () => {
    const action = `(call $rec (call $sched_set_priority (call $handle_get (i32.const 48) (i32.const 7)) (i32.const 200) (i32.const ${Constants.SCHED_RR})))`;
    const on = await checkCovered({ action, edf: "receive" }, "leave-deadline", false);
    expect(on.exit.edf).toBeNull(); // still blocked in receive
  });

  it("leave-deadline: the chain leaves the deadline class it entered 20 packets before; no take was allowed in it", async () => {
    const enter = `(call $rec (call $sched_set_deadline (i32.const ${SELF}) (i64.const 200000) (i64.const 400000) (i64.const 0)))`;
    const leave = `(call $rec (call $sched_set_priority (i32.const ${SELF}) (i32.const 128) (i32.const ${Constants.SCHED_RR})))`;
    await checkCovered({ action: enter, then: { at: 60, action: leave }, chainPriority: 128, hogPriority: 100 }, "leave-deadline", true);
  });
});

describe("the port loop's own take, and what ends or interrupts it", () => {
  it("a binder killed by a process its handler reached directly (PORT_BIND_DIRECT, inside its port_send): no packet is taken after, the same run on and off", async () => {
    // At code 40 the chain sends to the killer's port: the killer's handler runs at once and kills the chain
    // while the chain's activation is on the stack, with its next packet about to be queued in its cell.
    const action = `(call $rec (call $port_send (call $handle_get (i32.const 40) (i32.const 6)) (i32.const 5) (i64.const 0)))`;
    const spec: Spec = { action, killer: true };
    const on = await run(spec, true);
    const off = await run(spec, false);
    expect(seen(on)).toEqual(seen(off));
    expect(on.taken).toBeGreaterThan(10);
    expect(on.exit.chain).toMatchObject({ status: 3 });
    expect(on.rec.killer).toEqual([0, 0]);
  });

  // Real time (question: can the loop take packets past the moment the process must yield?). The epoch variant's
  // loop has no counter to read: it is given none (process-runtime.ts hands the loop no fuel global), so it never
  // takes a packet itself and every activation's end goes through the kernel's run-on, which reads the slice's
  // wall-clock deadline. A counting process in real time takes while its counter is positive, which is exactly
  // what the run-on reads (CpuScheduler.sliceGoesOn); its slice's fuel is bounded by the next timer's due time
  // with guests burning faster than nsPerFuel (CpuScheduler.sliceFuel: "ends sooner than its bound, never later"),
  // so a due real-time timer has emptied the counter, and the take stops there as the run-on does.
  it("in real time with the epoch ticker the loop never takes a packet itself, and the chain's packets all run in order", async () => {
    const spec: Spec = { action: "", n: 400, realTime: "epoch" };
    const on = await run(spec, true);
    expect(on.taken).toBe(0);
    const codes = on.rec.chain.filter((_, i) => i >= 2 && i % 2 === 0);
    expect(codes).toEqual(Array.from({ length: 400 }, (_, i) => 1001 + i));
    expect(on.exit.chain).toMatchObject({ status: 0 });
  });

  it("in real time counting fuel, a hog's timer due while the loop takes packets: the hog runs before the chain ends, every packet in order", async () => {
    // The hog (the chain's priority) sleeps 20 µs a round; the chain's 600 packets take longer than that.
    // Each wake-up queues the hog (a bump): the chain goes behind it at its next activation's end at the latest.
    const spec: Spec = { action: "", n: 600, realTime: "counting", hogPriority: 128, hogSleepNs: 20_000 };
    const on = await run(spec, true);
    expect(on.taken).toBeGreaterThan(10);
    const codes = on.rec.chain.filter((_, i) => i >= 2 && i % 2 === 0);
    expect(codes).toEqual(Array.from({ length: 600 }, (_, i) => 1001 + i));
    expect(on.rec.hog.length).toBe(20);
    // The hog's first round ran before the chain's last packet (the clocks' low 32 bits: their difference, signed).
    expect((on.rec.chain[on.rec.chain.length - 1] - on.rec.hog[0]) | 0).toBeGreaterThan(0);
  });

  // The grant site (kernel/mm/grants.ts grantRevoked, the binder current) is not reached here: while the revoker's
  // handler runs inside the chain's port_send the revoker is the current process, so the chain is ended at once
  // (its stack unwound), not marked. A binder is current at a revoke only in its own syscall (the bridge ends it
  // when the syscall returns: test/memory/revoke.test.ts) or when the host revokes while the binder's slice is
  // paused for the host's event loop (hostYieldDue): the next test, with the host's yield clock its own.
  it("a binder's grant revoked by a process its handler reached directly: the binder ends there, no packet is taken after, the same run on and off", async () => {
    // The chain (spawned by the revoker, its port moved to it so the handle is a root and its packets go through
    // the cell) sends packet 41 to itself, then at code 40 sends to the revoker, whose handler revokes the
    // capability the chain's bound grant "m" derives from.
    const action = `(call $rec (call $port_send (call $handle_get (i32.const 40) (i32.const 6)) (i32.const 6) (i64.const 0)))`;
    const spec: Spec = { action, revoker: true, last: true };
    const on = await run(spec, true);
    const off = await run(spec, false);
    expect(seen(on)).toEqual(seen(off));
    expect(on.taken).toBeGreaterThan(10);
    // The revoker's own records (bound, spawned, one capability revoked); the chain ended before it flushed its own.
    expect(on.rec.revoker).toEqual([0, 1, 1]);
  });

  it("the binder's handle to its port revoked by a process its handler reached directly: the packet in the cell is still taken, the next send fails ESTALE, the same run on and off", async () => {
    // The revoker passes the chain a copy of its port handle (so it can revoke it) and revokes it (code 5) from
    // its handler inside the chain's port_send at code 40: before the chain's send of 41 (which then fails), or
    // after it (41 is in the cell: the binding, not the handle, is what the take and the kernel deliver from).
    const action = `(call $rec (call $port_send (call $handle_get (i32.const 40) (i32.const 6)) (i32.const 5) (i64.const 0)))`;
    for (const last of [false, true]) {
      const spec: Spec = { action, revoker: true, derivedPort: true, last };
      const on = await run(spec, true);
      const off = await run(spec, false);
      expect(seen(on)).toEqual(seen(off));
      expect(on.taken).toBeGreaterThan(10);
      const rec = on.rec.revoker;
      expect(rec.slice(0, 3)).toEqual([0, 1, 1]); // the revoker: bound, spawned, one handle revoked
      expect(rec[rec.length - 1]).toBe(-Errno.ESTALE); // the chain's send through the revoked handle
      expect(rec.includes(1041)).toBe(last);
    }
  });
});

// The take's other word: the store's cell epoch (kernel/fast/mirror.ts CELL_EPOCH, words 4-5, 64 bits), bumped
// whenever a port's cell goes back to the store. A loop's permission names its cell by address; once the cell
// is freed its words can serve another port, and a packet queued there is that port's, not the loop's.
const AT = 40;
const INF = "(i64.const 0x7fffffffffffffff)";

// The holder: sleeps first (the lender runs meanwhile), then binds "port" PORT_BIND_DIRECT (key 1) and chains
// packets to itself through the port's cell (its loop takes them in wasm). At code 40 it closes its only handle
// to "port" (the binding stays, the cell goes back to the store), receives the lender's message (which moves in
// the handle to the lender's port: a cell is made for it, from the store's free words: the ones just freed),
// and sends code 777 to the lender's port (its binder is busy: the packet is queued in that cell). Then it
// returns, with its loop's permission still naming the freed address. It flushes at code 39 and twice at 40
// (the host looks at the store there). A handler with a code above 40 is never the chain's.
const holder = guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "port")
  (data (i32.const 24) "ep")
  (global $port (mut i32) (i32.const 0))
  (global $ep (mut i32) (i32.const 0))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) (local $i i32) (local $b i32)
    (call $rec (i32.add (i32.mul (local.get $key) (i32.const 1000)) (local.get $code)))
    (local.set $i (i32.const 200))
    (loop $burn (if (i32.gt_s (local.get $i) (i32.const 0)) (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $burn))))
    (if (i32.gt_s (local.get $code) (i32.const ${AT})) (then (call $flush) (return)))
    (if (i32.eq (local.get $code) (i32.const ${AT - 1})) (then (call $flush)))
    (if (i32.eq (local.get $code) (i32.const ${AT})) (then
      (call $rec (call $handle_close (global.get $port)))
      (call $rec (i32.gt_s (call $receive (global.get $ep) (i32.const 0) (i32.const 0) ${INF}) (i32.const 0)))
      (local.set $b (call $msg_handle (i32.const 0)))
      (call $rec (i32.gt_s (local.get $b) (i32.const 0)))
      (call $flush)
      (call $rec (call $port_send (local.get $b) (i32.const 777) (i64.const 0)))
      (call $flush)
      (return)))
    (drop (call $port_send (global.get $port) (i32.add (local.get $code) (i32.const 1)) (i64.const 0))))
  (func (export "_start")
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (global.set $ep (call $handle_get (i32.const 24) (i32.const 2)))
    (drop (call $sleep (i64.const 1000000)))
    (call $rec (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 1) (i32.const ${DIRECT})))
    (call $rec (call $port_send (global.get $port) (i32.const 1) (i64.const 0))))`);

// The lender: creates a port, binds it PORT_BIND_DIRECT (key 5), and moves its only handle to it to the holder
// in a message on "ep" (its cell goes back to the store), blocking in sendmsg: still in _start, so a packet
// sent to its port waits (in the port's cell, when a sender's wasm port_send queues it). Its handler records
// key and code.
const lender = guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "ep")
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
    (call $rec (i32.add (i32.mul (local.get $key) (i32.const 1000)) (local.get $code)))
    (call $flush))
  (func (export "_start") (local $b i32)
    (local.set $b (call $port_create))
    (call $rec (call $port_bind (local.get $b) (i32.const 0) (i32.const 9) (i32.const 5) (i32.const ${DIRECT})))
    (i32.store (i32.const 480) (local.get $b))
    (i32.store (i32.const 448) (i32.const 480))
    (i32.store16 (i32.const 452) (i32.const 1))
    (i32.store16 (i32.const 454) (i32.const ${Constants.MSG_MOVE_HANDLES}))
    (call $rec (call $sendmsg (call $handle_get (i32.const 16) (i32.const 2)) (i32.const 400) ${INF}))
    (call $flush))`);

// The ender: long after the holder's chain, kills it (the lender's sendmsg then ends, and the packet for its
// port, if still there, is delivered to it).
const ender = guest(`
  (data (i32.const 0) "victim")
  (func (export "_start")
    (drop (call $sleep (i64.const 20000000)))
    (call $rec (call $kill (call $handle_get (i32.const 0) (i32.const 6)) (i32.const 3)))
    (call $flush))`);

/**
 * The three processes. With `carry`, the host sets the cell epoch's low word to 0xffffffff at the holder's
 * code 39, so the bump when the holder's cell is freed carries into the high word. Returns what each recorded,
 * their exits, the virtual time, the packets the loops took in wasm, and what the host saw at code 40: the
 * port now at the holder's old cell (its key) and the cell epoch's words before (code 39) and after the free.
 */
async function cellReused(portW2w: boolean, carry = false) {
  const k = new Kernel({ fastPath: true, portW2w });
  const out = new Map<string, Uint8Array[]>();
  const procs = new Map<string, Process>();
  const hosts: HostProcess[] = [];
  const E = CELL_EPOCH_ADDRESS >> 2;
  const seenAt: { cellAt: number; before: number[]; after: number[]; occupantKey: number | null } = {
    cellAt: -1,
    before: [],
    after: [],
    occupantKey: null,
  };
  const port = new Port(k.core.objects);
  port.retainHandle();
  let flushes = 0;
  const onHolderFlush = () => {
    const w = mirrorWords();
    if (++flushes === 1) {
      // code 39: the holder's cell, and (carry) the epoch one bump short of its low word's wrap
      seenAt.cellAt = port.cellAt;
      if (carry) w[E] = -1;
      seenAt.before = [w[E] >>> 0, w[E + 1] >>> 0];
    } else if (flushes === 2) {
      // code 40, after the close and the receive: who holds the freed words now
      seenAt.after = [w[E] >>> 0, w[E + 1] >>> 0];
      const o = portAtCell(seenAt.cellAt * 4) as Port | null;
      seenAt.occupantKey = o === null || o === port ? null : o.key;
    }
  };
  const spawn = (name: string, bytes: Uint8Array, priority: number, handles: { name: string; object: object; rights: number }[]) => {
    const img = k.loadImage(bytes, name);
    out.set(name, []);
    const hp = k.spawn(img, {
      args: [name],
      priority,
      handles: handles as never,
      stdout: (b) => {
        out.get(name)!.push(b.slice());
        if (name === "holder") onHolderFlush();
      },
    });
    k.release(img);
    procs.set(name, hp.process);
    hosts.push(hp);
  };
  const ep = k.createEndpoint();
  spawn("holder", holder, 128, [
    { name: "port", object: port, rights: SEND | RECEIVE },
    { name: "ep", object: ep, rights: RECEIVE },
  ]);
  spawn("lender", lender, 100, [{ name: "ep", object: ep, rights: SEND }]);
  spawn("ender", ender, 50, [{ name: "victim", object: procs.get("holder")!, rights: Rights.KILL }]);
  k.release(ep);
  k.release(port);
  const took = loopTaken();
  await k.run();
  const rec: Record<string, number[]> = {};
  const exit: Record<string, unknown> = {};
  // Each flush writes everything recorded so far: the last one is the whole record.
  for (const [name, chunks] of out) rec[name] = chunks.length === 0 ? [] : results(chunks[chunks.length - 1]);
  for (const [name, p] of procs) exit[name] = p.exit;
  for (const h of hosts) h.close();
  return { now: k.core.clock.now(), rec, exit, taken: loopTaken() - took, seenAt };
}

const outcome = (r: Awaited<ReturnType<typeof cellReused>>) => ({ now: r.now, rec: r.rec, exit: r.exit });

/** Runs cellReused with the loop as built and with `m`: the built one equals the run with the wasm paths off, `m`'s differs. */
async function checkCellEpoch(m: PortLoopMutation, carry = false) {
  const on = await cellReused(true, carry);
  const off = await cellReused(false, carry);
  expect(outcome(on)).toEqual(outcome(off));
  expect(on.taken).toBeGreaterThan(10); // the holder's loop took its packets from the cell until then
  expect(on.seenAt.occupantKey).toBe(5); // the lender's port got the holder's old cell words
  // The holder: bound, sent; packets 1..40; the close, the receive, the handle, the send (queued); never 777.
  const chainCodes = Array.from({ length: AT }, (_, i) => 1001 + i);
  expect(on.rec.holder).toEqual([0, 0, ...chainCodes, 0, 1, 1, 0]);
  // The lender: bound; its sendmsg ended when the holder was killed; then the packet for its port, with its key.
  expect(on.rec.lender).toEqual([0, -Errno.ECLOSED, 5777]);
  expect(on.exit.holder).toMatchObject({ reason: ExitReason.KILLED, status: 3 });
  mutatePortLoopForTest(m);
  try {
    const wrong = await cellReused(true, carry);
    expect(wrong.seenAt.occupantKey).toBe(5);
    // The loop took the lender's packet as its own (the holder's key, code 777); the lender never got it.
    expect(wrong.rec.holder).toContain(1777);
    expect(wrong.rec.lender).not.toContain(5777);
  } finally {
    mutatePortLoopForTest(null);
  }
  return on;
}

describe("the port loop's take and its cell: the cell freed and given to another port while the loop may take from it", () => {
  it("the loop sees the cell epoch's bump and goes back to the kernel: the packet queued in the cell's words is the new port's, delivered to its binder; without the check the loop takes it as its own", async () => {
    const on = await checkCellEpoch("no-cell-epoch");
    const [lo, hi] = on.seenAt.before;
    expect(on.seenAt.after).toEqual([(lo + 1) >>> 0, hi]); // one bump: the holder's cell freed
  });

  it("with every bump moving only the cell epoch's high word (as after 2^32 bumps), the loop still sees it; comparing the low word only, it takes the new port's packet", async () => {
    setCounterHighOnlyForTest(true);
    try {
      const on = await checkCellEpoch("cell-epoch-low");
      const [lo, hi] = on.seenAt.before;
      expect(on.seenAt.after).toEqual([lo, hi + 1]);
    } finally {
      setCounterHighOnlyForTest(false);
    }
  });

  it("the bump that frees the cell carries from a low word of 0xffffffff into the high word, and the loop sees it", async () => {
    const on = await checkCellEpoch("no-cell-epoch", true);
    const [lo, hi] = on.seenAt.before;
    expect(lo).toBe(0xffffffff);
    expect(on.seenAt.after).toEqual([0, hi + 1]);
  });
});
