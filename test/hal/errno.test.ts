// Every errno each device syscall documents, produced through the real ABI,
// and checked against the definition: a syscall whose documented list and
// demonstrated list differ fails here.
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, Limits, Rights, SYSCALL_BY_NAME, type SyscallName } from "../../abi/gen/abi.ts";
import { AudioOutDevice } from "../../hal/audio/audio-out.ts";
import { NullSink } from "../../hal/audio/sink.ts";
import { ConsoleDevice, MemoryConsole } from "../../hal/console.ts";
import { FramebufferDevice } from "../../hal/framebuffer/framebuffer.ts";
import { RngDevice } from "../../hal/rng.ts";
import { TimerDevice } from "../../hal/timer.ts";
import { DEVICE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import type { KernelObject } from "../../kernel/object.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

const E = (name: keyof typeof Errno) => -Errno[name];
const ERRNO_BY_VALUE = Object.fromEntries(Object.entries(Errno).map(([n, v]) => [v, n]));

/** Startup handles every guest here gets, by name. */
const NAMES = [
  "timer",
  "con",
  "audio",
  "fb",
  "fbplain",
  "rng",
  "dead_timer",
  "dead_con",
  "dead_audio",
  "dead_fb",
  "dead_rng",
  "closed_ep",
  "mem",
  "revoked_mem",
] as const;
type HandleName = (typeof NAMES)[number];
const DATA = NAMES.map((n, i) => `(data (i32.const ${i * 16}) "${n}")`).join("\n");
/** WAT: the startup handle `name`. */
const H = (name: HandleName) => `(call $handle_get (i32.const ${NAMES.indexOf(name) * 16}) (i32.const ${name.length}))`;
/** WAT: a handle to `name` with only `rights`. */
const DUP = (name: HandleName, rights: number) => `(call $handle_dup ${H(name)} (i32.const ${rights}))`;
/** WAT: set $s to a closed (stale) handle. */
const STALE = `(local.set $s (call $handle_dup ${H("timer")} (i32.const 0))) (drop (call $handle_close (local.get $s)))`;
const FORGED = "(i32.const 12345)";
const W = 8;
const H_PX = 4;

/** Run `body` as one guest holding every handle of NAMES; its recorded results. Checks it ended normally and leaked nothing. */
async function run(body: string): Promise<number[]> {
  const k = new Kernel();
  const live = (m: { shutdown(): void }, dead: boolean) => (dead && m.shutdown(), m);
  const objects: Record<HandleName, KernelObject> = {
    timer: k.createDevice(new TimerDevice()),
    con: k.createDevice(new ConsoleDevice(new MemoryConsole())),
    audio: k.createDevice(new AudioOutDevice({ sink: new NullSink() })),
    fb: k.createFramebuffer({ width: W, height: H_PX }),
    fbplain: k.createDevice(new FramebufferDevice({ width: W, height: H_PX })),
    rng: k.createDevice(new RngDevice()),
    dead_timer: k.createDevice(live(new TimerDevice(), true) as TimerDevice),
    dead_con: k.createDevice(live(new ConsoleDevice(new MemoryConsole()), true) as ConsoleDevice),
    dead_audio: k.createDevice(live(new AudioOutDevice({ sink: new NullSink() }), true) as AudioOutDevice),
    dead_fb: k.createDevice(live(new FramebufferDevice({ width: W, height: H_PX }), true) as FramebufferDevice),
    dead_rng: k.createDevice(live(new RngDevice(), true) as RngDevice),
    closed_ep: k.createEndpoint(),
    mem: k.createMemory(3840),
    revoked_mem: k.createMemory(3840),
  };
  k.revokeMemory(objects.revoked_mem as never);
  const rights = (n: HandleName): number =>
    n === "closed_ep"
      ? Rights.SEND | Rights.DUPLICATE
      : n === "mem" || n === "revoked_mem"
        ? Rights.READ | Rights.DUPLICATE
        : DEVICE_GRANT_RIGHTS;
  const r = await runSystem(
    [
      {
        name: "g",
        handles: NAMES.map((n) => ({ name: n, object: objects[n], rights: rights(n) })),
        bytes: guest(`
      ${DATA}
      (func (export "_start") (local $s i32) (local $ep i32) (local $i i32) (local $h i32)
        ${body}
        (call $flush))`),
      },
    ],
    {},
    k,
    Object.values(objects),
  );
  expect(r.exit.g.reason, r.exit.g.message).toBe(ExitReason.NORMAL);
  closeAll(r);
  expect(k.core.objects.liveTotal()).toBe(0);
  return r.rec.g;
}

/** The errnos among results (negative values), as names. */
const errnos = (rec: number[]) => new Set(rec.filter((v) => v < 0).map((v) => ERRNO_BY_VALUE[-v]));
const documented = (name: SyscallName) => new Set(SYSCALL_BY_NAME[name].errors.map((v) => ERRNO_BY_VALUE[v]));
/** rec equals expected, and the errnos expected are exactly those the syscall documents (less `elsewhere`, shown in another test). */
function check(name: SyscallName, rec: number[], expected: number[], elsewhere: string[] = []): void {
  expect(rec).toEqual(expected);
  expect(new Set([...errnos(expected), ...elsewhere])).toEqual(documented(name));
}

describe("every documented errno of the device syscalls", () => {
  it("device_attach: EBADH, ESTALE, EWRONGTYPE (either handle), EACCES (either right), ECLOSED; attaches and detaches", async () => {
    const rec = await run(`
      (local.set $ep (call $endpoint_create))
      (call $rec (call $device_attach ${FORGED} (local.get $ep) (i32.const 0)))
      (call $rec (call $device_attach ${H("timer")} ${FORGED} (i32.const 0)))
      ${STALE}
      (call $rec (call $device_attach (local.get $s) (local.get $ep) (i32.const 0)))
      (call $rec (call $device_attach (local.get $ep) (local.get $ep) (i32.const 0)))
      (call $rec (call $device_attach ${H("timer")} ${H("rng")} (i32.const 0)))
      (call $rec (call $device_attach ${DUP("timer", Rights.READ | Rights.WRITE)} (local.get $ep) (i32.const 0)))
      (call $rec (call $device_attach ${H("timer")} (call $handle_dup (local.get $ep) (i32.const ${Rights.RECEIVE})) (i32.const 0)))
      (call $rec (call $device_attach ${H("timer")} ${H("closed_ep")} (i32.const 0)))
      (call $rec (call $device_attach ${H("timer")} (local.get $ep) (i32.const 9)))
      (call $rec (call $device_attach ${H("timer")} (local.get $ep) (i32.const 10)))
      (call $rec (call $device_attach ${H("timer")} (i32.const 0) (i32.const 0)))
      (call $rec (i32.wrap_i64 (call $device_info ${H("timer")} (i32.const ${Constants.DEVINFO_ATTACHED}))))`);
    check(
      "device_attach",
      rec,
      [E("EBADH"), E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EWRONGTYPE"), E("EACCES"), E("EACCES"), E("ECLOSED"), 0, 0, 0, 0],
      ["EBUSY"],
    );
  });

  it("device_info: EBADH, ESTALE, EWRONGTYPE, EINVAL (a key of another kind, or none)", async () => {
    const rec = await run(`
      ${STALE}
      (call $rec (i32.wrap_i64 (call $device_info ${FORGED} (i32.const 1))))
      (call $rec (i32.wrap_i64 (call $device_info (local.get $s) (i32.const 1))))
      (call $rec (i32.wrap_i64 (call $device_info ${H("closed_ep")} (i32.const 1))))
      (call $rec (i32.wrap_i64 (call $device_info ${H("timer")} (i32.const ${Constants.DEVINFO_FB_WIDTH}))))
      (call $rec (i32.wrap_i64 (call $device_info ${H("timer")} (i32.const 9999))))
      (call $rec (i32.wrap_i64 (call $device_info ${DUP("fb", 0)} (i32.const ${Constants.DEVINFO_FB_WIDTH}))))
      (call $rec (i32.wrap_i64 (call $device_info ${H("dead_timer")} (i32.const ${Constants.DEVINFO_FAILED}))))
      (call $rec (i32.wrap_i64 (call $device_info ${H("audio")} (i32.const ${Constants.DEVINFO_AUDIO_RATE}))))`);
    check("device_info", rec, [E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EINVAL"), E("EINVAL"), W, 1, 48000]);
  });

  it("timer_set: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL (negative deadline), EIO (shut down)", async () => {
    const rec = await run(`
      ${STALE}
      (call $rec (call $timer_set ${FORGED} (i64.const 1)))
      (call $rec (call $timer_set (local.get $s) (i64.const 1)))
      (call $rec (call $timer_set ${H("con")} (i64.const 1)))
      (call $rec (call $timer_set ${DUP("timer", Rights.READ | Rights.ATTACH)} (i64.const 1)))
      (call $rec (call $timer_set ${H("timer")} (i64.const -1)))
      (call $rec (call $timer_set ${H("dead_timer")} (i64.const 1)))
      (call $rec (call $timer_set ${H("timer")} (i64.const 0x7fffffffffffffff)))`);
    check("timer_set", rec, [E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EACCES"), E("EINVAL"), E("EIO"), 0]);
  });

  it("console_rx: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL (length), EFAULT, EAGAIN (nothing yet), EIO", async () => {
    const rec = await run(`
      ${STALE}
      (call $rec (call $console_rx ${FORGED} (i32.const 1024) (i32.const 8)))
      (call $rec (call $console_rx (local.get $s) (i32.const 1024) (i32.const 8)))
      (call $rec (call $console_rx ${H("timer")} (i32.const 1024) (i32.const 8)))
      (call $rec (call $console_rx ${DUP("con", Rights.WRITE)} (i32.const 1024) (i32.const 8)))
      (call $rec (call $console_rx ${H("con")} (i32.const 1024) (i32.const 0)))
      (call $rec (call $console_rx ${H("con")} (i32.const 1024) (i32.const ${Limits.MAX_IO_BYTES + 1})))
      (call $rec (call $console_rx ${H("con")} (i32.const 65530) (i32.const 8)))
      (call $rec (call $console_rx ${H("con")} (i32.const 1024) (i32.const 8)))
      (call $rec (call $console_rx ${H("dead_con")} (i32.const 1024) (i32.const 8)))`);
    check("console_rx", rec, [
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      E("EFAULT"),
      E("EAGAIN"),
      E("EIO"),
    ]);
  });

  it("console_tx: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL (length), EFAULT, EIO", async () => {
    const rec = await run(`
      ${STALE}
      (call $rec (call $console_tx ${FORGED} (i32.const 0) (i32.const 3)))
      (call $rec (call $console_tx (local.get $s) (i32.const 0) (i32.const 3)))
      (call $rec (call $console_tx ${H("rng")} (i32.const 0) (i32.const 3)))
      (call $rec (call $console_tx ${DUP("con", Rights.READ)} (i32.const 0) (i32.const 3)))
      (call $rec (call $console_tx ${H("con")} (i32.const 0) (i32.const -1)))
      (call $rec (call $console_tx ${H("con")} (i32.const 0) (i32.const ${Limits.MAX_IO_BYTES + 1})))
      (call $rec (call $console_tx ${H("con")} (i32.const 65530) (i32.const 8)))
      (call $rec (call $console_tx ${H("dead_con")} (i32.const 0) (i32.const 3)))
      (call $rec (call $console_tx ${H("con")} (i32.const 0) (i32.const 3)))
      (call $rec (call $console_tx ${H("con")} (i32.const 0) (i32.const 0)))`);
    check("console_tx", rec, [
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      E("EFAULT"),
      E("EIO"),
      3,
      0,
    ]);
  });

  it("audio_submit: EBADH, ESTALE, EWRONGTYPE, EACCES (device or memory), EINVAL, EFAULT, ERANGE, EREVOKED, EIO, and EAGAIN past MAX_AUDIO_QUEUED", async () => {
    const sub = (audio: string, source: string, offset: number, frames: number, flags = 0) =>
      `(call $rec (call $audio_submit ${audio} ${source} (i32.const ${offset}) (i32.const ${frames}) (i32.const ${flags})))`;
    const SELF = "(i32.const -1)";
    const rec = await run(`
      ${STALE}
      ${sub(FORGED, SELF, 4096, 960)}
      ${sub(H("audio"), FORGED, 0, 960)}
      ${sub("(local.get $s)", SELF, 4096, 960)}
      ${sub(H("con"), SELF, 4096, 960)}
      ${sub(H("audio"), H("timer"), 0, 960)}
      ${sub(DUP("audio", Rights.READ | Rights.ATTACH), SELF, 4096, 960)}
      ${sub(H("audio"), DUP("mem", Rights.DUPLICATE), 0, 960)}
      ${sub(H("audio"), SELF, 4096, 0)}
      ${sub(H("audio"), SELF, 4096, Limits.MAX_AUDIO_FRAMES + 1)}
      ${sub(H("audio"), SELF, 4096, 960, 2)}
      ${sub(H("audio"), H("mem"), -4, 960)}
      ${sub(H("audio"), SELF, 65536 - 3839, 960)}
      ${sub(H("audio"), H("mem"), 4, 960)}
      ${sub(H("audio"), H("revoked_mem"), 0, 960)}
      ${sub(H("dead_audio"), SELF, 4096, 960)}
      ${sub(H("audio"), SELF, 4096, 960)}
      ${sub(H("audio"), H("mem"), 0, 960)}
      ${sub(H("audio"), SELF, 4096, 960)}
      ${sub(H("audio"), SELF, 4096, 960)}
      ${sub(H("audio"), SELF, 4096, 960)}
      ${sub(H("audio"), SELF, 4096, 960)}
      (call $rec (i32.wrap_i64 (call $device_info ${H("audio")} (i32.const ${Constants.DEVINFO_AUDIO_QUEUED}))))`);
    check("audio_submit", rec, [
      E("EBADH"),
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EFAULT"),
      E("ERANGE"),
      E("EREVOKED"),
      E("EIO"),
      0,
      1,
      2,
      3,
      4,
      E("EAGAIN"),
      Limits.MAX_AUDIO_QUEUED,
    ]);
  });

  it("fb_write: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL (range), EFAULT, EIO", async () => {
    const rec = await run(`
      ${STALE}
      (call $rec (call $fb_write ${FORGED} (i32.const 0) (i32.const 0) (i32.const 4)))
      (call $rec (call $fb_write (local.get $s) (i32.const 0) (i32.const 0) (i32.const 4)))
      (call $rec (call $fb_write ${H("audio")} (i32.const 0) (i32.const 0) (i32.const 4)))
      (call $rec (call $fb_write ${DUP("fb", Rights.READ)} (i32.const 0) (i32.const 0) (i32.const 4)))
      (call $rec (call $fb_write ${H("fb")} (i32.const -1) (i32.const 0) (i32.const 4)))
      (call $rec (call $fb_write ${H("fb")} (i32.const 0) (i32.const 0) (i32.const -1)))
      (call $rec (call $fb_write ${H("fb")} (i32.const ${W * H_PX * 4 - 4}) (i32.const 0) (i32.const 8)))
      (call $rec (call $fb_write ${H("fb")} (i32.const 0) (i32.const 65530) (i32.const 8)))
      (call $rec (call $fb_write ${H("dead_fb")} (i32.const 0) (i32.const 0) (i32.const 4)))
      (call $rec (call $fb_write ${H("fb")} (i32.const ${W * H_PX * 4 - 4}) (i32.const 0) (i32.const 4)))`);
    check("fb_write", rec, [
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EFAULT"),
      E("EIO"),
      4,
    ]);
  });

  it("fb_present: EBADH, ESTALE, EWRONGTYPE, EACCES, EIO", async () => {
    const rec = await run(`
      ${STALE}
      (call $rec (call $fb_present ${FORGED}))
      (call $rec (call $fb_present (local.get $s)))
      (call $rec (call $fb_present ${H("timer")}))
      (call $rec (call $fb_present ${DUP("fb", Rights.READ)}))
      (call $rec (call $fb_present ${H("dead_fb")}))
      (call $rec (call $fb_present ${H("fb")}))
      (call $rec (call $fb_present ${H("fb")}))`);
    check("fb_present", rec, [E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EACCES"), E("EIO"), 1, 2]);
  });

  it("fb_memory: EBADH, ESTALE, EWRONGTYPE, EACCES, ENOENT (pixels not a memory object), EMFILE", async () => {
    const rec = await run(`
      ${STALE}
      (call $rec (call $fb_memory ${FORGED}))
      (call $rec (call $fb_memory (local.get $s)))
      (call $rec (call $fb_memory ${H("con")}))
      (call $rec (call $fb_memory ${DUP("fb", Rights.WRITE)}))
      (call $rec (call $fb_memory ${H("fbplain")}))
      (local.set $h ${H("fb")})
      (call $rec (i32.gt_s (call $fb_memory (local.get $h)) (i32.const 0)))
      ;; fill the handle table: lower its limit to what it holds
      (local.set $i (i32.const 1))
      (loop $l
        (if (i32.ne (call $set_limit (i32.const -1) (i32.const ${Constants.LIMIT_HANDLES}) (i64.extend_i32_u (local.get $i))) (i32.const 0))
          (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))
      (call $rec (call $fb_memory (local.get $h)))`);
    check("fb_memory", rec, [E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EACCES"), E("ENOENT"), 1, E("EMFILE")]);
  });

  it("rng_read: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL (length), EFAULT, EIO", async () => {
    const rec = await run(`
      ${STALE}
      (call $rec (call $rng_read ${FORGED} (i32.const 1024) (i32.const 8)))
      (call $rec (call $rng_read (local.get $s) (i32.const 1024) (i32.const 8)))
      (call $rec (call $rng_read ${H("con")} (i32.const 1024) (i32.const 8)))
      (call $rec (call $rng_read ${DUP("rng", Rights.WRITE)} (i32.const 1024) (i32.const 8)))
      (call $rec (call $rng_read ${H("rng")} (i32.const 1024) (i32.const -1)))
      (call $rec (call $rng_read ${H("rng")} (i32.const 1024) (i32.const ${Limits.MAX_IO_BYTES + 1})))
      (call $rec (call $rng_read ${H("rng")} (i32.const 65530) (i32.const 8)))
      (call $rec (call $rng_read ${H("dead_rng")} (i32.const 1024) (i32.const 8)))
      (call $rec (call $rng_read ${H("rng")} (i32.const 1024) (i32.const 8)))`);
    check("rng_read", rec, [E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EACCES"), E("EINVAL"), E("EINVAL"), E("EFAULT"), E("EIO"), 8]);
  });
});
