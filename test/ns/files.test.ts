// Files through the namespace: a client reads and writes tmpfs in all three
// transfer forms with identical results, path operations and their errors,
// devices as files, and nothing left behind.
import { describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { compileGuestFile, runGuest } from "../../cli/run-guest.ts";

const fixture = new URL("./fixtures/files.ts", import.meta.url).pathname;
const bytes = await compileGuestFile(fixture);

function fnv(b: Uint8Array): number {
  let h = 2166136261;
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h;
}
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 0xff);

describe("files through tmpfs", () => {
  it("reads back what was written in every pair of transfer forms, identically", async () => {
    const r = await runGuest(bytes, { system: { stdin: null } });
    expect(r.exit.reason, r.exit.message).toBe(ExitReason.NORMAL);
    const lines = r.stdout.split("\n");
    const h = fnv(pattern(100000));
    expect(lines[0]).toBe(`source ${h}`);
    for (const w of ["buffer", "regs", "grant"]) {
      for (const rd of ["buffer", "regs", "grant"]) expect(lines).toContain(`${w}->${rd} 100000 100000 ${h}`);
    }
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });

  it("does path operations and answers their errors", async () => {
    const r = await runGuest(bytes, { system: { stdin: null } });
    const out = r.stdout;
    expect(out).toContain("mkdir 0 EEXIST\n");
    expect(out).toContain("rename 0\n");
    expect(out).toContain("stat 0 1 100000 1\n");
    expect(out).toContain("symlink 0 moved\n");
    expect(out).toContain("follow 0 100000\n");
    expect(out).toContain("link 0 2\n");
    expect(out).toContain("readdir moved:1 ln:3 \n");
    expect(out).toContain("unlink-dir ENOTEMPTY\n");
    expect(out).toContain("exdev EXDEV\n");
    expect(out).toContain("enoent ENOENT\n");
    expect(out).toContain("enotdir ENOTDIR\n");
    expect(out).toContain("eisdir EISDIR\n");
    expect(out).toContain("truncate 0 10\n");
    expect(out).toContain("unlink 0 1 ENOENT\n");
    expect(out).toContain("dev stdin stdout stderr console null zero random \n");
    expect(out).toContain("zero 100 0\n");
    expect(out).toContain("null 0 100\n");
  });

  it("moves 1 MiB through the grant with no byte copied by the kernel, and through the buffer with each byte copied once", async () => {
    const h = fnv(pattern(1 << 20));
    const grant = await runGuest(bytes, { args: ["grant-only"], system: { stdin: null } });
    expect(grant.stdout).toBe(`grant 1048576 1048576 ${h}\n`);
    // Only paths travel as bodies: the kernel copied no file data.
    expect(grant.kernel.core.copied.ipcBytes).toBeLessThan(100);
    const buffer = await runGuest(bytes, { args: ["buffer-only"], system: { stdin: null } });
    expect(buffer.stdout).toBe(`buffer 1048576 1048576 ${h}\n`);
    expect(buffer.kernel.core.copied.ipcBytes).toBeGreaterThanOrEqual(2 << 20);
    expect(buffer.kernel.core.copied.ipcBytes).toBeLessThan((2 << 20) + 100);
  });
});
