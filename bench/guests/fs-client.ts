// file_read_mb_per_s, open_close_us, stat_us: a client of tmpfs in the
// default system (cli/system.ts: "root" and the "io" grant it shares with tmpfs).
//   fs-client <batch> <batches> memcpy   1 MiB copied in 64 KiB memory.copy calls (the baseline, same process)
//   fs-client <batch> <batches> grant    1 MiB of /tmp/big read in 64 KiB reads, grant form (the bytes stay in the grant)
//   fs-client <batch> <batches> buffer   the same, buffer form (the kernel copies each read into the client's buffer)
//   fs-client <batch> <batches> regs     64 KiB read in 16-byte reads, registers form
//   fs-client <batch> <batches> open-close   open /tmp/big for reading, close it
//   fs-client <batch> <batches> open-close-ep  open /svc (an endpoint mounted with MOUNT_ENDPOINT: no server), close it
//   fs-client <batch> <batches> stat         stat /tmp/big by path

import { handle, IO_READ } from "@wasmos/sdk";
import * as io from "@wasmos/sdk/grants/io";
import { File, IO_FORM_BUFFER, IO_FORM_GRANT, IO_FORM_REGS, O_CREATE, O_READ, O_TRUNC, O_WRITE, open, stat, useGrant } from "@wasmos/sdk/fs";
import { fail, intArg, runBatches, strArg } from "./lib/marks";

const MIB = 1 << 20;
const CHUNK = 65536;
let file: File = new File(0);
const src = new Uint8Array(MIB);
const dst = new Uint8Array(MIB);

function memcpys(n: i32): void {
  for (let i = 0; i < n; i++) {
    for (let off = 0; off < MIB; off += CHUNK) memory.copy(dst.dataStart + <usize>off, src.dataStart + <usize>off, CHUNK);
  }
}

function grantReads(n: i32): void {
  for (let i = 0; i < n; i++) {
    for (let off = 0; off < MIB; off += CHUNK) {
      const r = file.transfer(IO_READ, IO_FORM_GRANT, 0, CHUNK, off);
      if (r != CHUNK) fail("io_call read (grant)", r, 4);
    }
  }
}

function bufferReads(n: i32): void {
  for (let i = 0; i < n; i++) {
    for (let off = 0; off < MIB; off += CHUNK) {
      const r = file.transfer(IO_READ, IO_FORM_BUFFER, dst.dataStart + <usize>off, CHUNK, off);
      if (r != CHUNK) fail("io_call read (buffer)", r, 4);
    }
  }
}

function regsReads(n: i32): void {
  for (let i = 0; i < n; i++) {
    for (let off = 0; off < CHUNK; off += 16) {
      const r = file.transfer(IO_READ, IO_FORM_REGS, dst.dataStart + <usize>off, 16, off);
      if (r != 16) fail("io_call read (registers)", r, 4);
    }
  }
}

function openCloses(n: i32): void {
  for (let i = 0; i < n; i++) {
    const f = open("/tmp/big", O_READ);
    if (f.errno != 0) fail("ns_open", -f.errno, 4);
    f.close();
  }
}

function openClosesEndpoint(n: i32): void {
  for (let i = 0; i < n; i++) {
    const f = open("/svc", O_READ);
    if (f.errno != 0) fail("ns_open /svc", -f.errno, 4);
    f.close();
  }
}

function stats(n: i32): void {
  for (let i = 0; i < n; i++) {
    const s = stat("/tmp/big");
    if (s.errno != 0) fail("ns_call stat", -s.errno, 4);
  }
}

const batch = intArg(1);
const batches = intArg(2);
const mode = strArg(3);
useGrant(
  handle(io.NAME),
  <i32>io.byte_length(),
  (g: u32, p: usize, n: u32): void => io.copy_in(g, p, n),
  (g: u32, p: usize, n: u32): void => io.copy_out(p, g, n),
);
for (let i = 0; i < MIB; i++) src[i] = <u8>(i * 7);
file = open("/tmp/big", O_READ | O_WRITE | O_CREATE | O_TRUNC);
if (file.errno != 0) fail("ns_open /tmp/big", -file.errno, 2);
const w = file.pwrite(src, 0);
if (w != MIB) fail("write /tmp/big", w, 3);

if (mode == "memcpy") runBatches(batches, batch, memcpys);
else if (mode == "grant") runBatches(batches, batch, grantReads);
else if (mode == "buffer") runBatches(batches, batch, bufferReads);
else if (mode == "regs") runBatches(batches, batch, regsReads);
else if (mode == "open-close") runBatches(batches, batch, openCloses);
else if (mode == "open-close-ep") runBatches(batches, batch, openClosesEndpoint);
else runBatches(batches, batch, stats);
