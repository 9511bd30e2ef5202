// Kernel bugs the model-based test found, replayed step by step on the real kernel.

import { describe, expect, it } from "vitest";
import { Constants } from "../../abi/gen/abi.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { SYSCALL_HANDLERS as S } from "../../kernel/syscalls/index.ts";
import { checkKernelInvariants } from "./invariants.ts";
import { setup } from "./system.ts";

const INF = BigInt(Constants.DEADLINE_INFINITE);

describe("regressions found by the model-based test", () => {
  it("a capability revoked while it travels in a message never lands: the receiver gets 0 in its place", () => {
    const { real } = setup();
    const { k, views } = real;
    const [p0, p1] = real.procs;
    const runUntil = (p: Process) => {
      while (k.current !== p) k.yieldCurrent(k.current!);
    };
    /** A sendmsg descriptor at 0 carrying one handle (copied). */
    const desc = (p: Process, h: number) => {
      const dv = views.get(p.pid)!;
      for (let i = 0; i < 56; i += 4) dv.setUint32(i, 0, true);
      dv.setUint32(48, 64, true);
      dv.setUint16(52, 1, true);
      dv.setUint32(64, h, true);
    };
    const mem0 = p0.names.get("mem")!;
    // p1 waits for a message; p0 sends it a copy of its memory handle.
    runUntil(p1);
    S.receive(k, p1, p1.names.get("ep")!, 1024, 256, INF);
    runUntil(p0);
    desc(p0, mem0);
    S.sendmsg(k, p0, p0.names.get("ep")!, 0, INF);
    // p1 answers, then sends its copy on: the message queues (nobody receives), the copy of the copy in flight.
    runUntil(p1);
    const copy = p1.mr.handles[0];
    expect(S.reply(k, p1, p1.mr.rcvid, 0, 0n, 0n, 0, 0)).toBe(0);
    desc(p1, copy);
    S.sendmsg(k, p1, p1.names.get("ep")!, 0, INF);
    // p0 revokes everything derived from its handle: p1's copy, and the one in flight.
    runUntil(p0);
    expect(S.handle_revoke(k, p0, mem0)).toBe(1); // one handle in a table (p1's); the one in flight ends too
    const memory = [...p0.handles.entries()].find((e) => e.handle === mem0)!.object;
    const refs = memory.handleCount;
    expect(S.receive(k, p0, p0.names.get("ep")!, 1024, 256, INF)).toBeGreaterThan(0);
    expect(p0.mr.handles).toEqual([0]);
    expect([...p0.handles.entries()].filter((e) => e.object === memory)).toHaveLength(1); // only its own
    expect(memory.handleCount).toBe(refs);
    expect(checkKernelInvariants(k, real.procs, real.hostRefs)).toBeNull();
  });
});
