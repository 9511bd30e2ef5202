// Boot manifests: the parser's positions, every kind of manifest error with
// its location, and real systems booted from manifests (restarts, bounds,
// backoff, handles and rights, partitions, pledges, leaks).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { compileGuestFile } from "../../cli/run-guest.ts";
import { bootSystem, type BootedSystem } from "../../host/manifest/boot.ts";
import { JsonSyntaxError, parseJson } from "../../host/manifest/json.ts";
import { ManifestError, parseManifest } from "../../host/manifest/load.ts";
import { ExitReason, ObjectType, Rights } from "../../abi/gen/abi.ts";

const COUNTER = join(REPO_ROOT, "guests", "counter", "main.ts");
let counter: Uint8Array;
beforeAll(async () => {
  counter = await compileGuestFile(COUNTER);
}, 60_000);

function errors(text: string): string[] {
  try {
    parseManifest(text, "m.json");
  } catch (e) {
    if (e instanceof ManifestError) return e.message.split("\n");
    throw e;
  }
  throw new Error("the manifest was accepted");
}

const minimal = (processes: string, extra = "") =>
  `{"version": 1, "images": {"counter": "c.wasm"}, "objects": {"ep": {"type": "endpoint"}}${extra},\n"processes": ${processes}}`;

describe("the manifest's JSON parser", () => {
  it("records where every value starts, by JSON pointer", () => {
    const { value, positions } = parseJson('{\n  "a": [1, {"b~/c": true}],\n  "s": "x"\n}');
    expect(value).toEqual({ a: [1, { "b~/c": true }], s: "x" });
    expect(positions.get("/a")).toEqual({ line: 2, column: 8 });
    expect(positions.get("/a/1/b~0~1c")).toEqual({ line: 2, column: 21 });
    expect(positions.get("/s")).toEqual({ line: 3, column: 8 });
  });

  it.each([
    ['{"a": 1,}', 1, 9, "expected a key"],
    ['{"a": 1, "a": 2}', 1, 10, 'duplicate key "a"'],
    ["[1 2]", 1, 4, 'expected "," or "]"'],
    ['{"a": tru}', 1, 7, "expected a value"],
    ['{"a": "x\ny"}', 1, 9, "control character"],
    ["// no\n{}", 1, 1, "expected a value"],
    ['{"a": 01}', 1, 8, 'expected "," or "}"'],
    ['{"a": "\\q"}', 1, 8, "bad escape"],
    ["{}\n{}", 2, 1, "after the end"],
    ['{"a": [', 1, 8, "expected a value"],
  ])("refuses %j at %i:%i (%s)", (text, line, column, msg) => {
    try {
      parseJson(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      const s = e as JsonSyntaxError;
      expect(s.message).toContain(msg);
      expect(s.position).toEqual({ line, column });
    }
  });
});

describe("manifest errors are reported with their location", () => {
  it("a syntax error names its line and column", () => {
    expect(errors('{"version": 1,\n "processes": [}')).toEqual(['m.json:2:16: /processes/0: unexpected "}": expected a value']);
  });

  it.each([
    ["an unknown field", minimal(`[{"name": "s", "image": "counter", "prio": 1}]`), "/processes/0/prio", 'unknown field "prio"'],
    [
      "a missing image",
      minimal(`[{"name": "s", "image": "countr"}]`),
      "/processes/0/image",
      'no image "countr" in "images" (did you mean "counter"?)',
    ],
    ["a missing required field", minimal(`[{"name": "s"}]`), "/processes/0", 'missing field "image"'],
    ["a priority out of range", minimal(`[{"name": "s", "image": "counter", "priority": 300}]`), "/processes/0/priority", "0..255"],
    ["a string priority", minimal(`[{"name": "s", "image": "counter", "priority": "high"}]`), "/processes/0/priority", "integer"],
    [
      "a duplicate process name",
      minimal(`[{"name": "s", "image": "counter"}, {"name": "s", "image": "counter"}]`),
      "/processes/1/name",
      "two processes",
    ],
    ["a bad process name", minimal(`[{"name": "a b", "image": "counter"}]`), "/processes/0/name", "is not a name"],
    [
      "an unknown object",
      minimal(`[{"name": "s", "image": "counter", "handles": [{"object": "nope"}]}]`),
      "/processes/0/handles/0/object",
      'no object or image "nope"',
    ],
    [
      "an unknown right",
      minimal(`[{"name": "s", "image": "counter", "handles": [{"object": "ep", "rights": ["fly"]}]}]`),
      "/processes/0/handles/0/rights/0",
      'unknown right "fly"',
    ],
    [
      "a right the object cannot carry",
      minimal(`[{"name": "s", "image": "counter", "handles": [{"object": "ep", "rights": ["spawn"]}]}]`),
      "/processes/0/handles/0/rights/0",
      'an endpoint handle cannot carry "spawn"',
    ],
    [
      "two handles of one name",
      minimal(`[{"name": "s", "image": "counter", "handles": ["ep", {"name": "ep", "object": "ep"}]}]`),
      "/processes/0/handles/1/name",
      'two handles are named "ep"',
    ],
    [
      "an unknown pledge class",
      minimal(`[{"name": "s", "image": "counter", "pledge": ["net"]}]`),
      "/processes/0/pledge/0",
      'unknown pledge class "net"',
    ],
    [
      "an unknown partition",
      minimal(`[{"name": "s", "image": "counter", "partition": "rt"}]`),
      "/processes/0/partition",
      'no partition "rt"',
    ],
    [
      "partitions over the whole CPU",
      minimal(`[{"name": "s", "image": "counter"}]`, `, "partitions": {"a": {"share": 600}, "b": {"share": 500}}`),
      "/partitions/b/share",
      "add up to 1100",
    ],
    [
      "an unknown restart policy",
      minimal(`[{"name": "s", "image": "counter", "restart": "sometimes"}]`),
      "/processes/0/restart/when",
      'unknown restart policy "sometimes"',
    ],
    [
      "a backoff bound below the backoff",
      minimal(`[{"name": "s", "image": "counter", "restart": {"backoffMs": 50, "backoffMaxMs": 10}}]`),
      "/processes/0/restart",
      "backoffMaxMs (10) is below backoffMs (50)",
    ],
    [
      "a memory object without a size",
      `{"version": 1, "images": {"c": "c.wasm"}, "objects": {"buf": {"type": "memory"}}, "processes": [{"name": "s", "image": "c"}]}`,
      "/objects/buf",
      'needs "size"',
    ],
    [
      "an unknown object type",
      `{"version": 1, "images": {"c": "c.wasm"}, "objects": {"x": {"type": "socket"}}, "processes": [{"name": "s", "image": "c"}]}`,
      "/objects/x/type",
      'unknown object type "socket"',
    ],
    [
      "an image that is not a module",
      `{"version": 1, "images": {"c": "c.txt"}, "processes": [{"name": "s", "image": "c"}]}`,
      "/images/c",
      "neither a .wasm module",
    ],
    [
      "a wrong version",
      `{"version": 2, "images": {"c": "c.wasm"}, "processes": [{"name": "s", "image": "c"}]}`,
      "/version",
      "unsupported manifest version 2",
    ],
    ["no processes", `{"version": 1, "processes": []}`, "/processes", "at least one process"],
    ["processes not an array", `{"version": 1, "processes": {}}`, "/processes", "expected an array"],
    ["a non-string env value", minimal(`[{"name": "s", "image": "counter", "env": {"K": 1}}]`), "/processes/0/env/K", "expected a string"],
    ["a non-object document", `[1]`, "/", "expected an object"],
    [
      "a mount of something that is not an endpoint",
      `{"version": 1, "images": {"c": "c.wasm"}, "objects": {"fs": {"type": "dir", "mounts": {"/tmp": "fs"}}}, "processes": [{"name": "s", "image": "c"}]}`,
      "/objects/fs/mounts/~1tmp",
      '"fs" is not an endpoint object',
    ],
    [
      "a relative mount path",
      `{"version": 1, "images": {"c": "c.wasm"}, "objects": {"e": {"type": "endpoint"}, "fs": {"type": "dir", "mounts": {"tmp": "e"}}}, "processes": [{"name": "s", "image": "c"}]}`,
      "/objects/fs/mounts/tmp",
      "is not absolute",
    ],
    [
      "a hostdir without a path",
      `{"version": 1, "images": {"c": "c.wasm"}, "objects": {"h": {"type": "hostdir"}}, "processes": [{"name": "s", "image": "c"}]}`,
      "/objects/h",
      'needs "path"',
    ],
    [
      "a scope on a handle that is not a dir",
      minimal(`[{"name": "s", "image": "counter", "handles": [{"object": "ep", "path": "/tmp"}]}]`),
      "/processes/0/handles/0/path",
      "applies to handles of dir objects only",
    ],
  ])("%s", (_what, text, pointer, message) => {
    const lines = errors(text);
    const line = lines.find((l) => l.includes(` ${pointer}: `));
    expect(line, lines.join("\n")).toBeDefined();
    expect(line).toContain(message);
    expect(line).toMatch(/^m\.json:\d+:\d+: /);
  });

  it("reports every problem at once, in document order, each at its own line", () => {
    const lines = errors(`{
  "version": 1,
  "images": {"c": "c.wasm"},
  "processes": [
    {"name": "a", "image": "x"},
    {"name": "b", "image": "c", "priority": -1}
  ]
}`);
    expect(lines).toEqual([
      'm.json:5:28: /processes/0/image: no image "x" in "images"',
      "m.json:6:45: /processes/1/priority: expected an integer in 0..255, got -1",
    ]);
  });
});

/** A counter system: a server restarted on failure, and clients. */
function counterSystem(server: object, clients: [string, string[]][]) {
  const doc = {
    version: 1,
    images: { counter: "counter.wasm" },
    objects: { ep: { type: "endpoint" } },
    partitions: { servers: { share: 300 } },
    processes: [
      {
        name: "server",
        image: "counter",
        args: ["server"],
        partition: "servers",
        priority: 150,
        daemon: true,
        handles: [{ name: "ep", object: "ep", rights: ["receive"] }],
        pledge: ["stdio", "ipc"],
        ...server,
      },
      ...clients.map(([name, args]) => ({
        name,
        image: "counter",
        args: ["client", ...args],
        handles: [{ name: "counter", object: "ep", rights: ["send"] }],
      })),
    ],
  };
  return parseManifest(JSON.stringify(doc));
}

async function boot(m: ReturnType<typeof parseManifest>): Promise<{ sys: BootedSystem; out: Record<string, string>; log: string[] }> {
  const out: Record<string, string> = {};
  const log: string[] = [];
  const dec = new TextDecoder();
  const sys = bootSystem(m, new Map([["counter", counter]]), {
    stdout: (name, b) => (out[name] = (out[name] ?? "") + dec.decode(b)),
    log: (l) => log.push(l),
  });
  await sys.settle();
  return { sys, out, log };
}

describe("a process's environment in a manifest", () => {
  it("refuses a name that is not a name (so never holds '=') and a value with NUL, at its own pointer", () => {
    expect(errors(minimal(`[{"name": "a", "image": "counter", "env": {"A=B": "x", "C": "z\\u0000"}}]`))).toEqual([
      'm.json:2:64: /processes/0/env/A=B: "A=B" is not a name (letters, digits, _ . -; at most 64; not starting with a digit)',
      "m.json:2:74: /processes/0/env/C: an environment variable's value cannot contain NUL",
    ]);
  });
});

describe("booting a system from a manifest", () => {
  it("starts each process with the handles, rights, priority, partition and pledges it names", async () => {
    const { sys, out } = await boot(counterSystem({ env: { MODE: "strict", EMPTY: "" } }, [["alice", ["3"]]]));
    const server = sys.processes.get("server")!.current!.process;
    expect(server.exited).toBe(false);
    expect(server.env.map((v) => new TextDecoder().decode(v))).toEqual(["MODE=strict", "EMPTY="]);
    expect(server.basePriority).toBe(150);
    expect(server.sched.partition.share).toBe(300);
    expect([...server.names.keys()]).toEqual(["ep"]);
    const cap = server.handles.cap(server.names.get("ep")!);
    expect(typeof cap === "number" ? cap : cap.rights).toBe(Rights.RECEIVE);
    expect(server.promises).toBe(0b1011); // core, stdio, ipc
    expect(out.alice).toBe("alice: 3 increments counted (0 retries)\n");
    expect(sys.processes.get("alice")!.lastExit).toEqual({ status: 0, reason: ExitReason.NORMAL, message: "" });
    sys.shutdown();
  });

  it("restarts a crashed server after its backoff, and its clients carry on through the same endpoint", async () => {
    const { sys, out } = await boot(
      counterSystem({ restart: { when: "on-failure", max: 3, windowMs: 1000, backoffMs: 5 } }, [
        ["alice", ["20", "10"]],
        ["bob", ["20"]],
      ]),
    );
    const server = sys.processes.get("server")!;
    expect(server.pids).toHaveLength(2);
    expect(server.current!.process.exited).toBe(false);
    expect(out.server).toBe("counter server: up\ncounter server: crashing as asked\ncounter server: up\n");
    expect(out.alice).toMatch(/^alice: 20 increments counted \(\d+ retries\)\n$/);
    expect(out.bob).toMatch(/^bob: 20 increments counted \(\d+ retries\)\n$/);
    const [crash, restart] = [
      sys.events.find((e) => e.includes("exit server"))!,
      sys.events.find((e) => e.includes("start server pid 4"))!,
    ];
    expect(crash).toContain("TRAP_UNREACHABLE");
    // The restart came 5 ms of virtual time after the crash.
    expect(parseFloat(restart) - parseFloat(crash)).toBeCloseTo(5, 6);
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
  });

  it("stops restarting at the bound, with the backoff doubling up to its ceiling", async () => {
    const { sys, log } = await boot(
      counterSystem({ args: ["crash"], restart: { when: "on-failure", max: 3, windowMs: 10_000, backoffMs: 10, backoffMaxMs: 25 } }, []),
    );
    const server = sys.processes.get("server")!;
    expect(server.pids).toHaveLength(4); // the first start and 3 restarts
    expect(server.gaveUp).toBe(true);
    const delays = sys.events.filter((e) => e.includes("restart server in")).map((e) => Number(/in (\d+) ms/.exec(e)![1]));
    expect(delays).toEqual([10, 20, 25]);
    expect(log.some((l) => l.includes("give up on server: 3 restarts within 10000 ms (max 3)"))).toBe(true);
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
  });

  it("does not restart a process that ended normally under on-failure, and does under always", async () => {
    const m = parseManifest(
      JSON.stringify({
        version: 1,
        images: { counter: "c.wasm" },
        objects: { ep: { type: "endpoint" } },
        processes: [
          { name: "once", image: "counter", args: ["client", "0"], handles: [{ name: "counter", object: "ep" }], restart: "on-failure" },
          {
            name: "again",
            image: "counter",
            args: ["client", "0"],
            handles: [{ name: "counter", object: "ep" }],
            restart: { when: "always", max: 2, backoffMs: 1 },
          },
        ],
      }),
    );
    const { sys } = await boot(m);
    expect(sys.processes.get("once")!.pids).toHaveLength(1);
    expect(sys.processes.get("again")!.pids).toHaveLength(3);
    sys.shutdown();
  });

  it("a pledge the manifest leaves out is enforced on the process", async () => {
    const { sys, out } = await boot(counterWithPledge());
    expect(out.alice).toBe("alice: add failed: EPLEDGE\n");
    expect(sys.processes.get("alice")!.lastExit!.status).toBe(1);
    sys.shutdown();
  });

  it("leaves nothing behind once shut down: processes, endpoints, partitions, images", async () => {
    const { sys } = await boot(
      counterSystem({}, [
        ["alice", ["2"]],
        ["bob", ["2"]],
      ]),
    );
    const live = sys.kernel.core.objects.liveCounts();
    expect(live[ObjectType.ENDPOINT]).toBe(1);
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
    expect(sys.kernel.core.alive).toBe(0);
  });
});

function counterWithPledge() {
  // alice keeps only stdio: its first send is a pledge violation.
  return parseManifest(
    JSON.stringify({
      version: 1,
      images: { counter: "c.wasm" },
      objects: { ep: { type: "endpoint" } },
      processes: [
        { name: "server", image: "counter", args: ["server"], daemon: true, handles: [{ name: "ep", object: "ep" }] },
        { name: "alice", image: "counter", args: ["client", "1"], handles: [{ name: "counter", object: "ep" }], pledge: ["stdio"] },
      ],
    }),
  );
}

describe("wasmos boot", () => {
  const tmp = mkdtempSync(join(tmpdir(), "wasmos-boot-"));
  const wasmos = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "wasmos.js"), "boot", ...args], {
      encoding: "utf8",
      cwd: tmp,
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("boots the example counter system, restarting its crashed server, and exits 0", () => {
    const r = wasmos(join(REPO_ROOT, "systems", "counter.json"));
    expect(r.stdout).toContain("counter server: crashing as asked");
    expect(r.stdout).toMatch(/alice: 20 increments counted/);
    expect(r.stdout).toMatch(/bob: 20 increments counted/);
    expect(r.stderr).toContain("restart server in 5 ms");
    expect(r.code).toBe(0);
  }, 60_000);

  it("exits 65 with every error located, never a stack, for an invalid manifest", () => {
    writeFileSync(join(tmp, "bad.json"), '{\n  "version": 1,\n  "processes": [{"name": "x", "image": "nope", "colour": 1}]\n}\n');
    const r = wasmos("bad.json");
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('bad.json:3:40: /processes/0/image: no image "nope" in "images"');
    expect(r.stderr).toContain('bad.json:3:58: /processes/0/colour: unknown field "colour"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it("exits 66 when the manifest or an image cannot be read", () => {
    expect(wasmos("missing.json").code).toBe(66);
    writeFileSync(join(tmp, "noimg.json"), '{"version": 1, "images": {"c": "gone.wasm"}, "processes": [{"name": "x", "image": "c"}]}');
    const r = wasmos("noimg.json");
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('image "c": cannot read');
  }, 30_000);

  it("exits 69 when a process that is not a daemon is left blocked for ever", () => {
    writeFileSync(
      join(tmp, "stuck.json"),
      JSON.stringify({
        version: 1,
        images: { c: join(REPO_ROOT, "guests", "counter", "main.ts") },
        objects: { ep: { type: "endpoint" } },
        processes: [{ name: "lonely", image: "c", args: ["server"], handles: ["ep"] }],
      }),
    );
    const r = wasmos("stuck.json");
    expect(r.code).toBe(69);
    expect(r.stderr).toContain("lonely (pid 1) still blocked in receive");
  }, 60_000);

  it("exits 1 when a process fails", () => {
    writeFileSync(
      join(tmp, "fail.json"),
      JSON.stringify({
        version: 1,
        images: { c: join(REPO_ROOT, "guests", "counter", "main.ts") },
        processes: [{ name: "x", image: "c", args: ["crash"] }],
      }),
    );
    const r = wasmos("fail.json");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("trap: unreachable");
  }, 60_000);
});
