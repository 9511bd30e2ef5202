// Property-based fuzzing of the syscall surface: random sequences of handle
// operations from a hostile guest against the real kernel. After every step
// no host exception has escaped, closed or revoked handles never work, rights
// never grow, derived handles name their parent's object and no object comes
// out of two creations; after the process exits no kernel object is alive.
// Failing sequences are shrunk by fast-check; keep them in regressions.json
// (FUZZ_RECORD=1 appends the shrunk counterexample). FUZZ_RUNS=N runs more.
import { readFileSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Errno, Rights } from "../../abi/gen/abi.ts";
import { deadlineToTime } from "../../kernel/clock.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { associate } from "../../kernel/ipc/priority.ts";
import { checkHandles, dropHandles, readDesc, takeHandles } from "../../kernel/ipc/transfer.ts";
import { Endpoint } from "../../kernel/objects/endpoint.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import { checkSequence, type Op, opArb } from "./syscall-fuzz.ts";

const REGRESSIONS = new URL("./regressions.json", import.meta.url).pathname;
const regressions = JSON.parse(readFileSync(REGRESSIONS, "utf8")) as { note: string; ops: Op[] }[];
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

/** Run `fn` with some syscall handlers replaced (for kernels booted meanwhile: each builds its imports at its first spawn). */
async function withHandlers<T>(patch: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  const table = SYSCALL_HANDLERS as unknown as Record<string, unknown>;
  const saved = Object.fromEntries(Object.keys(patch).map((n) => [n, table[n]]));
  Object.assign(table, patch);
  try {
    return await fn();
  } finally {
    Object.assign(table, saved);
  }
}

// The two handlers as they were before "decode, check, then invoke" was made to hold for them.
const realSendmsg = SYSCALL_HANDLERS.sendmsg;
const realReceive = SYSCALL_HANDLERS.receive;
const PRE_FIX = {
  // took the moved handles, then found the deadline past: ETIMEDOUT with the handles gone
  sendmsg: (k: KernelCore, p: Process, endpoint: number, descPtr: number, deadline: bigint) => {
    const ep = p.handles.get(endpoint, Endpoint, Rights.SEND);
    const d = readDesc(p.memory!, descPtr, true);
    if (typeof ep === "number" || typeof d === "number" || deadlineToTime(deadline) > k.clock.now())
      return realSendmsg(k, p, endpoint, descPtr, deadline);
    const handles = checkHandles(p, p.memory!, d);
    if (typeof handles === "number" || ep.closed) return realSendmsg(k, p, endpoint, descPtr, deadline);
    dropHandles(takeHandles(p, handles, d.move));
    return -Errno.ETIMEDOUT;
  },
  // made the caller the endpoint's server before finding the deadline past
  receive: (k: KernelCore, p: Process, endpoint: number, bufPtr: number, bufLen: number, deadline: bigint) => {
    const ep = p.handles.get(endpoint, Endpoint, Rights.RECEIVE);
    if (typeof ep !== "number") associate(p, ep);
    return realReceive(k, p, endpoint, bufPtr, bufLen, deadline);
  },
};

describe("syscall fuzzing", () => {
  it("catches a failed call that changed something: the sendmsg and receive of before the fix", async () => {
    const moved: Op[] = regressions.find((r) => r.note.startsWith("sendmsg moving"))!.ops;
    const associated: Op[] = regressions.find((r) => r.note.startsWith("receive with a deadline"))!.ops;
    const [sendmsgBad, receiveBad] = await withHandlers(PRE_FIX, async () => [await checkSequence(moved), await checkSequence(associated)]);
    expect(sendmsgBad.join("\n")).toMatch(
      /sendmsg returned ETIMEDOUT but changed the kernel's state|sendmsg_move failed \(-\d+\) but slot 1 changed/,
    );
    expect(receiveBad.join("\n")).toContain("receive returned ETIMEDOUT but changed the kernel's state");
    expect(await checkSequence(moved)).toEqual([]);
    expect(await checkSequence(associated)).toEqual([]);
  });

  it("replays every kept regression sequence without a violation", async () => {
    for (const r of regressions) expect(await checkSequence(r.ops), r.note).toEqual([]);
  });

  it(`holds the invariants for ${RUNS} random sequences`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261122);
    const result = await fc.check(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 24 }), async (ops) => (await checkSequence(ops)).length === 0),
      { numRuns: RUNS, seed },
    );
    if (result.failed && result.counterexample) {
      const ops = result.counterexample[0] as Op[];
      const why = await checkSequence(ops);
      if (process.env.FUZZ_RECORD) {
        regressions.push({ note: `found with seed ${seed}: ${why[0]}`, ops });
        writeFileSync(REGRESSIONS, JSON.stringify(regressions, null, 2) + "\n");
      }
      expect.fail(`shrunk counterexample (seed ${seed}): ${JSON.stringify(ops)}\n${why.join("\n")}`);
    }
  }, 120_000);
});
