// WAV encoding: the header byte for byte, the in-memory recorder and the file
// sink writing exactly the samples given, valid after every period.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AudioSink, NullSink } from "../../hal/audio/sink.ts";
import { parseWav, WavRecorder, wavHeader } from "../../hal/audio/wav.ts";
import { WavFileSink } from "../../hal/node/wav-file.ts";
import { concat, testSignal } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "wasmos-wav-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A 3-frame signal: (0, 0), (3, -5), (6, -10) as s16le stereo.
const SIGNAL_BYTES = [0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0xfb, 0xff, 0x06, 0x00, 0xf6, 0xff];
// The canonical header for 12 data bytes at 48 kHz, 2 channels, 16 bits.
const HEADER_12 = [
  0x52,
  0x49,
  0x46,
  0x46,
  0x30,
  0x00,
  0x00,
  0x00, // "RIFF", 36 + 12
  0x57,
  0x41,
  0x56,
  0x45, // "WAVE"
  0x66,
  0x6d,
  0x74,
  0x20,
  0x10,
  0x00,
  0x00,
  0x00, // "fmt ", 16
  0x01,
  0x00,
  0x02,
  0x00, // PCM, 2 channels
  0x80,
  0xbb,
  0x00,
  0x00, // 48000 Hz
  0x00,
  0xee,
  0x02,
  0x00, // 192000 bytes/s
  0x04,
  0x00,
  0x10,
  0x00, // block align 4, 16 bits
  0x64,
  0x61,
  0x74,
  0x61,
  0x0c,
  0x00,
  0x00,
  0x00, // "data", 12
];

describe("WAV encoding", () => {
  it("the known test signal is the bytes it should be", () => {
    expect([...testSignal(3)]).toEqual(SIGNAL_BYTES);
  });

  it("writes the canonical 44-byte header: RIFF size, fmt fields and data size byte for byte", () => {
    expect([...wavHeader(12)]).toEqual(HEADER_12);
  });

  it("records a known signal into a file that is exactly header then samples", () => {
    const rec = new WavRecorder();
    rec.write(testSignal(3).subarray(0, 8));
    rec.write(testSignal(3).subarray(8));
    expect([...rec.bytes()]).toEqual([...HEADER_12, ...SIGNAL_BYTES]);
  });

  it("records silence as zero frames", () => {
    const rec = new WavRecorder();
    rec.silence(2);
    const wav = parseWav(rec.bytes());
    expect([...wav.data]).toEqual(Array(8).fill(0));
  });

  it("refuses sizes a RIFF header cannot describe", () => {
    expect(() => wavHeader(-1)).toThrow(RangeError);
    expect(() => wavHeader(2 ** 32)).toThrow(RangeError);
  });

  it("parseWav reads back format and data, and names what is wrong with a broken file", () => {
    const file = new Uint8Array([...HEADER_12, ...SIGNAL_BYTES]);
    expect(parseWav(file)).toMatchObject({ rate: 48000, channels: 2, bitsPerSample: 16 });
    expect([...parseWav(file).data]).toEqual(SIGNAL_BYTES);
    expect(() => parseWav(file.subarray(0, 50))).toThrow(/RIFF size/);
    const bad = file.slice();
    bad[0] = 0x58;
    expect(() => parseWav(bad)).toThrow(/not a RIFF/);
  });
});

describe("the WAV file sink", () => {
  it("writes a file whose data chunk equals the samples bit for bit, valid after every period", () => {
    const path = join(tmp, "sub", "a.wav");
    const sink: AudioSink & { close(): void } = new WavFileSink(path);
    const a = testSignal(960, 1);
    const b = testSignal(960, 2000);
    sink.write(a, 0);
    expect(parseWav(new Uint8Array(readFileSync(path))).data).toEqual(a);
    sink.silence(3, 20e6);
    sink.write(b, 20e6 + 62500);
    sink.close();
    const file = new Uint8Array(readFileSync(path));
    expect([...file.subarray(0, 44)]).toEqual([...wavHeader(2 * 3840 + 12)]);
    expect(parseWav(file).data).toEqual(concat(a, new Uint8Array(12), b));
    sink.close(); // idempotent
    expect(() => sink.write(a, 0)).toThrow(/closed/);
  });

  it.each([false, true])(
    "with a buffer (prefaulted: %s), writes only when it fills and at close, and the file is a valid WAV up to the last write",
    (prefault) => {
      const path = join(tmp, "sub", `b-${prefault}.wav`);
      const sink: AudioSink & { close(): void } = new WavFileSink(path, { bufferBytes: 2 * 3840, prefault });
      const a = testSignal(960, 1);
      const b = testSignal(960, 2000);
      sink.write(a, 0);
      sink.write(b, 20e6);
      expect(parseWav(new Uint8Array(readFileSync(path))).data.length).toBe(0); // both wait in the buffer
      sink.write(a, 40e6); // no room: the first two go to the file
      expect(parseWav(new Uint8Array(readFileSync(path))).data).toEqual(concat(a, b));
      sink.silence(3, 60e6);
      sink.close();
      const file = new Uint8Array(readFileSync(path));
      expect([...file.subarray(0, 44)]).toEqual([...wavHeader(3 * 3840 + 12)]);
      expect(parseWav(file).data).toEqual(concat(a, b, a, new Uint8Array(12)));
    },
  );

  it("gathers into a caller's buffer, reused from file to file, and hands back the data chunk when none of it left memory before close", () => {
    const buffer = new Uint8Array(3 * 3840).fill(0x55); // (what an earlier file left in it)
    const a = testSignal(960, 1);
    const b = testSignal(960, 2000);
    for (const name of ["c1", "c2"]) {
      const sink = new WavFileSink(join(tmp, `${name}.wav`), { buffer });
      sink.write(a);
      sink.silence(1);
      sink.write(b);
      sink.close();
      const file = new Uint8Array(readFileSync(join(tmp, `${name}.wav`)));
      expect(parseWav(file).data).toEqual(concat(a, new Uint8Array(4), b));
      expect(sink.gathered()).toEqual(concat(a, new Uint8Array(4), b));
      expect(sink.gathered()!.buffer).toBe(buffer.buffer); // a view, not a copy
    }
    // A buffer that filled wrote before close: its data chunk is no longer all in memory.
    const small = new WavFileSink(join(tmp, "c3.wav"), { buffer: new Uint8Array(3840) });
    small.write(a);
    small.write(b);
    small.close();
    expect(small.gathered()).toBeNull();
    expect(parseWav(new Uint8Array(readFileSync(join(tmp, "c3.wav")))).data).toEqual(concat(a, b));
    const unbuffered = new WavFileSink(join(tmp, "c4.wav"));
    unbuffered.write(a);
    unbuffered.close();
    expect(unbuffered.gathered()).toBeNull();
  });
});

describe("the statistics sink", () => {
  it("counts a recording piece by piece with writeEach exactly as write() of each piece does", () => {
    const data = concat(testSignal(960, 1), testSignal(960, 2000), testSignal(100, 7), new Uint8Array(6).fill(9));
    const one = new NullSink();
    for (let at = 0; at < data.length; at += 3840) one.write(data.subarray(at, Math.min(at + 3840, data.length)));
    const each = new NullSink();
    each.writeEach(data, 3840);
    expect(each).toEqual(one);
    expect(each.periods).toBe(3);
    // Unaligned (a view at an odd offset): the same, through write()'s own path.
    const odd = new Uint8Array(data.length + 1);
    odd.set(data, 1);
    const shifted = new NullSink();
    shifted.writeEach(odd.subarray(1), 3840);
    expect(shifted).toEqual(one);
  });
});
