// ps: print the process table, as QNX's pidin does (wasmos ps / top run it).
//
//   ps              the table: /proc/ps when given a namespace ("root", with procfs at /proc),
//                   else straight from the KINFO handle "kinfo" (proc_next)
//   ps <pid>        one process's status: /proc/<pid>, or from "kinfo"
import { args, errnoName, exit, handle, print, println, ENOENT } from "@wasmos/sdk";
import * as fs from "@wasmos/sdk/fs";
import { procErrno, procList, procNext, procStatus, procTable } from "@wasmos/sdk/proc";

const argv = args();
const pid = argv.length > 1 ? argv[1] : "";

if (handle("root") > 0) {
  const path = "/proc/" + (pid == "" ? "ps" : pid);
  const data = fs.readFile(path);
  if (data === null) {
    println("ps: " + (fs.lastErrno == ENOENT ? "no process " + pid : path + ": " + errnoName(fs.lastErrno)));
    exit(1);
  }
  print(String.UTF8.decode(data!.buffer));
} else {
  const kinfo = handle("kinfo");
  if (kinfo < 0) {
    println("ps: needs a namespace with /proc (root) or the process table (kinfo): " + errnoName(kinfo));
    exit(2);
  }
  if (pid != "") {
    const n = I32.parseInt(pid);
    const r = procNext(kinfo, <u32>(n - 1));
    if (r === null || <i32>r.pid != n) {
      println("ps: no process " + pid);
      exit(1);
    }
    print(procStatus(r!));
  } else {
    const all = procList(kinfo);
    if (procErrno != 0) {
      println("ps: " + errnoName(-procErrno));
      exit(1);
    }
    print(procTable(all));
  }
}
