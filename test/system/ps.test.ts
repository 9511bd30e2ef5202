// wasmos ps / top: the process table of a booted manifest, through the ps
// guest's KINFO capability; deterministic, so the tables are exact.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";

const wasmos = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "wasmos.js"), ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const COUNTER = join(REPO_ROOT, "systems", "counter.json");
const HEADER = "  pid  ppid name             state    blocked      prio   cpu ms    mem KiB handles";

describe("wasmos ps", () => {
  it("prints the table of a quiet system: the restarted server waiting in receive, and ps itself", () => {
    const r = wasmos("ps", COUNTER);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(HEADER);
    expect(lines[1]).toMatch(/^ {4}4 {5}0 server +RECEIVE +receive +150 +\d+\.\d{3} +64 +1$/);
    expect(lines[2]).toMatch(/^ {4}5 {5}0 ps +RUNNING +128 /);
    expect(lines).toHaveLength(3);
    expect(r.stderr).toContain("[alice] alice: 20 increments counted");
  }, 60_000);

  it("takes the table at a virtual time, the same every run", () => {
    const a = wasmos("ps", "--at", "2", COUNTER);
    const b = wasmos("ps", "--at", "2", COUNTER);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/\n {4}2 {5}0 alice +BLOCKED +sleep +128 /);
    expect(a.stdout).not.toMatch(/ server /); // crashed at 0.2 ms, back at 5.2 ms
  }, 60_000);

  it("prints one process's status text with --pid, and fails for a pid that is not there", () => {
    const r = wasmos("ps", "--pid", "4", COUNTER);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pid: 4\nname: server\nparent: 0\nstate: RECEIVE\nblocked_in: receive\npriority: 150\nbase_priority: 150\n/);
    expect(r.stdout).toMatch(/\npartition: \d+ \(300 permille\)\n/);
    const gone = wasmos("ps", "--pid", "1", COUNTER);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe("ps: no process 1\n");
  }, 60_000);
});

describe("wasmos top", () => {
  it("prints a frame per interval of the kernel's clock, each headed by its time", () => {
    const r = wasmos("top", "--interval", "2", "--count", "4", COUNTER);
    expect(r.code).toBe(0);
    const heads = r.stdout.split("\n").filter((l) => l.startsWith("wasmos top: "));
    expect(heads.map((h) => / at ([\d.]+) ms/.exec(h)![1])).toEqual(["0.042", "2.042", "4.042", "6.042"]);
    // The server is gone between its crash and its restart (5 ms after), then back.
    const frames = r.stdout.split("wasmos top: ").slice(1);
    expect(frames[1]).not.toContain(" server ");
    expect(frames[3]).toMatch(/ server +RECEIVE/);
  }, 60_000);
});
