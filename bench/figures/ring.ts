// ring_msgs_per_s: 64-byte slots through a shared-memory ring between two
// processes. Needs memory objects and rings (ABI numbers 40-59), which are
// not written yet; until the ring syscalls exist this reports why.

import { SYSCALLS } from "../../abi/gen/abi.ts";
import type { Family } from "../figure.ts";
import { unavailable } from "../figure.ts";

export const ring: Family = {
  name: "ring",
  keys: ["ring_msgs_per_s"],
  async run() {
    const memorySyscalls = SYSCALLS.filter((s) => s.nr >= 40 && s.nr <= 59).map((s) => s.name);
    if (memorySyscalls.length === 0) {
      return { ring_msgs_per_s: unavailable("memory objects and rings are not in the ABI yet (syscalls 40-59: none defined)") };
    }
    return {
      ring_msgs_per_s: unavailable(`memory/ring syscalls exist (${memorySyscalls.join(", ")}) but the ring figure is not written yet`),
    };
  },
};
