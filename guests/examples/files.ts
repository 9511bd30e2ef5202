// files: list a directory (argument 1, default /data), print each regular
// file's size and first line, copy it into /tmp, and list /tmp to show the
// copies, all on /dev/stdout (devfs). The web page runs it over the files the user dropped (served at
// /data); `wasmos run --dir DIR::/data guests/examples/files.ts` does the same
// over a host directory.

import { args } from "@wasmos/sdk";
import { lastErrno, readdir, readFile, stat, stdout, writeFile } from "@wasmos/sdk/fs";

const out = stdout();
function println(s: string): void {
  out.writeString(s + "\n");
}

const a = args();
const dir = a.length > 1 ? a[1] : "/data";
const FILE_TYPE_REG: u32 = 1;

const entries = readdir(dir);
if (lastErrno != 0) {
  println("files: cannot list " + dir + ": errno " + lastErrno.toString());
} else {
  println(dir + ": " + entries.length.toString() + " entries");
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const path = dir + "/" + e.name;
    if (e.type != FILE_TYPE_REG) {
      println("  " + e.name + "/");
      continue;
    }
    const bytes = readFile(path);
    if (bytes == null) {
      println("  " + e.name + ": cannot read: errno " + lastErrno.toString());
      continue;
    }
    let end = 0;
    while (end < bytes.length && end < 80 && bytes[end] != 10) end++;
    println("  " + e.name + " (" + bytes.length.toString() + " bytes): " + String.UTF8.decodeUnsafe(bytes.dataStart, end));
    const w = writeFile("/tmp/" + e.name, bytes);
    if (w < 0) println("  cannot write /tmp/" + e.name + ": errno " + (-w).toString());
  }
  const copies = readdir("/tmp");
  println("/tmp: " + copies.length.toString() + " entries");
  for (let i = 0; i < copies.length; i++) {
    const s = stat("/tmp/" + copies[i].name);
    println("  " + copies[i].name + " (" + s.size.toString() + " bytes)");
  }
}
