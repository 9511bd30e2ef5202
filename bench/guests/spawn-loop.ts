// spawn_us: spawn a child from an image handle ("child"), wait for it to
// exit, close its handle; repeat.
//   spawn-loop <batch> <batches>
// Raw syscalls with buffers prepared once, so the loop pays only the kernel.

import { handle, sys_handle_close, sys_spawn, sys_wait, DEADLINE_INFINITE, EXIT_INFO_SIZE } from "@wasmos/sdk";
import { fail, intArg, runBatches } from "./lib/marks";

const child = handle("child");
if (child < 0) fail("handle_get child", child, 1);
const childArgs = String.UTF8.encode("nop", true); // NUL-terminated
const info = new ArrayBuffer(EXIT_INFO_SIZE);

function lives(n: i32): void {
  for (let i = 0; i < n; i++) {
    const h = sys_spawn(child, changetype<i32>(childArgs), childArgs.byteLength, 0, 0);
    if (h < 0) fail("spawn", h, 2);
    const r = sys_wait(h, changetype<i32>(info), DEADLINE_INFINITE);
    if (r < 0) fail("wait", r, 3);
    sys_handle_close(h);
  }
}

runBatches(intArg(2), intArg(1), lives);
