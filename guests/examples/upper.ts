// upper: standard input to standard output, upper-cased (ASCII), through
// /dev/stdin and /dev/stdout (devfs). Reads block until input arrives; a read
// of 0 bytes is the end of input.
//
//   echo hello | wasmos run guests/examples/upper.ts      # HELLO

import { stdin, stdout, stderr } from "@wasmos/sdk/fs";
import { exit } from "@wasmos/sdk";

const buf = new Uint8Array(4096);
const input = stdin();
const output = stdout();
if (input.errno != 0 || output.errno != 0) {
  stderr().writeString("upper: no standard input or output (errno " + input.errno.toString() + "/" + output.errno.toString() + ")\n");
  exit(1);
}
for (;;) {
  const n = input.read(buf);
  if (n < 0) {
    stderr().writeString("upper: read failed: errno " + (-n).toString() + "\n");
    exit(1);
  }
  if (n == 0) break;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c >= 0x61 && c <= 0x7a) buf[i] = c - 32;
  }
  output.write(buf.subarray(0, n));
}
