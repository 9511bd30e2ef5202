// A plain static file server for tests: GET files under a folder, with
// ordinary content types and no special headers (no COOP/COEP), the way any
// static host serves the page.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
};

/**
 * Serve `root` at `/`, and also below `mount` (e.g. "/some/where/") when given,
 * as a site that publishes the page in a sub-folder does.
 */
export async function serveStatic(root: string, mount = "/"): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    let urlPath = new URL(req.url ?? "/", "http://x").pathname;
    if (mount !== "/") {
      if (!urlPath.startsWith(mount)) return void res.writeHead(404).end("not found");
      urlPath = "/" + urlPath.slice(mount.length);
    }
    const path = normalize(decodeURIComponent(urlPath)).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, path.endsWith("/") ? path + "index.html" : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}${mount}`, close: () => new Promise((r) => server.close(() => r())) };
}
