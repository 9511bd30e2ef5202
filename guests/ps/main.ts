// ps: print the process table, as QNX's pidin does (wasmos ps / top run it).
//
//   ps              the table from the KINFO handle "kinfo" (proc_next)
//   ps <pid>        one process's /proc status text
import { args, errnoName, exit, handle, print, println } from "@wasmos/sdk";
import { procErrno, procList, procNext, procStatus, procTable } from "@wasmos/sdk/proc";

const kinfo = handle("kinfo");
if (kinfo < 0) {
  println("ps: no kinfo handle: " + errnoName(kinfo));
  exit(2);
}
const argv = args();
if (argv.length > 1) {
  const pid = I32.parseInt(argv[1]);
  const r = procNext(kinfo, <u32>(pid - 1));
  if (r === null || <i32>r.pid != pid) {
    println("ps: no process " + argv[1]);
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
