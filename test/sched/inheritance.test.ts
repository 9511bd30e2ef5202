// Priority inheritance under preemption: a high-priority client's request to
// a low-priority server is not held up by a medium-priority process that
// never blocks (it spins: only preemption can take the CPU from it).
import { describe, expect, it } from "vitest";
import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { guest, results } from "../helpers/wat.ts";
import { BURN } from "./guests.ts";

const INF = "(i64.const 0x7fffffffffffffff)";

// Serves one message: 200 µs of CPU work, then the reply.
const SERVER = guest(`
  ${BURN}
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $r i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (local.set $r (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
    (call $burn (i64.const 200000))
    (drop (call $reply (local.get $r) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))))`);

// Sleeps 1 ms, sends, records the round trip (virtual ns).
const CLIENT = guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $t i64)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (drop (call $sleep (i64.const 1000000)))
    (local.set $t (call $clock_now))
    (call $rec (call $send (local.get $ep) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))
    (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $t))))
    (call $flush))`);

// Starts spinning after 100 µs (by then the server waits in receive).
const SPINNER = guest(`(func (export "_start") (drop (call $sleep (i64.const 100000))) (loop $l (br $l)))`);

async function roundTrip(clientPriority: number) {
  const k = new Kernel();
  const ep = k.createEndpoint();
  let out = new Uint8Array();
  const images = [k.loadImage(SERVER, "server"), k.loadImage(SPINNER, "spinner"), k.loadImage(CLIENT, "client")];
  const server = k.spawn(images[0], { priority: 10, handles: [{ name: "ep", object: ep, rights: Rights.RECEIVE }] });
  const spinner = k.spawn(images[1], { priority: 100 });
  const client = k.spawn(images[2], {
    priority: clientPriority,
    handles: [{ name: "ep", object: ep, rights: Rights.SEND }],
    stdout: (b) => (out = b.slice()),
  });
  for (const o of [...images, ep]) k.release(o);
  try {
    await client.exited;
  } finally {
    k.core.terminate(spinner.process, 0, ExitReason.KILLED, "test over");
  }
  await k.run();
  for (const p of [server, spinner, client]) p.close();
  expect(k.core.objects.liveTotal()).toBe(0);
  return results(out);
}

describe("priority inheritance under preemption", () => {
  it("the server, raised to the client's priority, preempts a spinning medium-priority process", async () => {
    const [status, latency] = await roundTrip(200);
    expect(status).toBe(0);
    // 200 µs of work plus a few context switches: the spinner never ran in between.
    expect(latency).toBeGreaterThanOrEqual(200_000);
    expect(latency).toBeLessThan(220_000);
  });

  it("without a higher-priority client nothing raises the server, and the spinner keeps it off the CPU", async () => {
    // The client (priority 50) is below the spinner: it never gets to send while the spinner runs.
    const k = new Kernel();
    const ep = k.createEndpoint();
    const server = k.spawn(k.loadImage(SERVER, "server"), { priority: 10, handles: [{ name: "ep", object: ep, rights: Rights.RECEIVE }] });
    const spinner = k.spawn(k.loadImage(SPINNER, "spinner"), { priority: 100 });
    const client = k.spawn(k.loadImage(CLIENT, "client"), { priority: 50, handles: [{ name: "ep", object: ep, rights: Rights.SEND }] });
    await new Promise<void>((resolve) => k.core.addTimer(20_000_000, () => resolve()));
    expect(client.process.exit).toBeNull();
    expect(server.process.exit).toBeNull();
    expect(k.core.sched.cpuTime(spinner.process)).toBeGreaterThan(18_000_000);
    for (const p of [server, spinner, client]) k.core.terminate(p.process, 0, ExitReason.KILLED, "test over");
    await k.run();
  });
});
