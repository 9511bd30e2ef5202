// devfs: devices as files, served as a resource manager.
//
//   spawned with "endpoint" (an endpoint the spawner mounted, usually at
//   /dev) or "root" (a DIR handle with MOUNT: devfs mounts itself at argument
//   1, default "/", relative to root's scope), and optionally "console" (a
//   console device with READ: standard input and /dev/console), "stdout" and
//   "stderr" (console devices with WRITE).
//
//   /dev/stdin, /dev/console  reads block until input arrives; 0 once it has ended
//   /dev/stdout, /dev/console writes go to the "stdout" console; /dev/stderr to "stderr"
//   /dev/null                 reads end at once, writes vanish
//   /dev/zero                 reads zeros
//   /dev/random               reads the kernel's random bytes (seeded: deterministic runs stay so)
//
// A read of standard input with nothing buffered is not answered until input
// arrives (the device's IRQ_CONSOLE_RX pulse) or ends (IRQ_CONSOLE_EOF): the
// reader stays blocked in the kernel, no one polls.

import {
  args, consoleRx, consoleTx, deviceAttach, exit, handle, irqKind, println, randomBytes,
  EAGAIN, EINVAL, ENOENT, ENOTDIR, ENOTSUP, FILE_TYPE_DEV, FILE_TYPE_DIR, IRQ_CONSOLE_EOF, IRQ_CONSOLE_RX, O_WRITE, O_READ,
} from "@wasmos/sdk";
import { DEFER, DirOut, Handler, Ocb, Pending, ReadOut, Server, Stat, WriteIn } from "@wasmos/sdk/resmgr";

const DIR = 0;
const STDIN = 1;
const STDOUT = 2;
const STDERR = 3;
const CONSOLE = 4;
const NULL = 5;
const ZERO = 6;
const RANDOM = 7;
const NAMES: string[] = ["", "stdin", "stdout", "stderr", "console", "null", "zero", "random"];
const CHUNK = 65536;

class DevOcb extends Ocb {
  constructor(public dev: i32) {
    super();
  }
}

class Devfs extends Handler {
  input: i32 = handle("console");
  output: i32 = handle("stdout");
  errors: i32 = handle("stderr");
  ended: bool = false;
  waiting: Pending[] = [];
  scratch: Uint8Array = new Uint8Array(CHUNK);
  zeros: Uint8Array = new Uint8Array(CHUNK);

  open(path: string, flags: i32): Ocb | null {
    const i = NAMES.indexOf(path);
    if (i < 0) return this.fail(path.includes("/") ? ENOTDIR : ENOENT);
    return new DevOcb(i);
  }

  read(ocb: Ocb, offset: i64, len: i32, out: ReadOut): i32 {
    const dev = (<DevOcb>ocb).dev;
    const n = min(len, CHUNK);
    switch (dev) {
      case STDIN:
      case CONSOLE: {
        if (this.input <= 0) return 0; // no input device: at its end
        const r = consoleRx(this.input, this.scratch.subarray(0, max(n, 1)));
        if (r == -EAGAIN) {
          this.waiting.push(this.server!.defer());
          return DEFER;
        }
        if (r < 0) return r;
        return out.put(this.scratch.dataStart, r);
      }
      case NULL:
        return 0;
      case ZERO:
        return out.put(this.zeros.dataStart, n);
      case RANDOM: {
        const b = randomBytes(n);
        return out.bytes(b, 0, n);
      }
      default:
        return -EINVAL;
    }
  }

  write(ocb: Ocb, offset: i64, data: WriteIn): i32 {
    const dev = (<DevOcb>ocb).dev;
    let to = 0;
    if (dev == STDOUT || dev == CONSOLE) to = this.output;
    else if (dev == STDERR) to = this.errors;
    else if (dev == NULL || dev == ZERO || dev == RANDOM) return data.len;
    else return -ENOTSUP;
    if (to <= 0) return data.len; // no such console: like /dev/null
    let done = 0;
    while (done < data.len) {
      const n = min(data.len - done, CHUNK);
      data.copyTo(this.scratch.dataStart, done, n);
      const r = consoleTx(to, this.scratch.subarray(0, n));
      if (r < 0) return done > 0 ? done : r;
      done += n;
    }
    return done;
  }

  stat(ocb: Ocb, st: Stat): i32 {
    return this.describe((<DevOcb>ocb).dev, st);
  }

  describe(dev: i32, st: Stat): i32 {
    st.type = dev == DIR ? FILE_TYPE_DIR : FILE_TYPE_DEV;
    st.ino = <u64>(dev + 1);
    st.nlink = 1;
    st.size = dev == DIR ? <u64>(NAMES.length - 1) : 0;
    return 0;
  }

  pstat(path: string, st: Stat): i32 {
    const i = NAMES.indexOf(path);
    if (i < 0) return -ENOENT;
    return this.describe(i, st);
  }

  readdir(ocb: Ocb, cookie: i64, out: DirOut): i32 {
    if ((<DevOcb>ocb).dev != DIR) return -ENOTDIR;
    for (let i = <i32>cookie + 1; i < NAMES.length; i++) {
      if (!out.add(<u64>(i + 1), <i64>i, FILE_TYPE_DEV, NAMES[i])) break;
    }
    return 0;
  }

  /** Input arrived or ended: answer the readers waiting for it, oldest first. */
  pulse(code: i32, value: i64): void {
    const kind = irqKind();
    if (kind == IRQ_CONSOLE_EOF) this.ended = true;
    else if (kind != IRQ_CONSOLE_RX) return;
    const srv = this.server!;
    while (this.waiting.length > 0) {
      const p = this.waiting[0];
      const r = consoleRx(this.input, this.scratch.subarray(0, max(min(p.len, CHUNK), 1)));
      if (r == -EAGAIN) return; // nothing (left) to give yet
      this.waiting.shift();
      if (r < 0) srv.replyStatus(p, r);
      else srv.replyRead(p, this.scratch.dataStart, r);
    }
  }
}

const a = args();
const devfs = new Devfs();
const srv = new Server(devfs);
// Serve the endpoint the spawner mounted for us, or mount one of our own.
const given = handle("endpoint");
if (given > 0) srv.endpoint = given;
const r = given > 0 ? 0 : srv.mount(handle("root"), a.length > 1 ? a[1] : "/");
if (r < 0) {
  println("devfs: cannot mount: " + r.toString());
  exit(1);
}
if (devfs.input > 0) deviceAttach(devfs.input, srv.endpoint, 1);
srv.run();
