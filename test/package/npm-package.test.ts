// wasmos as a user gets it: npm pack, install the tarball into an empty
// project, run the CLI through npx, import the embedding API from ESM and
// from TypeScript, scaffold a project with `wasmos new` and run its tests.
// Nothing from the checkout is on the path but the tarballs (and the Node 24
// the checkout brings, standing in for the user's).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { guest } from "../helpers/wat.ts";

const tmp = mkdtempSync(join(tmpdir(), "wasmos-pkg-"));
const project = join(tmp, "user");
const version = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
const tarball = join(tmp, `wasmos-${version}.tgz`);
const sdkTarball = join(tmp, `wasmos-sdk-${version}.tgz`);

// PATH as the user has it: their Node 24 first (here: the checkout's), no checkout bin folders.
const userBin = join(tmp, "bin");
const env = {
  ...process.env,
  PATH: `${userBin}:${(process.env.PATH ?? "")
    .split(":")
    .filter((p) => !p.includes("node_modules"))
    .join(":")}`,
  WASMOS_CACHE_DIR: join(tmp, "cache"),
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};

function sh(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  mkdirSync(userBin);
  symlinkSync(process.execPath, join(userBin, "node"));
  // One pack (prepack builds dist/) and one install, offline when npm's cache has the dependencies.
  execFileSync("npm", ["pack", "--pack-destination", tmp], { cwd: REPO_ROOT, env, stdio: "pipe" });
  execFileSync("npm", ["pack", "--pack-destination", tmp], { cwd: join(REPO_ROOT, "guests", "sdk"), env, stdio: "pipe" });
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user", private: true, type: "module" }));
  // @types/node: a TypeScript user of a Node library has it (wasmos/run's types name Node streams).
  execFileSync("npm", ["install", "--prefer-offline", tarball, sdkTarball, "@types/node@24"], { cwd: project, env, stdio: "pipe" });
  writeFileSync(
    join(project, "exit3.wasm"),
    guest(
      `(data (i32.const 0) "bye\\n") (func (export "_start") (drop (call $console_write (i32.const 0) (i32.const 4))) (call $exit (i32.const 3)))`,
    ),
  );
}, 600_000);

describe("the npm package", () => {
  it("ships the compiled API, the CLI, the SDK and the docs, and no tests, benches or TypeScript sources of the kernel", () => {
    const list = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
    for (const f of [
      "package/bin/wasmos.js",
      "package/dist/host/index.js",
      "package/dist/host/index.d.ts",
      "package/dist/cli/main.js",
      "package/asconfig.json",
      "package/guests/sdk/index.ts",
    ]) {
      expect(list).toContain(f);
    }
    expect(list.filter((f) => /^package\/(test|bench|conformance)\//.test(f))).toEqual([]);
    expect(list.filter((f) => /^package\/(kernel|host|cli)\/.*\.ts$/.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(project, "node_modules", "wasmos", "package.json"), "utf8"));
    expect(pkg.private).toBeUndefined();
    expect(Object.keys(pkg.dependencies).sort()).toEqual(["assemblyscript", "binaryen"]);
    // Prebuilt: the default system's servers and the PCM demo's guests, with their build keys.
    for (const g of ["devfs", "tmpfs", "pcm-init", "pcm-producer"]) expect(list).toContain(`package/dist/guests/${g}.wasm`);
  });

  it("runs a .wasm and a .ts guest through npx wasmos", () => {
    const r = sh("npx", ["wasmos", "run", "exit3.wasm"], project);
    expect(r.stdout).toBe("bye\n");
    expect(r.code).toBe(3);
    writeFileSync(join(project, "hi.ts"), `import { args, println } from "@wasmos/sdk";\nprintln("hi " + args()[1]);\n`);
    const t = sh("npx", ["wasmos", "run", "hi.ts", "there"], project);
    expect(t.stderr).toBe("");
    expect(t.stdout).toBe("hi there\n");
    expect(t.code).toBe(0);
    expect(sh("npx", ["wasmos", "--version"], project).stdout).toBe(`wasmos ${version}\n`);
  });

  it("says in one line that it needs Node 24 when started by an older Node", () => {
    const old = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => existsSync(p));
    if (!old || Number(execFileSync(old, ["--version"], { encoding: "utf8" }).slice(1).split(".")[0]) >= 24) return;
    const r = spawnSync(old, [join(project, "node_modules", "wasmos", "bin", "wasmos.js"), "run", "exit3.wasm"], { encoding: "utf8" });
    expect(r.stderr).toMatch(
      /^wasmos: needs Node\.js 24 or newer \(for WebAssembly JSPI\); this is Node v\d+\.\d+\.\d+\. Install Node 24\+ and run again\.\n$/,
    );
    expect(r.status).toBe(78);
  });

  it("gives Kernel to an ES module and, with its types, to TypeScript", () => {
    writeFileSync(
      join(project, "embed.mjs"),
      `import { Kernel, ExitReason } from "wasmos";
import { readFileSync } from "node:fs";
let out = "";
const k = new Kernel({ stdout: (b) => (out += new TextDecoder().decode(b)) });
const p = k.spawn(k.loadImage(readFileSync("exit3.wasm"), "exit3.wasm"));
const e = await p.exited;
console.log(JSON.stringify({ out, status: e.status, normal: e.reason === ExitReason.NORMAL }));
`,
    );
    const r = sh("node", ["embed.mjs"], project);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ out: "bye\n", status: 3, normal: true });

    writeFileSync(
      join(project, "embed.ts"),
      `import { Kernel, ExitReason, type ExitInfo, type KernelConfig } from "wasmos";
import { runGuest, type GuestRun } from "wasmos/run";
const config: KernelConfig = { deterministic: true, seed: 1 };
const k = new Kernel(config);
const p = k.spawn(k.loadImage(new Uint8Array(0), "x.wasm"), { args: ["x"] });
const e: ExitInfo = await p.exited;
const r: GuestRun = await runGuest("hi.ts");
const ok: boolean = e.reason === ExitReason.NORMAL && r.stdout.length > 0;
// @ts-expect-error: spawn wants an image
k.spawn("not an image");
export { ok };
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "es2023", module: "nodenext", strict: true, noEmit: true, types: ["node"] },
        files: ["embed.ts"],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", project], {
      encoding: "utf8",
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("scaffolds with wasmos new a project whose npm start, npm run build and npm test work", () => {
    const app = join(tmp, "app");
    const made = sh("npx", ["wasmos", "new", app, "--wasmos", `file:${tarball}`, "--sdk", `file:${sdkTarball}`], project);
    expect(made.code).toBe(0);
    for (const f of ["main.ts", "main.test.mjs", "package.json", "asconfig.json", "tsconfig.json", "README.md"])
      expect(existsSync(join(app, f))).toBe(true);
    expect(readFileSync(join(app, "package.json"), "utf8")).not.toContain(REPO_ROOT);
    expect(sh("npm", ["install", "--prefer-offline"], app).code).toBe(0);
    const start = sh("npm", ["start", "--silent", "--", "x"], app);
    expect(start.stdout).toMatch(/^hello from app, pid 1\narg 1: x\ntime since boot: \d+ ns\na random number: \d+\n$/);
    const build = sh("npm", ["run", "build", "--silent"], app);
    expect(build.stdout).toMatch(/^main\.wasm: \d+ bytes\n$/);
    const test = sh("npm", ["test"], app);
    expect(test.stdout + test.stderr).toMatch(/pass 1/);
    expect(test.code).toBe(0);
    // The editor's view: asc's own CLI resolves @wasmos/sdk and the asconfig as ordinary dependencies.
    const asc = sh("npx", ["asc", "main.ts", "--config", "asconfig.json", "-o", "plain.wasm"], app);
    expect(asc.stderr).toBe("");
    expect(existsSync(join(app, "plain.wasm"))).toBe(true);
    copyFileSync(join(app, "plain.wasm"), join(project, "plain.wasm"));
    expect(sh("npx", ["wasmos", "run", "plain.wasm"], project).stdout).toMatch(/^hello from app, pid 1\n/);
    void dirname;
  });
});
