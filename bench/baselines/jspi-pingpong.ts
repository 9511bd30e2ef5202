// baseline_jspi_pingpong_ns: the floor under ipc_rtt_ns. Two bare instances,
// no kernel: a client calls `call(m)` and a server loops on
// `reply_recv(r)`, both WebAssembly.Suspending imports. A ten-line scheduler
// in JS parks the caller's resolver and resumes the peer, exactly the shape
// of a kernel round trip (two suspensions and two resumptions) with nothing
// else in it: no handles, no rights, no copying, no run queue.

import type { BenchContext, Family, TimedResult } from "../figure.ts";
import { timed } from "../figure.ts";
import { alternate, chunkPlans, median, mergeSummaries, type Plan, sampleHost, span, turnsNote } from "../stats.ts";

/** The client: `run(n)` calls `call` n times, each with the last answer. bench/wasmfx-probe.ts runs it too. */
export const CLIENT = `(module
  (import "bare" "call" (func $call (param i32) (result i32)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call $call (local.get $acc)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))`;

/** The server: `serve()` answers each call with its word + 1, forever. */
export const SERVER = `(module
  (import "bare" "reply_recv" (func $reply_recv (param i32) (result i32)))
  (func (export "serve") (local $m i32)
    (local.set $m (call $reply_recv (i32.const 0)))
    (loop $next
      (local.set $m (call $reply_recv (i32.add (local.get $m) (i32.const 1))))
      (br $next))))`;

/** A started client/server pair; `run(n)` resolves after n round trips. */
export async function bareJspiPair(ctx: Pick<BenchContext, "images">): Promise<{ run: (n: number) => Promise<number> }> {
  const module = async (wat: string) => new WebAssembly.Module((await ctx.images.wat(wat)) as Uint8Array<ArrayBuffer>);
  return jspiPairOf(await module(CLIENT), await module(SERVER));
}

/**
 * The pair from compiled CLIENT and SERVER modules (however they were assembled: bench/wasmfx-probe.ts uses
 * binaryen): the scheduler's two Suspending imports, the server parked in its first reply_recv.
 */
export async function jspiPairOf(
  clientModule: WebAssembly.Module,
  serverModule: WebAssembly.Module,
): Promise<{ run: (n: number) => Promise<number> }> {
  let clientResume: ((v: number) => void) | null = null;
  let serverResume: ((v: number) => void) | null = null;
  const call = (m: number): Promise<number> => {
    const wake = serverResume!;
    serverResume = null;
    const p = new Promise<number>((resolve) => {
      clientResume = resolve;
    });
    wake(m);
    return p;
  };
  const replyRecv = (r: number): Promise<number> => {
    const wake = clientResume;
    clientResume = null;
    if (wake !== null) wake(r);
    return new Promise<number>((resolve) => {
      serverResume = resolve;
    });
  };
  const instance = (module: WebAssembly.Module, imports: Record<string, unknown>) =>
    new WebAssembly.Instance(module, { bare: imports } as WebAssembly.Imports);
  const client = instance(clientModule, { call: new WebAssembly.Suspending(call) });
  const server = instance(serverModule, { reply_recv: new WebAssembly.Suspending(replyRecv) });
  // The server parks in its first reply_recv; it is collected with the pair.
  void WebAssembly.promising(server.exports.serve as () => void)();
  await Promise.resolve();
  if (serverResume === null) throw new Error("bare server did not park");
  return { run: WebAssembly.promising(client.exports.run as (n: number) => number) };
}

/** A fresh bare pair's floor for a plan: the median ns of its round trip, sampled as baseline_jspi_pingpong_ns is (a baseline for alternate). */
export async function pingpongFloor(ctx: Pick<BenchContext, "images">): Promise<(plan: Plan) => Promise<number>> {
  const pair = await bareJspiPair(ctx);
  return async (plan) => (await sampleHost(plan, (n) => pair.run(n).then(() => {}))).median;
}

/** The turns a figure beside the ping-pong is measured in (besidePingpong). */
export const BESIDE_CHUNKS = 8;

/**
 * A figure whose goal is a ratio against the bare ping-pong, measured in turns with it: the ping-pong, a chunk of
 * the figure, the ping-pong, a chunk, ..., the ping-pong (BESIDE_CHUNKS chunks of the plan's samples, the same
 * pair and sampling as baseline_jspi_pingpong_ns). Each chunk's ratio is its median over the mean of the two
 * ping-pongs around it, and the figure's ratio is the median of those: on a machine whose speed drifts (a shared
 * VM's slow phases move every figure by 30-40% for seconds to minutes: docs/fastpath.md "Where the goals stand"),
 * a phase that begins or ends inside the figure's second of sampling spoils the chunks it falls in, not the
 * ratio. `measure` runs one chunk with the plan it is given (one fresh guest or batch run per chunk). The result:
 * the chunks' merged summary (mergeSummaries), `ratio` set, and a note with the ping-pong's and the chunks' range;
 * the run-start baseline is still printed beside it.
 */
export async function besidePingpong(ctx: BenchContext, measure: (plan: Plan) => Promise<TimedResult>): Promise<TimedResult> {
  const { parts, baselines: floors, ratios } = await alternate(chunkPlans(ctx.plan, BESIDE_CHUNKS), await pingpongFloor(ctx), measure);
  const beside = turnsNote(parts.length, "bare ping-pong", `ping-pong ${span(floors, 1)} ns`, ratios);
  const first = parts[0];
  return {
    ...first,
    ...mergeSummaries(parts),
    ratio: median(ratios),
    note: first.note === undefined ? beside : `${first.note}; ${beside}`,
  };
}

export const jspiPingpong: Family = {
  name: "baseline_jspi_pingpong",
  keys: ["baseline_jspi_pingpong_ns"],
  async run(ctx) {
    const pair = await bareJspiPair(ctx);
    const s = await sampleHost(ctx.plan, (n) => pair.run(n).then(() => {}));
    return {
      baseline_jspi_pingpong_ns: timed(s, {
        unit: "ns",
        measures:
          "round trip between two bare wasm instances through WebAssembly.Suspending imports (client call, server reply_recv) driven by a minimal JS scheduler; no kernel",
      }),
    };
  },
};
