// The wasmos page: the kernel from host/ with the browser backends from
// hal/browser/. Two views: the PCM pipeline live (WebAudio, canvas, VU meter,
// the revoke) and a guest the user picks. State for tests and the curious is
// on window.wasmos.

import { AudioOutDevice } from "../hal/audio/audio-out.ts";
import { ConsoleDevice } from "../hal/console.ts";
import { CanvasRenderer, TerminalConsole, WebAudioSink } from "../hal/browser/index.ts";
import { DEVICE_GRANT_RIGHTS, IMAGE_GRANT_RIGHTS, Kernel, ModuleRefusedError, NAMESPACE_GRANT_RIGHTS } from "../host/kernel.ts";
import { describeExit } from "../kernel/objects/process.ts";
import type { KernelObject } from "../kernel/object.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface PageState {
  jspi: boolean;
  pipeline: {
    state: "idle" | "running" | "done" | "failed";
    periods: number;
    frames: number;
    presented: number;
    vu: number;
    revoke: string[];
    exit: string;
  };
  guest: { state: "idle" | "running" | "done" | "failed"; output: string; exit: string };
}

const page: PageState = {
  jspi:
    typeof (WebAssembly as { Suspending?: unknown }).Suspending === "function" &&
    typeof (WebAssembly as { promising?: unknown }).promising === "function",
  pipeline: { state: "idle", periods: 0, frames: 0, presented: 0, vu: 0, revoke: [], exit: "" },
  guest: { state: "idle", output: "", exit: "" },
};
(window as unknown as { wasmos: PageState }).wasmos = page;

const jspiLine = $("jspi");
if (page.jspi) {
  jspiLine.textContent = "This browser has WebAssembly JSPI: processes block in syscalls and the kernel schedules them.";
} else {
  jspiLine.textContent =
    "This browser lacks WebAssembly JSPI (WebAssembly.Suspending / promising), which wasmos needs to block a process in a syscall: " +
    "use Chrome or Edge 137 or newer (or Firefox with javascript.options.wasm_js_promise_integration). Nothing below can run here.";
  jspiLine.classList.add("bad");
  for (const b of document.querySelectorAll("button, input")) (b as HTMLButtonElement).disabled = true;
}

async function fetchWasm(name: string): Promise<Uint8Array> {
  const r = await fetch(new URL(`guests/${name}`, document.baseURI));
  if (!r.ok) throw new Error(`guests/${name}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

// ---- the PCM pipeline ----

const ROLES = ["producer", "driver", "vu", "visualizer"] as const;
const renderer = new CanvasRenderer($("waveform"));

async function runPipeline(seconds: number): Promise<void> {
  const status = $("pipeline-status");
  const revokeBox = $("revoke");
  const periods = Math.max(1, Math.round((seconds * 1000) / 20));
  Object.assign(page.pipeline, { state: "running", periods: 0, frames: 0, presented: 0, revoke: [], exit: "" });
  revokeBox.textContent = "";
  $("pipeline-terminal").textContent = "";
  status.textContent = `running ${periods} periods...`;
  const audioContext = new AudioContext({ sampleRate: 48_000 });
  await audioContext.resume();
  const sink = new WebAudioSink(audioContext);
  const terminal = new TerminalConsole($("pipeline-terminal"), {
    onLine: (line) => {
      const vu = /^vu (\d+) peak (\S+) rms (\S+) /.exec(line);
      if (vu) {
        const peak = Number(vu[2].replace("inf", "Infinity"));
        page.pipeline.vu = peak;
        $("vu-bar").style.width = `${Math.max(0, Math.min(100, ((peak + 48) / 48) * 100))}%`;
        $("vu-text").textContent = `peak ${vu[2]} dBFS, rms ${vu[3]} dBFS`;
      }
      if (/revoke|EREVOKED|ESTALE|GRANT_REVOKED/.test(line)) {
        page.pipeline.revoke.push(line);
        revokeBox.textContent += line + "\n";
      }
    },
  });
  const timer = setInterval(() => {
    page.pipeline.periods = sink.periods;
    page.pipeline.frames = sink.frames;
    $("periods").textContent = String(sink.periods);
  }, 50);
  try {
    const names = ["init", ...ROLES];
    const bytes = await Promise.all(names.map((r) => fetchWasm(`pcm-${r}.wasm`)));
    const kernel = new Kernel({ deterministic: false, stdout: (b) => terminal.write(b), log: (l) => terminal.append(l + "\n") });
    const audio = kernel.createDevice(new AudioOutDevice({ sink }));
    const fb = kernel.createFramebuffer({ width: 480, height: 200, listeners: [renderer] });
    const con = kernel.createDevice(new ConsoleDevice(terminal));
    const handles: { name: string; object: KernelObject; rights: number }[] = [
      { name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS },
      { name: "fb", object: fb, rights: DEVICE_GRANT_RIGHTS },
      { name: "console", object: con, rights: DEVICE_GRANT_RIGHTS },
    ];
    ROLES.forEach((role, i) =>
      handles.push({ name: role, object: kernel.loadImage(bytes[i + 1], `pcm-${role}`), rights: IMAGE_GRANT_RIGHTS }),
    );
    const initImage = kernel.loadImage(bytes[0], "pcm-init");
    const init = kernel.spawn(initImage, { args: ["pcm-init", String(periods), "0", "0"], handles });
    kernel.release(initImage);
    for (const h of handles) kernel.release(h.object);
    const exit = await init.exited;
    await kernel.run();
    init.close();
    renderer.draw();
    page.pipeline.exit = describeExit(exit);
    page.pipeline.state = exit.reason === 0 ? "done" : "failed";
    status.textContent = `init ended: ${page.pipeline.exit}; ${sink.periods} periods (${sink.frames} frames) went to WebAudio`;
  } catch (e) {
    page.pipeline.state = "failed";
    status.textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
    status.classList.add("bad");
  } finally {
    clearInterval(timer);
    page.pipeline.periods = sink.periods;
    page.pipeline.frames = sink.frames;
    page.pipeline.presented = renderer.presented;
    $("periods").textContent = String(sink.periods);
  }
}

$("start").addEventListener("click", () => {
  const btn = $<HTMLButtonElement>("start");
  btn.disabled = true;
  void runPipeline(Number($<HTMLInputElement>("duration").value) || 4).finally(() => (btn.disabled = false));
});

// ---- a guest the user picks ----

async function runGuest(bytes: Uint8Array, name: string): Promise<void> {
  const out = $("guest-terminal");
  const status = $("guest-status");
  out.textContent = "";
  status.classList.remove("bad");
  Object.assign(page.guest, { state: "running", output: "", exit: "" });
  status.textContent = `running ${name}...`;
  const terminal = new TerminalConsole(out);
  const args = $<HTMLInputElement>("guest-args").value.split(/\s+/).filter(Boolean);
  try {
    const kernel = new Kernel({ stdout: (b) => terminal.write(b), log: (l) => terminal.append(l + "\n") });
    let image;
    try {
      image = kernel.loadImage(bytes, name);
    } catch (e) {
      if (e instanceof ModuleRefusedError) {
        page.guest.state = "failed";
        page.guest.exit = "refused";
        status.textContent = `refused: ${e.describe()}`;
        status.classList.add("bad");
        return;
      }
      throw e;
    }
    const ns = kernel.createNamespace();
    const proc = kernel.spawn(image, {
      args: [name, ...args],
      handles: [
        { name: "self", object: image, rights: IMAGE_GRANT_RIGHTS },
        { name: "ns", object: ns, rights: NAMESPACE_GRANT_RIGHTS },
      ],
    });
    kernel.release(image);
    kernel.release(ns);
    await kernel.run();
    const exit = proc.process.exit;
    page.guest.exit = exit ? describeExit(exit) : `pid 1 blocked in ${proc.process.blockedIn} forever`;
    page.guest.state = exit?.reason === 0 ? "done" : "failed";
    status.textContent = `${name} (pid 1) ended: ${page.guest.exit}`;
  } catch (e) {
    page.guest.state = "failed";
    status.textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
    status.classList.add("bad");
  } finally {
    page.guest.output = out.textContent ?? "";
  }
}

$("guest-file").addEventListener("change", async () => {
  const f = $<HTMLInputElement>("guest-file").files?.[0];
  if (f) await runGuest(new Uint8Array(await f.arrayBuffer()), f.name);
});
$("run-hello").addEventListener("click", async () => runGuest(await fetchWasm("hello.wasm"), "hello.wasm"));
const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", async (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const f = e.dataTransfer?.files[0];
  if (f) await runGuest(new Uint8Array(await f.arrayBuffer()), f.name);
});
