// The wasmos page: the kernel from host/ with the browser backends from
// hal/browser/. Two views: the PCM pipeline live (WebAudio, canvas, VU meter,
// the revoke) and a guest the user picks, run in the default system of
// `wasmos run` (host/system.ts: devfs at /dev, tmpfs at /tmp) plus /data, the
// files the user dropped, in memory (hal/browser/memdir.ts) served by hostfs
// (host/hostdirs.ts). State for tests and the curious is
// on window.wasmos.

import { AudioOutDevice } from "../hal/audio/audio-out.ts";
import { ConsoleDevice } from "../hal/console.ts";
import { CanvasRenderer, LineInput, MemoryHostDir, TerminalConsole, WebAudioSink } from "../hal/browser/index.ts";
import { serveHostDirs } from "../host/hostdirs.ts";
import { DEVICE_GRANT_RIGHTS, IMAGE_GRANT_RIGHTS, Kernel, ModuleRefusedError, NAMESPACE_GRANT_RIGHTS } from "../host/kernel.ts";
import { bootSystem, SERVER_PRIORITY } from "../host/system.ts";
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
  guest: { state: "idle" | "running" | "done" | "failed"; output: string; exit: string; stdin: "none" | "open" | "ended" };
  /** The files under /data: name and size. */
  data: { name: string; size: number }[];
}

const page: PageState = {
  jspi:
    typeof (WebAssembly as { Suspending?: unknown }).Suspending === "function" &&
    typeof (WebAssembly as { promising?: unknown }).promising === "function",
  pipeline: { state: "idle", periods: 0, frames: 0, presented: 0, vu: 0, revoke: [], exit: "" },
  guest: { state: "idle", output: "", exit: "", stdin: "none" },
  data: [],
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
    kernel.shutdown(); // anything init left blocked: a suspended stack would keep this run's kernel for the page's life
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

// ---- a guest the user picks, in the default system ----

let serverImages: Promise<{ devfs: Uint8Array; tmpfs: Uint8Array; hostfs: Uint8Array }> | null = null;
/** The system's servers, prebuilt by web/prepare.ts into the page's assets; fetched once. */
function serverBinaries(): Promise<{ devfs: Uint8Array; tmpfs: Uint8Array; hostfs: Uint8Array }> {
  serverImages ??= Promise.all(["devfs", "tmpfs", "hostfs"].map((n) => fetchWasm(`${n}.wasm`))).then(([devfs, tmpfs, hostfs]) => ({
    devfs,
    tmpfs,
    hostfs,
  }));
  return serverImages;
}

/** The files the user gave for /data (the latest pick or drop replaces the earlier ones). */
let dataFiles: File[] = [];

/** A fresh in-memory tree of the dropped files for each run: a guest's changes last for its run only. */
async function dataTree(): Promise<MemoryHostDir> {
  const tree = new MemoryHostDir();
  for (const f of dataFiles) tree.addFile(f.name, new Uint8Array(await f.arrayBuffer()));
  return tree;
}

function setDataFiles(files: File[]): void {
  dataFiles = files;
  page.data = files.map((f) => ({ name: f.name, size: f.size }));
  const list = $("data-list");
  list.textContent = "";
  for (const f of files) {
    const li = document.createElement("li");
    li.textContent = `/data/${f.name} (${f.size} bytes)`;
    list.append(li);
  }
}

// ---- standard input from the keyboard: one line at a time, like a terminal in cooked mode ----

/** The running guest's standard input, while it runs. */
let keyboard: LineInput | null = null;
const stdinLine = $<HTMLInputElement>("stdin-line");
const stdinEnd = $<HTMLButtonElement>("stdin-end");

function attachKeyboard(input: LineInput | null): void {
  keyboard = input;
  stdinLine.disabled = stdinEnd.disabled = input === null;
  page.guest.stdin = input === null ? (page.guest.stdin === "none" ? "none" : "ended") : "open";
  if (input !== null) stdinLine.focus();
}

function endKeyboard(): void {
  if (keyboard === null) return;
  keyboard.end();
  attachKeyboard(null);
  page.guest.stdin = "ended";
}

$("stdin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  if (keyboard === null) return;
  const line = stdinLine.value + "\n";
  stdinLine.value = "";
  // Echo it, as a terminal does, then hand it to the program.
  guestTerminal?.append(line);
  keyboard.send(line);
});
stdinLine.addEventListener("keydown", (e) => {
  if (e.key === "d" && e.ctrlKey) {
    e.preventDefault();
    // Ctrl-D on a non-empty line sends it without a newline (as a tty does); on an empty one it ends the input.
    if (stdinLine.value !== "" && keyboard !== null) {
      guestTerminal?.append(stdinLine.value);
      keyboard.send(stdinLine.value);
      stdinLine.value = "";
    } else endKeyboard();
  }
});
stdinEnd.addEventListener("click", endKeyboard);

let guestTerminal: TerminalConsole | null = null;

/** Run a guest as the system's program, with `argv` after its name (default: the arguments field). */
async function runGuest(bytes: Uint8Array, name: string, argv?: string[]): Promise<void> {
  const out = $("guest-terminal");
  const status = $("guest-status");
  out.textContent = "";
  status.classList.remove("bad");
  Object.assign(page.guest, { state: "running", output: "", exit: "" });
  status.textContent = `running ${name}...`;
  const terminal = new TerminalConsole(out);
  guestTerminal = terminal;
  const args = argv ?? $<HTMLInputElement>("guest-args").value.split(/\s+/).filter(Boolean);
  try {
    const servers = await serverBinaries();
    const tree = await dataTree();
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
    // The default system, as `wasmos run` boots it, plus /data. Standard
    // input is what the user types under the terminal, until they end it.
    const input = new LineInput();
    attachKeyboard(input);
    const sys = bootSystem({ kernel, stdout: (b) => terminal.write(b), stderr: (b) => terminal.write(b), stdin: input }, servers);
    const ns = kernel.createNamespace();
    const proc = sys.spawn(image, {
      args: [name, ...args],
      handles: [
        { name: "self", object: image, rights: IMAGE_GRANT_RIGHTS },
        { name: "ns", object: ns, rights: NAMESPACE_GRANT_RIGHTS },
      ],
    });
    // /data's server after the program, which stays pid 1: both are only
    // queued here, and the mount is in place before either runs.
    const hostfsImage = kernel.loadImage(servers.hostfs, "hostfs");
    const stopDirs = serveHostDirs(kernel, sys.root, sys.io, hostfsImage, [{ guest: "/data", backend: tree, readOnly: false }], {
      priority: SERVER_PRIORITY,
      stderr: (b) => terminal.write(b),
    });
    kernel.release(hostfsImage);
    kernel.release(image);
    kernel.release(ns);
    // Quiescent with the program still there: nothing can wake it (its input has ended).
    await Promise.race([proc.exited, sys.inputEnded]);
    await kernel.run();
    const exit = proc.process.exit;
    page.guest.exit = exit ? describeExit(exit) : `pid ${proc.pid} blocked in ${proc.process.blockedIn} forever`;
    // Then everything ends, what is left blocked too (the program, servers of its own): a suspended stack is a
    // root until it resumes, so otherwise each run that ended this way would keep its whole kernel for the
    // page's life. The system's shutdown is its kernel's.
    stopDirs();
    sys.shutdown();
    page.guest.state = exit?.reason === 0 ? "done" : "failed";
    status.textContent = `${name} (pid ${proc.pid}) ended: ${page.guest.exit}`;
  } catch (e) {
    page.guest.state = "failed";
    status.textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
    status.classList.add("bad");
  } finally {
    // The program is gone: what is typed now has nowhere to go.
    if (keyboard !== null) {
      keyboard.end();
      attachKeyboard(null);
    }
    page.guest.output = out.textContent ?? "";
  }
}

$("guest-file").addEventListener("change", async () => {
  const f = $<HTMLInputElement>("guest-file").files?.[0];
  if (f) await runGuest(new Uint8Array(await f.arrayBuffer()), f.name);
});
$("run-hello").addEventListener("click", async () => runGuest(await fetchWasm("hello.wasm"), "hello.wasm"));
$("run-upper").addEventListener("click", async () => runGuest(await fetchWasm("upper.wasm"), "upper.wasm", []));
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

$("data-files").addEventListener("change", () => setDataFiles([...($<HTMLInputElement>("data-files").files ?? [])]));
const dataDrop = $("data-drop");
dataDrop.addEventListener("dragover", (e) => {
  e.preventDefault();
  dataDrop.classList.add("over");
});
dataDrop.addEventListener("dragleave", () => dataDrop.classList.remove("over"));
dataDrop.addEventListener("drop", (e) => {
  e.preventDefault();
  dataDrop.classList.remove("over");
  setDataFiles([...(e.dataTransfer?.files ?? [])]);
});
$("run-files").addEventListener("click", async () => runGuest(await fetchWasm("files.wasm"), "files.wasm", ["/data"]));
