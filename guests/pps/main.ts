// pps: QNX's persistent publish/subscribe, as a resource manager.
//
// Objects are files of "attribute::value" lines under the mount ("/pps" in a
// system). A publisher opens an object for writing (O_CREATE makes it) and
// writes lines: "attr::value" sets an attribute (an encoding between the
// colons, "attr:enc:value", is kept), "-attr" deletes it, "@name" lines are
// ignored. Only attributes whose value changes count as changes.
//
// Reading an object gives "@name" and then every attribute, in the order
// they were first set. A subscriber opens "name?delta": its first read gives
// the whole object, each later read only what changed since its previous
// read ("-attr" for a deletion), and blocks while nothing has. With
// "name?delta,notify=KEY" it is told of each change by a pulse (code
// PPS_PULSE, value: the object's change count) on the endpoint registered as
// KEY in the name registry "ns" both were given, and its reads never block
// (0 bytes: nothing new).
//
// Persistence: every change writes the object's text to the same path under
// the DIR handle "persist" (a directory of a file-system server: tmpfs,
// hostfs); at start every object found there is loaded. So objects outlive a
// restart of this server (not of the file system behind it, unless that
// one persists too).
//
//   handles: "root" (DIR with MOUNT, where to serve), "persist" (DIR, READ|WRITE|CREATE),
//            "ns" (optional: a name registry with LOOKUP, for notify=)
//   args:    [mount path, default "/"]
import { args, close, errnoName, exit, handle, nameLookup, println, pulse } from "@wasmos/sdk";
import { DEFER, DirOut, Handler, Ocb, Pending, ReadOut, Server, Stat, WriteIn } from "@wasmos/sdk/resmgr";
import * as fs from "@wasmos/sdk/fs";
import {
  EINVAL, EISDIR, ENOENT, ENOTDIR, EEXIST, FILE_TYPE_DIR, FILE_TYPE_REG, O_CREATE, O_DIRECTORY, O_EXCL, O_WRITE,
} from "@wasmos/sdk";

/** Pulse code of a change notification. */
const PPS_PULSE: i32 = 0x505053; // "PPS"
const MAX_OBJECT_BYTES: i32 = 65536;

class Attr {
  constructor(public name: string, public enc: string, public value: string) {}
  line(): string {
    return this.name + ":" + this.enc + ":" + this.value + "\n";
  }
}

class PpsObject {
  attrs: Map<string, Attr> = new Map();
  order: string[] = [];
  changes: i64 = 0;
  subscribers: PpsOcb[] = [];
  constructor(public path: string) {}

  base(): string {
    const i = this.path.lastIndexOf("/");
    return i < 0 ? this.path : this.path.substring(i + 1);
  }

  text(): string {
    let s = "@" + this.base() + "\n";
    for (let i = 0; i < this.order.length; i++) s += this.attrs.get(this.order[i]).line();
    return s;
  }

  /** Set or delete; true when something changed. */
  set(name: string, enc: string, value: string): bool {
    if (this.attrs.has(name)) {
      const a = this.attrs.get(name);
      if (a.value == value && a.enc == enc) return false;
      a.value = value;
      a.enc = enc;
      return true;
    }
    this.attrs.set(name, new Attr(name, enc, value));
    this.order.push(name);
    return true;
  }

  remove(name: string): bool {
    if (!this.attrs.has(name)) return false;
    this.attrs.delete(name);
    const i = this.order.indexOf(name);
    if (i >= 0) this.order.splice(i, 1);
    return true;
  }
}

class PpsOcb extends Ocb {
  obj: PpsObject | null = null;
  dir: string = "";
  isDir: bool = false;
  delta: bool = false;
  /** A delta subscriber's first read is the whole object. */
  primed: bool = false;
  /** Changed attribute names since the last read (a deletion is kept as the name with no Attr left). */
  pending: string[] = [];
  /** Endpoint to pulse on a change (notify=), or 0. */
  notify: i32 = 0;
  /** A blocked delta read, answered at the next change. */
  waiting: Pending | null = null;
  /** The text a plain read is serving (taken at offset 0). */
  snapshot: Uint8Array = new Uint8Array(0);
}

const objects = new Map<string, PpsObject>();
const dirs = new Set<string>();
dirs.add("");

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.substring(0, i);
}

function clean(path: string): string {
  const parts = path.split("/");
  const out = new Array<string>();
  for (let i = 0; i < parts.length; i++) if (parts[i] != "" && parts[i] != ".") out.push(parts[i]);
  return out.join("/");
}

let persistDir: i32 = -1;

/** Write the object's text where it persists (best effort: a failure is reported once per object and kept in memory). */
function persist(o: PpsObject): void {
  if (persistDir < 0) return;
  const parent = parentOf(o.path);
  if (parent != "") fs.mkdir(parent, persistDir); // EEXIST is fine
  const r = fs.writeFile(o.path, Uint8Array.wrap(String.UTF8.encode(o.text())), persistDir);
  if (r < 0) println("pps: cannot persist " + o.path + ": " + errnoName(r));
}

/** Apply "attr::value" / "-attr" lines; returns the names that changed. */
function apply(o: PpsObject, text: string): string[] {
  const changed = new Array<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.length == 0 || l.charAt(0) == "@") continue;
    if (l.charAt(0) == "-") {
      const name = l.substring(1);
      if (o.remove(name)) changed.push(name);
      continue;
    }
    const c1 = l.indexOf(":");
    if (c1 <= 0) continue;
    const c2 = l.indexOf(":", c1 + 1);
    if (c2 < 0) continue;
    if (o.set(l.substring(0, c1), l.substring(c1 + 1, c2), l.substring(c2 + 1))) changed.push(l.substring(0, c1));
  }
  return changed;
}

function deltaText(o: PpsObject, ocb: PpsOcb): string {
  let s = "@" + o.base() + "\n";
  for (let i = 0; i < ocb.pending.length; i++) {
    const name = ocb.pending[i];
    s += o.attrs.has(name) ? o.attrs.get(name).line() : "-" + name + "\n";
  }
  ocb.pending = [];
  return s;
}

class Pps extends Handler {
  open(path: string, flags: i32): Ocb | null {
    let name = path;
    let options = "";
    const q = path.indexOf("?");
    if (q >= 0) {
      name = path.substring(0, q);
      options = path.substring(q + 1);
    }
    name = clean(name);
    const ocb = new PpsOcb();
    const opts = options.split(",");
    for (let i = 0; i < opts.length; i++) {
      const o = opts[i];
      if (o == "") continue;
      if (o == "delta") ocb.delta = true;
      else if (o.startsWith("notify=")) {
        const ns = handle("ns");
        if (ns < 0) return this.fail(EINVAL);
        const ep = nameLookup(ns, o.substring(7));
        if (ep < 0) return this.fail(-ep);
        ocb.notify = ep;
      } else return this.fail(EINVAL);
    }
    if (dirs.has(name)) {
      if (flags & O_WRITE) return this.fail(EISDIR);
      ocb.isDir = true;
      ocb.dir = name;
      return ocb;
    }
    if (flags & O_DIRECTORY) return this.fail(objects.has(name) ? ENOTDIR : ENOENT);
    if (!objects.has(name)) {
      if (!(flags & O_CREATE)) return this.fail(ENOENT);
      if (!dirs.has(parentOf(name))) return this.fail(ENOENT);
      objects.set(name, new PpsObject(name));
      persist(objects.get(name));
    } else if (flags & O_EXCL && flags & O_CREATE) return this.fail(EEXIST);
    const obj = objects.get(name);
    ocb.obj = obj;
    if (ocb.delta) obj.subscribers.push(ocb);
    return ocb;
  }

  read(ocb: Ocb, offset: i64, len: i32, out: ReadOut): i32 {
    const o = <PpsOcb>ocb;
    if (o.isDir) return -EISDIR;
    const obj = o.obj!;
    if (!o.delta) {
      if (offset == 0) o.snapshot = Uint8Array.wrap(String.UTF8.encode(obj.text()));
      return out.bytes(o.snapshot, offset, len);
    }
    if (!o.primed) {
      o.primed = true;
      o.pending = [];
      return out.text(obj.text(), 0, len);
    }
    if (o.pending.length > 0) return out.text(deltaText(obj, o), 0, len);
    if (o.notify != 0) return out.put(0, 0); // told by pulse: nothing new now
    o.waiting = this.server!.defer();
    return DEFER;
  }

  write(ocb: Ocb, offset: i64, data: WriteIn): i32 {
    const o = <PpsOcb>ocb;
    if (o.isDir) return -EISDIR;
    const n = min(data.len, MAX_OBJECT_BYTES);
    const buf = new Uint8Array(n);
    data.copyTo(buf.dataStart, 0, n);
    const obj = o.obj!;
    const changed = apply(obj, String.UTF8.decode(buf.buffer));
    if (changed.length > 0) {
      obj.changes++;
      persist(obj);
      for (let i = 0; i < obj.subscribers.length; i++) {
        const s = obj.subscribers[i];
        if (!s.primed) continue;
        for (let j = 0; j < changed.length; j++) if (!s.pending.includes(changed[j])) s.pending.push(changed[j]);
        if (s.waiting !== null) {
          const w = s.waiting!;
          s.waiting = null;
          const text = Uint8Array.wrap(String.UTF8.encode(deltaText(obj, s)));
          this.server!.replyRead(w, text.dataStart, text.length);
        }
        if (s.notify != 0) pulse(s.notify, PPS_PULSE, obj.changes);
      }
    }
    return n;
  }

  stat(ocb: Ocb, st: Stat): i32 {
    const o = <PpsOcb>ocb;
    return o.isDir ? this.pstat(o.dir, st) : this.pstat(o.obj!.path, st);
  }

  pstat(path: string, st: Stat): i32 {
    const name = clean(path);
    if (dirs.has(name)) {
      st.type = FILE_TYPE_DIR;
      return 0;
    }
    if (!objects.has(name)) return -ENOENT;
    st.type = FILE_TYPE_REG;
    st.size = <u64>String.UTF8.byteLength(objects.get(name).text());
    return 0;
  }

  readdir(ocb: Ocb, cookie: i64, out: DirOut): i32 {
    const o = <PpsOcb>ocb;
    if (!o.isDir) return -ENOTDIR;
    const names = new Array<string>();
    const types = new Array<u32>();
    const prefix = o.dir == "" ? "" : o.dir + "/";
    const ds = dirs.values();
    for (let i = 0; i < ds.length; i++) {
      const d = ds[i];
      if (d != "" && parentOf(d) == o.dir) {
        names.push(d.substring(prefix.length));
        types.push(FILE_TYPE_DIR);
      }
    }
    const ks = objects.keys();
    for (let i = 0; i < ks.length; i++) {
      if (parentOf(ks[i]) == o.dir) {
        names.push(ks[i].substring(prefix.length));
        types.push(FILE_TYPE_REG);
      }
    }
    for (let i = <i32>cookie; i < names.length; i++) if (!out.add(<u64>(i + 1), <i64>(i + 1), types[i], names[i])) break;
    return out.used;
  }

  mkdir(path: string, flags: i64): i32 {
    const name = clean(path);
    if (dirs.has(name) || objects.has(name)) return -EEXIST;
    if (!dirs.has(parentOf(name))) return -ENOENT;
    dirs.add(name);
    if (persistDir >= 0) fs.mkdir(name, persistDir);
    return 0;
  }

  unlink(path: string): i32 {
    const name = clean(path);
    if (!objects.has(name)) return dirs.has(name) ? -EISDIR : -ENOENT;
    objects.delete(name);
    if (persistDir >= 0) fs.unlink(name, persistDir);
    return 0;
  }

  closed(ocb: Ocb): void {
    const o = <PpsOcb>ocb;
    if (o.obj !== null && o.delta) {
      const subs = o.obj!.subscribers;
      const i = subs.indexOf(o);
      if (i >= 0) subs.splice(i, 1);
    }
    if (o.notify != 0) close(o.notify);
    o.notify = 0;
    o.waiting = null;
  }
}

/** Load every object under the persistence directory (recursively). */
function load(dir: string): void {
  const entries = fs.readdir(dir == "" ? "/" : dir, persistDir);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const path = dir == "" ? e.name : dir + "/" + e.name;
    if (e.type == <u32>FILE_TYPE_DIR) {
      dirs.add(path);
      load(path);
      continue;
    }
    const data = fs.readFile(path, persistDir);
    if (data === null) continue;
    const o = new PpsObject(path);
    apply(o, String.UTF8.decode(data!.buffer));
    objects.set(path, o);
  }
}

const root = handle("root");
if (root < 0 && handle("endpoint") < 0) {
  println("pps: needs a handle endpoint, or a DIR handle root: " + errnoName(root));
  exit(2);
}
persistDir = handle("persist");
if (persistDir >= 0) load("");
const argv = args();
const srv = new Server(new Pps());
// Serve the endpoint the host mounted for us (a boot manifest's "mounts"), or mount one of our own.
const given = handle("endpoint");
if (given > 0) srv.endpoint = given;
const m = given > 0 ? 0 : srv.mount(root, argv.length > 1 ? argv[1] : "/");
if (m < 0) {
  println("pps: cannot mount: " + errnoName(m));
  exit(1);
}
println("pps: serving " + objects.size.toString() + " objects");
srv.run();
