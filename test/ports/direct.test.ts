// Direct port activations (PORT_BIND_DIRECT): real guests through the real ABI,
// each scenario run with the fast path on and off (fastPath: false queues every
// packet), so the results are shown to be the same both ways.
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, Rights } from "../../abi/gen/abi.ts";
import { directPortStats } from "../../host/runtime/fast-ports.ts";
import { type KernelConfig, Kernel } from "../../host/kernel.ts";
import { Port } from "../../kernel/objects/port.ts";
import { type ProcSpec, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const E = (name: keyof typeof Errno) => -Errno[name];
const { SEND, RECEIVE, DUPLICATE } = Rights;
const DIRECT = Constants.PORT_BIND_DIRECT;

/** Run specs in a fresh kernel with a fresh port handed out as "port" (the first spec RECEIVE, the rest SEND). */
async function run(config: KernelConfig, specs: (port: Port) => ProcSpec[]) {
  const k = new Kernel(config);
  const port = new Port(k.core.objects);
  port.retainHandle();
  const before = { ...directPortStats };
  const r = await runSystem(specs(port), config, k, [port]);
  return { ...r, direct: directPortStats.runs - before.runs };
}

/** The binder: binds "port" to on_packet with `flags`, records its own steps, flushes and exits on code 9. */
const binder = (flags: number, handler: string) =>
  guest(`
  (data (i32.const 0) "on_packet")
  (data (i32.const 16) "port")
  (global $port (mut i32) (i32.const 0))
  (func (export "on_packet") (param $key i32) (param $code i32) (param $value i64)
    ${handler}
    (call $rec (local.get $code))
    (if (i32.eq (local.get $code) (i32.const 9)) (then (call $flush) (call $exit (i32.const 0)))))
  (func (export "_start")
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (call $rec (call $port_bind (global.get $port) (i32.const 0) (i32.const 9) (i32.const 5) (i32.const ${flags}))))`);

/** A sender: sleeps (so the binder is resident), then `body` with $port its SEND handle. */
const sender = (body: string) =>
  guest(`
  (data (i32.const 16) "port")
  (global $port (mut i32) (i32.const 0))
  (func (export "_start")
    (global.set $port (call $handle_get (i32.const 16) (i32.const 4)))
    (drop (call $sleep (i64.const 100000)))
    ${body}
    (call $flush))`);

const send = (code: number) => `(call $rec (call $port_send (global.get $port) (i32.const ${code}) (i64.const ${code * 10})))`;

describe("direct port activations", () => {
  it("deliver a packet to an idle binder inside the sender's port_send, in order, with the results of queued delivery", async () => {
    const specs = (port: Port): ProcSpec[] => [
      { name: "r", bytes: binder(DIRECT, ""), handles: [{ name: "port", object: port, rights: RECEIVE }] },
      { name: "s", bytes: sender([1, 2, 3, 9].map(send).join("\n")), handles: [{ name: "port", object: port, rights: SEND }] },
    ];
    const fast = await run({}, specs);
    const slow = await run({ fastPath: false }, specs);
    expect(fast.rec.r).toEqual([0, 1, 2, 3, 9]);
    expect(fast.rec.s).toEqual([0, 0, 0, 0]);
    expect(fast.exit.r.reason).toBe(ExitReason.NORMAL);
    expect(fast.direct).toBe(4);
    expect(slow.direct).toBe(0);
    expect(slow.rec).toEqual(fast.rec);
  });
});
