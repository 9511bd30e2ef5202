// Run by release.test.ts in a Node process of its own with --expose-gc and --no-concurrent-recompilation:
//   node --expose-gc --no-concurrent-recompilation test/host/release-child.ts
// (A background compile job holds what it compiles against until it is installed: see release.test.ts.)
// One scenario per kind of blocking call a process can be suspended in (each promise handed to a
// WebAssembly.Suspending import): a fresh kernel, a process brought to block there, then ended (killed, its
// server killed, or the kernel shut down). Only WeakRefs to the Kernel, KernelCore and Process are kept.
// After every scenario the event loop turns, collections are forced, and one JSON line is printed: for each
// scenario how many of its WeakRefs are still reachable. V8 keeps a suspended JSPI stack as a root until it
// resumes, so a promise that never settles keeps its process's instance and, through the imports' closures,
// the whole kernel alive: a count above 0 is such a leak.
import { setImmediate as tick } from "node:timers/promises";
import { Constants, ExitReason, ProcessState, Rights } from "../../abi/gen/abi.ts";
import { nodeEpochTicker } from "../../hal/node/epoch-ticker.ts";
import { Port } from "../../kernel/objects/port.ts";
import { DIR_RIGHTS, hostMount } from "../../kernel/ns/host.ts";
import { Kernel, type HostProcess, type KernelConfig, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import type { WasiStdin } from "../../host/personality/wasi/personality.ts";
import { observeSyscalls } from "../../host/runtime/bridge.ts";
import { Strace } from "../../host/trace/strace.ts";
import { guest } from "../helpers/wat.ts";
import { fastYieldCounts } from "../../kernel/fast/yields.ts";
import { wasiProgram } from "../wasi/helpers.ts";
import { RootBlockedError, runGuest } from "../../cli/run-guest.ts";
import { bootSystem } from "../../host/system.ts";
import { bootSystem as bootManifest } from "../../host/manifest/boot.ts";
import { parseManifest } from "../../host/manifest/load.ts";
import { PassThrough } from "node:stream";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || !process.execArgv.includes("--no-concurrent-recompilation"))
  throw new Error("run with --expose-gc --no-concurrent-recompilation (release.test.ts says why)");

const EP = Rights.SEND | Rights.RECEIVE | Rights.DUPLICATE | Rights.TRANSFER;
const INF = "(i64.const 0x7fffffffffffffff)";
const HOUR = "(i64.const 3600000000000)";

/** A guest that takes endpoint "ep" into $ep, then runs `body`. */
const withEp = (body: string, extra = "") =>
  guest(`
  (data (i32.const 16) "ep")
  (global $ep (mut i32) (i32.const 0))
  ${extra}
  (func (export "_start")
    (global.set $ep (call $handle_get (i32.const 16) (i32.const 2)))
    (drop (call $ipc_buffer (i32.const 2048)))
    ${body})`);

const RECEIVE = withEp(`(drop (call $receive (global.get $ep) (i32.const 1024) (i32.const 64) ${INF}))`);
const SYS_RECEIVE = withEp(
  `(drop (call $sys (i32.const 23) (i64.extend_i32_u (global.get $ep)) (i64.const 1024) (i64.const 64) (i64.const 0x7fffffffffffffff) (i64.const 0) (i64.const 0)))`,
);
const CALL = withEp(`(drop (call $call (global.get $ep) (i32.const 0)))`);
/** A server that takes one message and never replies (it waits for the next one). */
const SERVER = withEp(`
    (drop (call $receive (global.get $ep) (i32.const 1024) (i32.const 64) ${INF}))
    (drop (call $receive (global.get $ep) (i32.const 1024) (i32.const 64) ${INF}))`);
/** A client that calls, then, whatever the answer, blocks in receive on its own endpoint. */
const CALL_THEN_RECEIVE = withEp(`
    (drop (call $call (global.get $ep) (i32.const 0)))
    (drop (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) ${INF}))`);
/** Sends a pulse on its endpoint and waits on a fresh one (pulse_wait's own entry). */
const PULSE_WAIT = withEp(`(drop (call $pulse_wait (global.get $ep) (i32.const 1) (i32.const 1) (call $endpoint_create)))`);
/** reply_wait with rcvid 0 (answer nothing, only wait): its own entry. */
const REPLY_WAIT = withEp(`(drop (call $reply_wait (global.get $ep) (i32.const 0) (i32.const 0) (i32.const 0)))`);
/** futex_wait on word 0 of memory object "mem" (0, as expected): nobody ever wakes it. */
const FUTEX_WAIT = guest(`
  (data (i32.const 16) "mem")
  (func (export "_start")
    (drop (call $futex_wait (call $handle_get (i32.const 16) (i32.const 3)) (i32.const 0) (i32.const 0) ${INF})))`);
/** Kills "victim" at once, then receives forever on an endpoint of its own. */
const KILLS_VICTIM = guest(`
  (data (i32.const 16) "victim")
  (func (export "_start")
    (drop (call $kill (call $handle_get (i32.const 16) (i32.const 6)) (i32.const 9)))
    (drop (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) ${INF})))`);
/** A deadline-class job an hour apart: sched_wait_period blocks until the next release. */
const WAIT_PERIOD = guest(`
  (func (export "_start")
    (drop (call $sched_set_deadline (i32.const -1) (i64.const 1000000) ${HOUR} (i64.const 0)))
    (drop (call $sched_wait_period))
    (drop (call $sched_wait_period)))`);
const SLEEP = guest(`(func (export "_start") (drop (call $sleep ${HOUR})))`);
const YIELD_LOOP = guest(`(func (export "_start") (loop $l (drop (call $yield)) (br $l)))`);
const SPIN = guest(`(func (export "_start") (loop $l (br $l)))`);
/** Binds a port to on_packet, sends itself a packet and returns (RESIDENT); the handler returns at once or blocks. */
const binder = (handler: string) =>
  guest(`
  (data (i32.const 0) "on_packet")
  (global $port (mut i32) (i32.const 0))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64) ${handler})
  (func (export "_start")
    (global.set $port (call $port_create))
    (drop (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 5) (i32.const 0)))
    (drop (call $port_send (global.get $port) (i32.const 1) (i64.const 1))))`);
const PORT_IDLE = binder("");
/** Binds "port" (from its spawner) DIRECT and stays resident: its handler runs inside a sender's port_send. */
const DIRECT_BINDER = guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "port")
  (global $n (mut i32) (i32.const 0))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
    (global.set $n (i32.add (global.get $n) (i32.const 1))))
  (func (export "_start")
    (drop (call $port_bind (call $handle_get (i32.const 16) (i32.const 4)) (i32.const 0) (i32.const 9) (i32.const 0) (i32.const ${Constants.PORT_BIND_DIRECT}))))`);
/** Sends "port" 100 packets once the binder is resident, then blocks in receive. */
const DIRECT_SENDER = guest(`
  (data (i32.const 16) "port")
  (func (export "_start") (local $h i32) (local $i i32)
    (local.set $h (call $handle_get (i32.const 16) (i32.const 4)))
    (drop (call $sleep (i64.const 100000)))
    (loop $l
      (drop (call $port_send (local.get $h) (i32.const 1) (i64.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
    (drop (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) ${INF})))`);
const PORT_HANDLER_SLEEPS = binder(`(drop (call $sleep ${HOUR}))`);
/** fd_read from stdin (iovec at 0x40: 16 bytes at 0x100). */
const WASI_READ = wasiProgram(`
    (i32.store (i32.const 0x40) (i32.const 0x100)) (i32.store (i32.const 0x44) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 0x40) (i32.const 1) (i32.const 0x48)))`);
/** poll_oneoff on stdin readable and a clock an hour away (subscriptions at 0x200, events at 0x400). */
const WASI_POLL_STDIN = wasiProgram(`
    (i64.store (i32.const 0x200) (i64.const 1)) (i32.store8 (i32.const 0x208) (i32.const 1)) (i32.store (i32.const 0x210) (i32.const 0))
    (i64.store (i32.const 0x230) (i64.const 2)) (i32.store8 (i32.const 0x238) (i32.const 0)) (i32.store (i32.const 0x240) (i32.const 1))
    (i64.store (i32.const 0x248) (i64.const 3600000000000))
    (drop (call $poll_oneoff (i32.const 0x200) (i32.const 0x400) (i32.const 2) (i32.const 0x80)))`);
/** poll_oneoff on a clock alone (the kernel's sleep). */
const WASI_POLL_CLOCK = wasiProgram(`
    (i64.store (i32.const 0x200) (i64.const 2)) (i32.store8 (i32.const 0x208) (i32.const 0)) (i32.store (i32.const 0x210) (i32.const 1))
    (i64.store (i32.const 0x218) (i64.const 3600000000000))
    (drop (call $poll_oneoff (i32.const 0x200) (i32.const 0x400) (i32.const 1) (i32.const 0x80)))`);
/** path_open of d/x (a namespace call to the server mounted at /d), then poll_oneoff on a clock an hour away. */
const WASI_OPEN_THEN_POLL = wasiProgram(
  `
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x300) (i32.const 3) (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0x90)))
    (i64.store (i32.const 0x200) (i64.const 2)) (i32.store8 (i32.const 0x208) (i32.const 0)) (i32.store (i32.const 0x210) (i32.const 1))
    (i64.store (i32.const 0x218) (i64.const 3600000000000))
    (drop (call $poll_oneoff (i32.const 0x200) (i32.const 0x400) (i32.const 1) (i32.const 0x80)))`,
  { data: '(data (i32.const 0x300) "d/x")' },
);
/** Yields forever, importing only yield: served by the kernel's yield vDSO (host/runtime/fast-yield.ts). */
const VDSO_YIELD_LOOP = guest(`(func (export "_start") (loop $l (drop (call $yield)) (br $l)))`, { imports: ["yield"] });
const WASI_YIELD_LOOP = wasiProgram(`(loop $l (drop (call $sched_yield)) (br $l))`);

/**
 * Standard input that never has anything, as a terminal nobody types at: its reads and waits never settle,
 * and it keeps their resolvers for the life of this process, as the host's stdin (cli/host-stdin.ts over
 * process.stdin) keeps a read's until input comes. So whatever a wait's reactions hold stays reachable.
 */
const neverSettled: unknown[] = [];
const silentStdin = (): WasiStdin => ({
  read: () => new Promise((resolve) => neverSettled.push(resolve)),
  buffered: () => 0,
  wait: () => new Promise((resolve) => neverSettled.push(resolve)),
});

/** A root for runGuest: receives forever on an endpoint of its own (nothing can ever wake it). */
const ROOT_BLOCKED = guest(
  `(func (export "_start") (drop (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) ${INF})))`,
);
/** A root for runGuest: spawns image "child" (ROOT_BLOCKED) and exits, leaving the child blocked forever. */
const ROOT_LEAVES_CHILD = guest(`
  (data (i32.const 16) "child")
  (func (export "_start")
    (drop (call $spawn (call $handle_get (i32.const 16) (i32.const 5)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))`);

/** Standard input that stays open for the life of this process (a terminal nobody types at). */
const openStdin = new PassThrough();

/** A whole run through an API that makes and ends its kernel itself; only WeakRefs to its kernel and processes leave it. */
async function wholeRun(go: (observe: (k: Kernel) => void) => Promise<unknown>): Promise<WeakRef<object>[]> {
  const refs: WeakRef<object>[] = [];
  let k: Kernel | null = null;
  await go((kernel) => {
    k = kernel;
    refs.push(new WeakRef(kernel), new WeakRef(kernel.core));
  });
  for (const p of k!.core.processes.values()) refs.push(new WeakRef(p));
  k = null;
  return refs;
}

interface Scenario {
  name: string;
  /** Instead of start: a whole run that ends by itself (runGuest); returns its WeakRefs. */
  whole?: () => Promise<WeakRef<object>[]>;
  config?: KernelConfig;
  /** Spawns; returns the processes to end and the condition that says they are where the scenario wants them. */
  start?(k: Kernel): { procs: HostProcess[]; ready: () => boolean };
  /** Ended by Kernel.shutdown() instead of a kill per process. */
  shutdown?: boolean;
  /** Its syscalls observed (strace): every import a Suspending wrapper of its own. */
  observed?: boolean;
}

const blockedIn =
  (name: string) =>
  (p: HostProcess): boolean =>
    p.process.blockedIn === name;

/**
 * A WASI program whose preopen "/" is a namespace with SERVER (which takes one request and never answers)
 * mounted at /d: its path_open of d/x waits in a namespace call to that server.
 */
function nsClient(k: Kernel): { server: HostProcess; client: HostProcess } {
  const root = k.createRootDir();
  const ep = k.createEndpoint();
  hostMount(root, "/d", ep);
  const server = k.spawn(k.loadImage(SERVER, "server"), { handles: [{ name: "ep", object: ep, rights: EP }] });
  const client = k.spawn(k.loadImage(WASI_OPEN_THEN_POLL, "client"), {
    handles: [{ name: "root", object: root, rights: DIR_RIGHTS }],
    wasi: { preopens: [{ guest: "/", handle: "root" }] },
  });
  k.release(ep);
  k.release(root);
  return { server, client };
}

/** Two processes on a shared endpoint "ep". */
function pair(k: Kernel, a: Uint8Array, b: Uint8Array): [HostProcess, HostProcess] {
  const ep = k.createEndpoint();
  const handles = [{ name: "ep", object: ep, rights: EP }];
  const pa = k.spawn(k.loadImage(a, "a"), { handles });
  const pb = k.spawn(k.loadImage(b, "b"), { handles });
  k.release(ep);
  return [pa, pb];
}

function one(k: Kernel, bytes: Uint8Array, opts: Parameters<Kernel["spawn"]>[1] = {}): HostProcess {
  const ep = k.createEndpoint();
  const p = k.spawn(k.loadImage(bytes, "p"), { handles: [{ name: "ep", object: ep, rights: EP }], ...opts });
  k.release(ep);
  return p;
}

const realTime: KernelConfig = { deterministic: false };
/** The epoch variant (one ticker for every such kernel, as a host has; its worker is unref'd). */
const epoch: KernelConfig = { deterministic: false, epochTicker: nodeEpochTicker() };
const SCENARIOS: Scenario[] = [
  { name: "receive", start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("receive")(p) }))(one(k, RECEIVE)) },
  {
    name: "receive, fast path off",
    config: { fastPath: false },
    start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("receive")(p) }))(one(k, RECEIVE)),
  },
  {
    name: "receive, syscalls observed",
    observed: true,
    start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("receive")(p) }))(one(k, RECEIVE)),
  },
  { name: "sys(receive)", start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("receive")(p) }))(one(k, SYS_RECEIVE)) },
  {
    name: "call to a server that never replies, both killed",
    start: (k) => {
      const [s, c] = pair(k, SERVER, CALL);
      return { procs: [c, s], ready: () => c.process.state === ProcessState.REPLY_BLOCKED && blockedIn("receive")(s) };
    },
  },
  {
    name: "call whose server dies, then the client killed in receive",
    start: (k) => {
      const [s, c] = pair(k, SERVER, CALL_THEN_RECEIVE);
      let serverKilled = false;
      return {
        procs: [c],
        ready: () => {
          if (!serverKilled && c.process.state === ProcessState.REPLY_BLOCKED && blockedIn("receive")(s)) {
            k.core.terminate(s.process, 0, ExitReason.KILLED, "the server dies");
            s.close();
            serverKilled = true;
          }
          return serverKilled && blockedIn("receive")(c);
        },
      };
    },
  },
  {
    name: "pulse_wait",
    start: (k) => ((p) => ({ procs: [p], ready: () => p.process.state === ProcessState.RECEIVE_BLOCKED }))(one(k, PULSE_WAIT)),
  },
  {
    name: "reply_wait, waiting",
    start: (k) => ((p) => ({ procs: [p], ready: () => p.process.state === ProcessState.RECEIVE_BLOCKED }))(one(k, REPLY_WAIT)),
  },
  {
    name: "futex_wait",
    start: (k) => {
      const mem = k.createMemory(4096);
      const p = k.spawn(k.loadImage(FUTEX_WAIT, "p"), { handles: [{ name: "mem", object: mem, rights: MEMORY_GRANT_RIGHTS }] });
      k.release(mem);
      return { procs: [p], ready: () => p.process.blockedIn === "futex_wait" };
    },
  },
  {
    // The killer's first dispatch happens inside the victim's futex_wait, so the killer starts there, before that
    // import returns (host/runtime/start-entry.ts), and kills the victim: the victim's stack must unwind from its
    // plain entry, not suspend on a promise nobody will settle.
    name: "futex_wait, killed by the process it started",
    start: (k) => {
      const mem = k.createMemory(4096);
      const victim = k.spawn(k.loadImage(FUTEX_WAIT, "victim"), { handles: [{ name: "mem", object: mem, rights: MEMORY_GRANT_RIGHTS }] });
      k.release(mem);
      const killer = k.spawn(k.loadImage(KILLS_VICTIM, "killer"), {
        handles: [{ name: "victim", object: victim.process, rights: Rights.KILL }],
      });
      return { procs: [victim, killer], ready: () => victim.process.exit !== null && blockedIn("receive")(killer) };
    },
  },
  {
    name: "sched_wait_period",
    config: realTime,
    start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("sched_wait_period")(p) }))(one(k, WAIT_PERIOD)),
  },
  { name: "sleep", config: realTime, start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("sleep")(p) }))(one(k, SLEEP)) },
  {
    name: "yield loop (preempted or yielding)",
    start: (k) => {
      const a = one(k, YIELD_LOOP);
      const b = one(k, SPIN);
      let turns = 0;
      return { procs: [a, b], ready: () => ++turns > 20 };
    },
  },
  {
    // One of the two is always suspended in the promise the vDSO's switch (WasmProcessRuntime.handOff) armed.
    name: "two yielders served by the yield vDSO",
    start: (k) => {
      const a = one(k, VDSO_YIELD_LOOP);
      const b = one(k, VDSO_YIELD_LOOP);
      const served = fastYieldCounts.served;
      let turns = 0;
      return { procs: [a, b], ready: () => ++turns > 20 && fastYieldCounts.served > served };
    },
  },
  {
    name: "spin (preempted by fuel)",
    config: realTime,
    start: (k) => {
      const a = one(k, SPIN);
      const b = one(k, SPIN);
      let turns = 0;
      return { procs: [a, b], ready: () => ++turns > 20 };
    },
  },
  {
    name: "spin, epoch variant (preempted by the ticker)",
    config: epoch,
    start: (k) => {
      const a = one(k, SPIN);
      const b = one(k, SPIN);
      let turns = 0;
      return { procs: [a, b], ready: () => ++turns > 20 };
    },
  },
  {
    name: "sleep, epoch variant",
    config: epoch,
    start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("sleep")(p) }))(one(k, SLEEP)),
  },
  {
    name: "a direct binder after direct activations, its sender in receive",
    start: (k) => {
      const port = new Port(k.core.objects);
      const r = k.spawn(k.loadImage(DIRECT_BINDER, "r"), { handles: [{ name: "port", object: port, rights: Rights.RECEIVE }] });
      const s = k.spawn(k.loadImage(DIRECT_SENDER, "s"), { handles: [{ name: "port", object: port, rights: Rights.SEND }] });
      // (delivered wasm-to-wasm by the sender's port_send, or through the kernel's direct activation)
      return { procs: [r, s], ready: () => blockedIn("receive")(s) && r.process.state === ProcessState.RESIDENT };
    },
  },
  {
    name: "the port loop, parked",
    start: (k) => ((p) => ({ procs: [p], ready: () => p.process.state === ProcessState.RESIDENT && turnsAfter(p, 5) }))(one(k, PORT_IDLE)),
  },
  {
    name: "a handler activation blocked in sleep",
    config: realTime,
    start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("sleep")(p) }))(one(k, PORT_HANDLER_SLEEPS)),
  },
  {
    name: "wasi fd_read on stdin",
    start: (k) => ((p) => ({ procs: [p], ready: () => p.process.blockedIn !== "" }))(one(k, WASI_READ, { wasi: { stdin: silentStdin() } })),
  },
  {
    name: "wasi fd_read on stdin, fast path off",
    config: { fastPath: false },
    start: (k) => ((p) => ({ procs: [p], ready: () => p.process.blockedIn !== "" }))(one(k, WASI_READ, { wasi: { stdin: silentStdin() } })),
  },
  {
    name: "wasi poll_oneoff on stdin and a clock",
    config: realTime,
    start: (k) =>
      ((p) => ({ procs: [p], ready: () => p.process.blockedIn !== "" }))(one(k, WASI_POLL_STDIN, { wasi: { stdin: silentStdin() } })),
  },
  {
    name: "wasi poll_oneoff on a clock",
    config: realTime,
    start: (k) => ((p) => ({ procs: [p], ready: () => blockedIn("sleep")(p) }))(one(k, WASI_POLL_CLOCK)),
  },
  {
    name: "wasi namespace call to a server that never answers, the client killed mid-call",
    start: (k) => {
      const { server, client } = nsClient(k);
      return { procs: [client, server], ready: () => client.process.state === ProcessState.REPLY_BLOCKED && blockedIn("receive")(server) };
    },
  },
  {
    name: "wasi namespace call whose server dies, the client then killed in poll_oneoff",
    config: realTime,
    start: (k) => {
      const { server, client } = nsClient(k);
      let serverKilled = false;
      return {
        procs: [client],
        ready: () => {
          if (!serverKilled && client.process.state === ProcessState.REPLY_BLOCKED && blockedIn("receive")(server)) {
            k.core.terminate(server.process, 0, ExitReason.KILLED, "the server dies");
            server.close();
            serverKilled = true;
          }
          return serverKilled && blockedIn("sleep")(client);
        },
      };
    },
  },
  {
    name: "Kernel.shutdown with a server in receive, its client in call, a wasi reader and a parked port loop",
    shutdown: true,
    start: (k) => {
      const [s, c] = pair(k, SERVER, CALL);
      const r = one(k, WASI_READ, { wasi: { stdin: silentStdin() } });
      const l = one(k, PORT_IDLE);
      return {
        procs: [s, c, r, l],
        ready: () =>
          c.process.state === ProcessState.REPLY_BLOCKED &&
          blockedIn("receive")(s) &&
          r.process.blockedIn !== "" &&
          l.process.state === ProcessState.RESIDENT &&
          turnsAfter(l, 5),
      };
    },
  },
  {
    name: "runGuest whose root blocks forever (RootBlockedError)",
    whole: () =>
      wholeRun(async (observe) => {
        const e = await runGuest(ROOT_BLOCKED, { onKernel: observe }).then(
          () => null,
          (err: unknown) => err,
        );
        if (!(e instanceof RootBlockedError)) throw new Error(`expected RootBlockedError, got ${String(e)}`);
      }),
  },
  {
    name: "runGuest whose root ends leaving a child blocked forever",
    whole: () =>
      wholeRun(async (observe) => {
        const r = await runGuest(ROOT_LEAVES_CHILD, { onKernel: observe, images: { child: ROOT_BLOCKED } });
        if (r.blocked.length !== 1 || r.blocked[0].blockedIn !== "receive")
          throw new Error(`expected one child blocked in receive, got ${JSON.stringify(r.blocked)}`);
      }),
  },
  {
    name: "DefaultSystem.shutdown with a program blocked and stdin a stream that never ends",
    whole: () =>
      wholeRun(async (observe) => {
        const kernel = new Kernel();
        observe(kernel);
        // No server binaries: /dev and /tmp answer ECLOSED; the console device still listens to stdin.
        const sys = bootSystem({ kernel, stdout: () => {}, stderr: () => {}, stdin: openStdin }, null);
        const p = sys.spawn(kernel.loadImage(ROOT_BLOCKED, "p"));
        for (let i = 0; p.process.blockedIn !== "receive"; i++) {
          if (i > 2000) throw new Error(`the program never blocked in receive (${p.process.state}: ${p.process.exit?.message})`);
          await tick();
        }
        sys.shutdown();
        p.close();
      }),
  },
  {
    name: "a booted manifest's shutdown with a child a manifest process spawned, blocked",
    whole: () =>
      wholeRun(async (observe) => {
        const manifest = parseManifest(
          JSON.stringify({
            version: 1,
            images: { parent: "p.wasm", child: "c.wasm" },
            objects: {},
            processes: [{ name: "parent", image: "parent", handles: [{ name: "child", object: "child", rights: ["spawn"] }] }],
          }),
          "m.json",
        );
        const sys = bootManifest(
          manifest,
          new Map([
            ["parent", ROOT_LEAVES_CHILD],
            ["child", ROOT_BLOCKED],
          ]),
        );
        observe(sys.kernel);
        await sys.settle();
        if (sys.kernel.core.blockedProcesses().length !== 1) throw new Error("expected the child blocked in receive");
        sys.shutdown();
      }),
  },
  {
    name: "wasi sched_yield loop",
    start: (k) => {
      const a = one(k, WASI_YIELD_LOOP);
      const b = one(k, SPIN);
      let turns = 0;
      return { procs: [a, b], ready: () => ++turns > 20 };
    },
  },
];

const seen = new WeakMap<HostProcess, number>();
function turnsAfter(p: HostProcess, n: number): boolean {
  const t = (seen.get(p) ?? 0) + 1;
  seen.set(p, t);
  return t > n;
}

/** Run one scenario; only WeakRefs leave it. */
async function run(s: Scenario): Promise<WeakRef<object>[]> {
  if (s.whole !== undefined) return s.whole();
  const k = new Kernel(s.config);
  if (s.observed === true) observeSyscalls(k.core, new Strace(() => {}));
  const { procs, ready } = s.start!(k);
  for (let i = 0; !ready(); i++) {
    if (i > 2000)
      throw new Error(
        `${s.name}: never got where the scenario wants it (${procs.map((p) => `${p.process.state}:${p.process.blockedIn}:${p.process.exit?.message}`).join(", ")})`,
      );
    await tick();
  }
  const refs: WeakRef<object>[] = [new WeakRef(k), new WeakRef(k.core)];
  for (const p of procs) refs.push(new WeakRef(p.process));
  if (s.shutdown === true) k.shutdown();
  else for (const p of procs) k.core.terminate(p.process, 0, ExitReason.KILLED, "killed by the test");
  for (const p of procs) p.close();
  return refs;
}

const results: Record<string, number> = {};
for (const s of SCENARIOS) {
  const refs = await run(s);
  // The rejections that unwind the stacks run as microtasks, a deferred one after a macrotask.
  for (let i = 0; i < 3; i++) await tick();
  gc();
  await tick();
  gc();
  results[s.name] = refs.filter((r) => r.deref() !== undefined).length;
}
process.stdout.write(JSON.stringify(results) + "\n");
