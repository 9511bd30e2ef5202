// The page in a real browser: Debian's Chromium driven by playwright-core,
// the static build (npm run build:web) from a plain static server. The PCM
// pipeline runs and is counted through the WebAudio backend, the canvas shows
// the waveform, the revoke is reported, a guest's output appears, and the
// console has no errors.
//
// Chromium is Debian's (apt-get install chromium), not the project's: on a
// machine without it these tests are skipped and say why, so that `npm test`
// needs only Node; CI (.ci/run) installs it and sets WASMOS_REQUIRE_BROWSER=1,
// under which a missing browser fails them.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { guest } from "../helpers/wat.ts";
import { serveStatic } from "./static-server.ts";

export const CHROMIUM = process.env.WASMOS_CHROMIUM ?? "/usr/bin/chromium";
const missing = !existsSync(CHROMIUM) && process.env.WASMOS_REQUIRE_BROWSER !== "1";
if (missing)
  console.warn(`test/web/page.test.ts: skipped, ${CHROMIUM} is missing (apt-get install chromium to run the page in a real browser)`);

let browser: Browser;
let page: Page;
let server: { url: string; close: () => Promise<void> };
const errors: string[] = [];

describe.skipIf(missing)(
  missing ? `the web page in Chromium (skipped: ${CHROMIUM} is missing; apt-get install chromium)` : "the web page in Chromium",
  () => {
    beforeAll(async () => {
      if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
      execFileSync(process.execPath, [join(REPO_ROOT, "node_modules", "vite", "bin", "vite.js"), "--version"], { stdio: "ignore" });
      execFileSync("npm", ["run", "build:web", "--silent"], { cwd: REPO_ROOT, stdio: "pipe", env: { ...process.env } });
      // A trace for the viewer page (trace.html), written by the CLI.
      execFileSync(
        process.execPath,
        [
          join(REPO_ROOT, "bin", "wasmos.js"),
          "run",
          "--trace",
          join(REPO_ROOT, "dist", "web", "echo-trace.json"),
          join(REPO_ROOT, "guests", "echo", "main.ts"),
          "hi",
        ],
        { stdio: "pipe" },
      );
      server = await serveStatic(join(REPO_ROOT, "dist", "web"));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"] });
      page = await browser.newPage();
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(server.url);
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it("loads from a static server without cross-origin isolation and finds JSPI", async () => {
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(await page.textContent("#jspi")).toMatch(/has WebAssembly JSPI/);
    });

    it("runs the PCM pipeline: periods counted by the WebAudio sink, the waveform on the canvas, the revoke reported", async () => {
      await page.fill("#duration", "1");
      await page.click("#start");
      await page.waitForFunction(
        () => (window as any).wasmos.pipeline.state !== "running" && (window as any).wasmos.pipeline.state !== "idle",
        null,
        { timeout: 120_000 },
      );
      const p = await page.evaluate(() => (window as any).wasmos.pipeline);
      expect(p.state).toBe("done");
      expect(p.periods).toBeGreaterThanOrEqual(50); // 1 s = 50 periods of 20 ms through WebAudio
      expect(p.frames).toBeGreaterThanOrEqual(50 * 960);
      expect(p.presented).toBeGreaterThan(0);
      expect(p.vu).toBeGreaterThan(-40);
      expect(p.revoke.join("\n")).toMatch(/EREVOKED|ESTALE|GRANT_REVOKED/);
      // The waveform: lit pixels in most columns of the black canvas, over more than a flat line's rows.
      const lit = await page.evaluate(() => {
        const c = document.getElementById("waveform") as HTMLCanvasElement;
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        const cols = new Set<number>();
        const rows = new Set<number>();
        for (let i = 0; i < d.length; i += 4) {
          if (d[i] + d[i + 1] + d[i + 2] > 120) {
            cols.add((i / 4) % c.width);
            rows.add(Math.floor(i / 4 / c.width));
          }
        }
        return { cols: cols.size, rows: rows.size, width: c.width };
      });
      expect(lit.cols).toBeGreaterThan(lit.width * 0.8);
      expect(lit.rows).toBeGreaterThan(20);
    }, 180_000);

    it("runs a guest the user picks and shows its output", async () => {
      await page.click("#run-hello");
      await page.waitForFunction(() => (window as any).wasmos.guest.state === "done", null, { timeout: 60_000 });
      expect(await page.evaluate(() => (window as any).wasmos.guest.output)).toBe("hello from wasmos, pid 1\narg 1: one\narg 2: two\n");
      const trap = guest(`(func (export "_start") unreachable)`);
      await page.setInputFiles("#guest-file", { name: "trap.wasm", mimeType: "application/wasm", buffer: Buffer.from(trap) });
      await page.waitForFunction(() => (window as any).wasmos.guest.state === "failed", null, { timeout: 60_000 });
      expect(await page.textContent("#guest-status")).toMatch(/trap\.wasm \(pid 1\) ended: TRAP_UNREACHABLE/);
    }, 120_000);

    it("boots the default system around the guest: dropped files are its /data, it copies them into /tmp and prints on /dev/stdout", async () => {
      await page.setInputFiles("#data-files", [
        { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("first line of notes\nsecond\n") },
        { name: "b.csv", mimeType: "text/csv", buffer: Buffer.from("x,y\n1,2\n") },
      ]);
      expect(await page.evaluate(() => (window as any).wasmos.data)).toEqual([
        { name: "notes.txt", size: 27 },
        { name: "b.csv", size: 8 },
      ]);
      await page.click("#run-files");
      // The previous test left the state "failed": wait for this run's own ending.
      await page.waitForFunction(
        () => /^files\.wasm .*ended|failed/.test(document.getElementById("guest-status")!.textContent ?? ""),
        null,
        { timeout: 60_000 },
      );
      expect(await page.textContent("#guest-status")).toMatch(/files\.wasm \(pid 1\) ended: NORMAL \(status 0\)/);
      expect(await page.evaluate(() => (window as any).wasmos.guest.output)).toBe(
        [
          "/data: 2 entries",
          "  b.csv (8 bytes): x,y",
          "  notes.txt (27 bytes): first line of notes",
          "/tmp: 2 entries",
          "  b.csv (8 bytes)",
          "  notes.txt (27 bytes)",
          "",
        ].join("\n"),
      );
    }, 120_000);

    it("draws a Chrome trace in its trace viewer: tracks, slices, IPC flow arrows", async () => {
      const viewer = await browser.newPage();
      viewer.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      viewer.on("pageerror", (e) => errors.push(String(e)));
      await viewer.goto(`${server.url}trace.html?src=echo-trace.json`);
      await viewer.waitForFunction(() => (window as any).traceView?.drawn > 0, null, { timeout: 30_000 });
      const v = await viewer.evaluate(() => (window as any).traceView);
      expect(v.tracks).toBeGreaterThanOrEqual(4); // CPU and three processes
      expect(v.slices).toBeGreaterThan(10);
      expect(v.flows).toBeGreaterThanOrEqual(3);
      await viewer.close();
    });

    it("gives the running guest what the user types as its standard input, line by line, until they end it", async () => {
      await page.click("#run-upper");
      await page.waitForFunction(() => (window as any).wasmos.guest.stdin === "open", null, { timeout: 60_000 });
      await page.fill("#stdin-line", "hello wasmos");
      await page.press("#stdin-line", "Enter");
      // The line is echoed, then upper (blocked reading /dev/stdin until now) writes it back upper-cased.
      await page.waitForFunction(
        () =>
          (window as any).wasmos.guest.output === "" &&
          /HELLO WASMOS\n$/.test(document.getElementById("guest-terminal")!.textContent ?? ""),
        null,
        { timeout: 60_000 },
      );
      expect(await page.evaluate(() => (window as any).wasmos.guest.state)).toBe("running");
      await page.fill("#stdin-line", "second line");
      await page.press("#stdin-line", "Enter");
      await page.waitForFunction(() => /SECOND LINE\n$/.test(document.getElementById("guest-terminal")!.textContent ?? ""), null, {
        timeout: 60_000,
      });
      await page.press("#stdin-line", "Control+d"); // on an empty line: the end of input, so upper's next read returns 0
      await page.waitForFunction(() => /^upper\.wasm .*ended/.test(document.getElementById("guest-status")!.textContent ?? ""), null, {
        timeout: 60_000,
      });
      expect(await page.textContent("#guest-status")).toMatch(/upper\.wasm \(pid 1\) ended: NORMAL \(status 0\)/);
      expect(await page.evaluate(() => (window as any).wasmos.guest.output)).toBe("hello wasmos\nHELLO WASMOS\nsecond line\nSECOND LINE\n");
      expect(await page.isDisabled("#stdin-line")).toBe(true);
    }, 120_000);

    it("works from a sub-folder of a static server, not only its root", async () => {
      const sub = await serveStatic(join(REPO_ROOT, "dist", "web"), "/some/where/wasmos/");
      const other = await browser.newPage();
      other.on("console", (m) => m.type() === "error" && errors.push(`sub-folder page: ${m.text()}`));
      other.on("pageerror", (e) => errors.push(`sub-folder page: ${String(e)}`));
      try {
        await other.goto(sub.url);
        expect(await other.textContent("#jspi")).toMatch(/has WebAssembly JSPI/);
        await other.click("#run-hello");
        await other.waitForFunction(() => (window as any).wasmos.guest.state === "done", null, { timeout: 60_000 });
        expect(await other.evaluate(() => (window as any).wasmos.guest.output)).toBe("hello from wasmos, pid 1\narg 1: one\narg 2: two\n");
      } finally {
        await other.close();
        await sub.close();
      }
    }, 120_000);

    it("logged no console errors", () => {
      expect(errors).toEqual([]);
    });
  },
);
