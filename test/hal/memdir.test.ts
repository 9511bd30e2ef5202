// The page's in-memory tree (hal/browser/memdir.ts) behind the real
// host-directory device model: what a guest's hostfs sees for dropped files.
import { describe, expect, it } from "vitest";
import { Errno } from "../../abi/gen/abi.ts";
import { MemoryHostDir } from "../../hal/browser/memdir.ts";
import { HOST_FILE_TYPE, HostDirDevice, type HostStat } from "../../hal/hostdir/hostdir.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const text = (dev: HostDirDevice, path: string): string => {
  const buf = new Uint8Array(256);
  const n = dev.read(path, 0, buf);
  if (n < 0) throw new Error(`read ${path}: ${n}`);
  return new TextDecoder().decode(buf.subarray(0, n));
};

describe("the in-memory host directory", () => {
  it("serves added files, in nested folders made as needed, sorted in listings", () => {
    const tree = new MemoryHostDir();
    tree.addFile("b.txt", enc("bee"));
    tree.addFile("sub/a.txt", enc("ay"));
    const dev = new HostDirDevice(tree);
    expect(dev.list("/")).toMatchObject([
      { name: "b.txt", type: HOST_FILE_TYPE.REG },
      { name: "sub", type: HOST_FILE_TYPE.DIR },
    ]);
    expect(text(dev, "/sub/a.txt")).toBe("ay");
    expect((dev.stat("/b.txt") as HostStat).size).toBe(3);
    expect(dev.read("/nope", 0, new Uint8Array(4))).toBe(-Errno.ENOENT);
    expect(dev.read("/sub", 0, new Uint8Array(4))).toBe(-Errno.EISDIR);
  });

  it("writes, grows, truncates, renames and removes like a file system", () => {
    const dev = new HostDirDevice(new MemoryHostDir());
    expect(dev.write("/f", 0, enc("hello"), true)).toBe(5);
    expect(dev.write("/f", 7, enc("!"))).toBe(1);
    expect(text(dev, "/f")).toBe("hello\0\0!");
    expect(dev.setSize("/f", 2)).toBe(0);
    expect(text(dev, "/f")).toBe("he");
    expect(dev.create("/f", true, false)).toBe(-Errno.EEXIST);
    expect(dev.mkdir("/d")).toBe(0);
    expect(dev.rename("/f", "/d/g")).toBe(0);
    expect(text(dev, "/d/g")).toBe("he");
    expect(dev.remove("/d")).toBe(-Errno.ENOTEMPTY);
    expect(dev.remove("/d/g")).toBe(0);
    expect(dev.remove("/d")).toBe(0);
    expect(dev.list("/")).toEqual([]);
  });

  it("follows links only inside the tree: one that climbs out is EACCES, a loop ELOOP", () => {
    const tree = new MemoryHostDir();
    tree.addFile("d/x", enc("in"));
    const dev = new HostDirDevice(tree);
    expect(dev.symlink("d/x", "/ok")).toBe(0);
    expect(text(dev, "/ok")).toBe("in");
    expect(dev.readlink("/ok")).toBe("d/x");
    expect((dev.stat("/ok", false) as HostStat).type).toBe(HOST_FILE_TYPE.SYMLINK);
    expect(dev.symlink("../../etc/passwd", "/d/out")).toBe(0);
    expect(dev.read("/d/out", 0, new Uint8Array(4))).toBe(-Errno.EACCES);
    expect(dev.symlink("/etc/passwd", "/abs")).toBe(-Errno.EACCES);
    expect(dev.symlink("loop", "/loop")).toBe(0);
    expect(dev.stat("/loop")).toBe(-Errno.ELOOP);
  });

  it("refuses to grow past its limit with ENOSPC and keeps what it had", () => {
    const dev = new HostDirDevice(new MemoryHostDir({ limit: 1024 }));
    expect(dev.write("/f", 0, new Uint8Array(1000), true)).toBe(1000);
    expect(dev.write("/g", 0, new Uint8Array(100), true)).toBe(-Errno.ENOSPC);
    expect((dev.stat("/f") as HostStat).size).toBe(1000);
    expect(dev.stat("/g")).toBe(-Errno.ENOENT);
  });

  it("keeps open files (HOSTDIR_OPEN) as the device's contract says: the file itself, through a rename and a removal, its bytes counted until closed", () => {
    const dev = new HostDirDevice(new MemoryHostDir({ limit: 1024 }));
    const id = dev.open(1, "/f", true, true, true, false);
    expect(id).toBeGreaterThan(0);
    expect(dev.writeOpen(1, id, 0, new Uint8Array(600).fill(65))).toBe(600);
    expect(dev.rename("/f", "/g")).toBe(0);
    expect(dev.remove("/g")).toBe(0);
    const buf = new Uint8Array(4);
    expect(dev.readOpen(1, id, 0, buf)).toBe(4);
    expect(new TextDecoder().decode(buf)).toBe("AAAA");
    expect((dev.statOpen(1, id) as HostStat).nlink).toBe(0);
    // Removed but open: still counted, so another 600 bytes do not fit.
    expect(dev.write("/h", 0, new Uint8Array(600), true)).toBe(-Errno.ENOSPC);
    expect(dev.closeOpen(1, id)).toBe(0);
    expect(dev.write("/h", 0, new Uint8Array(600), true)).toBe(600);
    expect(dev.readOpen(1, id, 0, buf)).toBe(-Errno.EBADF);
    expect(dev.open(1, "/", false, false, false, false)).toBe(-Errno.EISDIR);
    expect(dev.open(1, "/h", false, true, true, false)).toBe(-Errno.EEXIST);
    expect(dev.open(1, "/nope", false, false, false, false)).toBe(-Errno.ENOENT);
    const t = dev.open(1, "/h", true, false, false, true);
    expect((dev.statOpen(1, t) as HostStat).size).toBe(0);
    dev.closeOwner(1);
    expect(dev.openFiles).toBe(0);
  });
});
