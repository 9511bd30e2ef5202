// The consumers at full scale: a producer that plays -32768 (the extreme of
// s16) on the left channel, so every sample's square is as large as it gets
// (2^30) and two of them no longer fit in an i32: the VU meter must read 0.00
// dBFS peak and RMS, period by period. The right channel swings between
// -32768 and +32767 each frame, so the visualizer draws both extremes.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileGuest } from "../../build/compile.ts";
import { PCM_GUESTS_DIR } from "../../cli/demo/build.ts";
import { FB_HEIGHT, FB_WIDTH, runPcmDemo } from "../../cli/demo/pcm.ts";
import { expectedFrame } from "../../cli/demo/signal.ts";

/** guests/pcm with the producer's fill() replaced by `body` (p: the period; pcm: the grant). */
async function producerPlaying(body: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "wasmos-pcm-vu-"));
  for (const f of readdirSync(PCM_GUESTS_DIR)) if (f.endsWith(".ts")) writeFileSync(join(dir, f), readFileSync(join(PCM_GUESTS_DIR, f)));
  const src = readFileSync(join(dir, "producer.ts"), "utf8");
  const at = src.indexOf("function fill(p: i32): void {");
  expect(at, "the producer defines fill(p)").toBeGreaterThan(0);
  const end = src.indexOf("\n}\n", at) + 3;
  writeFileSync(join(dir, "producer.ts"), `${src.slice(0, at)}function fill(p: i32): void {\n${body}\n}\n${src.slice(end)}`);
  const r = await compileGuest(join(dir, "producer.ts"));
  expect(r.ok, r.diagnostics).toBe(true);
  return r.binary!;
}

describe("the PCM VU meter", () => {
  it("reads 0.00 dBFS peak and RMS from a full-scale signal (-32768 throughout: two squares past i32), and the visualizer draws the extremes as a full redraw would", async () => {
    const producer = await producerPlaying(`
  for (let i = 0; i < FRAMES; i++) {
    pcm.store_i16(<u32>i << 2, -32768);
    pcm.store_i16((<u32>i << 2) + 2, <i16>(i & 1 ? 32767 : -32768));
  }`);
    const differing: number[] = [];
    let frames = 0;
    const r = await runPcmDemo({
      duration: 0.1,
      outDir: mkdtempSync(join(tmpdir(), "wasmos-pcm-vu-out-")),
      pingBatches: 0,
      images: { producer },
      // The visualizer at the extremes too: the left stroke on its band's last row, the right across its band.
      onFrame: (pixels, n) => {
        frames++;
        const want = expectedFrame(n - 1, FB_WIDTH, FB_HEIGHT, { left: () => -32768, right: (f) => (f & 1 ? 32767 : -32768) });
        if (Buffer.compare(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length), Buffer.from(want)) !== 0) differing.push(n);
      },
    });
    expect(r.init).toEqual({ status: 0, reason: 0, message: "" });
    expect(r.vu.length).toBe(5);
    for (const v of r.vu) expect(v).toEqual({ period: v.period, peak: 0, rms: 0 });
    expect(frames).toBe(5);
    expect(differing).toEqual([]);
  }, 120_000);
});
