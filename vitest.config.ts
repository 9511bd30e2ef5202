import { join } from "node:path";
import { defineConfig } from "vitest/config";

// Tests run on the Node the project brings (npm scripts put node_modules/.bin
// first on PATH); the host tests need its JSPI. Compiled guests are cached in
// the checkout's .cache/ (build/compile-cache.ts), shared by the test workers,
// so each fixture is compiled once per change, not once per test file.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // After every test that booted a kernel: shut it down and check nothing is left (test/setup/leak-check.ts).
    // Every kernel a test boots checks syscall results against the ABI (test/setup/contract-check.ts).
    setupFiles: ["test/setup/leak-check.ts", "test/setup/contract-check.ts"],
    // Every temporary file of the run in one directory, removed when the run ends (test/setup/temp-dir.ts).
    globalSetup: ["test/setup/temp-dir.ts"],
    pool: "forks",
    // Timeouts catch a hang, never slowness (no test measures time: figures are the bench's). On a loaded
    // 2-core machine the slowest tests that keep the default (a CLI run compiling a guest from source, the
    // conformance suite through its adapter, the PCM demo recorded and replayed) took 32-34 s at load 14
    // with the compile cache warm, more with it cold as on a fresh clone: 60 s left them too little room.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    env: { WASMOS_CACHE_DIR: process.env.WASMOS_CACHE_DIR ?? join(import.meta.dirname, ".cache", "wasmos") },
  },
});
