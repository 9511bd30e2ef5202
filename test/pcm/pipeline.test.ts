// The four-process PCM pipeline (guests/pcm/, cli/demo/): what `npm start`
// shows, checked against the producer's signal computed on the host.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { NullSink } from "../../hal/audio/sink.ts";
import { WAV_HEADER_BYTES, parseWav } from "../../hal/audio/wav.ts";
import { FB_HEIGHT, FB_WIDTH, runPcmDemo, type PcmDemoResult } from "../../cli/demo/pcm.ts";
import { fastPathCounts } from "../../kernel/ipc/fastpath.ts";
import type { Kernel } from "../../host/kernel.ts";
import type { ImageLoader } from "../../loader/loader.ts";
import { FRAMES, envelope, expectedPcm, expectedVu, leftSample, rightSample } from "../../cli/demo/signal.ts";
import { decodePng } from "../hal/helpers.ts";

const DURATION = 0.5; // 25 periods
const PERIODS = 25;
const probe = { pingBatches: 3, pingsPerBatch: 10 };

let a: PcmDemoResult;
let b: PcmDemoResult;
/** A shorter run after those two, in the same process: it reuses what they left (the compiled images, the WAV gather buffer). */
let c: PcmDemoResult;
const SHORT_PERIODS = 10;
const loaders: ImageLoader[] = [];
const compiled: number[] = [];

beforeAll(async () => {
  const onKernel = (k: Kernel) => {
    loaders.push(k.loader);
    compiled.push(k.loader.stats.compiled);
  };
  a = await runPcmDemo({ duration: DURATION, outDir: mkdtempSync(join(tmpdir(), "wasmos-pcm-a-")), ...probe, onKernel });
  b = await runPcmDemo({ duration: DURATION, outDir: mkdtempSync(join(tmpdir(), "wasmos-pcm-b-")), ...probe, onKernel });
  c = await runPcmDemo({
    duration: (SHORT_PERIODS * 20) / 1000,
    outDir: mkdtempSync(join(tmpdir(), "wasmos-pcm-c-")),
    pingBatches: 0,
    onKernel,
  });
}, 180_000);

describe("the PCM pipeline", () => {
  it("plays every period through the audio device without underruns and ends normally", () => {
    expect(a.init).toEqual({ status: 0, reason: 0, message: "" });
    expect(a.periods).toBe(PERIODS);
    expect(a.audio).toMatchObject({ taken: PERIODS, frames: PERIODS * FRAMES, underruns: 0, dropped: 0, drains: 1, silentFrames: 0 });
    expect(a.messages.bufferReady).toBe(3 * PERIODS);
    // The kernel's own count agrees: every buffer-ready message and probe, and two of the three after the revoke:
    // the visualizer had been ended by then, so its endpoint was closed and that send was refused (ECLOSED), never accepted.
    expect(a.ipc.messages).toBe(a.messages.bufferReady + a.messages.pings + a.messages.afterRevoke - 1);
    expect(a.ipc.replies).toBe(a.ipc.messages);
  });

  it("writes a WAV whose sample data equals the producer's signal bit for bit", () => {
    const wav = new Uint8Array(readFileSync(a.wavPath));
    const parsed = parseWav(wav);
    expect(parsed).toMatchObject({ rate: 48000, channels: 2, bitsPerSample: 16 });
    const data = wav.subarray(WAV_HEADER_BYTES);
    const expected = expectedPcm(PERIODS);
    expect(data.length).toBe(expected.length);
    expect(Buffer.compare(Buffer.from(data), Buffer.from(expected))).toBe(0);
  });

  it("reports the level statistics of what the device played, equal to those of the producer's signal, period by period", () => {
    const expected = new NullSink();
    const pcm = expectedPcm(PERIODS);
    for (let p = 0; p < PERIODS; p++) expected.write(pcm.subarray(p * FRAMES * 4, (p + 1) * FRAMES * 4));
    expected.close();
    expect(a.levels.frames).toBe(PERIODS * FRAMES);
    expect(a.levels.checksum).toBe(expected.checksum);
    expect(a.levels.channels).toEqual(expected.channels);
    expect(a.levels.channels[0].peak).toBeGreaterThan(0);
  });

  it("the host's copy of the signal is the tone it claims to be (440 Hz left with a moving level, 660 Hz right at -6 dBFS)", () => {
    // Zero crossings over one second give the frequency; the level stays within the sine approximation's error.
    const crossings = (sample: (f: number) => number) => {
      let n = 0;
      for (let f = 1; f < 48000; f++) if (sample(f - 1) < 0 !== sample(f) < 0) n++;
      return n / 2;
    };
    expect(crossings((f) => leftSample(f, 16384))).toBeCloseTo(440, -1);
    expect(crossings(rightSample)).toBeCloseTo(660, -1);
    let peak = 0;
    for (let f = 0; f < 4800; f++) peak = Math.max(peak, Math.abs(rightSample(f)));
    expect(Math.abs(peak - 16384)).toBeLessThan(40);
    expect(envelope(0)).toBe(2048);
    expect(envelope(50)).toBe(32048);
  });

  it("the VU meter's readings match the expected dBFS of the left channel's tone, period by period", () => {
    expect(a.vu.map((r) => r.period)).toEqual([...Array(PERIODS).keys()]);
    for (const r of a.vu) {
      const e = expectedVu(r.period);
      expect(Math.abs(r.peak - e.peak)).toBeLessThanOrEqual(0.0051);
      expect(Math.abs(r.rms - e.rms)).toBeLessThanOrEqual(0.0051);
      // A sine: RMS is 3.01 dB below its peak.
      expect(r.peak - r.rms).toBeGreaterThan(2.9);
      expect(r.peak - r.rms).toBeLessThan(3.1);
      // Peak tracks the envelope: 20 log10(amp / 32768).
      expect(Math.abs(r.peak - 20 * Math.log10(envelope(r.period) / 32768))).toBeLessThan(0.05);
    }
  });

  it("draws the last period's waveform into the framebuffer: the PNG decodes and has the wave's pixels where the wave is", () => {
    const png = decodePng(new Uint8Array(readFileSync(a.pngPath)));
    expect([png.width, png.height]).toEqual([FB_WIDTH, FB_HEIGHT]);
    const at = (x: number, y: number) => [...png.pixels.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)].join(",");
    const GREEN = "112,224,96,255";
    const AMBER = "240,176,48,255";
    const BACKGROUND = "18,24,32,255";
    const last = PERIODS - 1;
    const band = FB_HEIGHT >> 1;
    const half = (band >> 1) - 1;
    let checked = 0;
    for (let x = 0; x < FB_WIDTH; x++) {
      const f = last * FRAMES + Math.floor((x * FRAMES) / FB_WIDTH);
      const yl = (band >> 1) - ((leftSample(f, envelope(last)) * half) >> 15);
      const yr = band + (band >> 1) - ((rightSample(f) * half) >> 15);
      expect(at(x, yl)).toBe(GREEN);
      expect(at(x, yr)).toBe(AMBER);
      checked += 2;
    }
    expect(checked).toBe(2 * FB_WIDTH);
    // The strokes are thin: most of the frame stays background.
    let lit = 0;
    for (let i = 0; i < png.pixels.length; i += 4) if (png.pixels[i + 1] === 224 || png.pixels[i + 1] === 176) lit++;
    expect(lit).toBeGreaterThan(2 * FB_WIDTH);
    expect(lit).toBeLessThan((png.width * png.height) / 4);
    expect(at(FB_WIDTH >> 1, band - 1)).toBe(BACKGROUND); // the bottom row of the left band: the wave stops short of it
  });

  it("the kernel copies no sample data: no IPC bodies, no window bulk reads", () => {
    expect(a.copied).toEqual({ ipcBytes: 0, windowBytes: 0 });
  });

  it("all three consumers observe the revoke: the driver's handle is gone, the VU meter's window answers EREVOKED, the visualizer is ended with GRANT_REVOKED", () => {
    expect(a.revoke.driver).toMatch(/^driver: buffer \d+ after the revoke: audio_submit -> ESTALE$/);
    expect(a.revoke.vu).toMatch(new RegExp(`^vu: buffer \\d+ after ${PERIODS} periods: window_get_packed -> EREVOKED$`));
    expect(a.revoke.visualizer).toMatch(/visualizer: its answer ECLOSED; ended by the kernel: GRANT_REVOKED$/);
    expect(a.stdout).toMatch(/init: {3}driver: its answer ESTALE; exited 0/);
    expect(a.stdout).toMatch(/init: {3}vu: its answer EREVOKED; exited 0/);
  });

  it("measures the round trip: the producer's send->reply medians and the empty-exchange probe", () => {
    expect(a.rttNs.ping).toBeGreaterThan(0);
    expect(a.rttNs.driver).toBeGreaterThan(a.rttNs.vu); // the driver answers when the device takes the buffer
    expect(a.pingWallNs).toBeGreaterThan(0);
  });

  it("a later run in the same process compiles no image again and writes exactly its own signal into the reused WAV buffer", () => {
    expect(loaders[1]).toBe(loaders[0]);
    expect(loaders[2]).toBe(loaders[0]);
    expect(compiled[2]).toBe(compiled[1]); // (the first run may have compiled them, or found them from an earlier file's run)
    expect(loaders[0].stats.compiled).toBe(compiled[1]);
    const data = new Uint8Array(readFileSync(c.wavPath)).subarray(WAV_HEADER_BYTES);
    const expected = expectedPcm(SHORT_PERIODS);
    expect(data.length).toBe(expected.length); // not the longer run's bytes after it
    expect(Buffer.compare(Buffer.from(data), Buffer.from(expected))).toBe(0);
    const levels = new NullSink();
    levels.writeEach(expected, FRAMES * 4);
    expect(c.levels.checksum).toBe(levels.checksum);
    expect(c.levels.frames).toBe(SHORT_PERIODS * FRAMES);
    expect(c.levels.periods).toBe(SHORT_PERIODS);
  });

  it("two deterministic runs give identical WAV bytes, PNG bytes and output", () => {
    expect(Buffer.compare(readFileSync(a.wavPath), readFileSync(b.wavPath))).toBe(0);
    expect(Buffer.compare(readFileSync(a.pngPath), readFileSync(b.pngPath))).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe("wasmos demo pcm", () => {
  it("documents its flags with --help", () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "wasmos.js"), "demo", "pcm", "--help"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    for (const flag of ["--duration SECONDS", "--realtime", "--timeout DUR", "--out DIR"]) expect(r.stdout).toContain(flag);
  });

  it("runs from the command line and prints the summary", () => {
    const out = mkdtempSync(join(tmpdir(), "wasmos-pcm-cli-"));
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "wasmos.js"), "demo", "pcm", "--duration", "0.2", "--out", out], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/10 periods x 960 frames = 9600 frames/);
    expect(r.stdout).toMatch(/kernel copies {3}0 bytes of sample data/);
    expect(r.stdout).toContain(join(out, "pcm.wav"));
    expect(r.stdout).toContain(join(out, "waveform.png"));
  });

  it("ends every process of the pipeline at --timeout: status 101, one line naming the timeout, no summary, the WAV of what played", () => {
    const out = mkdtempSync(join(tmpdir(), "wasmos-pcm-timeout-"));
    // Ten minutes of audio, deterministic (≈2.5 s of wall time here, the VU lines printed: far past 300 ms), cut at
    // 300 ms: the host timer fires between the deterministic kernel's slices.
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, "bin", "wasmos.js"), "demo", "pcm", "--duration", "600", "--timeout", "300ms", "--out", out],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(r.stderr).toBe("wasmos: pcm-init (pid 1) ended: KILLED (status -1): wall-clock timeout of 300 ms\n");
    expect(r.status).toBe(101);
    expect(r.stdout).not.toMatch(/pcm pipeline:/);
    const wav = readFileSync(join(out, "pcm.wav"));
    expect(wav.length).toBeGreaterThan(44);
    expect(wav.length).toBeLessThan(44 + 600 * 48000 * 4);
  });

  it("refuses a --timeout that is not a duration, as `wasmos run` does: status 64 and the one line", () => {
    for (const [arg, why] of [
      ["soon", '--timeout wants a duration such as 500ms, 10s or 2m, got "soon"'],
      ["0", "--timeout: 0 is out of range"],
    ]) {
      const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "wasmos.js"), "demo", "pcm", "--timeout", arg], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(r.status).toBe(64);
      expect(r.stderr).toBe(`wasmos demo: ${why}; wasmos demo --help shows the usage\n`);
    }
  });
});

describe("the PCM pipeline with and without the kernel's fast paths", () => {
  // The audio device's interrupts are pulses the kernel posts (not a process): they take the flat pulse
  // path (kernel/ipc/fastpath.ts fastPulse) when the driver waits, and must change nothing but the cost.
  it("gives the same event trace, the same outputs and the same kernel counts, the interrupts delivered by the fast pulse path", async () => {
    const run = async (fastPath: boolean) => {
      const before = fastPathCounts.pulse;
      const r = await runPcmDemo({ duration: 0.2, outDir: mkdtempSync(join(tmpdir(), "wasmos-pcm-fp-")), ...probe, trace: true, fastPath });
      return { r, fastPulses: fastPathCounts.pulse - before };
    };
    const on = await run(true);
    const off = await run(false);
    expect(off.fastPulses).toBe(0);
    expect(on.fastPulses).toBeGreaterThanOrEqual(10); // 10 periods: an interrupt each, the driver waiting for it
    expect(on.r.trace.length).toBeGreaterThan(0);
    expect(on.r.trace).toBe(off.r.trace);
    expect(readFileSync(on.r.wavPath)).toEqual(readFileSync(off.r.wavPath));
    expect({ ...on.r.ipc, handoffs: 0 }).toEqual({ ...off.r.ipc, handoffs: 0 }); // handoffs count the fast path's own switches
  }, 120_000);
});
