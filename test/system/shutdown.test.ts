// What shutting a system down means for a user of the embedding API (host/system.ts's DefaultSystem,
// host/manifest/boot.ts's BootedSystem): everything it started and every process of its kernel ended,
// each blocked one's stack unwound, every promise it gave settled, its references dropped (stdin no longer
// listened to), idempotent, and whatever would start something afterwards refused with a clear error.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ExitReason, ProcessState } from "../../abi/gen/abi.ts";
import { bootDefaultSystem } from "../../cli/system.ts";
import { IMAGE_GRANT_RIGHTS, Kernel, KernelShutdownError } from "../../host/kernel.ts";
import { bootSystem } from "../../host/manifest/boot.ts";
import { parseManifest } from "../../host/manifest/load.ts";
import { guest } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
/** Receives forever on an endpoint of its own. */
const BLOCKED = guest(`(func (export "_start") (drop (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) ${INF})))`);
/** Spawns image "child" (BLOCKED), then blocks as BLOCKED does. */
const PARENT = guest(`
  (data (i32.const 16) "child")
  (func (export "_start")
    (drop (call $spawn (call $handle_get (i32.const 16) (i32.const 5)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (drop (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) ${INF})))`);

const KILLED = (message: string) => ({ status: 0, reason: ExitReason.KILLED, message });

describe("DefaultSystem.shutdown", () => {
  it("ends its servers, the programs it spawned and what they spawned, and every other process of its kernel; settles every promise; stops listening to stdin", async () => {
    const stdin = new PassThrough(); // a terminal nobody types at: it never ends
    const kernel = new Kernel();
    const sys = await bootDefaultSystem({ kernel, stdout: () => {}, stderr: () => {}, stdin });
    const servers = sys.start();
    const child = kernel.loadImage(BLOCKED, "child");
    const parentImage = kernel.loadImage(PARENT, "parent");
    const prog = sys.spawn(parentImage, { handles: [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }] });
    const other = kernel.spawn(kernel.loadImage(BLOCKED, "other")); // the host's own, beside the system
    await kernel.run(); // quiet: everyone blocked, stdin open
    const alive = () => [...kernel.core.processes.values()].filter((p) => p.state !== ProcessState.EXITED);
    expect(alive().map((p) => `${p.image.name}:${p.blockedIn}`)).toEqual([
      "devfs:receive",
      "tmpfs:receive",
      "parent:receive",
      "other:receive",
      "child:receive",
    ]);
    expect(stdin.listenerCount("data")).toBe(1);
    let inputEnded = false;
    void sys.inputEnded.then(() => (inputEnded = true));

    sys.shutdown();
    expect(alive()).toEqual([]);
    expect(await prog.exited).toEqual(KILLED("kernel shutdown"));
    expect(await other.exited).toEqual(KILLED("kernel shutdown"));
    expect(await servers.devfs!.exited).toEqual(KILLED("system shutdown"));
    expect(await servers.tmpfs!.exited).toEqual(KILLED("system shutdown"));
    await kernel.run(); // resolves: nothing can ever run again
    expect(inputEnded).toBe(true);
    expect(stdin.listenerCount("data")).toBe(0);
    expect(kernel.isShutDown).toBe(true);

    sys.shutdown(); // idempotent
    expect(() => sys.spawn(parentImage)).toThrow(new KernelShutdownError("spawn", "the system"));
    expect(() => sys.spawn(parentImage)).toThrow("spawn refused: the system has been shut down");
    expect(() => sys.start()).toThrow("start refused: the system has been shut down");
    expect(() => sys.programHandles()).toThrow("programHandles refused: the system has been shut down");
    expect(() => kernel.spawn(parentImage)).toThrow("spawn refused: the kernel has been shut down");
    expect(() => kernel.loadImage(BLOCKED)).toThrow(KernelShutdownError);
    expect(() => kernel.createEndpoint()).toThrow("createEndpoint refused: the kernel has been shut down");
    // Reading it and dropping references still work.
    expect(kernel.core.blockedProcesses()).toEqual([]);
    prog.close();
    other.close();
    kernel.release(child);
    kernel.release(parentImage);
  });
});

describe("BootedSystem.shutdown", () => {
  const manifest = () =>
    parseManifest(
      JSON.stringify({
        version: 1,
        images: { parent: "p.wasm", child: "c.wasm" },
        objects: {},
        processes: [{ name: "parent", image: "parent", handles: [{ name: "child", object: "child", rights: ["spawn"] }] }],
      }),
      "m.json",
    );

  it("ends the manifest's processes and what they spawned, refuses a monitor still waiting for its time, and refuses monitors after", async () => {
    const sys = bootSystem(
      manifest(),
      new Map([
        ["parent", PARENT],
        ["child", BLOCKED],
      ]),
    );
    await sys.settle();
    const alive = () => [...sys.kernel.core.processes.values()].filter((p) => p.state !== ProcessState.EXITED);
    expect(alive().map((p) => `${p.image.name}:${p.blockedIn}`)).toEqual(["parent:receive", "child:receive"]);
    const monitorImage = sys.kernel.loadImage(BLOCKED, "monitor");
    const later = sys.monitor(monitorImage, [], sys.kernel.core.clock.now() + 1e9, []);

    sys.shutdown();
    expect(alive()).toEqual([]);
    expect(sys.processes.get("parent")!.lastExit).toEqual(KILLED("system shutdown"));
    await expect(later).rejects.toThrow("monitor refused: the kernel has been shut down");
    await sys.settle();
    expect(sys.kernel.isShutDown).toBe(true);
    sys.shutdown(); // idempotent
    await expect(sys.monitor(monitorImage, [], 0, [])).rejects.toThrow(KernelShutdownError);
    sys.kernel.release(monitorImage);
  });
});
