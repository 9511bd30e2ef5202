// Writing a resource manager (a server of part of the path namespace):
// subclass Handler, override what you serve, and run a Server. The library
// receives every request, keeps the per-open state (an Ocb per open, found by
// the id the kernel stamps on each request), answers ENOTSUP for what the
// handler does not implement, and moves the data of reads and writes in
// whichever form the client chose (registers, kernel-copied buffer, bound
// grant): the handler sees the same read/write either way. docs/namespace.md
// describes the wire protocol underneath.
//
//   class Hello extends Handler {
//     open(path: string, flags: i32): Ocb | null { return path == "" ? new Ocb() : this.fail(ENOENT); }
//     read(ocb: Ocb, offset: i64, len: i32, out: ReadOut): i32 { return out.bytes(GREETING, offset, len); }
//   }
//   const srv = new Server(new Hello());
//   srv.mount(handle("root"), "/hello");
//   srv.run();

import "./runtime";
import { declareIpcBuffer, ipcWord, setIpcWord } from "./ipc";
import {
  sys_endpoint_create, sys_io_reply_wait, sys_msg_info, sys_msg_word, sys_ns_mount, sys_receive, sys_reply, sys_reply_error,
  DEADLINE_INFINITE, DIRENT_SIZE, ENOTSUP, EINVAL, IO_CLOSE_PULSE, IO_FORM_BUFFER, IO_FORM_GRANT, IO_FORM_REGS, IO_LINK,
  IO_MKDIR, IO_OPEN, IO_PSETTIMES, IO_PSTAT, IO_READ, IO_READDIR, IO_READLINK, IO_RENAME, IO_SETSIZE, IO_SETTIMES, IO_STAT, IO_SYMLINK, IO_SYNC,
  IO_UNLINK, IO_WRITE, MAX_PATH_BYTES, MSG_INFO_SIZE, STAT_SIZE, DirentLayout, MsgInfoLayout, StatLayout,
} from "./bindings/abi";

/** A handler's answer meaning "not now": it keeps server.defer() and answers later (a read waiting for input). */
export const DEFER: i32 = -0x7fff0000;

/** A request answered later: what the library needs to answer it in the client's form. */
export class Pending {
  rcvid: i32 = 0;
  form: i32 = 0;
  len: i32 = 0;
  w3: i64 = 0;
}

/** Per-open state: subclass it to keep what an open needs (the node, the mode). */
export class Ocb {
  /** The id the client's FILE carries (set by the Server). */
  id: i64 = 0;
  /** The open flags (O_*). */
  flags: i32 = 0;
}

export class Stat {
  type: u32 = 0;
  nlink: u32 = 1;
  size: u64 = 0;
  ino: u64 = 0;
  mtime: i64 = 0;
}

/** Where a read's bytes come from: the handler points at them (no copy until the library moves them once). */
export class ReadOut {
  ptr: usize = 0;
  n: i32 = 0;
  private keep: ArrayBuffer | null = null;

  /** Answer with n bytes of this process's memory at ptr (valid until the handler returns). */
  put(ptr: usize, n: i32): i32 {
    this.ptr = ptr;
    this.n = n;
    return n;
  }

  /** Answer with the bytes of `data` from offset, at most len. */
  bytes(data: Uint8Array, offset: i64, len: i32): i32 {
    if (offset >= <i64>data.length) return this.put(0, 0);
    const n = <i32>min(<i64>len, <i64>data.length - offset);
    this.keep = data.buffer;
    return this.put(data.dataStart + <usize>offset, n);
  }

  /** Answer with a string's UTF-8 bytes from offset. */
  text(s: string, offset: i64, len: i32): i32 {
    return this.bytes(Uint8Array.wrap(String.UTF8.encode(s)), offset, len);
  }
}

/** A write's bytes, wherever the client put them: copyTo moves them once into the handler's memory. */
export class WriteIn {
  len: i32 = 0;
  form: i32 = 0;
  ptr: usize = 0;
  regs: i64 = 0;
  grantIndex: i32 = 0;
  grantOffset: u32 = 0;
  server: Server | null = null;

  /** Copy n bytes from byte `from` of the data to dst in this process's memory. */
  copyTo(dst: usize, from: i32, n: i32): void {
    if (n <= 0) return;
    if (this.form == IO_FORM_REGS) {
      for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>(this.regs >>> (<i64>(from + i) * 8)));
    } else if (this.form == IO_FORM_GRANT) {
      this.server!.grantOut(this.grantIndex, this.grantOffset + <u32>from, dst, <u32>n);
    } else memory.copy(dst, this.ptr + <usize>from, <usize>n);
  }
}

/** Readdir records into the client's buffer. */
export class DirOut {
  buf: Uint8Array;
  used: i32 = 0;
  constructor(cap: i32) {
    this.buf = new Uint8Array(cap);
  }
  /** Add an entry; false when it does not fit (stop there: `next` of the last one added is where the client resumes). */
  add(ino: u64, next: i64, type: u32, name: string): bool {
    const b = String.UTF8.encode(name);
    const size = (DIRENT_SIZE + b.byteLength + 7) & ~7;
    if (this.used + size > this.buf.length) return false;
    const p = this.buf.dataStart + <usize>this.used;
    memory.fill(p, 0, size);
    DirentLayout.setIno(p, ino);
    DirentLayout.setNext(p, <u64>next);
    DirentLayout.setType(p, type);
    DirentLayout.setNameLen(p, b.byteLength);
    memory.copy(p + DIRENT_SIZE, changetype<usize>(b), b.byteLength);
    this.used += size;
    return true;
  }
}

/** What a server serves. Every method answers ENOTSUP until overridden (sync: 0). */
export class Handler {
  /** The errno of a failed open (return this.fail(errno)). */
  errno: i32 = 0;
  /** The server running this handler (set by new Server). */
  server: Server | null = null;

  fail(errno: i32): Ocb | null {
    this.errno = errno;
    return null;
  }

  /** path is relative to the mount point ("" is the mount point itself). */
  open(path: string, flags: i32): Ocb | null {
    return this.fail(ENOTSUP);
  }
  read(ocb: Ocb, offset: i64, len: i32, out: ReadOut): i32 {
    return -ENOTSUP;
  }
  write(ocb: Ocb, offset: i64, data: WriteIn): i32 {
    return -ENOTSUP;
  }
  stat(ocb: Ocb, st: Stat): i32 {
    return -ENOTSUP;
  }
  setSize(ocb: Ocb, size: i64): i32 {
    return -ENOTSUP;
  }
  setTimes(ocb: Ocb, mtime: i64): i32 {
    return -ENOTSUP;
  }
  readdir(ocb: Ocb, cookie: i64, out: DirOut): i32 {
    return -ENOTSUP;
  }
  sync(ocb: Ocb): i32 {
    return 0;
  }
  /** The open's last handle is gone. */
  closed(ocb: Ocb): void {}
  mkdir(path: string, flags: i64): i32 {
    return -ENOTSUP;
  }
  unlink(path: string): i32 {
    return -ENOTSUP;
  }
  rename(from: string, to: string): i32 {
    return -ENOTSUP;
  }
  link(existing: string, path: string): i32 {
    return -ENOTSUP;
  }
  symlink(path: string, target: string): i32 {
    return -ENOTSUP;
  }
  readlink(path: string, len: i32, out: ReadOut): i32 {
    return -ENOTSUP;
  }
  pstat(path: string, st: Stat): i32 {
    return -ENOTSUP;
  }
  /** IO_PSETTIMES: the modification time of path (ns), a final symbolic link itself. */
  psettimes(path: string, mtime: i64): i32 {
    return -ENOTSUP;
  }
  /** IO_PSTAT with the client's flags (IO_STAT_NOFOLLOW, IO_STAT_FOLLOW; neither: the server's default). Default: pstat. */
  pstatAt(path: string, st: Stat, flags: i64): i32 {
    return this.pstat(path, st);
  }
  /** A pulse that is not a close (a device interrupt, a timer...). */
  pulse(code: i32, value: i64): void {}
}

/** Moves bytes between this server's memory and its bound grant number `index` (import order). */
export type GrantMove = (index: i32, grantOffset: u32, ptr: usize, len: u32) => void;

export class Server {
  handler: Handler;
  /** The endpoint requests arrive on. */
  endpoint: i32 = 0;
  /**
   * The opens, by id: the one answered last in `lastOcb` (while it is open), every other here. An
   * open-use-close then touches no map (no insert, no tombstone, no rehash per open); ocb(id) looks in both.
   */
  private readonly ocbs: Map<i64, Ocb> = new Map();
  /** The open answered last, until it is closed or another open is answered (then it moves to ocbs). */
  private lastOcb: Ocb | null = null;

  /** The open with this id, or null. */
  ocb(id: i64): Ocb | null {
    const last = this.lastOcb;
    if (last !== null && last.id == id) return last;
    return this.ocbs.has(id) ? this.ocbs.get(id) : null;
  }

  /** Forget the open ocb (found by ocb()). */
  private dropOcb(ocb: Ocb): void {
    if (ocb === this.lastOcb) this.lastOcb = null;
    else this.ocbs.delete(ocb.id);
  }

  /** Keep a new open: the last one moves to the map. */
  private keepOcb(ocb: Ocb): void {
    const last = this.lastOcb;
    if (last !== null) this.ocbs.set(last.id, last);
    this.lastOcb = ocb;
  }

  /** How many opens are live (for tests and /proc). */
  get openCount(): i32 {
    return this.ocbs.size + (this.lastOcb !== null ? 1 : 0);
  }
  private nextId: i64 = 1;
  private buf: Uint8Array;
  private info: ArrayBuffer = new ArrayBuffer(MSG_INFO_SIZE);
  private readOut: ReadOut = new ReadOut();
  private writeIn: WriteIn = new WriteIn();
  private grantCopyIn: GrantMove | null = null;
  private grantCopyOut: GrantMove | null = null;
  /** Requests answered (for tests and /proc). */
  served: i64 = 0;

  /** bufSize: the largest buffer-form write taken in one request (longer ones are short writes). */
  constructor(handler: Handler, bufSize: i32 = 65536) {
    this.handler = handler;
    this.buf = new Uint8Array(bufSize + 2 * MAX_PATH_BYTES);
    handler.server = this;
    this.writeIn.server = this;
  }

  /** Serve the grant form: copyIn(index, goff, ptr, len) own memory -> grant, copyOut grant -> own memory. */
  useGrants(copyIn: GrantMove, copyOut: GrantMove): void {
    this.grantCopyIn = copyIn;
    this.grantCopyOut = copyOut;
  }

  grantOut(index: i32, goff: u32, dst: usize, n: u32): void {
    this.grantCopyOut!(index, goff, dst, n);
  }

  /** Create the endpoint (if not yet) and mount it at path under dir. 0 or -errno. */
  mount(dir: i32, path: string, flags: i32 = 0): i32 {
    if (this.endpoint == 0) this.endpoint = sys_endpoint_create();
    const p = String.UTF8.encode(path);
    return sys_ns_mount(dir, changetype<i32>(p), p.byteLength, this.endpoint, flags);
  }

  /**
   * Serve for ever. An answer of a status (and an open's OCB id) is given by the next wait
   * (io_reply_wait: the answer and the wait in one crossing, no 64-bit argument), not by reply then
   * receive; serveOne, called on its own, answers before it returns.
   */
  run(): void {
    this.folding = true;
    for (;;) this.serveOne();
  }

  /** run(): answers of a status and at most one 31-bit word wait for the next io_reply_wait. */
  private folding: bool = false;
  /** The answer the next wait gives: its rcvid (0: none), status, word count and word 0. */
  private foldRcvid: i32 = 0;
  private foldStatus: i32 = 0;
  private foldWords: i32 = 0;
  private foldWord0: i32 = 0;

  /**
   * Answer rcvid with status and, when words is 1, word0 (as reply(rcvid, status, word0, 0) does):
   * in run(), by the next wait; otherwise at once.
   */
  private answer(rcvid: i32, status: i32, words: i32, word0: i32): void {
    if (this.folding && this.narrow) {
      this.foldRcvid = rcvid;
      this.foldStatus = status;
      this.foldWords = words;
      this.foldWord0 = word0;
    } else sys_reply(rcvid, status, <i64>word0, 0, 0, 0);
  }

  /** The next request or pulse: the answer left by the last one given first (io_reply_wait), or receive. */
  private take(deadline: i64): i32 {
    const a = this.foldRcvid;
    // With an answer to give: io_reply_wait. Without (after a pulse or an error's reply_error), receive: the
    // kernel's hint chooses it before calling, so a request already queued is taken without a suspension.
    if (a != 0 && this.folding && this.narrow && deadline == DEADLINE_INFINITE) {
      this.foldRcvid = 0;
      if (this.foldWords > 0) setIpcWord(0, this.foldWord0);
      const r = sys_io_reply_wait(this.endpoint, a, this.foldStatus, this.foldWords, <i32>this.buf.dataStart, this.buf.byteLength);
      // Refused: whether the answer was given is not known (EMFILE for a message that arrived while
      // waiting gives it), so it is given again; a second answer is refused (EINVAL) and changes nothing.
      if (r < 0) sys_reply(a, this.foldStatus, <i64>this.foldWord0, 0, 0, 0);
      return r;
    }
    if (a != 0) {
      this.foldRcvid = 0;
      sys_reply(a, this.foldStatus, <i64>this.foldWord0, 0, 0, 0);
    }
    return sys_receive(this.endpoint, <i32>this.buf.dataStart, this.buf.byteLength, deadline);
  }

  /** The IPC buffer is declared: every delivery's low 32-bit word halves are read from it, without a crossing. */
  private narrow: bool = false;
  private narrowTried: bool = false;

  /**
   * Word i of what was just received, when its high half is known to be 0:
   * from the IPC buffer when it is declared (no crossing), else msg_word.
   */
  private low(i: i32): i64 {
    return this.narrow ? <i64><u32>ipcWord(i) : sys_msg_word(i);
  }

  /**
   * The OCB id in word i of a request or close pulse. Ids this server gave
   * fit in 32 bits until it has answered 2^32 - 1 opens (then msg_word
   * reads the whole word): an id the kernel stamps is one the server chose.
   */
  private idWord(i: i32): i64 {
    return this.nextId <= <i64>0xffffffff ? this.low(i) : sys_msg_word(i);
  }

  /** Take and answer one request or pulse. Returns the receive result (rcvid, 0 for a pulse, -errno). */
  serveOne(deadline: i64 = DEADLINE_INFINITE): i32 {
    if (!this.narrowTried) {
      this.narrowTried = true;
      this.narrow = declareIpcBuffer() == 0;
    }
    const rcvid = this.take(deadline);
    if (rcvid < 0) return rcvid;
    if (rcvid == 0) {
      const code = <i32>this.low(0); // a pulse's code is an i32
      if (code == IO_CLOSE_PULSE) {
        const value = this.idWord(1);
        const ocb = this.ocb(value);
        if (ocb !== null) {
          this.dropOcb(ocb);
          this.handler.closed(ocb);
        }
      } else this.handler.pulse(code, sys_msg_word(1));
      return 0;
    }
    this.served++;
    // Word 0's low half holds op, form and flags; its high half the length.
    const lo0 = <i32>this.low(0);
    const op = lo0 & 0xff;
    const form = (lo0 >> 8) & 0xff;
    const flags = (lo0 >> 16) & 0xffff;
    if (op == IO_OPEN) {
      // A connect to open: no length, no offset, one path (its length in word 3's low half).
      this.connect(rcvid, op, flags, 0, 0, this.low(3));
      return rcvid;
    }
    const w0 = sys_msg_word(0);
    const len = <i32>(w0 >>> 32);
    const offset = sys_msg_word(2);
    if (op >= IO_MKDIR) {
      this.connect(rcvid, op, flags, len, offset, sys_msg_word(3));
      return rcvid;
    }
    const id = this.idWord(1);
    // Word 3 carries the registers-form bytes or the grant's place; nothing in the buffer form.
    const w3: i64 = form == IO_FORM_BUFFER ? 0 : sys_msg_word(3);
    const found = this.ocb(id);
    if (found === null) {
      sys_reply_error(rcvid, EINVAL);
      return rcvid;
    }
    const ocb = found!;
    const h = this.handler;
    let r: i32;
    switch (op) {
      case IO_READ: {
        const out = this.readOut;
        out.put(0, 0);
        const cur = this.current;
        cur.rcvid = rcvid;
        cur.form = form;
        cur.len = len;
        cur.w3 = w3;
        r = h.read(ocb, offset, len, out);
        if (r == DEFER) return rcvid;
        if (r < 0) break;
        this.replyRead(cur, out.ptr, min(r, out.n));
        return rcvid;
      }
      case IO_WRITE: {
        const data = this.writeIn;
        data.form = form;
        data.len = len;
        if (form == IO_FORM_REGS) data.regs = w3;
        else if (form == IO_FORM_GRANT) {
          if (this.grantCopyOut === null) {
            r = -ENOTSUP;
            break;
          }
          data.grantIndex = <i32>(w3 >>> 32);
          data.grantOffset = <u32>w3;
        } else {
          data.ptr = this.buf.dataStart;
          data.len = min(len, min(<i32>this.bodyLength(), this.buf.byteLength)); // longer: a short write
        }
        this.current.rcvid = rcvid;
        r = h.write(ocb, offset, data);
        if (r == DEFER) return rcvid;
        break;
      }
      case IO_STAT: {
        const st = new Stat();
        r = h.stat(ocb, st);
        if (r < 0) break;
        this.replyStat(rcvid, st, len);
        return rcvid;
      }
      case IO_SETSIZE:
        r = h.setSize(ocb, offset);
        break;
      case IO_SETTIMES:
        r = h.setTimes(ocb, offset);
        break;
      case IO_READDIR: {
        const out = new DirOut(min(len, 65536));
        r = h.readdir(ocb, offset, out);
        if (r < 0) break;
        sys_reply(rcvid, out.used, 0, 0, <i32>out.buf.dataStart, out.used);
        return rcvid;
      }
      case IO_SYNC:
        r = h.sync(ocb);
        break;
      default:
        r = -ENOTSUP;
    }
    if (r < 0) sys_reply_error(rcvid, -r);
    else this.answer(rcvid, r, 0, 0);
    return rcvid;
  }

  private current: Pending = new Pending();

  /** The request being handled, to answer later (the handler then returns DEFER). */
  defer(): Pending {
    const p = new Pending();
    p.rcvid = this.current.rcvid;
    p.form = this.current.form;
    p.len = this.current.len;
    p.w3 = this.current.w3;
    return p;
  }

  /** Answer a read with n bytes of this process's memory at ptr, in the form the client chose. */
  replyRead(p: Pending, ptr: usize, n: i32): void {
    n = max(0, min(n, p.len));
    if (p.form == IO_FORM_REGS) {
      let a: i64 = 0;
      let b: i64 = 0;
      for (let i = n - 1; i >= 0; i--) {
        const byte = <i64>load<u8>(ptr + <usize>i);
        if (i >= 8) b = (b << 8) | byte;
        else a = (a << 8) | byte;
      }
      sys_reply(p.rcvid, n, a, b, 0, 0);
    } else if (p.form == IO_FORM_GRANT) {
      if (this.grantCopyIn === null) {
        sys_reply_error(p.rcvid, ENOTSUP);
        return;
      }
      this.grantCopyIn!(<i32>(p.w3 >>> 32), <u32>p.w3, ptr, <u32>n);
      sys_reply(p.rcvid, n, 0, 0, 0, 0);
    } else sys_reply(p.rcvid, n, 0, 0, <i32>ptr, n);
  }

  /** Answer a deferred request with a status (>= 0) or an error (< 0: -errno). */
  replyStatus(p: Pending, status: i32): void {
    if (status < 0) sys_reply_error(p.rcvid, -status);
    else sys_reply(p.rcvid, status, 0, 0, 0, 0);
  }

  /** The pid of the process whose request is being handled (msg_info: a syscall, so only when wanted). */
  senderPid(): u32 {
    sys_msg_info(<i32>changetype<usize>(this.info));
    return MsgInfoLayout.senderPid(changetype<usize>(this.info));
  }

  private bodyLength(): u32 {
    sys_msg_info(<i32>changetype<usize>(this.info));
    return MsgInfoLayout.bodyLen(changetype<usize>(this.info));
  }

  private replyStat(rcvid: i32, st: Stat, len: i32): void {
    const b = new ArrayBuffer(STAT_SIZE);
    const p = changetype<usize>(b);
    StatLayout.setType(p, st.type);
    StatLayout.setNlink(p, st.nlink);
    StatLayout.setSize(p, st.size);
    StatLayout.setIno(p, st.ino);
    StatLayout.setMtime(p, st.mtime);
    const n = min(len, STAT_SIZE);
    sys_reply(rcvid, n, 0, 0, <i32>p, n);
  }

  /** The first path of the last connect message, as bytes and as the string made of them. */
  private lastPath: string = "";
  private lastPathBytes: Uint8Array = new Uint8Array(MAX_PATH_BYTES);
  private lastPathLen: i32 = -1;

  /**
   * The path of len bytes at ptr (UTF-8, checked by the kernel) as a string: the last one again when
   * its bytes are the same (a client opening one file over and over), without decoding or allocating.
   */
  private pathAt(ptr: usize, len: i32): string {
    if (len == this.lastPathLen && memory.compare(ptr, this.lastPathBytes.dataStart, <usize>len) == 0) return this.lastPath;
    const path = String.UTF8.decodeUnsafe(ptr, len);
    if (len <= this.lastPathBytes.length) {
      memory.copy(this.lastPathBytes.dataStart, ptr, <usize>len);
      this.lastPathLen = len;
      this.lastPath = path;
    }
    return path;
  }

  private connect(rcvid: i32, op: i32, flags: i32, len: i32, offset: i64, w3: i64): void {
    const len1 = <i32>(w3 & 0xffffffff);
    const len2 = <i32>(w3 >>> 32);
    const base = this.buf.dataStart;
    const path = this.pathAt(base, len1);
    const path2 = len2 > 0 ? String.UTF8.decodeUnsafe(base + <usize>len1, len2) : "";
    const h = this.handler;
    let r: i32 = 0;
    switch (op) {
      case IO_OPEN: {
        h.errno = ENOTSUP;
        const ocb = h.open(path, flags);
        if (ocb === null) {
          sys_reply_error(rcvid, h.errno);
          return;
        }
        ocb.id = this.nextId++;
        ocb.flags = flags;
        this.keepOcb(ocb);
        // The id as one i32 word, sign-extended: the same 64-bit word while it is below 2^31.
        if (ocb.id <= <i64>0x7fffffff) this.answer(rcvid, 0, 1, <i32>ocb.id);
        else sys_reply(rcvid, 0, ocb.id, 0, 0, 0);
        return;
      }
      case IO_MKDIR:
        r = h.mkdir(path, offset);
        break;
      case IO_PSETTIMES:
        r = h.psettimes(path, offset);
        break;
      case IO_UNLINK:
        r = h.unlink(path);
        break;
      case IO_RENAME:
        r = h.rename(path, path2);
        break;
      case IO_LINK:
        r = h.link(path, path2);
        break;
      case IO_SYMLINK:
        r = h.symlink(path, path2);
        break;
      case IO_READLINK: {
        const out = this.readOut;
        out.put(0, 0);
        r = h.readlink(path, len, out);
        if (r < 0) break;
        const n = min(r, min(out.n, len));
        sys_reply(rcvid, n, 0, 0, <i32>out.ptr, n);
        return;
      }
      case IO_PSTAT: {
        const st = new Stat();
        r = h.pstatAt(path, st, offset);
        if (r < 0) break;
        this.replyStat(rcvid, st, len);
        return;
      }
      default:
        r = -ENOTSUP;
    }
    if (r < 0) sys_reply_error(rcvid, -r);
    else this.answer(rcvid, 0, 0, 0);
  }
}
