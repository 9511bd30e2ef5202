// hostfs: serves one host directory (a DEV_HOSTDIR handle, "hostdir") into
// the namespace at the DIR handle "root" it is given (mounted at its scope's
// top, "/"), through the resource-manager library. The device keeps every
// path inside the directory (docs/system.md "Host directories"); this server
// only translates requests: it holds no host state, so a restart loses
// nothing but the opens in flight. It binds the memory object "io" as a grant
// (the zero-copy transfer form, shared with its clients).
//
//   hostfs [mount-path]      (default "/": the top of the "root" DIR's scope)
import { args, errnoName, exit, handle, println } from "@wasmos/sdk";
import * as io from "@wasmos/sdk/grants/io";
import { DirOut, Handler, Ocb, ReadOut, Server, Stat, WriteIn } from "@wasmos/sdk/resmgr";
import { HostDir, hostErrno } from "@wasmos/sdk/hostdir";
import {
  EISDIR, ELOOP, ENOTDIR, ENOTSUP, FILE_TYPE_DIR, FILE_TYPE_SYMLINK, IO_STAT_NOFOLLOW, O_CREATE, O_DIRECTORY, O_EXCL,
  O_NOFOLLOW, O_TRUNC, O_WRITE,
} from "@wasmos/sdk";

class HostOcb extends Ocb {
  constructor(public path: string, public dir: bool) {
    super();
  }
}

const IO_MAX: i32 = 65536;

class HostFs extends Handler {
  buf: Uint8Array = new Uint8Array(IO_MAX);
  constructor(public d: HostDir) {
    super();
  }

  open(path: string, flags: i32): Ocb | null {
    const p = path == "" ? "/" : path;
    if (flags & O_NOFOLLOW) {
      const l = this.d.stat(p, false);
      if (l.errno == 0 && l.type == <u32>FILE_TYPE_SYMLINK) return this.fail(ELOOP);
    }
    if (flags & O_CREATE) {
      const r = this.d.create(p, (flags & O_EXCL) != 0, (flags & O_TRUNC) != 0);
      if (r < 0) return this.fail(-r);
      return new HostOcb(p, false);
    }
    const st = this.d.stat(p);
    if (st.errno != 0) return this.fail(st.errno);
    const dir = st.type == <u32>FILE_TYPE_DIR;
    if (dir && (flags & O_WRITE)) return this.fail(EISDIR);
    if (!dir && (flags & O_DIRECTORY)) return this.fail(ENOTDIR);
    if (!dir) {
      // Open it now as the device would for a transfer (zero bytes): a device file, a FIFO or a
      // file with several hard links is refused at open, not at the first read.
      const r = flags & O_WRITE ? this.d.write(p, 0, this.buf.dataStart, 0) : this.d.read(p, 0, this.buf.dataStart, 0);
      if (r < 0) return this.fail(-r);
    }
    if (!dir && (flags & O_TRUNC)) {
      const r = this.d.setSize(p, 0);
      if (r < 0) return this.fail(-r);
    }
    return new HostOcb(p, dir);
  }

  read(ocb: Ocb, offset: i64, len: i32, out: ReadOut): i32 {
    const o = <HostOcb>ocb;
    const n = this.d.read(o.path, offset, this.buf.dataStart, min(len, IO_MAX));
    if (n < 0) return n;
    return out.put(this.buf.dataStart, n);
  }

  write(ocb: Ocb, offset: i64, data: WriteIn): i32 {
    const o = <HostOcb>ocb;
    const n = min(data.len, IO_MAX);
    data.copyTo(this.buf.dataStart, 0, n);
    return this.d.write(o.path, offset, this.buf.dataStart, n);
  }

  stat(ocb: Ocb, st: Stat): i32 {
    return this.pstat((<HostOcb>ocb).path, st);
  }

  pstat(path: string, st: Stat): i32 {
    return this.pstatAt(path, st, 0);
  }

  pstatAt(path: string, st: Stat, flags: i64): i32 {
    const s = this.d.stat(path == "" ? "/" : path, (flags & IO_STAT_NOFOLLOW) == 0);
    if (s.errno != 0) return -s.errno;
    st.type = s.type;
    st.nlink = s.nlink;
    st.size = s.size;
    st.ino = s.ino;
    st.mtime = s.mtime;
    return 0;
  }

  setSize(ocb: Ocb, size: i64): i32 {
    return this.d.setSize((<HostOcb>ocb).path, size);
  }

  setTimes(ocb: Ocb, mtime: i64): i32 {
    return this.d.setTimes((<HostOcb>ocb).path, mtime);
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
