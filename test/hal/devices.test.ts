// Devices through the real ABI: real guests drive a timer, an audio device,
// a framebuffer, a console and an RNG by their capabilities; interrupts arrive
// as pulses at the endpoint the driver attached, in virtual time.
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, ObjectType, PLEDGE_CLASS_NAMES, PledgeClass, Rights } from "../../abi/gen/abi.ts";
import { AudioOutDevice } from "../../hal/audio/audio-out.ts";
import { NullSink, TeeSink } from "../../hal/audio/sink.ts";
import { parseWav, WavRecorder } from "../../hal/audio/wav.ts";
import { ConsoleDevice, MemoryConsole } from "../../hal/console.ts";
import { AnsiRenderer } from "../../hal/framebuffer/ansi.ts";
import { PngSnapshot } from "../../hal/framebuffer/snapshot.ts";
import { RngDevice } from "../../hal/rng.ts";
import { TimerDevice } from "../../hal/timer.ts";
import { DEVICE_GRANT_RIGHTS, Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest, results } from "../helpers/wat.ts";
import { grantGuest } from "../memory/helpers.ts";
import { concat, decodePng, testSignal } from "./helpers.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const E = (name: keyof typeof Errno) => -Errno[name];
const MS = 1_000_000;
const { IRQ_TIMER, IRQ_AUDIO_PERIOD, IRQ_AUDIO_UNDERRUN, IRQ_AUDIO_DRAINED, IRQ_CONSOLE_RX, IRQ_CONSOLE_EOF } = Constants;

/** WAT: record the kind and the datum of the interrupt just received (words 0..1). */
const REC_IRQ = `
  (call $rec (i32.wrap_i64 (i64.shr_u (call $msg_word (i32.const 1)) (i64.const 32))))
  (call $rec (i32.wrap_i64 (call $msg_word (i32.const 1))))`;

/** Lines of the kernel trace for device interrupts: [time, detail]. */
function irqTrace(k: Kernel): [number, string][] {
  return k
    .traceText()
    .split("\n")
    .filter((l) => / irq /.test(l))
    .map((l) => {
      const [t, , , ...rest] = l.split(" ");
      return [Number(t), rest.join(" ")];
    });
}

describe("the timer device", () => {
  it("raises its interrupt as a pulse at the attached endpoint exactly at the deadline, in virtual time", async () => {
    const k = new Kernel({ trace: true });
    const timer = k.createDevice(new TimerDevice());
    const r = await runSystem(
      [
        {
          name: "driver",
          handles: [{ name: "timer", object: timer, rights: DEVICE_GRANT_RIGHTS }],
          bytes: guest(`
        (data (i32.const 0) "timer")
        (func (export "_start") (local $t i32) (local $ep i32) (local $now i64)
          (local.set $t (call $handle_get (i32.const 0) (i32.const 5)))
          (local.set $ep (call $endpoint_create))
          (call $rec (call $device_attach (local.get $t) (local.get $ep) (i32.const 77)))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $t) (i32.const ${Constants.DEVINFO_ATTACHED}))))
          (local.set $now (call $clock_now))
          (call $rec (i32.wrap_i64 (local.get $now)))
          (call $rec (call $timer_set (local.get $t) (i64.add (local.get $now) (i64.const ${5 * MS}))))
          (call $rec (call $timer_set (local.get $t) (i64.add (local.get $now) (i64.const ${7 * MS}))))
          (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
          (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
          ${REC_IRQ}
          (drop (call $msg_info (i32.const 100)))
          (call $rec (i32.load (i32.const 100)))
          (call $rec (i32.load (i32.const 104)))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $t) (i32.const ${Constants.DEVINFO_TIMER_EXPIRIES}))))
          (call $rec (i64.eq (call $device_info (local.get $t) (i32.const ${Constants.DEVINFO_TIMER_DEADLINE})) ${INF}))
          ;; a deadline already past fires at the next scheduling point; DEADLINE_INFINITE disarms
          (call $rec (call $timer_set (local.get $t) (i64.const 0)))
          (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
          ${REC_IRQ}
          (call $rec (call $timer_set (local.get $t) (i64.add (call $clock_now) (i64.const ${MS}))))
          (call $rec (call $timer_set (local.get $t) ${INF}))
          (call $rec (call $timer_set (local.get $t) ${INF}))
          (call $flush))`),
        },
      ],
      {},
      k,
      [timer],
    );
    expect(r.exit.driver.reason).toBe(ExitReason.NORMAL);
    const now = r.rec.driver[2];
    expect(r.rec.driver).toEqual([
      0,
      1,
      now,
      0,
      1, // attached; the time; armed; re-armed (replaced)
      0,
      77,
      IRQ_TIMER,
      1, // the pulse: code 77, kind IRQ_TIMER, first expiry
      Constants.MSG_KIND_PULSE,
      0, // a pulse from sender pid 0: the kernel
      1,
      1, // one expiry, disarmed since
      0,
      0,
      IRQ_TIMER,
      2,
      0,
      1,
      0, // armed, disarmed (1: it was armed), nothing left to disarm
    ]);
    const irqs = irqTrace(k);
    expect(irqs.length).toBe(2);
    expect(irqs[0]).toEqual([irqs[0][0], "timer kind=1 datum=1"]);
    expect(irqs[0][0]).toBe(now + 7 * MS); // the virtual clock jumped straight to the re-armed deadline
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

/**
 * WAT: $fill(buf, period) writes period `period` of the test signal
 * (helpers.ts testSignal: frame g has left g*3, right -(g*5)) as 960
 * interleaved s16le frames at buf.
 */
const FILL = `
  (func $fill (param $buf i32) (param $period i32) (local $f i32) (local $g i32) (local $at i32)
    (local.set $g (i32.mul (local.get $period) (i32.const 960)))
    (loop $l
      (local.set $at (i32.add (local.get $buf) (i32.shl (local.get $f) (i32.const 2))))
      (i32.store16 (local.get $at) (i32.mul (local.get $g) (i32.const 3)))
      (i32.store16 offset=2 (local.get $at) (i32.sub (i32.const 0) (i32.mul (local.get $g) (i32.const 5))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $f) (i32.const 960)))))`;

/**
 * An audio driver: double-buffers `periods` periods of the test signal from
 * its own memory (buffers at 4096 and 8192), refilling a buffer as soon as
 * IRQ_AUDIO_PERIOD says the device took it, the last one flagged
 * AUDIO_SUBMIT_END, until IRQ_AUDIO_DRAINED. Records per interrupt: kind,
 * datum, and the ms of kernel time it was received at; then underruns and
 * frames played.
 */
function audioDriver(periods: number): Uint8Array {
  return guest(`
    (data (i32.const 0) "audio")
    ${FILL}
    (func $submit (param $a i32) (param $n i32)
      (call $fill (i32.add (i32.const 4096) (i32.shl (i32.and (local.get $n) (i32.const 1)) (i32.const 12))) (local.get $n))
      (drop (call $audio_submit (local.get $a) (i32.const -1)
        (i32.add (i32.const 4096) (i32.shl (i32.and (local.get $n) (i32.const 1)) (i32.const 12)))
        (i32.const 960) (i32.eq (local.get $n) (i32.const ${periods - 1})))))
    (func (export "_start") (local $a i32) (local $ep i32) (local $next i32) (local $kind i32)
      (local.set $a (call $handle_get (i32.const 0) (i32.const 5)))
      (local.set $ep (call $endpoint_create))
      (drop (call $device_attach (local.get $a) (local.get $ep) (i32.const 5)))
      (call $submit (local.get $a) (i32.const 0))
      (call $submit (local.get $a) (i32.const 1))
      (local.set $next (i32.const 2))
      (loop $l
        (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
        (local.set $kind (i32.wrap_i64 (i64.shr_u (call $msg_word (i32.const 1)) (i64.const 32))))
        ${REC_IRQ}
        (call $rec (i32.wrap_i64 (i64.div_u (call $clock_now) (i64.const ${MS}))))
        (if (i32.and (i32.eq (local.get $kind) (i32.const ${IRQ_AUDIO_PERIOD})) (i32.lt_u (local.get $next) (i32.const ${periods})))
          (then
            (call $submit (local.get $a) (local.get $next))
            (local.set $next (i32.add (local.get $next) (i32.const 1)))))
        (br_if $l (i32.ne (local.get $kind) (i32.const ${IRQ_AUDIO_DRAINED}))))
      (call $rec (i32.wrap_i64 (call $device_info (local.get $a) (i32.const ${Constants.DEVINFO_AUDIO_UNDERRUNS}))))
      (call $rec (i32.wrap_i64 (call $device_info (local.get $a) (i32.const ${Constants.DEVINFO_AUDIO_FRAMES}))))
      (call $flush))`);
}

describe("the audio device", () => {
  it("paces a driver by IRQ_AUDIO_PERIOD at 20 ms per period, and plays its signal bit for bit with nothing copied", async () => {
    const k = new Kernel({ trace: true });
    const rec = new WavRecorder();
    const stats = new NullSink();
    const model = new AudioOutDevice({ sink: new TeeSink(rec, stats) });
    const audio = k.createDevice(model);
    const r = await runSystem(
      [{ name: "driver", bytes: audioDriver(10), handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] }],
      {},
      k,
      [audio],
    );
    expect(r.exit.driver.reason).toBe(ExitReason.NORMAL);
    const expected: number[] = [];
    for (let t = 0; t < 10; t++) expected.push(IRQ_AUDIO_PERIOD, t, t === 0 ? 0 : 20 * t);
    expected.push(IRQ_AUDIO_DRAINED, 9, 200, 0, 9600);
    expect(r.rec.driver).toEqual(expected);
    const times = irqTrace(k).map(([t]) => t);
    expect(times[0]).toBeLessThan(MS); // the first submission started the device at once
    expect(times.map((t) => t - times[0])).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200].map((ms) => ms * MS));
    expect(k.core.copied.ipcBytes).toBe(0);
    expect(k.core.copied.windowBytes).toBe(0);
    expect(model.stats).toMatchObject({ underruns: 0, silentFrames: 0, frames: 9600, drains: 1 });
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0); // the device went with its last handle...
    expect(stats.closed).toBe(true); // ...and closed its sink
    expect(parseWav(rec.bytes()).data).toEqual(testSignal(9600));
  });

  it("two deterministic runs play identical audio and identical event traces", async () => {
    const once = async () => {
      const k = new Kernel({ trace: true });
      const rec = new WavRecorder();
      const audio = k.createDevice(new AudioOutDevice({ sink: rec }));
      const r = await runSystem(
        [{ name: "driver", bytes: audioDriver(5), handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] }],
        {},
        k,
        [audio],
      );
      closeAll(r);
      return { wav: rec.bytes(), trace: k.traceText() };
    };
    const a = await once();
    const b = await once();
    expect(b.wav).toEqual(a.wav);
    expect(b.trace).toBe(a.trace);
    expect(a.trace).toContain(" irq audio kind=4 datum=4");
  });

  it("counts an underrun when the driver is late, raises IRQ_AUDIO_UNDERRUN, and fills the gap with silence", async () => {
    const k = new Kernel();
    const rec = new WavRecorder();
    const audio = k.createDevice(new AudioOutDevice({ sink: rec }));
    const r = await runSystem(
      [
        {
          name: "late",
          handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }],
          bytes: guest(`
        (data (i32.const 0) "audio")
        ${FILL}
        (func (export "_start") (local $a i32) (local $ep i32) (local $kind i32)
          (local.set $a (call $handle_get (i32.const 0) (i32.const 5)))
          (local.set $ep (call $endpoint_create))
          (drop (call $device_attach (local.get $a) (local.get $ep) (i32.const 0)))
          (call $fill (i32.const 4096) (i32.const 0))
          (call $fill (i32.const 8192) (i32.const 1))
          (call $rec (call $audio_submit (local.get $a) (i32.const -1) (i32.const 4096) (i32.const 960) (i32.const 0)))
          (drop (call $sleep (i64.const ${30 * MS})))
          (call $rec (call $audio_submit (local.get $a) (i32.const -1) (i32.const 8192) (i32.const 480) (i32.const ${Constants.AUDIO_SUBMIT_END})))
          (loop $l
            (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
            (local.set $kind (i32.wrap_i64 (i64.shr_u (call $msg_word (i32.const 1)) (i64.const 32))))
            ${REC_IRQ}
            (br_if $l (i32.ne (local.get $kind) (i32.const ${IRQ_AUDIO_DRAINED}))))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $a) (i32.const ${Constants.DEVINFO_AUDIO_UNDERRUNS}))))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $a) (i32.const ${Constants.DEVINFO_AUDIO_SILENT_FRAMES}))))
          (call $flush))`),
        },
      ],
      {},
      k,
      [audio],
    );
    expect(r.rec.late).toEqual([0, 1, IRQ_AUDIO_PERIOD, 0, IRQ_AUDIO_UNDERRUN, 1, IRQ_AUDIO_PERIOD, 1, IRQ_AUDIO_DRAINED, 1, 1, 480]);
    closeAll(r);
    // 10 ms late: 480 frames of silence between the two buffers
    expect(parseWav(rec.bytes()).data).toEqual(
      concat(testSignal(960), new Uint8Array(480 * 4), testSignal(960 * 2).subarray(3840, 3840 + 1920)),
    );
  });
});

describe("the audio device reading a memory object", () => {
  /**
   * A driver that writes two periods into a memory object through a window
   * (the producer's part), gives the device a read-only handle derived from
   * it, submits both, and (when `revoke`) revokes the derived handle right
   * after: the second buffer, not yet taken, then reads as gone.
   */
  const driver = (revoke: boolean) =>
    guest(`
    (data (i32.const 0) "audio")
    ${FILL}
    (func (export "_start") (local $a i32) (local $ep i32) (local $mem i32) (local $w i32) (local $ro i32) (local $kind i32)
      (local.set $a (call $handle_get (i32.const 0) (i32.const 5)))
      (local.set $ep (call $endpoint_create))
      (drop (call $device_attach (local.get $a) (local.get $ep) (i32.const 0)))
      (local.set $mem (call $memory_create (i32.const 7680)))
      (local.set $w (call $memory_map (local.get $mem) (i32.const 0) (i32.const 7680) (i32.const 1) (i32.const 1)))
      (call $fill (i32.const 4096) (i32.const 0))
      (call $fill (i32.const 8192) (i32.const 1))
      (call $rec (call $window_write (local.get $w) (i32.const 0) (i32.const 3840) (i32.const 4096)))
      (call $rec (call $window_write (local.get $w) (i32.const 3840) (i32.const 3840) (i32.const 8192)))
      (local.set $ro (call $handle_dup (local.get $mem) (i32.const ${Rights.READ})))
      (call $rec (call $audio_submit (local.get $a) (local.get $ro) (i32.const 0) (i32.const 960) (i32.const 0)))
      (call $rec (call $audio_submit (local.get $a) (local.get $ro) (i32.const 3840) (i32.const 960) (i32.const ${Constants.AUDIO_SUBMIT_END})))
      ${revoke ? "(drop (call $handle_revoke (local.get $mem)))" : ""}
      (loop $l
        (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
        (local.set $kind (i32.wrap_i64 (i64.shr_u (call $msg_word (i32.const 1)) (i64.const 32))))
        (br_if $l (i32.ne (local.get $kind) (i32.const ${IRQ_AUDIO_DRAINED}))))
      (call $rec (i32.wrap_i64 (call $device_info (local.get $a) (i32.const ${Constants.DEVINFO_AUDIO_DROPPED}))))
      (call $flush))`);

  it("plays the shared buffer in place: the kernel counts only the producer's window writes, none for the device", async () => {
    const k = new Kernel();
    const rec = new WavRecorder();
    const audio = k.createDevice(new AudioOutDevice({ sink: rec }));
    const r = await runSystem(
      [{ name: "d", bytes: driver(false), handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] }],
      {},
      k,
      [audio],
    );
    expect(r.rec.d).toEqual([3840, 3840, 0, 1, 0]);
    expect(k.core.copied.windowBytes).toBe(7680); // what window_write copied in; the device's reads add nothing
    expect(k.core.copied.ipcBytes).toBe(0);
    closeAll(r);
    expect(parseWav(rec.bytes()).data).toEqual(testSignal(1920));
    expect(k.core.objects.liveTotal()).toBe(0); // the device's hold on the memory object went with the buffer
  });

  it("a buffer whose capability is revoked before its turn plays as silence", async () => {
    const k = new Kernel();
    const rec = new WavRecorder();
    const audio = k.createDevice(new AudioOutDevice({ sink: rec }));
    const r = await runSystem(
      [{ name: "d", bytes: driver(true), handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] }],
      {},
      k,
      [audio],
    );
    expect(r.rec.d).toEqual([3840, 3840, 0, 1, 1]);
    closeAll(r);
    expect(parseWav(rec.bytes()).data).toEqual(concat(testSignal(960), new Uint8Array(3840)));
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

describe("the audio device's hold on each buffer", () => {
  /**
   * A driver that submits three periods of one memory object through the same
   * read-only handle: the first is taken at once (the device starts), the
   * second waits; then it revokes what was derived from that handle (the
   * second buffer's capability) and submits the third. Each submit holds a
   * capability of its own, so the revoke ends the second alone.
   */
  const driver = guest(`
    (data (i32.const 0) "audio")
    ${FILL}
    (func (export "_start") (local $a i32) (local $ep i32) (local $mem i32) (local $w i32) (local $ro i32) (local $kind i32)
      (local.set $a (call $handle_get (i32.const 0) (i32.const 5)))
      (local.set $ep (call $endpoint_create))
      (drop (call $device_attach (local.get $a) (local.get $ep) (i32.const 0)))
      (local.set $mem (call $memory_create (i32.const 11520)))
      (local.set $w (call $memory_map (local.get $mem) (i32.const 0) (i32.const 11520) (i32.const 1) (i32.const 1)))
      (call $fill (i32.const 4096) (i32.const 0))
      (call $fill (i32.const 8192) (i32.const 1))
      (call $fill (i32.const 12288) (i32.const 2))
      (drop (call $window_write (local.get $w) (i32.const 0) (i32.const 3840) (i32.const 4096)))
      (drop (call $window_write (local.get $w) (i32.const 3840) (i32.const 3840) (i32.const 8192)))
      (drop (call $window_write (local.get $w) (i32.const 7680) (i32.const 3840) (i32.const 12288)))
      (local.set $ro (call $handle_dup (local.get $mem) (i32.const ${Rights.READ})))
      (call $rec (call $audio_submit (local.get $a) (local.get $ro) (i32.const 0) (i32.const 960) (i32.const 0)))
      (call $rec (call $audio_submit (local.get $a) (local.get $ro) (i32.const 3840) (i32.const 960) (i32.const 0)))
      (call $rec (call $handle_revoke (local.get $ro)))
      (call $rec (call $audio_submit (local.get $a) (local.get $ro) (i32.const 7680) (i32.const 960) (i32.const ${Constants.AUDIO_SUBMIT_END})))
      (loop $l
        (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
        (local.set $kind (i32.wrap_i64 (i64.shr_u (call $msg_word (i32.const 1)) (i64.const 32))))
        (br_if $l (i32.ne (local.get $kind) (i32.const ${IRQ_AUDIO_DRAINED}))))
      (call $rec (i32.wrap_i64 (call $device_info (local.get $a) (i32.const ${Constants.DEVINFO_AUDIO_DROPPED}))))
      (call $flush))`);

  it("a revoke that ends a waiting buffer's capability leaves the next submit's buffer playing", async () => {
    const k = new Kernel();
    const rec = new WavRecorder();
    const audio = k.createDevice(new AudioOutDevice({ sink: rec }));
    const r = await runSystem(
      [{ name: "d", bytes: driver, handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] }],
      {},
      k,
      [audio],
    );
    // Tickets 0, 1; the revoke removed no table's handle (the buffer's cap is held by the kernel); ticket 2; one dropped.
    expect(r.rec.d).toEqual([0, 1, 0, 2, 1]);
    closeAll(r);
    const signal = testSignal(2880);
    expect(parseWav(rec.bytes()).data).toEqual(concat(signal.subarray(0, 3840), new Uint8Array(3840), signal.subarray(7680)));
    expect(k.core.objects.liveTotal()).toBe(0); // every held capability went with its buffer
  });
});

describe("the framebuffer device", () => {
  const W = 8;
  const H = 4;
  /** Pixel i of the test pattern: (i, 2i, 3i, 255). */
  const pattern = () => Uint8Array.from({ length: W * H * 4 }, (_, j) => ((j & 3) === 3 ? 255 : ((j >> 2) * ((j & 3) + 1)) & 255));

  it("takes pixels with fb_write and shows them at fb_present: the PNG snapshot decodes to them, the terminal got a frame", async () => {
    const k = new Kernel();
    const snap = new PngSnapshot();
    const text: string[] = [];
    const fb = k.createFramebuffer({ width: W, height: H, listeners: [snap, new AnsiRenderer((t) => text.push(t))] });
    const r = await runSystem(
      [
        {
          name: "painter",
          handles: [{ name: "fb", object: fb, rights: DEVICE_GRANT_RIGHTS }],
          bytes: guest(`
        (data (i32.const 0) "fb")
        (func (export "_start") (local $fb i32) (local $i i32)
          (local.set $fb (call $handle_get (i32.const 0) (i32.const 2)))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $fb) (i32.const ${Constants.DEVINFO_FB_WIDTH}))))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $fb) (i32.const ${Constants.DEVINFO_FB_HEIGHT}))))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $fb) (i32.const ${Constants.DEVINFO_FB_STRIDE}))))
          (loop $l
            (i32.store8 (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
            (i32.store8 offset=1 (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2))) (i32.mul (local.get $i) (i32.const 2)))
            (i32.store8 offset=2 (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2))) (i32.mul (local.get $i) (i32.const 3)))
            (i32.store8 offset=3 (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2))) (i32.const 255))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const ${W * H}))))
          (call $rec (call $fb_write (local.get $fb) (i32.const 0) (i32.const 1024) (i32.const ${W * H * 4})))
          (call $rec (call $fb_present (local.get $fb)))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $fb) (i32.const ${Constants.DEVINFO_FB_FRAMES}))))
          (call $flush))`),
        },
      ],
      {},
      k,
      [fb],
    );
    expect(r.rec.painter).toEqual([W, H, W * 4, W * H * 4, 1, 1]);
    const png = decodePng(snap.encode()!);
    expect([png.width, png.height]).toEqual([W, H]);
    expect(png.pixels).toEqual(pattern());
    expect(text.length).toBe(1);
    expect(text[0].split("\n").length - 1).toBe(H / 2);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("is a memory object: a guest given it as a grant draws with plain stores, and fb_memory hands it out", async () => {
    const k = new Kernel();
    const snap = new PngSnapshot();
    const fb = k.createFramebuffer({ width: W, height: H, listeners: [snap] });
    const pixels = fb.memory!;
    const r = await runSystem(
      [
        {
          name: "visualizer",
          handles: [
            { name: "fb", object: fb, rights: DEVICE_GRANT_RIGHTS },
            { name: "pixels", object: pixels, rights: MEMORY_GRANT_RIGHTS },
          ],
          bytes: grantGuest(
            ["pixels 1"],
            `
        (func (export "_start") (local $fb i32) (local $i i32) (local $m i32)
          (i32.store16 $own (i32.const 0) (i32.const 0x6266)) ;; "fb" (a data segment cannot name the memory in wabt.js)
          (local.set $fb (call $handle_get (i32.const 0) (i32.const 2)))
          (loop $l
            (i32.store $pixels (i32.shl (local.get $i) (i32.const 2))
              (i32.or (i32.const 0xff000000) (i32.mul (local.get $i) (i32.const 0x030201))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const ${W * H}))))
          (call $rec (call $fb_present (local.get $fb)))
          (local.set $m (call $fb_memory (local.get $fb)))
          (call $rec (i32.gt_s (local.get $m) (i32.const 0)))
          (call $rec (call $handle_info (local.get $m) (i32.const 100)))
          (call $rec (i32.load $own (i32.const 100)))
          (call $rec (i32.load $own (i32.const 104)))
          (call $flush))`,
          ),
        },
      ],
      {},
      k,
      [fb],
    );
    expect(r.exit.visualizer.reason).toBe(ExitReason.NORMAL);
    expect(r.rec.visualizer).toEqual([
      1,
      1,
      Constants.HANDLE_INFO_SIZE,
      ObjectType.MEMORY,
      Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.MAP | Rights.WRITE,
    ]);
    expect(decodePng(snap.encode()!).pixels).toEqual(pattern());
    expect(k.core.copied.windowBytes + k.core.copied.ipcBytes).toBe(0);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

describe("the console device", () => {
  it("writes with console_tx; input raises IRQ_CONSOLE_RX and is read with console_rx; after the end it reads 0", async () => {
    const k = new Kernel();
    const backend = new MemoryConsole();
    const model = new ConsoleDevice(backend);
    const con = k.createDevice(model);
    const img = k.loadImage(
      guest(`
      (data (i32.const 0) "con")
      (data (i32.const 16) "ready\\n")
      (func (export "_start") (local $c i32) (local $ep i32) (local $n i32)
        (local.set $c (call $handle_get (i32.const 0) (i32.const 3)))
        (local.set $ep (call $endpoint_create))
        (drop (call $device_attach (local.get $c) (local.get $ep) (i32.const 3)))
        (call $rec (call $console_tx (local.get $c) (i32.const 16) (i32.const 6)))
        (call $rec (call $console_rx (local.get $c) (i32.const 1024) (i32.const 64)))
        (loop $l
          (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
          ${REC_IRQ}
          (local.set $n (call $console_rx (local.get $c) (i32.const 1024) (i32.const 64)))
          (call $rec (local.get $n))
          ;; echo what came in
          (if (i32.gt_s (local.get $n) (i32.const 0)) (then (drop (call $console_tx (local.get $c) (i32.const 1024) (local.get $n)))))
          (br_if $l (i32.ne (local.get $n) (i32.const 0))))
        (call $flush))`),
      "echo",
    );
    const out: number[] = [];
    const p = k.spawn(img, {
      handles: [{ name: "con", object: con, rights: DEVICE_GRANT_RIGHTS }],
      stdout: (b) => out.push(...results(b)),
    });
    k.release(img);
    await k.run(); // the driver waits for input
    model.input(new TextEncoder().encode("hello"));
    await k.run();
    model.end();
    const exit = await p.exited;
    expect(exit.reason).toBe(ExitReason.NORMAL);
    expect(out).toEqual([6, E("EAGAIN"), IRQ_CONSOLE_RX, 5, 5, IRQ_CONSOLE_EOF, 0, 0]);
    expect(backend.text()).toBe("ready\nhello");
    expect(model.info(Constants.DEVINFO_CONSOLE_TX_BYTES)).toBe(11);
    p.close();
    k.release(con);
    expect(backend.closed).toBe(true);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

describe("the RNG device", () => {
  const reader = guest(`
    (data (i32.const 0) "rng")
    (func (export "_start") (local $r i32)
      (local.set $r (call $handle_get (i32.const 0) (i32.const 3)))
      (call $rec (call $rng_read (local.get $r) (i32.const 1024) (i32.const 12)))
      (call $rec (i32.load (i32.const 1024)))
      (call $rec (i32.load (i32.const 1028)))
      (call $rec (i32.load (i32.const 1032)))
      (call $rec (i32.wrap_i64 (call $device_info (local.get $r) (i32.const ${Constants.DEVINFO_RNG_BYTES}))))
      (call $flush))`);
  const run = async (seed: number) => {
    const k = new Kernel();
    const rng = k.createDevice(new RngDevice({ seed }));
    const r = await runSystem([{ name: "r", bytes: reader, handles: [{ name: "rng", object: rng, rights: DEVICE_GRANT_RIGHTS }] }], {}, k, [
      rng,
    ]);
    return r.rec.r;
  };

  it("gives a guest the same bytes for the same seed, and other bytes for another", async () => {
    const a = await run(5);
    expect(a[0]).toBe(12);
    expect(a[4]).toBe(12);
    expect(await run(5)).toEqual(a);
    expect((await run(6)).slice(1, 4)).not.toEqual(a.slice(1, 4));
    const direct = new Uint8Array(12);
    new RngDevice({ seed: 5 }).fill(direct);
    expect(a.slice(1, 4)).toEqual([...new Int32Array(direct.buffer)]);
  });
});

describe("device capabilities", () => {
  it("only the process holding a capability with the right can drive a device; a dropped pledge refuses every device call", async () => {
    const k = new Kernel();
    const audio = k.createDevice(new AudioOutDevice({ sink: new NullSink() }));
    const ALL_PLEDGES = Object.keys(PLEDGE_CLASS_NAMES).reduce((m, bit) => m | (1 << Number(bit)), 0);
    const body = (pledge: boolean) =>
      guest(`
      (data (i32.const 0) "audio")
      (func (export "_start") (local $a i32) (local $ep i32)
        (local.set $ep (call $endpoint_create))
        (local.set $a (call $handle_get (i32.const 0) (i32.const 5)))
        (call $rec (i32.lt_s (local.get $a) (i32.const 0)))
        ${pledge ? `(call $rec (call $pledge (i32.const ${ALL_PLEDGES & ~(1 << PledgeClass.devices)})))` : ""}
        (call $rec (call $audio_submit (local.get $a) (i32.const -1) (i32.const 4096) (i32.const 960) (i32.const 0)))
        (call $rec (call $device_attach (local.get $a) (local.get $ep) (i32.const 0)))
        (call $rec (i32.wrap_i64 (call $device_info (local.get $a) (i32.const ${Constants.DEVINFO_AUDIO_SUBMITTED}))))
        (call $flush))`);
    const r = await runSystem(
      [
        { name: "none", bytes: body(false) },
        { name: "readonly", bytes: body(false), handles: [{ name: "audio", object: audio, rights: Rights.READ }] },
        { name: "pledged", bytes: body(true), handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] },
        { name: "driver", bytes: body(false), handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] },
      ],
      {},
      k,
      [audio],
    );
    expect(r.rec.none).toEqual([1, E("EBADH"), E("EBADH"), E("EBADH")]); // no handle at all (handle_get said ENOENT)
    expect(r.rec.readonly).toEqual([0, E("EACCES"), E("EACCES"), 0]);
    expect(r.rec.pledged).toEqual([0, 0, E("EPLEDGE"), E("EPLEDGE"), E("EPLEDGE")]);
    expect(r.rec.driver).toEqual([0, 0, 0, 1]);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("one process's endpoint at a time: another gets EBUSY until the first ends", async () => {
    const k = new Kernel();
    const timer = k.createDevice(new TimerDevice());
    const attach = (first: boolean) =>
      guest(`
      (data (i32.const 0) "timer")
      (func (export "_start") (local $t i32) (local $ep i32)
        (local.set $t (call $handle_get (i32.const 0) (i32.const 5)))
        (local.set $ep (call $endpoint_create))
        ${first ? "" : `(drop (call $sleep (i64.const ${MS})))`}
        (call $rec (call $device_attach (local.get $t) (local.get $ep) (i32.const 0)))
        (call $rec (call $device_attach (local.get $t) (i32.const 0) (i32.const 0)))
        ${
          first
            ? `(call $rec (call $device_attach (local.get $t) (local.get $ep) (i32.const 0))) (drop (call $sleep (i64.const ${2 * MS})))`
            : `(drop (call $sleep (i64.const ${3 * MS}))) (call $rec (call $device_attach (local.get $t) (local.get $ep) (i32.const 0)))`
        }
        (call $flush))`);
    const r = await runSystem(
      [
        { name: "first", bytes: attach(true), handles: [{ name: "timer", object: timer, rights: DEVICE_GRANT_RIGHTS }] },
        { name: "second", bytes: attach(false), handles: [{ name: "timer", object: timer, rights: DEVICE_GRANT_RIGHTS }] },
      ],
      {},
      k,
      [timer],
    );
    expect(r.rec.first).toEqual([0, 0, 0]); // attach, detach, attach again
    expect(r.rec.second).toEqual([E("EBUSY"), E("EBUSY"), 0]); // neither attach nor detach while the first lives
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("revoking the endpoint capability the driver attached with detaches the device; later interrupts are lost and counted", async () => {
    const k = new Kernel();
    const model = new TimerDevice();
    const timer = k.createDevice(model);
    const r = await runSystem(
      [
        {
          name: "driver",
          handles: [{ name: "timer", object: timer, rights: DEVICE_GRANT_RIGHTS }],
          bytes: guest(`
        (data (i32.const 0) "timer")
        (func (export "_start") (local $t i32) (local $ep i32) (local $send i32)
          (local.set $t (call $handle_get (i32.const 0) (i32.const 5)))
          (local.set $ep (call $endpoint_create))
          (local.set $send (call $handle_dup (local.get $ep) (i32.const ${Rights.SEND})))
          (call $rec (call $device_attach (local.get $t) (local.get $send) (i32.const 0)))
          (drop (call $handle_revoke (local.get $ep)))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $t) (i32.const ${Constants.DEVINFO_ATTACHED}))))
          ;; attached to an open endpoint, with no receiver yet: pulses queue, at most MAX_PENDING_PULSES from the kernel
          (call $rec (call $device_attach (local.get $t) (local.get $ep) (i32.const 0)))
          (call $rec (call $timer_set (local.get $t) (i64.const 0)))
          (drop (call $sleep (i64.const 1000)))
          (call $rec (call $receive (local.get $ep) (i32.const 0) (i32.const 0) (i64.const 0)))
          (call $rec (call $handle_close (local.get $ep)))
          (call $rec (call $timer_set (local.get $t) (i64.const 0)))
          (drop (call $sleep (i64.const 1000)))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $t) (i32.const ${Constants.DEVINFO_IRQ_RAISED}))))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $t) (i32.const ${Constants.DEVINFO_IRQ_LOST}))))
          (call $rec (i32.wrap_i64 (call $device_info (local.get $t) (i32.const ${Constants.DEVINFO_ATTACHED}))))
          (call $flush))`),
        },
      ],
      {},
      k,
      [timer],
    );
    expect(r.rec.driver).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 0]);
    expect(model.expiries).toBe(2);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

describe("real-time mode", () => {
  it("paces the audio device to the wall clock and reports how late each period boundary fired", async () => {
    const k = new Kernel({ deterministic: false });
    const rec = new WavRecorder();
    const model = new AudioOutDevice({ sink: rec });
    const audio = k.createDevice(model);
    const started = performance.now();
    const r = await runSystem(
      [{ name: "driver", bytes: audioDriver(5), handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] }],
      { deterministic: false },
      k,
      [audio],
    );
    const elapsedMs = performance.now() - started;
    expect(r.exit.driver.reason).toBe(ExitReason.NORMAL);
    expect(elapsedMs).toBeGreaterThanOrEqual(99); // five 20 ms periods of wall-clock time
    expect(model.stats.jitter.count).toBe(5);
    expect(model.stats.jitter.maxNs).toBeGreaterThanOrEqual(0);
    // How late depends on the machine's load (about 1 ms of timer slack when idle), so no figure bounds it; a
    // boundary cannot be later than the whole run took, which still catches nonsense (a timestamp, not a lateness).
    expect(model.stats.jitter.maxNs).toBeLessThanOrEqual(elapsedMs * MS);
    expect(r.rec.driver.slice(-5, -2)).toEqual([IRQ_AUDIO_DRAINED, 4, r.rec.driver.at(-3)]);
    closeAll(r);
    // Idle, the signal plays unbroken. On a loaded machine the driver can miss a boundary by more than its
    // second buffer (20 ms of wall time): the device then plays silence and counts an underrun. Either way
    // the whole signal plays in order, with only the underruns' silent frames between its frames.
    const played = parseWav(rec.bytes()).data;
    expect(model.stats.underruns === 0).toBe(model.stats.silentFrames === 0);
    expect(r.rec.driver.at(-2)).toBe(model.stats.underruns);
    if (model.stats.underruns === 0) expect(played).toEqual(testSignal(4800));
    else expect(splitSilence(played, testSignal(4800))).toEqual({ signalFrames: 4800, silentFrames: model.stats.silentFrames });
  });
});

/** Walks played (4-byte frames) against signal: each frame is the signal's next one or silence; what it found. */
function splitSilence(played: Uint8Array, signal: Uint8Array): { signalFrames: number; silentFrames: number } {
  const word = (b: Uint8Array, f: number) => new DataView(b.buffer, b.byteOffset + 4 * f, 4).getUint32(0, true);
  let j = 0;
  let silent = 0;
  for (let f = 0; f < played.length / 4; f++) {
    if (j < signal.length / 4 && word(played, f) === word(signal, j)) j++;
    else if (word(played, f) === 0) silent++;
    else return { signalFrames: -1, silentFrames: f }; // a frame that is neither: where it was
  }
  return { signalFrames: j, silentFrames: silent };
}
