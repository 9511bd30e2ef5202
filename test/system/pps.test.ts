// PPS (guests/pps) in a booted system: delta subscribers read only what
// changed, blocking until it does or told by a pulse; objects persist
// through the file system (tmpfs) across a restart of PPS; nothing is left
// behind when subscribers die or the system shuts down. Real guests, the
// real namespace and transport.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { REPO_ROOT } from "../../build/compile.ts";
import { compileGuestFile } from "../../cli/run-guest.ts";
import { bootSystem, type BootedSystem } from "../../host/manifest/boot.ts";
import { parseManifest } from "../../host/manifest/load.ts";
import type { ImageObject } from "../../kernel/objects/image.ts";

const images = new Map<string, Uint8Array>();
beforeAll(async () => {
  for (const g of ["tmpfs", "pps", "ppsclient"]) images.set(g, await compileGuestFile(join(REPO_ROOT, "guests", g, "main.ts")));
}, 120_000);

const SERVERS = [
  {
    name: "tmpfs",
    image: "tmpfs",
    priority: 150,
    daemon: true,
    handles: [{ name: "endpoint", object: "tmp-ep", rights: ["receive", "send", "duplicate"] }, "io"],
  },
  {
    name: "pps",
    image: "pps",
    priority: 150,
    daemon: true,
    handles: [
      { name: "endpoint", object: "pps-ep", rights: ["receive", "send", "duplicate"] },
      { name: "persist", object: "fs", path: "/tmp", rights: ["read", "write", "create"] },
      { name: "ns", object: "names", rights: ["lookup"] },
    ],
    restart: { when: "on-failure", max: 3, windowMs: 1000, backoffMs: 1 },
  },
];
const client = (name: string, args: string[], rights = ["read", "write", "create"], extra: object[] = []) => ({
  name,
  image: "ppsclient",
  args,
  handles: [{ name: "root", object: "fs", rights }, ...extra],
});

function system(clients: object[]) {
  return parseManifest(
    JSON.stringify({
      version: 1,
      images: { tmpfs: "t.wasm", pps: "p.wasm", ppsclient: "c.wasm" },
      objects: {
        fs: { type: "dir", mounts: { "/tmp": "tmp-ep", "/pps": "pps-ep" } },
        "tmp-ep": { type: "endpoint" },
        "pps-ep": { type: "endpoint" },
        io: { type: "memory", size: 65536 },
        names: { type: "namespace" },
      },
      processes: [...SERVERS, ...clients],
    }),
  );
}

async function boot(clients: object[]) {
  const out: Record<string, string> = {};
  const dec = new TextDecoder();
  const sys = bootSystem(system(clients), images, { stdout: (n, b) => (out[n] = (out[n] ?? "") + dec.decode(b)) });
  await sys.settle();
  return { sys, out };
}

/** Run one more ppsclient in the system, with the root DIR (READ), and return what it printed. */
async function extra(sys: BootedSystem, args: string[], rights: number = Rights.READ): Promise<string> {
  const chunks: string[] = [];
  const p = sys.kernel.spawn(sys.object("ppsclient") as ImageObject, {
    args: ["reader", ...args],
    handles: [{ name: "root", object: sys.object("fs")!, rights }],
    stdout: (b) => chunks.push(new TextDecoder().decode(b)),
  });
  await sys.settle();
  p.close();
  return chunks.join("");
}

describe("PPS", () => {
  it("a delta subscriber reads the whole object first, then only what changed, blocking in between", async () => {
    const { sys, out } = await boot([
      client("publisher", ["publish", "/pps/status", "5"]),
      client("subscriber", ["subscribe", "/pps/status", "6"], ["read"]),
    ]);
    expect(out.subscriber).toBe(
      [
        "subscriber: @status|mode::run|count::1|",
        "subscriber: @status|count::2|",
        "subscriber: @status|count::3|",
        "subscriber: @status|count::4|",
        "subscriber: @status|count::5|",
        "subscriber: @status|-mode|done::yes|",
        "",
      ].join("\n"),
    );
    // A plain reader sees the object as it is now, in the order attributes were first set.
    expect(await extra(sys, ["read", "/pps/status"])).toBe("reader: @status|count::5|done::yes|\n");
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
  }, 60_000);

  it("a subscriber that asked for notify= gets a pulse per change and reads only the change", async () => {
    const { sys, out } = await boot([
      client("publisher", ["publish", "/pps/status", "3"]),
      client("watcher", ["notify", "/pps/status", "4", "w1"], ["read"], [{ name: "ns", object: "names", rights: ["register"] }]),
    ]);
    expect(out.watcher).toBe(
      [
        "watcher: @status|mode::run|count::1|",
        "watcher: pulse, change 2",
        "watcher: @status|count::2|",
        "watcher: pulse, change 3",
        "watcher: @status|count::3|",
        "watcher: pulse, change 4",
        "watcher: @status|-mode|done::yes|",
        "",
      ].join("\n"),
    );
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
  }, 60_000);

  it("objects persist through the file system across a restart of PPS", async () => {
    const { sys, out } = await boot([client("publisher", ["publish", "/pps/status", "2"])]);
    expect(out.pps).toBe("pps: serving 0 objects\n");
    // The object is a file of the file system now.
    expect(await extra(sys, ["read", "/tmp/status"])).toBe("reader: @status|count::2|done::yes|\n");
    const pps = sys.processes.get("pps")!;
    sys.kernel.core.terminate(pps.current!.process, 9, ExitReason.KILLED, "test");
    await sys.settle();
    expect(pps.pids).toHaveLength(2);
    expect(out.pps).toBe("pps: serving 0 objects\npps: serving 1 objects\n");
    expect(await extra(sys, ["read", "/pps/status"])).toBe("reader: @status|count::2|done::yes|\n");
    expect(await extra(sys, ["ls", "/pps"])).toBe("reader: status\n");
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
  }, 60_000);

  it("a subscriber that dies while waiting is dropped, and publishing goes on", async () => {
    const { sys, out } = await boot([
      client("subscriber", ["subscribe", "/pps/status", "9"], ["read"]),
      client("publisher", ["publish", "/pps/status", "4"]),
    ]);
    // The subscriber opened before the object existed: ENOENT, it ended; now a real one dies mid-wait.
    expect(out.subscriber).toContain("ENOENT");
    const sub = sys.kernel.spawn(sys.object("ppsclient") as ImageObject, {
      args: ["late", "subscribe", "/pps/status", "3"],
      handles: [{ name: "root", object: sys.object("fs")!, rights: Rights.READ }],
    });
    await sys.settle(); // it read the object and now waits for a change
    expect(sub.process.blockedIn).not.toBe("");
    sys.kernel.core.terminate(sub.process, 9, ExitReason.KILLED, "test");
    sub.close();
    expect(await extra(sys, ["publish", "/pps/status", "1"], Rights.READ | Rights.WRITE | Rights.CREATE)).toBe(
      "reader: published 1 updates\n",
    );
    expect(sys.processes.get("pps")!.pids).toHaveLength(1); // never crashed
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
  }, 60_000);
});

describe("nothing outlives the process that held it", () => {
  it("opens, subscriptions and mounts of processes that die are released: every open closed, no mount left", async () => {
    const { nsCounters } = await import("../../kernel/ns/host.ts");
    const { sys } = await boot([client("publisher", ["publish", "/pps/status", "3"])]);
    const k = sys.kernel;
    // Three subscribers killed while each waits in a delta read.
    for (let i = 0; i < 3; i++) {
      const s = k.spawn(sys.object("ppsclient") as ImageObject, {
        args: [`sub${i}`, "subscribe", "/pps/status", "5"],
        handles: [{ name: "root", object: sys.object("fs")!, rights: Rights.READ }],
      });
      await sys.settle();
      k.core.terminate(s.process, 9, ExitReason.KILLED, "test");
      s.close();
    }
    // pps mounted nothing itself (the host did), tmpfs neither: no process owns a mount.
    expect(nsCounters(k.core).mountOwners).toBe(0);
    // A second PPS that mounts itself at /pps2 (MOUNT on the namespace, no endpoint given), then dies.
    const own = k.spawn(sys.object("pps") as ImageObject, {
      args: ["pps2", "/pps2"],
      handles: [{ name: "root", object: sys.object("fs")!, rights: Rights.READ | Rights.MOUNT }],
    });
    await sys.settle();
    expect(nsCounters(k.core).mountOwners).toBe(1);
    expect(await extra(sys, ["read", "/pps2"])).toBe("reader: read: EISDIR\n"); // served: its top is a directory
    k.core.terminate(own.process, 9, ExitReason.KILLED, "test");
    own.close();
    expect(nsCounters(k.core).mountOwners).toBe(0);
    expect(await extra(sys, ["read", "/pps2"])).toBe("reader: open /pps2: ENOENT\n"); // the mount went with its owner
    await sys.settle();
    const c = nsCounters(k.core);
    expect(c.opens).toBeGreaterThan(0);
    expect(c.closes).toBe(c.opens); // every open's server got its close pulse
    // Publishing after the subscribers died: PPS answers nobody's dead read and carries on.
    expect(await extra(sys, ["publish", "/pps/status", "1"], Rights.READ | Rights.WRITE | Rights.CREATE)).toBe(
      "reader: published 1 updates\n",
    );
    sys.shutdown();
    expect(k.core.objects.liveTotal()).toBe(0);
  }, 60_000);
});

describe("unveil in a manifest", () => {
  it("a process starts with the view its manifest unveils: reads under /pps, nothing else, no writes", async () => {
    const { sys, out } = await boot([
      client("publisher", ["publish", "/pps/status", "1"]),
      { ...client("reader", ["read", "/pps/status"]), unveil: [{ path: "/pps", permissions: "r" }] },
      { ...client("writer", ["publish", "/pps/status", "1"]), unveil: [{ path: "/pps", permissions: "r" }] },
      { ...client("snoop", ["read", "/tmp/status"]), unveil: [{ path: "/pps", permissions: "rwc" }] },
    ]);
    expect(out.reader).toBe("reader: @status|mode::run|count::1|\n"); // read while the publisher sleeps
    expect(out.writer).toBe("writer: open /pps/status: EUNVEIL\n");
    expect(out.snoop).toBe("snoop: open /tmp/status: EUNVEIL\n");
    sys.shutdown();
  }, 60_000);

  it("refuses unveil rules it cannot read, with their place", () => {
    expect(() => system([{ ...client("x", ["read", "/a"]), unveil: [{ path: "pps", permissions: "rz" }] }])).toThrow(
      /\/processes\/2\/unveil\/0\/path: "pps" is not an absolute path\n.*\/processes\/2\/unveil\/0\/permissions: unknown permission "z"/,
    );
  });
});
