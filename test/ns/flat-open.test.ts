// The flat open (kernel/ns/flat-open.ts): an open's message made once per process with i32 words,
// a DIR's last path remembered, and the open handed to a server waiting with a buffer as a call is.
// Each must change nothing but the cost: a program making opens of every kind (the same path over
// and over, opens held at once, the server's and the kernel's refusals, hostile paths, unveil) runs
// in the default system with the fast path and with `fastPath: false` (ns_open as it always was),
// and must give the same output, trace byte for byte, virtual time, counters and copied bytes. Then
// a step of the flat open is dropped and the same comparison must fail.
import { afterEach, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { compileGuestFile, runGuest } from "../../cli/run-guest.ts";
import { nsCounters } from "../../kernel/ns/host.ts";
import { type FlatOpenMutation, flatOpenCounts, mutateFlatOpenForTest } from "../../kernel/ns/flat-open.ts";
import { fastPathCounts } from "../../kernel/ipc/fastpath.ts";

const bytes = await compileGuestFile(new URL("./fixtures/opens.ts", import.meta.url).pathname);

async function run(fastPath: boolean, high = false) {
  const before = { ...flatOpenCounts };
  const replyWaits = fastPathCounts.replyWait;
  const r = await runGuest(bytes, { args: high ? ["high"] : [], system: { stdin: null }, fastPath, trace: true });
  const k = r.kernel;
  return {
    same: {
      exit: r.exit.reason,
      stdout: r.stdout,
      trace: k.traceText(),
      now: k.core.clock.now(),
      ns: nsCounters(k.core),
      ipc: { messages: k.core.ipc.messages, replies: k.core.ipc.replies, pulses: k.core.ipc.pulses }, // handoffs: the fast path's own count
      copied: k.core.copied.ipcBytes,
      live: k.core.objects.liveTotal(),
    },
    flat: flatOpenCounts.flat - before.flat,
    reused: flatOpenCounts.reused - before.reused,
    taken: flatOpenCounts.taken - before.taken,
    /** Answers given flat by io_reply_wait: the opens' (the workload's other requests carry hooks without a narrow answer). */
    answered: fastPathCounts.replyWait - replyWaits,
  };
}

afterEach(() => mutateFlatOpenForTest(null));

it("gives every open the same result, trace, virtual time and counters as the general path", async () => {
  const fast = await run(true);
  const general = await run(false);
  expect(fast.same.exit).toBe(ExitReason.NORMAL);
  expect(fast.same.stdout).toBe(
    [
      "create a ok",
      "reopened 12",
      "held 1 ok",
      "held 2 ok",
      "held 3 ok",
      "read 5 hello",
      "read held 1 5 hello",
      "read after closes 4 0",
      ...[0, 1, 2, 3, 4, 5].map((i) => `alternate ${i} ok`),
      "dot path ok",
      "dotdot path ok",
      "missing ENOENT",
      "exclusive EEXIST",
      "below a file ENOTDIR",
      "dir for writing EISDIR",
      "truncate ok",
      "before unlink ok",
      "unlink 0",
      "after unlink ENOENT",
      "rename 0",
      "after rename 3",
      "old name ENOENT",
      "symlink 0",
      "link followed ok",
      "link not followed ELOOP",
      "link followed again ok",
      "no mount ENOENT",
      "no flags EINVAL",
      "bad flags EINVAL",
      "read-only dir, read ok",
      "read-only dir, write EACCES",
      "read-only dir, create EACCES",
      "empty EINVAL",
      "nul inside EINVAL",
      "not utf-8 EINVAL",
      "too long ENAMETOOLONG",
      "out of memory EFAULT",
      "unveil 0",
      "unveiled read ok",
      "unveiled write EUNVEIL",
      "veiled EUNVEIL",
      "unveiled again ok",
      "",
    ].join("\n"),
  );
  expect(fast.same).toEqual(general.same);
  expect(fast.same.live).toBe(0);
  // The workload went through the flat open: held opens found tmpfs waiting, opens after a close were
  // taken queued, every open but the first reused the message.
  expect(fast.flat).toBeGreaterThan(0);
  expect(fast.taken).toBeGreaterThan(10);
  expect(fast.reused).toBeGreaterThan(20);
  expect(fast.answered).toBeGreaterThan(10); // the opens' answers, flat (narrowAnswer)
  expect(general.flat + general.reused + general.taken + general.answered).toBe(0);
});

it("gives the same results, trace and time with the program above its servers (every open raises the server)", async () => {
  const fast = await run(true, true);
  const general = await run(false, true);
  expect(fast.same.stdout.startsWith("priority 0\ncreate a ok\nreopened 12\n")).toBe(true);
  expect(fast.same.trace).toContain(" priority ");
  expect(fast.same).toEqual(general.same);
  expect(fast.flat + fast.taken).toBeGreaterThan(0);
});

it.each<FlatOpenMutation>(["no-body", "keep-words", "take-inherit"])(
  "fails the comparison when the flat open drops a step (%s)",
  async (m) => {
    const high = m === "take-inherit"; // inheritance only shows with the program above the server
    const general = await run(false, high);
    mutateFlatOpenForTest(m);
    const fast = await run(true, high);
    expect(fast.same).not.toEqual(general.same);
  },
);
