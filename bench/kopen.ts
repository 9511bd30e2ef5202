// The kernel's part of an open+close (openflat): the real handlers on fake runtimes, no wasm, no JSPI,
// metered as kswitch.ts's pairs are (each side burns fuel before each call), in the order the real
// fs-client open-close takes them with tmpfs above the client (pulse priority: the close wakes the
// server without preempting the client, so the next open finds it ready, not waiting, and queues):
//
//   client  ns_open            -> queued; the server runs
//   server  (its receive returns the close pulse) receive -> the open at once; reply (the OCB);
//           receive            -> waits; the client runs
//   client  handle_close       -> the close pulse wakes the server (no preemption)
//
// beside the call / reply_wait round trip of two fake processes (`kcall`, the same metering), so the
// two kernel costs compare in one process. CPU time per round; a low-noise proxy for A/B runs of two
// checkouts in alternating processes (copy it into one that lacks it). Not part of `npm run bench`.
//
//   node bench/kopen.ts [--rounds 5] [--general] [--only call|open|openio]     (--general: the kernel without its fast paths;
//   openio: the server answers and waits with io_reply_wait, as the resource-manager library does)

import { loadavg } from "node:os";
import { Constants, Rights } from "../abi/gen/abi.ts";
import type { KernelCore } from "../kernel/core.ts";
import { newEndpoint } from "../kernel/ipc/exchange.ts";
import { DIR_RIGHTS, hostMount, newRootDir } from "../kernel/ns/host.ts";
import type { Endpoint } from "../kernel/objects/endpoint.ts";
import type { Process } from "../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../kernel/syscalls/index.ts";
import { BLOCK } from "../kernel/control.ts";
import { fakeSystem, type FakeRuntime, meterFakes } from "../test/model/fake-host.ts";
import { type Plan, sampleCpu, type Summary } from "./stats.ts";

type Handler = (k: KernelCore, p: Process, ...a: (number | bigint)[]) => unknown;
const H = SYSCALL_HANDLERS as unknown as Record<string, Handler>;
const args = process.argv.slice(2);
const general = args.includes("--general");

/** The value the kernel last resumed p with (its blocked call's result). */
const lastResumed = (p: Process): number => {
  const r = (p.runtime as unknown as FakeRuntime).resumed;
  return r.pop()!; // one result a resume: the fake's record stays empty
};

function openClose(burn: number, io = false): (n: number) => void {
  let ep: Endpoint | null = null;
  const { k, procs, views } = fakeSystem(
    2,
    (kk, i) => {
      if (ep === null) ep = newEndpoint(kk);
      if (i === 1) return [{ name: "ep", object: ep, rights: Rights.RECEIVE }];
      const root = newRootDir(kk);
      hostMount(root, "/tmp", ep);
      return [{ name: "root", object: root, rights: DIR_RIGHTS }];
    },
    { fastIpc: !general },
  );
  const [client, server] = procs;
  k.sched.setPriority(server, client.basePriority + 16, server.sched.policy, server);
  const use = meterFakes(procs, burn);
  const dir = client.names.get("root")!;
  const sep = server.names.get("ep")!;
  const path = "/tmp/big";
  const PATH = 256;
  for (let i = 0; i < path.length; i++) views.get(client.pid)!.setUint8(PATH + i, path.charCodeAt(i));
  const BUF = 4096;
  const BUFLEN = 8192;
  const inf = Constants.DEADLINE_INFINITE;
  const [nsOpen, receive, reply, close, ioReplyWait] = [H.ns_open, H.receive, H.reply, H.handle_close, H.io_reply_wait];
  const IPC = 1024;
  if (io) H.ipc_buffer(k, server, IPC);
  const ipcWords = views.get(server.pid)!;
  const ipcWordsAt = IPC;
  // The server waits first (as tmpfs does once started).
  if (k.current !== server) k.yieldCurrent(k.current!);
  if (k.current !== server || receive(k, server, sep, BUF, BUFLEN, inf) !== BLOCK) throw new Error("open pair: setup");
  let ocb = 1;
  return (n) => {
    for (let i = 0; i < n; i++) {
      if (k.current !== client) throw new Error("open pair: the client is not running");
      use(0);
      if (nsOpen(k, client, dir, PATH, path.length, Constants.O_READ) !== BLOCK) throw new Error("ns_open did not block");
      if (k.current !== server) throw new Error("open pair: the server is not running");
      use(1);
      let rcvid = lastResumed(server);
      if (io) {
        // The resource-manager library's loop (guests/sdk/resmgr.ts Server.run): receive takes the queued
        // open (nothing to answer after the close pulse), io_reply_wait answers it (the OCB id in IPC word 0)
        // as it waits for the next.
        if (rcvid === 0) rcvid = receive(k, server, sep, BUF, BUFLEN, inf) as number;
        if (!(rcvid > 0)) throw new Error(`open pair: io_reply_wait gave ${rcvid}`);
        ipcWords.setInt32(ipcWordsAt, ocb++, true);
        if (ioReplyWait(k, server, sep, rcvid, 0, 1, BUF, BUFLEN) !== BLOCK) throw new Error("the server's io_reply_wait did not block");
      } else {
        if (rcvid === 0) rcvid = receive(k, server, sep, BUF, BUFLEN, inf) as number; // the close pulse, then the queued open
        if (!(rcvid > 0)) throw new Error(`open pair: receive gave ${rcvid}`);
        if (reply(k, server, rcvid, 0, BigInt(ocb++), 0n, 0, 0) !== 0) throw new Error("reply failed");
        if (receive(k, server, sep, BUF, BUFLEN, inf) !== BLOCK) throw new Error("the server's receive did not block");
      }
      use(0);
      const h = lastResumed(client);
      if (!(h > 0)) throw new Error(`ns_open gave ${h}`);
      if (close(k, client, h) !== 0) throw new Error("handle_close failed");
    }
  };
}

function callPair(burn: number): (n: number) => void {
  let ep: Endpoint | null = null;
  const { k, procs } = fakeSystem(
    2,
    (kk, i) => {
      if (ep === null) ep = newEndpoint(kk);
      return [{ name: "ep", object: ep, rights: i === 0 ? Rights.SEND : Rights.RECEIVE }];
    },
    { fastIpc: !general },
  );
  const [client, server] = procs;
  const use = meterFakes(procs, burn);
  const cep = client.names.get("ep")!;
  const sep = server.names.get("ep")!;
  H.ipc_buffer(k, client, 1024);
  H.ipc_buffer(k, server, 1024);
  if (k.current !== server) k.yieldCurrent(k.current!);
  if (k.current !== server || H.reply_wait(k, server, sep, 0, 0, 0) !== BLOCK) throw new Error("call pair: setup");
  const [call, replyWait] = [H.call, H.reply_wait];
  return (n) => {
    for (let i = 0; i < n; i++) {
      use(0);
      call(k, client, cep, 4);
      use(1);
      replyWait(k, server, sep, lastResumed(server), 0, 4);
      lastResumed(client);
    }
    if (k.current !== client) throw new Error("call pair: the client is not running");
  };
}

let rounds = 5;
for (let i = 0; i < args.length; i++) if (args[i] === "--rounds") rounds = Number(args[++i]);
// A fixed batch: CPU time has a coarse clock, and a batch size chosen from a slow warm-up would quantize it.
const plan: Plan = { warmup: 10, warmupMs: 300, samples: 40, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: 4000 };
const cpu = (run: (n: number) => void): Promise<Summary> => sampleCpu(plan, run, 1);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const pairs = Object.fromEntries(
  Object.entries({ call: () => callPair(100), open: () => openClose(100), openio: () => openClose(100, true) })
    .filter(([name]) => only === null || name === only)
    .map(([name, make]) => [name, make()]),
);
const rows = new Map<string, Summary[]>();
for (let r = 0; r < rounds; r++)
  for (const [name, run] of Object.entries(pairs)) rows.set(name, [...(rows.get(name) ?? []), await cpu(run)]);
console.log(`load ${loadavg()[0].toFixed(2)}; CPU ns per round (min/median per sampling round)${general ? "; fast paths off" : ""}`);
for (const [key, list] of rows) console.log(`k${key.padEnd(6)} ${list.map((s) => `${s.min.toFixed(1)}/${s.median.toFixed(1)}`).join(" ")}`);
