// The resource-manager library's loop (guests/sdk/resmgr.ts Server.run): an answer of a status and at
// most one word (an open's OCB id, a write's count) is given by the next wait, io_reply_wait, which
// answers and takes the next request into the body buffer in one call. So a server makes one call per
// request (receive when it has nothing to answer) and no reply or msg_word for an open: tmpfs serves an
// open+close in two calls.
import { expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { bootDefaultSystem } from "../../cli/system.ts";
import { Kernel } from "../../host/kernel.ts";
import { observeSyscalls } from "../../host/runtime/bridge.ts";
import { openCloseClient, results as recorded } from "../helpers/wat.ts";

const N = 40;

it("tmpfs answers each open in the wait for its next request: one receive and one io_reply_wait an open+close, no reply or msg_word", async () => {
  const client = openCloseClient(N);
  const kernel = new Kernel();
  const calls = new Map<string, number>();
  let tmpfs = 0;
  observeSyscalls(kernel.core, {
    enter(p, def) {
      if (p.pid === tmpfs) calls.set(def.name, (calls.get(def.name) ?? 0) + 1);
    },
    leave() {},
  });
  const sys = await bootDefaultSystem({ kernel, stdout: () => {}, stderr: () => {}, stdin: null });
  tmpfs = sys.start().tmpfs!.process.pid;
  const img = kernel.loadImage(client, "client");
  const out: Uint8Array[] = [];
  const p = sys.spawn(img, { stdout: (b) => void out.push(b.slice()) });
  kernel.release(img);
  expect(await p.exited).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
  expect(recorded(new Uint8Array(Buffer.concat(out)))).toEqual([N]);
  p.close();
  sys.shutdown();
  await kernel.run();
  expect(tmpfs).toBeGreaterThan(0);
  // Each open+close: the receive that takes the open (queued while tmpfs was woken by the close pulse, so
  // it returns at once) and the open's answer with the wait for the next request, which returns the next
  // close pulse; a few more for tmpfs's start and the first open.
  const answers = calls.get("io_reply_wait") ?? 0;
  const receives = calls.get("receive") ?? 0;
  expect(answers).toBe(N);
  expect(receives).toBeGreaterThanOrEqual(N);
  expect(receives).toBeLessThanOrEqual(N + 2);
  expect(calls.get("reply") ?? 0).toBe(0);
  expect(calls.get("msg_word") ?? 0).toBe(0);
});
