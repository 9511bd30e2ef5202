// The page's stand-in for node:crypto (the loader hashes images) gives
// node:crypto's SHA-256, at every padding boundary.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createHash as pageHash } from "../../web/shims/node-crypto.ts";

describe("the page's sha256", () => {
  it("matches node:crypto on lengths around every padding boundary", () => {
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000, 70_000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
      expect(pageHash("sha256").update(bytes).digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    expect(pageHash("sha256").update("abc").digest("hex")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
