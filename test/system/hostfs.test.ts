// hostfs (guests/hostfs) serving a host directory into a booted system's
// namespace: a client writes and reads a file in all three transfer forms
// with identical results, and a table of hostile paths through the
// namespace is refused with the host directory's neighbour untouched.
import { execFileSync } from "node:child_process";
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { REPO_ROOT } from "../../build/compile.ts";
import { compileGuestFile } from "../../cli/run-guest.ts";
import { bootSystem } from "../../host/manifest/boot.ts";
import { parseManifest } from "../../host/manifest/load.ts";

const base = mkdtempSync(join(tmpdir(), "wasmos-hostfs-"));
const data = join(base, "data");
const outside = join(base, "outside");
const images = new Map<string, Uint8Array>();

function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((p) => {
      const st = lstatSync(join(dir, p));
      return `${p} ${st.isFile() ? readFileSync(join(dir, p), "utf8") : "dir"} ${st.mtimeMs}`;
    });
}

beforeAll(async () => {
  mkdirSync(data, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, "secret.txt"), "SECRET");
  symlinkSync("../outside", join(data, "out"));
  symlinkSync("../outside/secret.txt", join(data, "out-file"));
  symlinkSync("/", join(data, "root-link"));
  symlinkSync(join(data, "out-file"), join(data, "abs"));
  symlinkSync("abs", join(data, "chain"));
  symlinkSync("loop", join(data, "loop"));
  execFileSync("mkfifo", [join(data, "fifo")]);
  linkSync(join(outside, "secret.txt"), join(data, "hard"));
  images.set("hostfs", await compileGuestFile(join(REPO_ROOT, "guests", "hostfs", "main.ts")));
  images.set("client", await compileGuestFile(join(import.meta.dirname, "fixtures", "hostfs-client.ts")));
}, 120_000);
afterAll(() => rmSync(base, { recursive: true, force: true }));

it("a client reads and writes a host directory through hostfs in every transfer form, and every path out is refused", async () => {
  const before = snapshot(outside);
  const m = parseManifest(
    JSON.stringify({
      version: 1,
      images: { hostfs: "h.wasm", client: "c.wasm" },
      objects: {
        fs: { type: "dir", mounts: { "/host": "host-ep" } },
        "host-ep": { type: "endpoint" },
        io: { type: "memory", size: 65536 },
        data: { type: "hostdir", path: "unused" },
      },
      processes: [
        {
          name: "hostfs",
          image: "hostfs",
          daemon: true,
          handles: [
            { name: "endpoint", object: "host-ep", rights: ["receive", "send", "duplicate"] },
            "io",
            { name: "hostdir", object: "data" },
          ],
        },
        { name: "client", image: "client", handles: [{ name: "root", object: "fs", rights: ["read", "write", "create"] }, "io"] },
      ],
    }),
  );
  let out = "";
  const sys = bootSystem(m, images, {
    dirs: new Map([["data", { path: data, readOnly: false }]]),
    stdout: (_n, b) => (out += new TextDecoder().decode(b)),
  });
  await sys.settle();
  const lines = out.split("\n");
  const h = /^source (\d+)$/.exec(lines[0])![1];
  for (const w of ["buffer", "regs", "grant"])
    for (const r of ["buffer", "regs", "grant"]) expect(lines).toContain(`${w}->${r} 20000 20000 ${h}`);
  expect(readFileSync(join(data, "grant-buffer")).length).toBe(20000);
  const opened = Object.fromEntries(
    lines.filter((l) => l.startsWith("open ")).map((l) => [l.slice(5, l.lastIndexOf(" ")), l.slice(l.lastIndexOf(" ") + 1)]),
  );
  expect(opened).toEqual({
    "/host/../etc/passwd": "ENOENT", // the namespace keeps .. inside its own root: /etc is not mounted
    "/host/a/../../etc/passwd": "ENOENT",
    "/host/out": "EACCES",
    "/host/out/secret.txt": "EACCES",
    "/host/out-file": "EACCES",
    "/host/root-link/etc/passwd": "EACCES",
    "/host/abs": "EACCES",
    "/host/chain": "EACCES",
    "/host/loop": "ELOOP",
    "/host/%2e%2e/secret.txt": "ENOENT",
    "/host/fifo": "EACCES",
    "/host/hard": "EACCES",
    ["/host/" + "x".repeat(34)]: "ENAMETOOLONG",
  });
  expect(out).toContain("create through out EACCES\n");
  expect(out).toContain("symlink out EACCES\n");
  expect(out).toContain("symlink abs EACCES\n");
  expect(out).toContain("stat out-file EACCES\n");
  expect(out).toMatch(/\nreaddir abs buffer-buffer .*chain fifo grant-buffer .* hard loop out out-file .*root-link \n/);
  expect(snapshot(outside)).toEqual(before);
  expect(readdirSync(base).sort()).toEqual(["data", "outside"]);
  expect(sys.processes.get("client")!.lastExit!.reason).toBe(ExitReason.NORMAL);
  sys.shutdown();
  expect(sys.kernel.core.objects.liveTotal()).toBe(0);
}, 60_000);
