// ppsclient: the clients of the PPS example system (systems/pps.json).
//
//   ppsclient publish OBJ N       sets count::1..N on OBJ (creating it), mode::run first, then
//                                 removes mode and sets done::yes; 1 ms between updates
//   ppsclient subscribe OBJ N     opens OBJ?delta and prints N reads (each blocks until a change)
//   ppsclient notify OBJ N KEY    registers an endpoint as KEY in the name registry "ns", opens
//                                 OBJ?delta,notify=KEY, and after each pulse prints what changed
//   ppsclient read OBJ            prints the whole object
//   ppsclient ls DIR              prints the names in DIR
// Each read is printed on one line, its newlines shown as "|".
import {
  args, endpointCreate, errnoName, exit, handle, nameRegister, println, receive, sleep, word, O_CREATE, O_READ, O_WRITE,
} from "@wasmos/sdk";
import * as fs from "@wasmos/sdk/fs";

const argv = args();
const role = argv.length > 1 ? argv[1] : "";
const obj = argv.length > 2 ? argv[2] : "";
const n = argv.length > 3 ? I32.parseInt(argv[3]) : 1;
const me = argv[0];

function fail(what: string, errno: i32): void {
  println(me + ": " + what + ": " + errnoName(-errno));
  exit(1);
}

function show(f: fs.File): i32 {
  const buf = new Uint8Array(4096);
  const r = f.pread(buf, 0);
  if (r < 0) fail("read", r);
  println(me + ": " + String.UTF8.decodeUnsafe(buf.dataStart, r).replaceAll("\n", "|"));
  return r;
}

if (role == "publish") {
  const f = fs.open(obj, O_WRITE | O_CREATE);
  if (f.errno != 0) fail("open " + obj, -f.errno);
  for (let i = 1; i <= n; i++) {
    const r = f.writeString((i == 1 ? "mode::run\n" : "") + "count::" + i.toString() + "\n");
    if (r < 0) fail("write", r);
    sleep(1_000_000);
  }
  f.writeString("-mode\ndone::yes\n");
  f.close();
  println(me + ": published " + n.toString() + " updates");
} else if (role == "subscribe") {
  const f = fs.open(obj + "?delta", O_READ);
  if (f.errno != 0) fail("open " + obj, -f.errno);
  for (let i = 0; i < n; i++) show(f);
  f.close();
} else if (role == "notify") {
  const key = argv.length > 4 ? argv[4] : "sub";
  const ep = endpointCreate();
  const r = nameRegister(handle("ns"), key, ep);
  if (r < 0) fail("register", r);
  const f = fs.open(obj + "?delta,notify=" + key, O_READ);
  if (f.errno != 0) fail("open " + obj, -f.errno);
  show(f); // the whole object first
  for (let i = 0; i < n; i++) {
    const got = receive(ep);
    if (got != 0) fail("receive", got < 0 ? got : -22);
    println(me + ": pulse, change " + word(1).toString());
    show(f);
  }
  f.close();
} else if (role == "read") {
  const f = fs.open(obj, O_READ);
  if (f.errno != 0) fail("open " + obj, -f.errno);
  show(f);
  f.close();
} else if (role == "ls") {
  const es = fs.readdir(obj);
  let s = "";
  for (let i = 0; i < es.length; i++) s += (i > 0 ? " " : "") + es[i].name;
  println(me + ": " + s);
} else {
  println("usage: ppsclient publish|subscribe|notify|read|ls ...");
  exit(64);
}
