// procfs: /proc as a resource manager. Holding the KINFO handle "kinfo"
// (the process table, proc_next), it serves:
//   /proc            a directory: "ps" and one entry per process, by pid
//   /proc/<pid>      that process's status as "key: value" lines (what pidin shows)
//   /proc/ps         the whole table, one line per process
// Each open takes a snapshot: reads of one open see one moment.
//
//   handles: "root" (DIR with MOUNT), "kinfo" (KINFO with READ)
//   args:    [mount path, default "/"]
import { args, errnoName, exit, handle, println } from "@wasmos/sdk";
import { DirOut, Handler, Ocb, ReadOut, Server, Stat } from "@wasmos/sdk/resmgr";
import { procList, procNext, procStatus, procTable } from "@wasmos/sdk/proc";
import { EISDIR, ENOENT, ENOTDIR, FILE_TYPE_DIR, FILE_TYPE_REG, O_DIRECTORY, O_WRITE, EACCES } from "@wasmos/sdk";

const kinfo = handle("kinfo");

class ProcOcb extends Ocb {
  dir: bool = false;
  text: Uint8Array = new Uint8Array(0);
}

/** The text of a path ("" : none, with errno set). */
let lastErrno: i32 = 0;
function textOf(path: string): string | null {
  if (path == "ps") return procTable(procList(kinfo));
  const pid = I32.parseInt(path);
  if (pid <= 0 || pid.toString() != path) {
    lastErrno = ENOENT;
    return null;
  }
  const r = procNext(kinfo, <u32>(pid - 1));
  if (r === null || <i32>r.pid != pid) {
    lastErrno = ENOENT;
    return null;
  }
  return procStatus(r!);
}

class ProcFs extends Handler {
  open(path: string, flags: i32): Ocb | null {
    const o = new ProcOcb();
    if (path == "") {
      if (flags & O_WRITE) return this.fail(EISDIR);
      o.dir = true;
      return o;
    }
    if (flags & O_WRITE) return this.fail(EACCES);
    if (flags & O_DIRECTORY) return this.fail(ENOTDIR);
    const t = textOf(path);
    if (t === null) return this.fail(lastErrno);
    o.text = Uint8Array.wrap(String.UTF8.encode(t!));
    return o;
  }

  read(ocb: Ocb, offset: i64, len: i32, out: ReadOut): i32 {
    const o = <ProcOcb>ocb;
    if (o.dir) return -EISDIR;
    return out.bytes(o.text, offset, len);
  }

  stat(ocb: Ocb, st: Stat): i32 {
    const o = <ProcOcb>ocb;
    st.type = o.dir ? FILE_TYPE_DIR : FILE_TYPE_REG;
    st.size = o.dir ? 0 : <u64>o.text.length;
    return 0;
  }

  pstat(path: string, st: Stat): i32 {
    if (path == "") {
      st.type = FILE_TYPE_DIR;
      return 0;
    }
    const t = textOf(path);
    if (t === null) return -lastErrno;
    st.type = FILE_TYPE_REG;
    st.size = <u64>String.UTF8.byteLength(t!);
    return 0;
  }

  readdir(ocb: Ocb, cookie: i64, out: DirOut): i32 {
    const o = <ProcOcb>ocb;
    if (!o.dir) return -ENOTDIR;
    const all = procList(kinfo);
    // cookie 0: "ps"; cookie n: the processes from index n-1
    if (cookie == 0 && !out.add(1, 1, FILE_TYPE_REG, "ps")) return out.used;
    for (let i = max(0, <i32>cookie - 1); i < all.length; i++) {
      if (!out.add(<u64>all[i].pid + 1, <i64>(i + 2), FILE_TYPE_REG, all[i].pid.toString())) break;
    }
    return out.used;
  }
}

const root = handle("root");
if (kinfo < 0 || (root < 0 && handle("endpoint") < 0)) {
  println("procfs: needs handles kinfo, and endpoint or root: " + errnoName(kinfo < 0 ? kinfo : root));
  exit(2);
}
const argv = args();
const srv = new Server(new ProcFs());
// Serve the endpoint the host mounted for us (a boot manifest's "mounts"), or mount one of our own.
const given = handle("endpoint");
if (given > 0) srv.endpoint = given;
const m = given > 0 ? 0 : srv.mount(root, argv.length > 1 ? argv[1] : "/");
if (m < 0) {
  println("procfs: cannot mount: " + errnoName(m));
  exit(1);
}
srv.run();
