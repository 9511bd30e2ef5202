// The host-directory device (hal/hostdir) and its Node backend: one host
// directory exposed, nothing outside it reachable. A table of hostile paths,
// symbolic links that lead out (made by the host or by the guest), swaps
// raced against the checks, device files, hard links, read-only mode; after
// everything, the directory beside the root is byte for byte as it was.
import { execFileSync } from "node:child_process";
import {
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Constants, ERRNO_NAMES, Limits } from "../../abi/gen/abi.ts";
import { HOST_FILE_TYPE, HostDirDevice } from "../../hal/hostdir/hostdir.ts";
import { NodeHostDir } from "../../hal/node/hostdir.ts";

const base = mkdtempSync(join(tmpdir(), "wasmos-hostdir-"));
const root = join(base, "root");
const outside = join(base, "outside");

/** Every file and directory under dir with its content and mtime: what "nothing touched" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      out[p] = st.isDirectory()
        ? `dir ${st.mtimeMs}`
        : st.isSymbolicLink()
          ? "link"
          : `${readFileSync(p, "utf8")} ${st.mtimeMs} ${st.size}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

let before: Record<string, string>;
let dev: HostDirDevice;
let backend: NodeHostDir;

beforeAll(() => {
  mkdirSync(join(outside, "dir"), { recursive: true });
  writeFileSync(join(outside, "secret.txt"), "SECRET");
  mkdirSync(join(root, "a", "b"), { recursive: true });
  writeFileSync(join(root, "hello.txt"), "hello");
  writeFileSync(join(root, "a", "b", "file.txt"), "deep");
  symlinkSync("/", join(root, "link-to-root"));
  symlinkSync("../outside", join(root, "link-out"));
  symlinkSync("../outside/secret.txt", join(root, "link-out-file"));
  symlinkSync("../outside/created.txt", join(root, "dangling-out"));
  symlinkSync("chain2", join(root, "chain1"));
  symlinkSync("chain3", join(root, "chain2"));
  symlinkSync("a/../../outside/secret.txt", join(root, "chain3"));
  symlinkSync("loop2", join(root, "loop1"));
  symlinkSync("loop1", join(root, "loop2"));
  symlinkSync("a/b/file.txt", join(root, "good-link"));
  symlinkSync("a", join(root, "dir-link"));
  symlinkSync("a/b", join(root, "deep-link"));
  symlinkSync(join(root, "hello.txt"), join(root, "abs-inside"));
  symlinkSync("b/../../../outside", join(root, "a", "sneaky"));
  execFileSync("mkfifo", [join(root, "fifo")]);
  linkSync(join(outside, "secret.txt"), join(root, "hard"));
  before = snapshot(outside);
  backend = new NodeHostDir(root);
  dev = new HostDirDevice(backend);
});

afterAll(() => {
  dev.close();
  rmSync(base, { recursive: true, force: true });
});

const name = (r: unknown) => (typeof r === "number" && r < 0 ? (ERRNO_NAMES[-r] ?? `errno ${-r}`) : "ok");
const text = (path: string, d = dev) => {
  const buf = new Uint8Array(64);
  const n = d.read(path, 0, buf);
  return n < 0 ? name(n) : new TextDecoder().decode(buf.subarray(0, n));
};

describe("the host-directory device refuses every path that leads out", () => {
  it.each([
    ["..", "EACCES"],
    ["../", "EACCES"],
    ["../outside/secret.txt", "EACCES"],
    ["a/../../outside/secret.txt", "EACCES"],
    ["a/b/../../../outside/secret.txt", "EACCES"],
    ["/../outside/secret.txt", "EACCES"],
    ["./../outside/secret.txt", "EACCES"],
    ["a/./../..", "EACCES"],
    ["dir-link/../../outside/secret.txt", "EACCES"],
    ["/etc/passwd", "ENOENT"],
    ["//etc//passwd", "ENOENT"],
    ["/proc/self/root/etc/passwd", "ENOENT"],
    ["%2e%2e/outside/secret.txt", "ENOENT"],
    ["..%2f..%2fetc%2fpasswd", "ENOENT"],
    ["..\\outside\\secret.txt", "ENOENT"],
    ["..\u2215outside\u2215secret.txt", "ENOENT"],
    ["hello.txt\0.png", "EINVAL"],
    ["\0", "EINVAL"],
    ["../\0", "EINVAL"],
    ["x".repeat(256), "ENAMETOOLONG"],
    ["a/".repeat(600) + "x", "ENAMETOOLONG"],
    // The limits count UTF-8 bytes, not characters: at and just past them, in 1-, 2- and 3-byte characters.
    ["x".repeat(255), "ENOENT"],
    ["\u00e9".repeat(127), "ENOENT"],
    ["\u00e9".repeat(128), "ENAMETOOLONG"],
    ["\u20ac".repeat(85), "ENOENT"],
    ["\u20ac".repeat(86), "ENAMETOOLONG"],
    ["ab/".repeat(341) + "a", "ENOENT"],
    ["ab/".repeat(341) + "ab", "ENAMETOOLONG"],
    ["\u00e9/".repeat(340) + "\u00e9", "ENOENT"],
    ["\u00e9/".repeat(341) + "\u00e9", "ENAMETOOLONG"],
    ["link-to-root", "EACCES"],
    ["link-to-root/etc/passwd", "EACCES"],
    ["link-out/secret.txt", "EACCES"],
    ["link-out-file", "EACCES"],
    ["chain1", "EACCES"],
    ["loop1", "ELOOP"],
    ["abs-inside", "EACCES"],
    ["a/sneaky/secret.txt", "EACCES"],
    ["dangling-out", "EACCES"],
    ["fifo", "EACCES"],
    ["hard", "EACCES"],
    ["hello.txt/x", "ENOTDIR"],
  ])("read %j: %s", (path, errno) => {
    expect(text(path)).toBe(errno);
    // Opened to be kept (HOSTDIR_OPEN), for reading, and for writing with truncation: the same refusal, nothing left open.
    expect(name(dev.open(1, path, false, false, false, false))).toBe(errno);
    expect(name(dev.open(1, path, true, false, false, true))).toBe(errno);
    expect(dev.openFiles).toBe(0);
  });

  it("never cuts a file it then refuses: create and open with truncate on a file with several links (one outside)", () => {
    expect(name(dev.create("hard", false, true))).toBe("EACCES");
    expect(name(dev.open(1, "hard", true, false, false, true))).toBe("EACCES");
    expect(name(dev.open(1, "hard", true, true, false, true))).toBe("EACCES");
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("SECRET");
  });

  it("reads what is inside, through links that stay inside", () => {
    expect(text("hello.txt")).toBe("hello");
    expect(text("/hello.txt")).toBe("hello");
    expect(text("a/b/../../hello.txt")).toBe("hello");
    expect(text("good-link")).toBe("deep");
    expect(text("dir-link/b/file.txt")).toBe("deep");
    expect(text("%2e%2e")).toBe("ENOENT");
    expect(name(dev.read("a", 0, new Uint8Array(4)))).toBe("EISDIR");
  });

  it.each([
    ["create through a link that leads out", () => dev.create("link-out/new.txt", false, false)],
    ["write through a link to a file outside", () => dev.write("link-out-file", 0, new Uint8Array([88]), false)],
    ["create through a dangling link to outside", () => dev.write("dangling-out", 0, new Uint8Array([88]), true)],
    ["truncate through a link", () => dev.setSize("link-out-file", 0)],
    ["set times through a link", () => dev.setTimes("link-out-file", 0)],
    ["mkdir under a link that leads out", () => dev.mkdir("link-out/newdir")],
    ["remove under a link that leads out", () => dev.remove("link-out/secret.txt")],
    ["remove with ..", () => dev.remove("../outside/secret.txt")],
    ["rename into a link that leads out", () => dev.rename("hello.txt", "link-out/stolen.txt")],
    ["rename from outside", () => dev.rename("link-out/secret.txt", "mine.txt")],
    ["rename the root away", () => dev.rename("/", "x")],
    ["a symbolic link to ..", () => dev.symlink("../outside", "newlink")],
    ["a symbolic link to an absolute path", () => dev.symlink("/etc", "newlink")],
    ["a symbolic link that climbs from below", () => dev.symlink("../../x", "a/l")],
    ["a symbolic link made through a link to a deeper directory", () => dev.symlink("../x", "deep-link/l")],
    ["write the hard link to a file outside", () => dev.write("hard", 0, new Uint8Array([88]), false)],
    ["list a link that leads out", () => dev.list("link-out")],
    ["stat a file outside through a link", () => dev.stat("link-out/secret.txt")],
  ])("refuses to %s", (_what, op) => {
    const r = op();
    expect(["EACCES", "ELOOP"]).toContain(name(r));
  });

  it("lets a guest make links that stay inside, and follows them", () => {
    expect(dev.symlink("../hello.txt", "a/ok")).toBe(0);
    expect(text("a/ok")).toBe("hello");
    expect(dev.symlink("../hello.txt", "dir-link/ok2")).toBe(0);
    expect(text("a/ok2")).toBe("hello");
    expect(dev.readlink("link-out")).toBe("../outside"); // reading a link's text is harmless
    expect((dev.stat("link-out", false) as { type: number }).type).toBe(HOST_FILE_TYPE.SYMLINK);
  });

  it("a directory swapped for a link after the walk opened it is not followed", () => {
    mkdirSync(join(root, "swap"));
    writeFileSync(join(root, "swap", "secret.txt"), "inner");
    let swapped = false;
    const racy = new HostDirDevice(
      new NodeHostDir(root, {
        beforeFinal: (p) => {
          if (p[0] !== "swap" || swapped) return;
          swapped = true;
          renameSync(join(root, "swap"), join(root, "swap.old"));
          symlinkSync("../outside", join(root, "swap"));
        },
      }),
    );
    expect(text("swap/secret.txt", racy)).toBe("inner");
    expect(swapped).toBe(true);
    expect(text("swap/secret.txt", racy)).toBe("EACCES"); // the next walk sees the link
    racy.close();
  });

  it("a file swapped for a link between its check and its open is refused", () => {
    writeFileSync(join(root, "victim.txt"), "mine");
    const racy = new HostDirDevice(
      new NodeHostDir(root, {
        beforeOpen: (p) => {
          if (p[0] !== "victim.txt") return;
          rmSync(join(root, "victim.txt"));
          symlinkSync("../outside/secret.txt", join(root, "victim.txt"));
        },
      }),
    );
    expect(text("victim.txt", racy)).toBe("EACCES");
    expect(name(racy.write("victim.txt", 0, new Uint8Array([88]), false))).toBe("EACCES");
    racy.close();
  });

  it("touched nothing outside the root", () => {
    expect(snapshot(outside)).toEqual(before);
    expect(readdirSync(base).sort()).toEqual(["outside", "root"]);
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("SECRET");
  });
});

describe("the host-directory device as a file system", () => {
  it("creates, writes at offsets, reads, truncates, lists, renames and removes", () => {
    const enc = new TextEncoder();
    expect(dev.mkdir("work")).toBe(0);
    expect(name(dev.mkdir("work"))).toBe("EEXIST");
    expect(dev.create("work/f.txt", true, false)).toBe(0);
    expect(name(dev.create("work/f.txt", true, false))).toBe("EEXIST");
    expect(dev.write("work/f.txt", 0, enc.encode("hello world"))).toBe(11);
    expect(dev.write("work/f.txt", 6, enc.encode("WORLD"))).toBe(5);
    expect(text("work/f.txt")).toBe("hello WORLD");
    expect(dev.setSize("work/f.txt", 5)).toBe(0);
    expect(text("work/f.txt")).toBe("hello");
    expect((dev.stat("work/f.txt") as { size: number }).size).toBe(5);
    expect(dev.rename("work/f.txt", "work/g.txt")).toBe(0);
    expect((dev.list("work") as { name: string }[]).map((e) => e.name)).toEqual(["g.txt"]);
    expect(name(dev.remove("work"))).toBe("ENOTEMPTY");
    expect(dev.remove("work/g.txt")).toBe(0);
    expect(dev.remove("work")).toBe(0);
    expect(name(dev.stat("work"))).toBe("ENOENT");
    expect(readFileSync(join(root, "hello.txt"), "utf8")).toBe("hello");
  });

  it("links a file it holds (HOSTDIR_LINK) and opens both names; a file linked from outside stays refused", () => {
    const enc = new TextEncoder();
    expect(dev.mkdir("ln")).toBe(0);
    expect(dev.write("ln/one.txt", 0, enc.encode("shared"), true)).toBe(6);
    expect(dev.link("ln/one.txt", "ln/two.txt")).toBe(0);
    expect(text("ln/two.txt")).toBe("shared");
    expect(text("ln/one.txt")).toBe("shared");
    expect((dev.stat("ln/one.txt") as { nlink: number }).nlink).toBe(2);
    expect(lstatSync(join(root, "ln", "two.txt")).ino).toBe(lstatSync(join(root, "ln", "one.txt")).ino);
    // A link of a link: the link itself, never followed (a dangling one too).
    expect(dev.symlink("nowhere", "ln/dangling")).toBe(0);
    expect(dev.link("ln/dangling", "ln/dangling2")).toBe(0);
    expect(lstatSync(join(root, "ln", "dangling2")).isSymbolicLink()).toBe(true);
    // "hard" was linked to a file outside by the host: neither read nor linked again.
    expect(name(dev.link("hard", "ln/hard2"))).toBe("EACCES");
    expect(name(dev.link("ln/one.txt", "ln/two.txt"))).toBe("EEXIST");
    expect(name(dev.link("ln", "ln/dir2"))).toBe("EACCES");
    expect(name(dev.link("ln/one.txt", "../outside/x"))).toBe("EACCES");
    // A link to ../hello.txt is fine in ln/, but linked into the root it would lead out: refused, as symlink refuses it.
    expect(dev.symlink("../hello.txt", "ln/up")).toBe(0);
    expect(text("ln/up")).toBe("hello");
    expect(name(dev.link("ln/up", "up2"))).toBe("EACCES");
    for (const f of ["one.txt", "two.txt", "dangling", "dangling2", "up"]) expect(dev.remove(`ln/${f}`)).toBe(0);
    expect(dev.remove("ln")).toBe(0);
  });

  it("sets the time of a symbolic link itself when asked not to follow it (lutimes), and of its target otherwise", () => {
    const t1 = 1_700_000_000_123_456_000; // beyond 2^53 ns: times since 1970 are
    const t2 = 1_600_000_000_000_000_000;
    expect(dev.write("tl.txt", 0, new TextEncoder().encode("x"), true)).toBe(1);
    expect(dev.symlink("tl.txt", "tl-link")).toBe(0);
    const before = lstatSync(join(root, "tl.txt")).mtimeMs;
    expect(dev.setTimes("tl-link", t1, false)).toBe(0);
    expect(lstatSync(join(root, "tl-link")).mtimeMs).toBeCloseTo(t1 / 1e6, 0);
    expect(lstatSync(join(root, "tl.txt")).mtimeMs).toBe(before);
    expect(dev.setTimes("tl-link", t2)).toBe(0);
    expect(lstatSync(join(root, "tl.txt")).mtimeMs).toBeCloseTo(t2 / 1e6, 0);
    expect(dev.remove("tl-link")).toBe(0);
    expect(dev.remove("tl.txt")).toBe(0);
  });

  it("a file read again after the host moved it out, replaced it or hard-linked it outside is read as a fresh walk would (a path read walks the path every time)", () => {
    writeFileSync(join(root, "kept.txt"), "first");
    expect(text("kept.txt")).toBe("first");
    expect(text("kept.txt")).toBe("first"); // the kept descriptor
    writeFileSync(join(root, "kept.new"), "second");
    renameSync(join(root, "kept.new"), join(root, "kept.txt")); // replaced by the host
    expect(text("kept.txt")).toBe("second");
    renameSync(join(root, "kept.txt"), join(outside, "moved-out.txt")); // moved out by the host
    expect(text("kept.txt")).toBe("ENOENT");
    renameSync(join(outside, "moved-out.txt"), join(root, "kept.txt"));
    expect(text("kept.txt")).toBe("second");
    linkSync(join(root, "kept.txt"), join(outside, "kept-link.txt")); // now also reachable from outside: refused
    expect(text("kept.txt")).toBe("EACCES");
    rmSync(join(outside, "kept-link.txt"));
    rmSync(join(root, "kept.txt"));
    expect(text("kept.txt")).toBe("ENOENT");
  });

  it("in read-only mode refuses every change and still reads", () => {
    const ro = new HostDirDevice(new NodeHostDir(root), { readOnly: true });
    expect(text("hello.txt", ro)).toBe("hello");
    for (const r of [
      ro.write("hello.txt", 0, new Uint8Array([1])),
      ro.create("new.txt", false, false),
      ro.setSize("hello.txt", 0),
      ro.setTimes("hello.txt", 0),
      ro.mkdir("d"),
      ro.remove("hello.txt"),
      ro.rename("hello.txt", "h2.txt"),
      ro.symlink("hello.txt", "l"),
    ]) {
      expect(name(r)).toBe("EACCES");
    }
    expect(readFileSync(join(root, "hello.txt"), "utf8")).toBe("hello");
    ro.close();
  });

  it("keeps an open file the file it was (POSIX): renamed, replaced, removed or moved out by the host, its id reads and writes that file, never the new one at its path", () => {
    writeFileSync(join(root, "held.txt"), "original");
    const id = dev.open(7, "held.txt", true, false, false, false);
    expect(id).toBeGreaterThan(0);
    const read = () => {
      const buf = new Uint8Array(64);
      const n = dev.readOpen(7, id, 0, buf);
      return n < 0 ? name(n) : new TextDecoder().decode(buf.subarray(0, n));
    };
    expect(read()).toBe("original");
    expect(dev.rename("held.txt", "renamed.txt")).toBe(0);
    expect(read()).toBe("original");
    writeFileSync(join(root, "held.txt"), "impostor"); // a new file at the old path
    expect(read()).toBe("original");
    expect(dev.writeOpen(7, id, 0, new TextEncoder().encode("ORIG"))).toBe(4);
    expect(readFileSync(join(root, "renamed.txt"), "utf8")).toBe("ORIGinal");
    expect(readFileSync(join(root, "held.txt"), "utf8")).toBe("impostor");
    renameSync(join(root, "renamed.txt"), join(outside, "moved-out.txt")); // the host moves it out: the open was confined when made
    expect(read()).toBe("ORIGinal");
    rmSync(join(outside, "moved-out.txt"));
    const st = dev.statOpen(7, id);
    expect(typeof st === "number" ? name(st) : [st.size, st.nlink]).toEqual([8, 0]);
    expect(dev.setSizeOpen(7, id, 2)).toBe(0);
    expect(read()).toBe("OR");
    expect(dev.setTimesOpen(7, id, 1_000_000_000_000)).toBe(0);
    expect(dev.closeOpen(7, id)).toBe(0);
    rmSync(join(root, "held.txt"));
  });

  it("truncates a file opened to be read when asked (HOSTDIR_TRUNC without HOSTDIR_OPEN_WRITE), and still refuses writes to it", () => {
    writeFileSync(join(root, "cut.txt"), "content");
    const id = dev.open(3, "cut.txt", false, false, false, true);
    expect(id).toBeGreaterThan(0);
    expect(readFileSync(join(root, "cut.txt"), "utf8")).toBe("");
    expect(name(dev.writeOpen(3, id, 0, new Uint8Array([1])))).toBe("EACCES");
    expect(dev.closeOpen(3, id)).toBe(0);
    rmSync(join(root, "cut.txt"));
  });

  it("checks every id: the owner's, still open, this device's; a read open refuses writes; a read-only directory refuses write opens", () => {
    const other = new HostDirDevice(new NodeHostDir(root));
    const id = dev.open(1, "hello.txt", false, false, false, false);
    const theirs = other.open(1, "hello.txt", false, false, false, false);
    const buf = new Uint8Array(8);
    expect(dev.readOpen(1, id, 0, buf)).toBe(5);
    expect(name(dev.readOpen(2, id, 0, buf))).toBe("EBADF"); // another owner
    expect(name(dev.readOpen(1, theirs, 0, buf))).toBe("EBADF"); // another device's id
    expect(name(other.readOpen(1, id, 0, buf))).toBe("EBADF");
    for (const forged of [0, -1, id + 1, id + 256, id ^ 0x40000000, 2 ** 32 - 1])
      expect(name(dev.readOpen(1, forged, 0, buf))).toBe("EBADF");
    expect(name(dev.writeOpen(1, id, 0, buf))).toBe("EACCES");
    expect(name(dev.setSizeOpen(1, id, 0))).toBe("EACCES");
    expect(name(dev.readOpen(1, id, -1, buf))).toBe("EINVAL");
    expect(dev.closeOpen(1, id)).toBe(0);
    expect(name(dev.closeOpen(1, id))).toBe("EBADF");
    const again = dev.open(1, "hello.txt", false, false, false, false); // the same slot, a new generation
    expect(again).not.toBe(id);
    expect(name(dev.readOpen(1, id, 0, buf))).toBe("EBADF");
    expect(dev.closeOpen(1, again)).toBe(0);
    other.close();
    const ro = new HostDirDevice(new NodeHostDir(root), { readOnly: true });
    expect(name(ro.open(1, "hello.txt", true, false, false, false))).toBe("EACCES");
    expect(name(ro.open(1, "new.txt", false, true, false, false))).toBe("EACCES");
    expect(name(ro.open(1, "hello.txt", false, false, false, true))).toBe("EACCES");
    const r = ro.open(1, "hello.txt", false, false, false, false);
    expect(r).toBeGreaterThan(0);
    expect(name(ro.setTimesOpen(1, r, 0))).toBe("EACCES");
    ro.close();
    expect(readFileSync(join(root, "hello.txt"), "utf8")).toBe("hello");
  });

  it("holds at most MAX_HOSTDIR_OPEN files (EMFILE beyond), closes an owner's all at once, and all when closed: no host descriptor left", () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const base = fds();
    const d = new HostDirDevice(new NodeHostDir(root));
    const ids: number[] = [];
    for (let i = 0; i < Limits.MAX_HOSTDIR_OPEN; i++) ids.push(d.open(i % 2, "hello.txt", false, false, false, false));
    expect(ids.every((id) => id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(name(d.open(0, "hello.txt", false, false, false, false))).toBe("EMFILE");
    expect(d.info(Constants.DEVINFO_HOSTDIR_OPEN)).toBe(Limits.MAX_HOSTDIR_OPEN);
    expect(fds()).toBe(base + 1 + Limits.MAX_HOSTDIR_OPEN);
    d.closeOwner(1);
    expect(d.openFiles).toBe(Limits.MAX_HOSTDIR_OPEN / 2);
    expect(fds()).toBe(base + 1 + Limits.MAX_HOSTDIR_OPEN / 2);
    expect(name(d.readOpen(1, ids[1], 0, new Uint8Array(1)))).toBe("EBADF");
    expect(d.readOpen(0, ids[0], 0, new Uint8Array(1))).toBe(1);
    d.close();
    expect(fds()).toBe(base);
    expect(name(d.readOpen(0, ids[0], 0, new Uint8Array(1)))).toBe("EIO");
  });

  it("counts refusals, and answers EIO once closed", () => {
    const d = new HostDirDevice(new NodeHostDir(root));
    d.read("../x", 0, new Uint8Array(1));
    d.read("link-out/secret.txt", 0, new Uint8Array(1));
    expect(d.refusals).toBe(2);
    d.close();
    expect(name(d.read("hello.txt", 0, new Uint8Array(1)))).toBe("EIO");
  });
});
