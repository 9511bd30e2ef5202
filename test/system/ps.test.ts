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
  it("prints the table of a quiet system from /proc: the restarted server waiting in receive, procfs, and ps waiting for it", () => {
    const r = wasmos("ps", COUNTER);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(HEADER);
    expect(lines[1]).toMatch(/^ {4}4 {5}0 procfs +RUNNING +160 /); // serving /proc/ps as it reads the table
    expect(lines[2]).toMatch(/^ {4}5 {5}0 server +RECEIVE +receive +150 +\d+\.\d{3} +64 +1$/);
    expect(lines[3]).toMatch(/^ {4}6 {5}0 ps +REPLY +send +128 /); // waiting for procfs's answer
    expect(lines).toHaveLength(4);
    expect(r.stderr).toContain("[alice] alice: 20 increments counted");
  }, 60_000);

  it("takes the table at a virtual time, the same every run", () => {
    const a = wasmos("ps", "--at", "2", COUNTER);
    const b = wasmos("ps", "--at", "2", COUNTER);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/\n {4}2 {5}0 alice +BLOCKED +sleep +128 /);
    expect(a.stdout).not.toMatch(/ server /); // crashed at 1.3 ms, back 5 ms later
  }, 60_000);

  it("prints one process's status text with --pid, and fails for a pid that is not there", () => {
    const r = wasmos("ps", "--pid", "5", COUNTER);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pid: 5\nname: server\nparent: 0\nstate: RECEIVE\nblocked_in: receive\npriority: 150\nbase_priority: 150\n/);
    expect(r.stdout).toMatch(/\npartition: \d+ \(300 permille\)\n/);
    const gone = wasmos("ps", "--pid", "1", COUNTER);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe("ps: no process 1\n");
  }, 60_000);
});

describe("wasmos top", () => {
  it("prints a frame per interval of the kernel's clock, each headed by its time", () => {
    const r = wasmos("top", "--interval", "2", "--count", "5", COUNTER);
    expect(r.code).toBe(0);
    const heads = r.stdout.split("\n").filter((l) => l.startsWith("wasmos top: "));
    const times = heads.map((h) => Number(/ at ([\d.]+) ms/.exec(h)![1]));
    expect(times.map((t) => (t - times[0]).toFixed(3))).toEqual(["0.000", "2.000", "4.000", "6.000", "8.000"]);
    expect(times[0]).toBeLessThan(0.1); // right after boot
    // The server is gone between its crash and its restart (5 ms after), then back.
    const frames = r.stdout.split("wasmos top: ").slice(1);
    expect(frames[1]).not.toContain(" server ");
    expect(frames[4]).toMatch(/ server +RECEIVE/);
  }, 60_000);
});

describe("the example system systems/pps.json", () => {
  it("boots: tmpfs, PPS and /proc serving, a publisher and a subscriber that reads only the changes", () => {
    const r = wasmos("boot", join(REPO_ROOT, "systems", "pps.json"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("subscriber: @status|mode::run|count::1|\nsubscriber: @status|count::2|\n");
    expect(r.stdout).toContain("publisher: published 5 updates\n");
  }, 60_000);

  it("serves /proc: a directory of pids and ps, each process's status as text", async () => {
    const { loadSystemFiles } = await import("../../cli/commands/boot.ts");
    const { bootSystem } = await import("../../host/manifest/boot.ts");
    const { Rights } = await import("../../abi/gen/abi.ts");
    const file = join(REPO_ROOT, "systems", "pps.json");
    const loaded = await loadSystemFiles(file);
    if (typeof loaded === "number") throw new Error(`cannot load ${file}`);
    const sys = bootSystem(loaded.manifest, loaded.images, {});
    await sys.settle();
    const read = async (...args: string[]) => {
      const chunks: string[] = [];
      const p = sys.kernel.spawn(sys.object("client") as never, {
        args: ["reader", ...args],
        handles: [{ name: "root", object: sys.object("fs")!, rights: Rights.READ }],
        stdout: (b) => chunks.push(new TextDecoder().decode(b)),
      });
      await sys.settle();
      p.close();
      return chunks.join("");
    };
    expect(await read("ls", "/proc")).toMatch(/^reader: ps 1 2 3 \d+\n$/); // the servers, and the reader itself
    expect(await read("read", "/proc/2")).toMatch(
      /^reader: pid: 2\|name: pps\|parent: 0\|state: RECEIVE\|blocked_in: receive\|priority: 150\|/,
    );
    expect(await read("read", "/proc/ps")).toMatch(/\| {4}3 {5}0 procfs +RUNNING +140 .*\| +\d+ {5}0 reader +REPLY +send /);
    expect(await read("read", "/proc/99")).toBe("reader: open /proc/99: ENOENT\n");
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
  }, 60_000);
});
