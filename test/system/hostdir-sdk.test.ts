// @wasmos/sdk/hostdir from a real AssemblyScript guest through the ABI: a
// host directory read, written, listed and linked inside; escapes refused.
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { Errno, Rights } from "../../abi/gen/abi.ts";
import { compileGuestFile } from "../../cli/run-guest.ts";
import { HostDirDevice } from "../../hal/hostdir/hostdir.ts";
import { NodeHostDir } from "../../hal/node/hostdir.ts";
import { DEVICE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";

const dir = mkdtempSync(join(tmpdir(), "wasmos-hostdir-sdk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a guest reads, writes, lists and links inside its host directory, and is refused outside", async () => {
  writeFileSync(join(dir, "a.txt"), "hello");
  const bytes = await compileGuestFile(join(import.meta.dirname, "fixtures", "hostdir-sdk.ts"));
  const chunks: string[] = [];
  const k = new Kernel({ stdout: (b) => chunks.push(new TextDecoder().decode(b)) });
  const dev = k.createDevice(new HostDirDevice(new NodeHostDir(dir)));
  const img = k.loadImage(bytes, "hostdir-sdk");
  const p = k.spawn(img, { handles: [{ name: "hostdir", object: dev, rights: DEVICE_GRANT_RIGHTS & ~Rights.ATTACH }] });
  k.release(img);
  k.release(dev);
  const exit = await p.exited;
  await k.run();
  p.close();
  expect(exit.reason).toBe(0);
  expect(chunks.join("")).toBe(
    [
      "stat 0 size 5",
      "read 5 hello",
      "write 5",
      "entry a.txt 1",
      "entry b.txt 1",
      "mkdir 0 symlink 0 readlink ../a.txt",
      `escape ${Errno.EACCES} -${Errno.EACCES}`,
      "",
    ].join("\n"),
  );
  expect(readFileSync(join(dir, "b.txt"), "utf8")).toBe("hello");
  expect(readlinkSync(join(dir, "sub", "l"))).toBe("../a.txt");
  expect(k.core.objects.liveTotal()).toBe(0);
}, 60_000);
