// Priority inheritance: the classic inversion. A low-priority server, a
// high-priority client and a medium-priority CPU hog: the client's latency
// must not depend on the hog.
import { describe, expect, it } from "vitest";
import { Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const { SEND, RECEIVE } = Rights;

// Serves `count` messages; each takes `work` iterations of CPU work.
const server = (count: number, work = 1000) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $r i32) (local $n i32) (local $i i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (loop $serve
      (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
      (local.set $i (i32.const 0))
      (loop $work (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $work (i32.lt_u (local.get $i) (i32.const ${work}))))
      (drop (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $serve (i32.lt_u (local.get $n) (i32.const ${count})))))`);

// Sleeps `delayNs`, then sends once and records how long the exchange took (virtual ns).
const client = (delayNs: number) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $t i64)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (drop (call $sleep (i64.const ${delayNs})))
    (local.set $t (call $clock_now))
    (drop (call $send (local.get $ep) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))
    (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $t))))
    (call $flush))`);

// A CPU hog: `iterations` of a busy loop that never blocks (only fuel preemption
// takes the CPU from it); records the virtual time it finished.
const hog = (iterations: number) =>
  guest(`
  (func (export "_start") (local $i i32)
    (drop (call $sleep (i64.const 500000)))
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const ${iterations}))))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

async function inversion(hogUnits: number) {
  const k = new Kernel();
  const ep = k.createEndpoint();
  return runSystem(
    [
      { name: "server", bytes: server(1), priority: 10, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
      { name: "hog", bytes: hog(hogUnits), priority: 100 },
      { name: "client", bytes: client(1_000_000), priority: 200, handles: [{ name: "ep", object: ep, rights: SEND }] },
    ],
    {},
    k,
    [ep],
  );
}

describe("priority inheritance", () => {
  it("the high-priority client's latency does not depend on the medium-priority hog", async () => {
    // Both hogs are still working when the client sends (at 1 ms).
    const short = await inversion(2_000_000);
    const long = await inversion(20_000_000);
    expect(short.rec.hog[0]).toBeGreaterThan(1_500_000);
    const [latencyShort] = short.rec.client;
    const [latencyLong] = long.rec.client;
    expect(latencyShort).toBe(latencyLong);
    // The server, boosted to the client's priority, answered while the hog was still working.
    expect(latencyLong).toBeLessThan(long.rec.hog[0] - 1_000_000);
  });

  it("a pending higher-priority sender raises a server busy with a lower one", async () => {
    // The server is working on a low client's message (2,000 units) behind the
    // hog when the high client's message queues: the server is raised to 200.
    const k = new Kernel({ trace: true });
    const ep = k.createEndpoint();
    const run = await runSystem(
      [
        { name: "server", bytes: server(2, 1_000_000), priority: 10, handles: [{ name: "ep", object: ep, rights: RECEIVE }] },
        { name: "low", bytes: client(400_000), priority: 5, handles: [{ name: "ep", object: ep, rights: SEND }] },
        { name: "hog", bytes: hog(50_000_000), priority: 100 },
        { name: "high", bytes: client(600_000), priority: 200, handles: [{ name: "ep", object: ep, rights: SEND }] },
      ],
      { trace: true },
      k,
      [ep],
    );
    // Both exchanges are answered long before the hog finishes: between the two
    // messages the server stays raised, because the high message is queued where
    // it serves. (The low client itself, below the hog, only runs after it.)
    const trace = run.kernel
      .traceText()
      .split("\n")
      .map((l) => l.split(" "));
    const at = (pid: number, event: string, detail?: string) =>
      trace.filter((f) => f[1] === String(pid) && f[2] === event && (detail === undefined || f[3] === detail)).map((f) => Number(f[0]));
    const hogDone = at(run.procs.hog.pid, "exit")[0];
    expect(run.rec.high[0]).toBeLessThan(hogDone / 10);
    const lowAnswered = at(run.procs.low.pid, "wake", "0").at(-1)!;
    expect(lowAnswered).toBeLessThan(hogDone / 10);
    // The server was raised to 200 while the high message waited, and dropped back to 10.
    const serverPid = run.procs.server.pid;
    const raised = at(serverPid, "priority", "200")[0];
    const lowered = at(serverPid, "priority", "10")[0];
    expect(raised).toBeLessThan(lowAnswered);
    expect(lowered).toBeGreaterThan(lowAnswered);
  });
});
