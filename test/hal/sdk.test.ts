// The AssemblyScript SDK's device wrappers (guests/sdk/devices.ts) compile
// and drive a device through the ABI.
import { join } from "node:path";
import { expect, it } from "vitest";
import { compileGuest } from "../../build/compile.ts";
import { AudioOutDevice } from "../../hal/audio/audio-out.ts";
import { NullSink } from "../../hal/audio/sink.ts";
import { DEVICE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";

it("an AssemblyScript driver built with the SDK plays its periods, paced by the device's interrupts", async () => {
  const built = await compileGuest(join(import.meta.dirname, "fixtures", "audio-driver.ts"));
  expect(built.diagnostics).not.toMatch(/ERROR/);
  expect(built.ok).toBe(true);
  let out = "";
  const k = new Kernel({ stdout: (b) => (out += new TextDecoder().decode(b)) });
  const sink = new NullSink();
  const audio = k.createDevice(new AudioOutDevice({ sink }));
  const img = k.loadImage(built.binary!, "audio-driver");
  const p = k.spawn(img, { handles: [{ name: "audio", object: audio, rights: DEVICE_GRANT_RIGHTS }] });
  expect((await p.exited).reason).toBe(0);
  expect(out).toBe("tickets 01 underruns 0\n");
  expect(sink.frames).toBe(1920);
  expect(sink.channels[0].peak).toBe(7 * 1918);
});
