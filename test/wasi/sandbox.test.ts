// A WASI program given one directory reaches nothing outside it, whatever
// path it names through whichever WASI call; it cannot exceed its memory
// budget; it is preempted and ended by its CPU limit and by a wall-clock
// timeout. Real WASI programs (WAT through the real loader, kernel and
// personality), checked against the host's files afterwards.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExitReason } from "../../abi/gen/abi.ts";
import { results, runWasi, strings, WASI_E, wasiProgram } from "./helpers.ts";

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(join(tmpdir(), "wasmos-wasi-sandbox-"));
  fs.writeFileSync(join(root, "secret.txt"), "top secret");
  fs.mkdirSync(join(root, "a", "sub"), { recursive: true });
  fs.writeFileSync(join(root, "a", "inside.txt"), "hello");
  fs.symlinkSync("../secret.txt", join(root, "a", "up"));
  fs.symlinkSync("/etc/passwd", join(root, "a", "abs"));
  fs.symlinkSync("..", join(root, "a", "dirlink"));
  fs.symlinkSync("sub/../../secret.txt", join(root, "a", "subup"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** --dir a: a hostfs server for root/a in the program's namespace, its DIR handle the program's fd 3. */
const preopenA = () => ({ dirs: [{ guest: "a", host: join(root, "a") }] });

/** (ptr, len) of the i-th string placed by paths(). */
const at = (i: number) => 0x200 + i * 0x40;
function paths(list: readonly string[]): { data: string; ref: (i: number) => string } {
  return {
    data: strings(list.map((s, i) => ({ at: at(i), s }))),
    ref: (i) => `(i32.const ${at(i)}) (i32.const ${new TextEncoder().encode(list[i]).length})`,
  };
}

describe("a WASI program given --dir a", () => {
  it("opens nothing outside a: parent paths, absolute paths, and symlinks that point out, relative or absolute", async () => {
    const list = [
      "../secret.txt",
      "/etc/passwd",
      "sub/../../secret.txt",
      "up",
      "abs",
      "dirlink/secret.txt",
      "subup",
      "./../a/inside.txt",
      "inside.txt",
      "sub/../inside.txt",
    ];
    const p = paths(list);
    const open = (i: number) =>
      `(call $rec (call $path_open (i32.const 3) (i32.const 1) ${p.ref(i)} (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x10)))`;
    const run = await runWasi(wasiProgram(list.map((_, i) => open(i)).join("\n") + "(call $flush)", { data: p.data }), {
      wasi: preopenA(),
    });
    expect(run.exit.reason).toBe(ExitReason.NORMAL);
    const P = WASI_E.PERM;
    expect(results(run)).toEqual([P, P, P, P, P, P, P, P, WASI_E.SUCCESS, WASI_E.SUCCESS]);
  });

  it("stats, creates, renames, links and unlinks nothing outside a, and a link it makes to the outside does not lead there", async () => {
    const list = ["up", "../made", "../secret.txt", "mylink", "inside.txt", "../moved.txt", "hard", "dirlink/x"];
    const p = paths(list);
    const body = `
      (call $rec (call $path_filestat_get (i32.const 3) (i32.const 1) ${p.ref(0)} (i32.const 0x100)))
      (call $rec (call $path_create_directory (i32.const 3) ${p.ref(1)}))
      (call $rec (call $path_unlink_file (i32.const 3) ${p.ref(2)}))
      ;; a relative link to ../secret.txt is not even made (the host-directory device refuses a target leading out)
      (call $rec (call $path_symlink ${p.ref(2)} (i32.const 3) ${p.ref(3)}))
      (call $rec (call $path_open (i32.const 3) (i32.const 1) ${p.ref(3)} (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x10)))
      (call $rec (call $path_rename (i32.const 3) ${p.ref(4)} (i32.const 3) ${p.ref(5)}))
      (call $rec (call $path_link (i32.const 3) (i32.const 0) ${p.ref(2)} (i32.const 3) ${p.ref(6)}))
      (call $rec (call $path_create_directory (i32.const 3) ${p.ref(7)}))
      (call $flush)`;
    const run = await runWasi(wasiProgram(body, { data: p.data }), { wasi: preopenA() });
    const P = WASI_E.PERM;
    expect(results(run)).toEqual([P, P, P, P, WASI_E.NOENT, P, P, P]);
    expect(fs.existsSync(join(root, "a", "mylink"))).toBe(false);
    expect(fs.existsSync(join(root, "made"))).toBe(false);
    expect(fs.existsSync(join(root, "x"))).toBe(false);
    expect(fs.existsSync(join(root, "moved.txt"))).toBe(false);
    expect(fs.readFileSync(join(root, "secret.txt"), "utf8")).toBe("top secret");
    expect(fs.existsSync(join(root, "a", "inside.txt"))).toBe(true);
  });

  it("changes nothing in a read-only directory (--dir a:ro): creating, writing and removing answer ROFS", async () => {
    const p = paths(["new", "inside.txt"]);
    const run = await runWasi(
      wasiProgram(
        `(call $rec (call $path_create_directory (i32.const 3) ${p.ref(0)}))
         (call $rec (call $path_open (i32.const 3) (i32.const 0) ${p.ref(0)} (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0x10)))
         (call $rec (call $path_unlink_file (i32.const 3) ${p.ref(1)}))
         (call $rec (call $path_open (i32.const 3) (i32.const 0) ${p.ref(1)} (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x10)))
         (call $flush)`,
        { data: p.data },
      ),
      { wasi: { dirs: [{ guest: "a", host: join(root, "a"), readOnly: true }] } },
    );
    expect(results(run)).toEqual([69, 69, 69, WASI_E.SUCCESS]);
    expect(fs.existsSync(join(root, "a", "new"))).toBe(false);
    expect(fs.existsSync(join(root, "a", "inside.txt"))).toBe(true);
  });

  it("holds no directory at all without --dir: fd 3 is not open", async () => {
    const p = paths(["inside.txt"]);
    const run = await runWasi(
      wasiProgram(
        `(call $rec (call $fd_prestat_get (i32.const 3) (i32.const 0x10)))
         (call $rec (call $path_open (i32.const 3) (i32.const 0) ${p.ref(0)} (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x10)))
         (call $flush)`,
        { data: p.data },
      ),
    );
    expect(results(run)).toEqual([WASI_E.BADF, WASI_E.BADF]);
  });

  it("answers FAULT for pointers outside its memory, and the host carries on", async () => {
    const run = await runWasi(
      wasiProgram(`
        (call $rec (call $fd_write (i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 1) (i32.const 0x10)))
        (call $rec (call $random_get (i32.const 0xFFF0) (i32.const 0x100)))
        (call $rec (call $args_sizes_get (i32.const 0x10000) (i32.const 0)))
        (call $rec (call $path_open (i32.const 3) (i32.const 0) (i32.const 0xFFFF) (i32.const 100) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x10)))
        (call $flush)`),
      { wasi: preopenA() },
    );
    expect(results(run)).toEqual([WASI_E.FAULT, WASI_E.FAULT, WASI_E.FAULT, WASI_E.FAULT]);
  });
});

describe("the limits of a WASI process", () => {
  const grower = wasiProgram(`
    (block $full (loop $more
      (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (br $more)))
    (call $rec (memory.size))
    (call $flush)`);

  it("cannot grow its memory past --max-memory", async () => {
    const run = await runWasi(grower, { memoryBudgetPages: 40 });
    expect(run.exit.reason).toBe(ExitReason.NORMAL);
    expect(results(run)).toEqual([40]);
  });

  const spinner = wasiProgram(`(loop $forever (br $forever))`);

  it("is preempted and ended by its CPU limit (--fuel)", async () => {
    const run = await runWasi(spinner, { fuel: 5_000_000 });
    expect(run.exit.reason).toBe(ExitReason.CPU_LIMIT);
  });

  it("is killed by a wall-clock --timeout while it spins (preempted by fuel so the host's timer can fire)", async () => {
    const run = await runWasi(spinner, { timeoutMs: 300 });
    expect(run.exit.reason).toBe(ExitReason.KILLED);
    expect(run.exit.message).toMatch(/timeout/);
  });
});
