// Every guest in guests/ compiles with asconfig.json, passes the loader's
// checks, imports nothing but the ABI (syscalls and grant memories), and is skipped when unchanged.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildGuests, listGuests } from "../../build/build-guests.ts";
import { compileGuest } from "../../build/compile.ts";
import { runGuest } from "../../cli/run-guest.ts";

const outDir = mkdtempSync(join(tmpdir(), "wasmos-guests-"));

describe("guest build", () => {
  it("builds every guest, verified, and skips unchanged ones on the next build", async () => {
    const names = listGuests();
    expect(names).toEqual(expect.arrayContaining(["hello", "spawner"]));
    const first = await buildGuests(names, { outDir });
    for (const b of first) expect(b.status, `${b.name}: ${b.message}`).toBe("built");
    const second = await buildGuests(names, { outDir });
    expect(second.map((b) => b.status)).toEqual(names.map(() => "cached"));
    for (const b of first) {
      const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(b.path)));
      // The ABI: syscalls from "wasmos", and memories from "grant" (bound grants, e.g. tmpfs's "io").
      for (const i of imports)
        expect(i.module === "wasmos" || (i.module === "grant" && i.kind === "memory"), `${b.name} imports ${i.module}.${i.name}`).toBe(
          true,
        );
    }
  });

  it("reports asc's diagnostics for a guest that does not compile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmos-bad-"));
    const file = join(dir, "main.ts");
    (await import("node:fs")).writeFileSync(file, 'import { println } from "@wasmos/sdk";\nprintln(42);\n');
    const r = await compileGuest(file);
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toMatch(/TS2345|not assignable/);
  });

  it("routes AssemblyScript's abort through panic: an assertion failure ends the process with its message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmos-abort-"));
    const file = join(dir, "main.ts");
    (await import("node:fs")).writeFileSync(
      file,
      'import { args } from "@wasmos/sdk";\nassert(args().length > 5, "need more arguments");\n',
    );
    const r = await runGuest(file);
    expect(r.exit.reason).toBe(9 /* PANIC */);
    expect(r.exit.message).toMatch(/panic: need more arguments at .*main\.ts:2:/);
  });

  it("the spawner guest spawns copies of itself and collects their exit statuses in order", async () => {
    const r = await runGuest(join(import.meta.dirname, "..", "..", "guests", "spawner", "main.ts"), { args: ["3"] });
    expect(r.exit).toMatchObject({ reason: 0, status: 0 });
    expect(r.stdout).toBe(
      "child 1 awake at 1 ms\nchild 2 awake at 2 ms\nchild 3 awake at 3 ms\n" +
        "child 3 exited with status 13\nchild 2 exited with status 12\nchild 1 exited with status 11\n" +
        "all 3 children done after 3 ms\n",
    );
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });
});
