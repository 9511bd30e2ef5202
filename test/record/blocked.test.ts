// How a replay ends when a root is blocked forever, through the real `wasmos` command. A replay that ends
// blocked where the recording did not is a divergence (79, with the replay's first difference); one that
// ends blocked where the recorded run also did matches it (the verdict, the blocked line, and 69 as the
// run). The same for the PCM demo (`demo pcm --image init=FILE`), whose init blocked forever used to end a
// replay with 69 and no verdict at all; and a replay that waits for an outside event its recording does not
// have is a divergence too, not Node's "unsettled top-level await" (exit 13).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { EXIT_DIVERGED } from "../../cli/commands/replay.ts";
import { buildPcmGuests } from "../../cli/demo/build.ts";
import { guest } from "../helpers/wat.ts";

const BIN = join(REPO_ROOT, "bin", "wasmos.js");
const tmp = mkdtempSync(join(tmpdir(), "wasmos-replay-blocked-"));
const wasmos = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmp, input: "", timeout: 120_000 });

const BLOCKED_LINE = "pid 1 blocked in receive forever: nothing left that could wake it";
const file = (name: string, bytes: Uint8Array) => {
  writeFileSync(join(tmp, name), bytes);
  return name;
};
/** Receives forever on an endpoint of its own: nothing can ever wake it. */
const blocked = file(
  "blocked.wasm",
  guest(
    `(func (export "_start") (drop (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) (i64.const 0x7fffffffffffffff))))`,
  ),
);
const ends = file("ends.wasm", guest(`(func (export "_start"))`));
/** Sleeps three times 10 ms: in real time each wakes by a host timer, an outside event of the recording. */
const sleeper = file("sleeper.wasm", guest(`(func (export "_start") ${`(drop (call $sleep (i64.const 10000000)))`.repeat(3)})`));
const read = (rec: string) => JSON.parse(readFileSync(join(tmp, rec), "utf8"));

describe("a replay whose root is blocked forever", () => {
  it("matches a recorded run whose root was blocked the same way: the recording says so, and the replay prints the verdict, the blocked line and exits 69", () => {
    const a = wasmos(["run", "--record", "blocked.rec", blocked]);
    expect(a.stderr).toBe(`wasmos run: ${BLOCKED_LINE}\n`);
    expect(a.status).toBe(69);
    expect(read("blocked.rec")).toMatchObject({ exit: null, blocked: BLOCKED_LINE });
    const b = wasmos(["replay", "blocked.rec"]);
    expect(b.stderr).toMatch(
      new RegExp(
        `^wasmos: replay matched the recording: \\d+ trace events, \\d+ outside events, \\d+ clock readings\\nwasmos: ${BLOCKED_LINE} \\(as in the recorded run\\)\\n$`,
      ),
    );
    expect(b.status).toBe(69);
  });

  it("is a divergence where the recorded run's root ended: the first difference, exit 79", () => {
    expect(wasmos(["run", "--record", "ends.rec", ends]).status).toBe(0);
    const r = wasmos(["replay", "--program", blocked, "ends.rec"]);
    expect(r.stderr).toMatch(
      /replay diverged at trace event 2: trace event 2 differs\n {2}recorded: \d+ 1 exit reason=0 status=0\n {2}replayed: \d+ 1 block receive\n$/,
    );
    expect(r.status).toBe(EXIT_DIVERGED);
  });

  it("is a divergence the other way round too: a replay whose root ends where the recorded one was blocked forever", () => {
    const r = wasmos(["replay", "--program", ends, "blocked.rec"]);
    expect(r.stderr).toMatch(
      /replay diverged at trace event 2: trace event 2 differs\n {2}recorded: \d+ 1 block receive\n {2}replayed: \d+ 1 exit /,
    );
    expect(r.status).toBe(EXIT_DIVERGED);
  });

  it("is a divergence when every trace event matched but the recording says the run ended otherwise (the ending is compared too)", () => {
    const rec = read("blocked.rec");
    writeFileSync(join(tmp, "no-blocked.rec"), JSON.stringify({ ...rec, blocked: undefined }));
    const r = wasmos(["replay", "no-blocked.rec"]);
    expect(r.stderr).toBe(
      `wasmos: replay diverged at trace event ${rec.trace.length}: the replay ended with its root blocked forever, the recorded run did not\n` +
        `  recorded: (how the run ended was not recorded)\n  replayed: ${BLOCKED_LINE}\n`,
    );
    expect(r.status).toBe(EXIT_DIVERGED);
    writeFileSync(join(tmp, "other-blocked.rec"), JSON.stringify({ ...rec, blocked: "pid 1 blocked in call forever" }));
    const o = wasmos(["replay", "other-blocked.rec"]);
    expect(o.stderr).toMatch(
      /the replay's root is blocked forever otherwise than the recorded run's\n {2}recorded: pid 1 blocked in call forever\n/,
    );
    expect(o.status).toBe(EXIT_DIVERGED);
  });
});

describe("a replayed PCM demo whose init is blocked forever", () => {
  it("reports the divergence (79) when the recorded init ran: an --image init file changed to one that blocks", async () => {
    const { images } = await buildPcmGuests();
    file("init.wasm", images.init);
    const a = wasmos(["demo", "pcm", "--duration", "0.1", "--out", "out-a", "--record", "demo.rec", "--image", "init=init.wasm"]);
    expect(a.status).toBe(0);
    expect(read("demo.rec").run.options).toMatchObject({ "image:init": "init.wasm" });
    file("init.wasm", readFileSync(join(tmp, blocked)));
    const r = wasmos(["replay", "demo.rec"]);
    expect(r.stderr).toMatch(
      /^wasmos: init\.wasm is not the recorded init image \(SHA-256 differs\): replaying to find where it diverges\nwasmos: replay diverged at trace event \d+: trace event \d+ differs\n {2}recorded: .*\n {2}replayed: \d+ 1 block receive\n$/,
    );
    expect(r.status).toBe(EXIT_DIVERGED);
  });

  it("matches a recorded demo whose init was blocked the same way: recorded, then replayed with the verdict, the blocked line and 69", () => {
    const a = wasmos(["demo", "pcm", "--duration", "0.1", "--out", "out-b", "--record", "demo-blocked.rec", "--image", `init=${blocked}`]);
    expect(a.stderr).toBe(`wasmos demo: ${BLOCKED_LINE}\n`);
    expect(a.status).toBe(69);
    expect(read("demo-blocked.rec")).toMatchObject({ exit: null, blocked: BLOCKED_LINE });
    const r = wasmos(["replay", "demo-blocked.rec"]);
    expect(r.stderr).toMatch(
      new RegExp(`^wasmos: replay matched the recording: .*\\nwasmos: ${BLOCKED_LINE} \\(as in the recorded run\\)\\n$`),
    );
    expect(r.status).toBe(69);
  });
});

describe("a replay that waits for an outside event its recording does not have", () => {
  it("is a divergence saying so (79), not a Node warning and exit 13", () => {
    const a = wasmos(["run", "--realtime", "--record", "sleeper.rec", sleeper]);
    expect(a.status).toBe(0);
    const rec = read("sleeper.rec");
    const timers = rec.events.filter((e: { kind: string }) => e.kind === "timer").length;
    expect(timers).toBeGreaterThanOrEqual(3);
    expect(wasmos(["replay", "sleeper.rec"]).status).toBe(0);
    // Cut short after the first timer: the replay's second sleep waits for a firing that never comes.
    const first = rec.events.findIndex((e: { kind: string }) => e.kind === "timer");
    writeFileSync(join(tmp, "cut.rec"), JSON.stringify({ ...rec, events: rec.events.slice(0, first + 1) }));
    const r = wasmos(["replay", "cut.rec"]);
    expect(r.stderr).not.toMatch(/Warning|unsettled|at file:/);
    expect(r.stderr).toMatch(
      /replay diverged at trace event \d+: the replay waits for an outside event the run never had \(all \d+ were delivered\)\n {2}recorded: \(no more outside events\)\n {2}replayed: idle after \d+ clock readings, 1 timer armed\n$/,
    );
    expect(r.status).toBe(EXIT_DIVERGED);
  });
});
