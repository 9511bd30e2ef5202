// A pair publication that serves nothing backs off (KernelCore.syncYields, pairPublishes in kernel/core.ts).
// The vDSO's words for a call pair are written after each TypeScript call or reply_wait that could repeat;
// when the pair's next step is another kernel entry (here the client reads the clock between calls, as the
// PCM pipeline's producer calls one consumer and then another), the sync takes the words back unread, and
// publishing after every call cost the PCM pipeline ≈15% of its speed. The results must not change, and
// the publications must fall to a few.
import { describe, expect, it } from "vitest";
import { Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { fastCallCounts } from "../../kernel/fast/yields.ts";
import { guest, results } from "../helpers/wat.ts";

const BUF = 1024;
const ROUNDS = 400;

/** ROUNDS calls of one word (i) to "to", each followed by a clock read (a kernel entry); records the statuses' sum and its clock. */
const client = guest(
  `
  (data (i32.const 0) "to")
  (func (export "_start") (local $to i32) (local $i i32) (local $sum i32) (local $t i64)
    (local.set $to (call $handle_get (i32.const 0) (i32.const 2)))
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.store (i32.const ${BUF}) (local.get $i))
      (local.set $sum (i32.add (local.get $sum) (call $call (local.get $to) (i32.const 1))))
      (local.set $t (call $clock_now))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${ROUNDS}))))
    (call $rec (local.get $sum))
    (call $rec (i32.wrap_i64 (local.get $t)))
    (call $flush))`,
  { imports: ["handle_get", "ipc_buffer", "call", "clock_now"] },
);

/** Answers every call on "from" with status 2 * word 0 + 1, for ever (killed at the end). */
const server = guest(
  `
  (data (i32.const 0) "from")
  (func (export "_start") (local $from i32) (local $r i32)
    (local.set $from (call $handle_get (i32.const 0) (i32.const 4)))
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (local.set $r (call $reply_wait (local.get $from) (i32.const 0) (i32.const 0) (i32.const 0)))
    (loop $l
      (local.set $r (call $reply_wait (local.get $from) (local.get $r)
        (i32.add (i32.shl (i32.load (i32.const ${BUF})) (i32.const 1)) (i32.const 1)) (i32.const 0)))
      (br $l)))`,
  { imports: ["handle_get", "ipc_buffer", "reply_wait"] },
);

async function run(fastCall: boolean) {
  const k = new Kernel({ fastCall });
  const ep = k.createEndpoint();
  const out: Uint8Array[] = [];
  const s = k.loadImage(server, "server");
  const c = k.loadImage(client, "client");
  const srv = k.spawn(s, { args: ["server"], handles: [{ name: "from", object: ep, rights: Rights.RECEIVE }] });
  const cli = k.spawn(c, {
    args: ["client"],
    handles: [{ name: "to", object: ep, rights: Rights.SEND }],
    stdout: (b) => void out.push(b.slice()),
  });
  for (const o of [s, c, ep]) k.release(o);
  const published = fastCallCounts.published;
  await k.run(); // until nothing can run: the client has ended, the server waits
  expect(cli.process.exit?.status).toBe(0);
  const rec = results(new Uint8Array(Buffer.concat(out)));
  const at = { rec, now: k.core.clock.now(), cpu: [cli.process.cpuTimeNs, srv.process.cpuTimeNs] };
  k.shutdown();
  return { at, published: fastCallCounts.published - published };
}

describe("pair publications that serve nothing", () => {
  it("back off: the same results and time, and a few publications instead of two a round trip", async () => {
    const on = await run(true);
    const off = await run(false);
    expect(on.at).toEqual(off.at);
    expect(on.at.rec[0]).toBe(ROUNDS * ROUNDS + 2 * ROUNDS); // sum of 2i + 1
    expect(off.published).toBe(0);
    // Without the back-off: a publication after each of the client's calls (ROUNDS). With it: 21 (misses 1-6, then one try in 65).
    expect(on.published).toBeGreaterThan(0);
    expect(on.published).toBeLessThan(ROUNDS / 8);
  });
});
