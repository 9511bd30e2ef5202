// pcm_realtime_factor: seconds of 48 kHz stereo PCM the four-process
// pipeline (producer, audio driver, VU meter, waveform visualizer) moves per
// second of wall time. Needs the pipeline guests, an audio device and shared
// PCM buffers (memory objects), none of which exist yet; until they do this
// reports which parts are missing.

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SYSCALLS } from "../../abi/gen/abi.ts";
import { REPO_ROOT } from "../../build/compile.ts";
import type { Family } from "../figure.ts";
import { unavailable } from "../figure.ts";

export const pcm: Family = {
  name: "pcm",
  keys: ["pcm_realtime_factor"],
  async run() {
    const guests = readdirSync(join(REPO_ROOT, "guests")).filter((d) => /pcm|audio|vu|wave/i.test(d));
    const halAudio = existsSync(join(REPO_ROOT, "hal"))
      ? readdirSync(join(REPO_ROOT, "hal"), { recursive: true }).map(String).filter((f) => /audio/i.test(f))
      : [];
    const audioSyscalls = SYSCALLS.filter((s) => /audio/.test(s.name)).map((s) => s.name);
    const memorySyscalls = SYSCALLS.filter((s) => s.nr >= 40 && s.nr <= 59);
    const missing = [
      guests.length === 0 ? "no pipeline guests under guests/ (producer, audio driver, VU meter, visualizer)" : "",
      halAudio.length === 0 && audioSyscalls.length === 0 ? "no audio device" : "",
      memorySyscalls.length === 0 ? "no shared memory objects (ABI 40-59) for the PCM buffer" : "",
    ].filter(Boolean);
    if (missing.length > 0) return { pcm_realtime_factor: unavailable(`the PCM pipeline does not exist yet: ${missing.join("; ")}`) };
    return { pcm_realtime_factor: unavailable(`PCM pipeline parts exist (${[...guests, ...halAudio, ...audioSyscalls].join(", ")}) but the pipeline figure is not written yet`) };
  },
};
