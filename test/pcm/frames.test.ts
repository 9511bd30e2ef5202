// Every frame the PCM visualizer presents equals the frame drawn from scratch
// on the host (cli/demo/signal.ts expectedFrame): the guest redraws only what
// changed (four or eight columns a store with SIMD where the geometry allows,
// a column at a time elsewhere), so each frame is checked, not just the last.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPcmDemo } from "../../cli/demo/pcm.ts";
import { expectedFrame } from "../../cli/demo/signal.ts";

/** The presented frames that differ from the host's drawing: "frame n: first differing pixel (x, y)". */
async function differingFrames(seconds: number, width: number, height: number): Promise<{ frames: number; differing: string[] }> {
  const differing: string[] = [];
  let frames = 0;
  const r = await runPcmDemo({
    duration: seconds,
    outDir: mkdtempSync(join(tmpdir(), "wasmos-pcm-frames-")),
    pingBatches: 0,
    framebuffer: { width, height },
    onFrame: (pixels, n) => {
      frames++;
      const want = expectedFrame(n - 1, width, height);
      if (Buffer.compare(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length), Buffer.from(want)) === 0) return;
      let i = 0;
      while (pixels[i] === want[i]) i++;
      const px = i >> 2;
      differing.push(`frame ${n}: first differing pixel (${px % width}, ${Math.floor(px / width)})`);
    },
  });
  expect(r.init).toEqual({ status: 0, reason: 0, message: "" });
  return { frames, differing };
}

describe("the PCM visualizer's frames", () => {
  it("equal a full redraw, frame by frame, at the demo's 480 x 200 (eight columns a group, the last group ending the period), over the left level's rise to full scale", async () => {
    const { frames, differing } = await differingFrames(1.2, 480, 200);
    expect(frames).toBe(60);
    expect(differing).toEqual([]);
  }, 120_000);

  it("equal a full redraw with bands of unequal height (480 x 201: the lower band one row taller, its own middle and scale)", async () => {
    const { frames, differing } = await differingFrames(0.3, 480, 201);
    expect(frames).toBe(15);
    expect(differing).toEqual([]);
  }, 120_000);

  it("equal a full redraw where columns do not cover two frames each (333, 960 and 100 columns: the column-at-a-time path alone)", async () => {
    for (const [w, h] of [
      [333, 150],
      [960, 100],
      [100, 80],
    ]) {
      const { frames, differing } = await differingFrames(0.2, w, h);
      expect(frames).toBe(10);
      expect(differing, `${w} x ${h}`).toEqual([]);
    }
  }, 120_000);
});
