// A WASI program's directories are the namespace's: a preopen is a DIR
// handle scoped to a path served by a resource manager (tmpfs at /tmp, devfs
// at /dev, hostfs for a host directory), so a file a WASI program writes in
// /tmp is there for a native guest, through the same server. Real programs
// (WAT through the real loader, kernel, personality and servers).
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { REPO_ROOT } from "../../build/compile.ts";
import { bootDefaultSystem } from "../../cli/system.ts";
import { compileGuestFile } from "../../cli/run-guest.ts";
import { Kernel } from "../../host/kernel.ts";
import { bootSystem } from "../../host/manifest/boot.ts";
import { parseManifest } from "../../host/manifest/load.ts";
import { scopeDir } from "../../kernel/ns/host.ts";
import { results, runWasi, strings, WASI_E, wasiProgram } from "./helpers.ts";

const PREOPEN_RIGHTS = Rights.READ | Rights.WRITE | Rights.CREATE | Rights.DUPLICATE | Rights.TRANSFER;

/**
 * Writes "hello\nwasi\n" to x in fd 3 (created, truncated), seeks back, reads
 * it again and closes it; records each errno and the byte counts, then
 * prints the bytes read after the results (from offset 28 of stdout).
 */
const writer = wasiProgram(
  `
  (call $rec (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 1) (i32.const 9)
    (i64.const 70) (i64.const 0) (i32.const 0) (i32.const 0x10)))
  (i32.store (i32.const 0x20) (i32.const 0x210))
  (i32.store (i32.const 0x24) (i32.const 11))
  (call $rec (call $fd_write (i32.load (i32.const 0x10)) (i32.const 0x20) (i32.const 1) (i32.const 0x28)))
  (call $rec (i32.load (i32.const 0x28)))
  (call $rec (call $fd_seek (i32.load (i32.const 0x10)) (i64.const 0) (i32.const 0) (i32.const 0x30)))
  (i32.store (i32.const 0x40) (i32.const 0x300))
  (i32.store (i32.const 0x44) (i32.const 64))
  (call $rec (call $fd_read (i32.load (i32.const 0x10)) (i32.const 0x40) (i32.const 1) (i32.const 0x48)))
  (call $rec (i32.load (i32.const 0x48)))
  (call $rec (call $fd_close (i32.load (i32.const 0x10))))
  (call $flush)
  (i32.store (i32.const 0x40) (i32.const 0x300))
  (drop (call $fd_write (i32.const 1) (i32.const 0x40) (i32.const 1) (i32.const 0x48)))`,
  {
    data: strings([
      { at: 0x200, s: "x" },
      { at: 0x210, s: "hello\nwasi\n" },
    ]),
  },
);
const WROTE = [WASI_E.SUCCESS, WASI_E.SUCCESS, 11, WASI_E.SUCCESS, WASI_E.SUCCESS, 11, WASI_E.SUCCESS];
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("a WASI program's preopens are namespace paths", () => {
  it("writes /tmp/x through tmpfs, and a native guest then reads the same file through the same server", async () => {
    const out: Uint8Array[] = [];
    const kernel = new Kernel({ stdout: (b) => out.push(b.slice()) });
    const sys = await bootDefaultSystem({ kernel, stdout: (b) => out.push(b.slice()), stderr: () => {}, stdin: null });
    try {
      const tmp = scopeDir(kernel.core, sys.root, "/tmp");
      tmp.retainHandle();
      const img = kernel.loadImage(writer, "writer.wasm");
      const w = kernel.spawn(img, {
        args: ["writer"],
        handles: [{ name: "preopen.0", object: tmp, rights: PREOPEN_RIGHTS }],
        wasi: { preopens: [{ guest: "/tmp", handle: "preopen.0" }] },
      });
      kernel.release(img);
      kernel.release(tmp);
      const exit = await w.exited;
      expect(exit.reason).toBe(ExitReason.NORMAL);
      const bytes = new Uint8Array(Buffer.concat(out));
      const rec = results({ stdoutBytes: bytes.subarray(0, 28) } as never);
      expect(rec).toEqual(WROTE);
      expect(text(bytes.subarray(28, 39))).toBe("hello\nwasi\n");
      // The WASI program held no "root": only its preopen.
      expect(w.process.names.has("root")).toBe(false);
      w.close();

      out.length = 0;
      const client = kernel.loadImage(await compileGuestFile(join(REPO_ROOT, "guests", "ppsclient", "main.ts")), "ppsclient");
      const r = sys.spawn(client, { args: ["ppsclient", "read", "/tmp/x"] });
      kernel.release(client);
      expect((await r.exited).reason).toBe(ExitReason.NORMAL);
      r.close();
      expect(text(new Uint8Array(Buffer.concat(out)))).toBe("ppsclient: hello|wasi|\n");
    } finally {
      sys.shutdown();
      await kernel.run();
    }
  });

  it("`--preopen /tmp` and `--preopen /dev`: writes and reads back /tmp/x, writes to /dev/null and reads /dev/zero", async () => {
    const run = await runWasi(writer, { wasi: { dirs: [{ guest: "/tmp", path: "/tmp" }] } });
    expect(run.exit.reason).toBe(ExitReason.NORMAL);
    expect(results({ stdoutBytes: run.stdoutBytes.subarray(0, 28) } as never)).toEqual(WROTE);
    expect(text(run.stdoutBytes.subarray(28, 39))).toBe("hello\nwasi\n");

    // fd 3 is /dev: null takes writes, zero reads as zeros.
    const dev = wasiProgram(
      `
      (call $rec (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 4) (i32.const 0)
        (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0x10)))
      (i32.store (i32.const 0x20) (i32.const 0x210))
      (i32.store (i32.const 0x24) (i32.const 5))
      (call $rec (call $fd_write (i32.load (i32.const 0x10)) (i32.const 0x20) (i32.const 1) (i32.const 0x28)))
      (call $rec (i32.load (i32.const 0x28)))
      (call $rec (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x208) (i32.const 4) (i32.const 0)
        (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x14)))
      (i32.store (i32.const 0x40) (i32.const 0x210))
      (i32.store (i32.const 0x44) (i32.const 4))
      (call $rec (call $fd_read (i32.load (i32.const 0x14)) (i32.const 0x40) (i32.const 1) (i32.const 0x48)))
      (call $rec (i32.load (i32.const 0x48)))
      (call $rec (i32.load (i32.const 0x210)))
      (call $flush)`,
      {
        data: strings([
          { at: 0x200, s: "null" },
          { at: 0x208, s: "zero" },
          { at: 0x210, s: "abcde" },
        ]),
      },
    );
    const d = await runWasi(dev, { wasi: { dirs: [{ guest: "/dev", path: "/dev" }] } });
    expect(results(d)).toEqual([WASI_E.SUCCESS, WASI_E.SUCCESS, 5, WASI_E.SUCCESS, WASI_E.SUCCESS, 4, 0]);
  });

  it("a read-only preopen (--preopen /tmp:ro) answers ROFS to a creation and sends nothing", async () => {
    const run = await runWasi(writer, { wasi: { dirs: [{ guest: "/tmp", path: "/tmp", readOnly: true }] } });
    expect(results({ stdoutBytes: run.stdoutBytes.subarray(0, 4) } as never)).toEqual([69 /* ROFS */]);
  });

  it("gets its preopens from a boot manifest, and a native image given preopens is refused at boot naming it", async () => {
    const tmpfs = await compileGuestFile(join(REPO_ROOT, "guests", "tmpfs", "main.ts"));
    const doc = (image: string) =>
      parseManifest(
        JSON.stringify({
          version: 1,
          name: "wasi-tmp",
          images: { tmpfs: "tmpfs.wasm", prog: "prog.wasm" },
          objects: {
            fs: { type: "dir", mounts: { "/tmp": "tmp-ep" } },
            "tmp-ep": { type: "endpoint" },
            io: { type: "memory", size: 65536 },
          },
          processes: [
            {
              name: "tmpfs",
              image: "tmpfs",
              priority: 150,
              daemon: true,
              handles: [{ name: "endpoint", object: "tmp-ep", rights: ["receive", "send", "duplicate"] }, "io"],
            },
            {
              name: "writer",
              image,
              handles: [{ name: "tmp", object: "fs", path: "/tmp", rights: ["read", "write", "create"] }],
              preopens: [{ guest: "/tmp", handle: "tmp" }],
            },
          ],
        }),
      );
    const out: Record<string, Uint8Array[]> = {};
    const sys = bootSystem(
      doc("prog"),
      new Map([
        ["tmpfs", tmpfs],
        ["prog", writer],
      ]),
      { stdout: (name, b) => (out[name] ??= []).push(b.slice()) },
    );
    await sys.settle();
    const bytes = new Uint8Array(Buffer.concat(out.writer ?? []));
    expect(results({ stdoutBytes: bytes.subarray(0, 28) } as never)).toEqual(WROTE);
    expect(text(bytes.subarray(28, 39))).toBe("hello\nwasi\n");
    sys.shutdown();

    expect(() =>
      bootSystem(
        doc("tmpfs"),
        new Map([
          ["tmpfs", tmpfs],
          ["prog", writer],
        ]),
      ),
    ).toThrow(/writer" is not a WASI program/);
  });
});

describe("symbolic links through the transport (O_NOFOLLOW, IO_STAT_FOLLOW/NOFOLLOW, IO_PSETTIMES), served by tmpfs and by hostfs", () => {
  // fd 3: a symlink "l" -> "missing"; open it without following; lstat and stat it; set its own mtime and read it back.
  const prog = wasiProgram(
    `
    (call $rec (call $path_symlink (i32.const 0x210) (i32.const 7) (i32.const 3) (i32.const 0x200) (i32.const 1)))
    (call $rec (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 1) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x10)))
    (call $rec (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 1) (i32.const 0x100)))
    (call $rec (i32.load8_u (i32.const 0x110)))
    (call $rec (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 0x200) (i32.const 1) (i32.const 0x100)))
    (call $rec (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 1)
      (i64.const 0) (i64.const 1600000000000000000) (i32.const 4)))
    (call $rec (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 1) (i32.const 0x100)))
    (call $rec (i64.eq (i64.load (i32.const 0x130)) (i64.const 1600000000000000000)))
    (call $rec (call $path_unlink_file (i32.const 3) (i32.const 0x200) (i32.const 1)))
    (call $flush)`,
    {
      data: strings([
        { at: 0x200, s: "l" },
        { at: 0x210, s: "missing" },
      ]),
    },
  );
  const expected = [0, WASI_E.LOOP, 0, 7 /* SYMBOLIC_LINK */, WASI_E.NOENT, 0, 0, 1, 0];

  it("tmpfs (--preopen /tmp)", async () => {
    expect(results(await runWasi(prog, { wasi: { dirs: [{ guest: "/tmp", path: "/tmp" }] } }))).toEqual(expected);
  });

  it("hostfs (--dir)", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const d = mkdtempSync(join(tmpdir(), "wasmos-wasi-links-"));
    try {
      expect(results(await runWasi(prog, { wasi: { dirs: [{ guest: "d", host: d }] } }))).toEqual(expected);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
