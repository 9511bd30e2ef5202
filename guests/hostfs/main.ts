// hostfs: serves one host directory (a DEV_HOSTDIR handle, "hostdir") into
// the namespace at the DIR handle "root" it is given (mounted at its scope's
// top, "/"), through the resource-manager library. The device keeps every
// path inside the directory (docs/system.md "Host directories"); this server
// only translates requests. An open of a file opens it in the device once
// (HOSTDIR_OPEN: the path walked and confined then) and every read, write,
// stat, size and time of that open goes to the device's open file by id, with
// no path: the file stays the one opened, as in POSIX, even if its path is
// renamed, replaced or removed. The id is closed when the open's last handle
// goes; if this server ends, the kernel closes all of them. A directory's
// open keeps only its path. It binds the memory object "io" as a grant (the
// zero-copy transfer form, shared with its clients).
//
//   hostfs [mount-path]      (default "/": the top of the "root" DIR's scope)
import { args, errnoName, exit, handle, println } from "@wasmos/sdk";
import * as io from "@wasmos/sdk/grants/io";
import { DirOut, Handler, Ocb, ReadOut, Server, Stat, WriteIn } from "@wasmos/sdk/resmgr";
import { HostDir, HostStat, hostErrno } from "@wasmos/sdk/hostdir";
import {
  EISDIR, ELOOP, ENOTDIR, MAX_IO_BYTES, MAX_MSG_BYTES, FILE_TYPE_DIR, FILE_TYPE_SYMLINK, IO_STAT_NOFOLLOW, O_CREATE, O_DIRECTORY, O_EXCL,
  O_NOFOLLOW, O_TRUNC, O_WRITE,
} from "@wasmos/sdk";

class HostOcb extends Ocb {
  /** file: the device's open-file id (0 for a directory), which refuses writes unless it was opened for them. */
  constructor(public path: string, public dir: bool, public file: i32 = 0) {
    super();
  }
}

/** The most one path read or write moves (hostdir_call's MAX_IO_BYTES). */
const IO_MAX: i32 = MAX_IO_BYTES;
/** The most one read or write of an open file moves: what one request can carry (MAX_MSG_BYTES), so a large read is one round trip. */
const OPEN_IO_MAX: i32 = MAX_MSG_BYTES;

/** The device's answer s as the transport's stat: 0, or -errno when the device refused. */
function statInto(s: HostStat, st: Stat): i32 {
  if (s.errno != 0) return -s.errno;
  st.type = s.type;
  st.nlink = s.nlink;
  st.size = s.size;
  st.ino = s.ino;
  st.mtime = s.mtime;
  return 0;
}

class HostFs extends Handler {
  buf: Uint8Array = new Uint8Array(OPEN_IO_MAX);
  constructor(public d: HostDir) {
    super();
  }

  open(path: string, flags: i32): Ocb | null {
    const p = path == "" ? "/" : path;
    if (flags & O_NOFOLLOW) {
      const l = this.d.stat(p, false);
      if (l.errno == 0 && l.type == <u32>FILE_TYPE_SYMLINK) return this.fail(ELOOP);
    }
    const write = (flags & O_WRITE) != 0;
    const create = (flags & O_CREATE) != 0;
    if ((flags & O_DIRECTORY) == 0) {
      // A file is opened in the device (refused there if it is a device file, a FIFO or has several hard links).
      // Writable as the client's FILE handle is: O_WRITE or O_TRUNC (ns_open gives either WRITE).
      const writable = (flags & (O_WRITE | O_TRUNC)) != 0;
      const f = this.d.open(p, writable, create, create && (flags & O_EXCL) != 0, (flags & O_TRUNC) != 0);
      if (f > 0) return new HostOcb(p, false, f);
      if (f != -EISDIR || write || create) return this.fail(-f);
      return new HostOcb(p, true); // a directory, opened to be read
    }
    const st = this.d.stat(p);
    if (st.errno != 0) return this.fail(st.errno);
    if (st.type != <u32>FILE_TYPE_DIR) return this.fail(ENOTDIR);
    if (write) return this.fail(EISDIR);
    return new HostOcb(p, true);
  }

  closed(ocb: Ocb): void {
    const o = <HostOcb>ocb;
    if (o.file > 0) this.d.close(o.file);
    o.file = 0;
  }

  read(ocb: Ocb, offset: i64, len: i32, out: ReadOut): i32 {
    const o = <HostOcb>ocb;
    const n =
      o.file > 0
        ? this.d.readOpen(o.file, offset, this.buf.dataStart, min(len, OPEN_IO_MAX))
        : this.d.read(o.path, offset, this.buf.dataStart, min(len, IO_MAX));
    if (n < 0) return n;
    return out.put(this.buf.dataStart, n);
  }

  write(ocb: Ocb, offset: i64, data: WriteIn): i32 {
    const o = <HostOcb>ocb;
    const n = min(data.len, o.file > 0 ? OPEN_IO_MAX : IO_MAX);
    data.copyTo(this.buf.dataStart, 0, n);
    if (o.file > 0) return this.d.writeOpen(o.file, offset, this.buf.dataStart, n);
    return this.d.write(o.path, offset, this.buf.dataStart, n);
  }

  stat(ocb: Ocb, st: Stat): i32 {
    const o = <HostOcb>ocb;
    if (o.file <= 0) return this.pstat(o.path, st);
    return statInto(this.d.statOpen(o.file), st);
  }

  pstat(path: string, st: Stat): i32 {
    return this.pstatAt(path, st, 0);
  }

  pstatAt(path: string, st: Stat, flags: i64): i32 {
    return statInto(this.d.stat(path == "" ? "/" : path, (flags & IO_STAT_NOFOLLOW) == 0), st);
  }

  setSize(ocb: Ocb, size: i64): i32 {
    const o = <HostOcb>ocb;
    if (o.file > 0) return this.d.setSizeOpen(o.file, size);
    return this.d.setSize(o.path, size);
  }

  setTimes(ocb: Ocb, mtime: i64): i32 {
    const o = <HostOcb>ocb;
    if (o.file > 0) return this.d.setTimesOpen(o.file, mtime);
    return this.d.setTimes(o.path, mtime);
  }

  psettimes(path: string, mtime: i64): i32 {
    return this.d.setTimes(path == "" ? "/" : path, mtime, false);
  }

  readdir(ocb: Ocb, cookie: i64, out: DirOut): i32 {
    const o = <HostOcb>ocb;
    if (!o.dir) return -ENOTDIR;
    let at = cookie;
    let entries = this.d.list(o.path, at);
    while (entries.length > 0) {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (!out.add(e.ino, at + 1, e.type, e.name)) return out.used;
        at++;
      }
      entries = this.d.list(o.path, at);
    }
    return hostErrno != 0 && out.used == 0 ? -hostErrno : out.used;
  }

  mkdir(path: string, flags: i64): i32 {
    return this.d.mkdir(path);
  }

  unlink(path: string): i32 {
    return this.d.remove(path);
  }

  rename(from: string, to: string): i32 {
    return this.d.rename(from, to);
  }

  link(existing: string, path: string): i32 {
    // The device makes the link only inside its root and remembers it (files with several links are otherwise refused).
    return this.d.link(existing, path);
  }

  symlink(path: string, target: string): i32 {
    return this.d.symlink(path, target);
  }

  readlink(path: string, len: i32, out: ReadOut): i32 {
    const t = this.d.readlink(path);
    if (t === null) return -hostErrno;
    return out.text(t!, 0, len);
  }
}

const dev = handle("hostdir");
const root = handle("root");
if (dev < 0 || (root < 0 && handle("endpoint") < 0)) {
  println("hostfs: needs handles hostdir, and endpoint or root: " + errnoName(dev < 0 ? dev : root));
  exit(2);
}
const argv = args();
const at = argv.length > 1 ? argv[1] : "/";
const srv = new Server(new HostFs(new HostDir(dev)));
// The grant form: the "io" memory object the spawner binds to us and to the client.
srv.useGrants(
  (index: i32, goff: u32, ptr: usize, len: u32): void => io.copy_in(goff, ptr, len),
  (index: i32, goff: u32, ptr: usize, len: u32): void => io.copy_out(ptr, goff, len),
);
// Serve the endpoint the host mounted for us (a boot manifest's "mounts"), or mount one of our own.
const given = handle("endpoint");
if (given > 0) srv.endpoint = given;
const m = given > 0 ? 0 : srv.mount(root, at);
if (m < 0) {
  println("hostfs: cannot mount " + at + ": " + errnoName(m));
  exit(1);
}
srv.run();
