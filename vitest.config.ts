import { defineConfig } from "vitest/config";

// Tests run on the Node the project brings (npm scripts put node_modules/.bin
// first on PATH); the host tests need its JSPI.
export default defineConfig({ test: { include: ["test/**/*.test.ts"], pool: "forks", testTimeout: 60_000, hookTimeout: 120_000 } });
