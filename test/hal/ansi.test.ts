// The ANSI terminal renderer: two pixels per cell (upper half block), 24-bit
// colours, one line per two pixel rows, downscaling that keeps thin lines.
import { describe, expect, it } from "vitest";
import { AnsiRenderer, renderAnsi, UPPER_HALF } from "../../hal/framebuffer/ansi.ts";
import { FramebufferDevice } from "../../hal/framebuffer/framebuffer.ts";
import { FakeContext } from "./helpers.ts";

function frame(width: number, height: number, paint: (x: number, y: number) => [number, number, number, number]) {
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set(paint(x, y), (y * width + x) * 4);
  return { width, height, pixels };
}

/** The cells of each line: [fg, bg] colours as "r;g;b". */
function cells(text: string): string[][][] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((line) => {
      const out: string[][] = [];
      let fg = "";
      let bg = "";
      const re = /\x1b\[38;2;(\d+;\d+;\d+)m|\x1b\[48;2;(\d+;\d+;\d+)m|\u2580|\x1b\[0m/g;
      for (const m of line.matchAll(re)) {
        if (m[1]) fg = m[1];
        else if (m[2]) bg = m[2];
        else if (m[0] === UPPER_HALF) out.push([fg, bg]);
      }
      return out;
    });
}

describe("the ANSI renderer", () => {
  it("draws ceil(height / 2) lines of width cells, each ending with a reset", () => {
    const text = renderAnsi(frame(5, 3, () => [1, 2, 3, 255]));
    const lines = text.split("\n");
    expect(lines.length).toBe(3); // two lines and the empty rest after the last newline
    expect(lines.at(-1)).toBe("");
    for (const l of lines.slice(0, 2)) {
      expect([...l].filter((ch) => ch === UPPER_HALF).length).toBe(5);
      expect(l.endsWith("\x1b[0m")).toBe(true);
    }
    expect(text.startsWith("\x1b[H")).toBe(false);
    expect(
      renderAnsi(
        frame(1, 1, () => [0, 0, 0, 0]),
        { home: true },
      ).startsWith("\x1b[H"),
    ).toBe(true);
  });

  it("gives each cell the upper pixel as foreground and the lower as background; odd last rows get black below", () => {
    const c = cells(renderAnsi(frame(2, 3, (x, y) => [x * 100, y * 50, 7, 255])));
    expect(c).toEqual([
      [
        ["0;0;7", "0;50;7"],
        ["100;0;7", "100;50;7"],
      ],
      [
        ["0;100;7", "0;0;0"],
        ["100;100;7", "0;0;0"],
      ],
    ]);
  });

  it("composites alpha over black", () => {
    expect(cells(renderAnsi(frame(1, 2, () => [200, 100, 50, 128])))[0][0]).toEqual(["100;50;25", "100;50;25"]);
  });

  it("only repeats colour codes when the colour changes", () => {
    const text = renderAnsi(frame(10, 2, () => [9, 9, 9, 255]));
    expect(text.match(/\x1b\[38;2/g)!.length).toBe(1);
  });

  it("scales a wide frame down to `columns` cells and keeps a one-pixel line visible", () => {
    const f = frame(100, 40, (x, y) => (y === 17 || x === 51 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const c = cells(renderAnsi(f, { columns: 25 }));
    expect(c.length).toBe(5); // 40 rows * 25/100 = 10 rows -> 5 lines
    expect(c.every((line) => line.length === 25)).toBe(true);
    const lit = (cell: string[]) => cell.some((col) => col === "255;255;255");
    expect(c.filter((line) => line.every(lit)).length).toBe(1); // the horizontal line, in one text line
    expect(c.every((line) => lit(line[12]))).toBe(true); // the vertical line, in column 51 / 4
  });

  it("as a frame listener, renders every n-th presented frame", () => {
    const out: string[] = [];
    const fb = new FramebufferDevice({ width: 2, height: 2, listeners: [new AnsiRenderer((t) => out.push(t), { every: 2 })] });
    fb.bind(new FakeContext());
    for (let i = 0; i < 5; i++) fb.present();
    expect(out.length).toBe(3);
  });
});
