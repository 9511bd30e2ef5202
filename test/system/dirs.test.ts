// --dir for the CLI's systems (cli/hostdirs.ts): HOST[::GUEST][:ro] parsed,
// served by hostfs at GUEST in the default system; read-only refuses writes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { mountHostDirs, parseDirSpec } from "../../cli/hostdirs.ts";
import { compileGuestFile } from "../../cli/run-guest.ts";
import { bootDefaultSystem } from "../../cli/system.ts";

const base = mkdtempSync(join(tmpdir(), "wasmos-dirs-"));
const data = join(base, "data");
mkdirSync(data);
writeFileSync(join(data, "a.txt"), "alpha");
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("--dir", () => {
  it("parses HOST, HOST::GUEST and the :ro suffix, and refuses what is not a directory", () => {
    expect(parseDirSpec(data)).toEqual({ host: data, guest: "/data", readOnly: false });
    expect(parseDirSpec(`${data}::/mnt/d/:ro`)).toEqual({ host: data, guest: "/mnt/d", readOnly: true });
    expect(parseDirSpec(`${data}::x`)).toEqual({ host: data, guest: "/x", readOnly: false });
    expect(() => parseDirSpec(`${data}::/`)).toThrow(/below \//);
    expect(() => parseDirSpec(`${data}::/a/../..`)).toThrow(/without \.\./);
    expect(() => parseDirSpec(join(data, "a.txt"))).toThrow(/is not a directory/);
    expect(() => parseDirSpec(join(base, "missing"))).toThrow(/no such file/);
  });

  async function run(spec: string, args: string[]) {
    const out: string[] = [];
    const sys = await bootDefaultSystem({ stdin: null, stdout: (b) => out.push(new TextDecoder().decode(b)), stderr: () => {} });
    const stop = await mountHostDirs(sys.kernel, sys.root, sys.io, [parseDirSpec(spec)]);
    const img = sys.kernel.loadImage(await compileGuestFile(join(REPO_ROOT, "guests", "ppsclient", "main.ts")), "client");
    const p = sys.spawn(img, { args: ["client", ...args] });
    sys.kernel.release(img);
    await p.exited;
    await sys.kernel.run();
    p.close();
    stop();
    sys.shutdown();
    expect(sys.kernel.core.objects.liveTotal()).toBe(0);
    return out.join("");
  }

  it("serves the host directory at its guest path through hostfs", async () => {
    expect(await run(`${data}::/mnt`, ["read", "/mnt/a.txt"])).toBe("client: alpha\n");
    expect(await run(`${data}::/mnt`, ["ls", "/mnt"])).toBe("client: a.txt\n");
    expect(await run(`${data}::/mnt`, ["publish", "/mnt/new", "1"])).toBe("client: published 1 updates\n");
    expect(readFileSync(join(data, "new"), "utf8")).toContain("count::1\n");
  }, 60_000);

  it("read-only: reads work, every write is refused", async () => {
    expect(await run(`${data}::/mnt:ro`, ["read", "/mnt/a.txt"])).toBe("client: alpha\n");
    expect(await run(`${data}::/mnt:ro`, ["publish", "/mnt/other", "1"])).toBe("client: open /mnt/other: EACCES\n");
  }, 60_000);
});

describe("wasmos run --dir", () => {
  const wasmos = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "wasmos.js"), "run", ...args], { encoding: "utf8", timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const client = join(REPO_ROOT, "guests", "ppsclient", "main.ts");

  it("gives the program the host directory at the guest path, read-only with :ro, and exits 66 for a missing one", () => {
    expect(wasmos("--dir", `${data}::/data`, client, "read", "/data/a.txt")).toMatchObject({ code: 0, stdout: "main.ts: alpha\n" });
    expect(wasmos("--dir", `${data}:ro`, client, "publish", "/data/b", "1")).toMatchObject({
      code: 1,
      stdout: "main.ts: open /data/b: EACCES\n",
    });
    const missing = wasmos("--dir", join(base, "missing"), client, "ls", "/");
    expect(missing.code).toBe(66);
    expect(missing.stderr).toBe(`wasmos run: --dir ${join(base, "missing")}: cannot use ${join(base, "missing")}: no such file\n`);
  }, 60_000);
});
