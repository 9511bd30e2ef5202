// AssemblyScript's runtime hooks routed through the wasmos ABI, so a guest
// imports nothing but syscalls. asconfig.json points asc at these with
// `--use abort=~lib/@wasmos/sdk/runtime/wasmos_abort` (likewise trace, seed).

import { sys_console_write, sys_panic, sys_random_get } from "./bindings/abi";

/** abort(): end the process with reason PANIC and "message at file:line:col". */
export function wasmos_abort(
  message: string | null = null,
  fileName: string | null = null,
  lineNumber: u32 = 0,
  columnNumber: u32 = 0,
): void {
  let text = message !== null ? message : "abort";
  if (fileName !== null) text += " at " + fileName + ":" + lineNumber.toString() + ":" + columnNumber.toString();
  const bytes = String.UTF8.encode(text);
  sys_panic(changetype<i32>(bytes), bytes.byteLength);
  unreachable();
}

/** trace(): one line on the console, with up to five numbers. */
export function wasmos_trace(
  message: string,
  n: i32 = 0,
  a0: f64 = 0,
  a1: f64 = 0,
  a2: f64 = 0,
  a3: f64 = 0,
  a4: f64 = 0,
): void {
  let line = "trace: " + message;
  if (n > 0) line += " " + a0.toString();
  if (n > 1) line += ", " + a1.toString();
  if (n > 2) line += ", " + a2.toString();
  if (n > 3) line += ", " + a3.toString();
  if (n > 4) line += ", " + a4.toString();
  line += "\n";
  const bytes = String.UTF8.encode(line);
  sys_console_write(changetype<i32>(bytes), bytes.byteLength);
}

/** Math.random's seed: from the kernel's (seeded, reproducible) generator. */
export function wasmos_seed(): f64 {
  const buf = new ArrayBuffer(8);
  sys_random_get(changetype<i32>(buf), 8);
  return reinterpret<f64>(load<u64>(changetype<usize>(buf)) & 0x000fffffffffffff | 0x3ff0000000000000);
}
