// The page's build: `npm run web` serves it, `npm run build:web` writes
// dist/web/ (relative URLs: it works from any static file server, in any
// folder). No SharedArrayBuffer is used, so no COOP/COEP headers are needed.

import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("."),
  base: "./",
  publicDir: here("../dist/web-public"),
  resolve: {
    alias: {
      "node:crypto": here("./shims/node-crypto.ts"),
      "node:fs": here("./shims/node-fs.ts"),
      "node:os": here("./shims/node-fs.ts"),
      "node:path": here("./shims/node-fs.ts"),
      "node:zlib": here("./shims/node-fs.ts"),
    },
  },
  build: {
    outDir: here("../dist/web"),
    emptyOutDir: true,
    target: "esnext",
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { index: here("index.html"), trace: here("trace.html") } },
  },
  server: { port: 5173, strictPort: false },
  logLevel: "warn",
});
