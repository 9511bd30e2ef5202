// Bound grants from AssemblyScript.
//
// A memory object the spawner passes under a name your module imports as a
// grant is bound to your instance: you load and store it directly, with no
// kernel call and no copy. AssemblyScript cannot name a second memory, so the
// SDK gives each grant a generated module of intrinsics:
//
//   import * as pcm from "@wasmos/sdk/grants/pcm";
//
//   const left = pcm.load_i16(i * 4);        // i32.load16_s on the grant
//   pcm.store_u32(0, 1);                     // i32.store on the grant
//   pcm.copy_out(dst, offset, len);          // memory.copy grant -> own memory
//   pcm.copy_in(offset, src, len);           // memory.copy own memory -> grant
//   pcm.fill(offset, 0, len);                // memory.fill on the grant
//   pcm.byte_length();                       // the grant's size in bytes (whole pages)
//
// with load_/store_ for i8 u8 i16 u16 i32 u32 i64 u64 f32 f64, and v128
// (16 bytes: a guest compiled with asc's --enable simd). Offsets are
// bytes into the grant; an access past its end traps like any wasm access.
// The build (build/grants.ts) turns each call into that single instruction on
// the imported memory (import "grant" "pcm"): the shipped module imports only
// syscalls and grant memories.
//
// Read-only grants: if the spawner passes the object without WRITE, the
// kernel refuses the spawn unless your module never writes the grant (no
// store_*, copy_in or fill on it anywhere in the module).
//
// SDK code that works over any grant takes the generated `Memory` class as a
// type argument: `new Ring<pcm.Memory>(handle("pcm"), 0)` (./ring.ts).
//
// The startup handle under the grant's name (handle(pcm.NAME)) names the same
// memory object: use it for futexWait/futexWake and to map windows.

/** Where a grant's intrinsics come from: `@wasmos/sdk/grants/<name>`. */
export const GRANTS_PATH = "@wasmos/sdk/grants/";
