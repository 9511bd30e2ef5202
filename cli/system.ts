// The default small system `wasmos run` boots around a program (host/system.ts
// has the system itself, browser-safe): here, where its server guests come
// from in Node. docs/namespace.md describes the model.
//
//   const sys = await bootDefaultSystem({ stdin: process.stdin, stdout, stderr });
//   const p = sys.spawn(sys.kernel.loadImage(bytes, "prog"), { args: ["prog"] });
//   await p.exited; sys.shutdown();

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildGuest, GUESTS_OUT } from "../build/build-guests.ts";
import { bootSystem, type DefaultSystem, type DefaultSystemOptions, type ServerBinaries } from "../host/system.ts";

export {
  type DefaultSystem,
  type DefaultSystemOptions,
  type InputSource,
  type InputStream,
  IO_GRANT_BYTES,
  PROGRAM_ROOT_RIGHTS,
  SERVER_ENDPOINT_RIGHTS,
  SERVER_PRIORITY,
  type ServerBinaries,
} from "../host/system.ts";

let serverImages: Promise<ServerBinaries> | null = null;

/**
 * The server guests: in the installed package, the binaries it ships
 * (dist/guests, built from its own sources at pack time); in a checkout, built
 * (or taken from the build cache, dist/guests) once per host process.
 */
export function serverBinaries(): Promise<ServerBinaries> {
  serverImages ??= (async () => {
    const out: Record<string, Uint8Array> = {};
    const installed = import.meta.url.endsWith(".js");
    for (const name of ["devfs", "tmpfs"]) {
      const shipped = join(GUESTS_OUT, `${name}.wasm`);
      if (installed && existsSync(shipped)) {
        out[name] = new Uint8Array(readFileSync(shipped));
        continue;
      }
      const b = await buildGuest(name);
      if (b.status === "failed") throw new Error(`cannot build the ${name} server: ${b.message}`);
      out[name] = new Uint8Array(readFileSync(b.path));
    }
    return out as unknown as ServerBinaries;
  })();
  return serverImages;
}

/** Boot devfs and tmpfs in a namespace; spawn programs with sys.spawn. */
export async function bootDefaultSystem(options: DefaultSystemOptions): Promise<DefaultSystem> {
  // Without the server guests (they could not be built here) the system still
  // boots: /dev and /tmp are mounted but answer ECLOSED, and the kernel log says why once.
  let bins: ServerBinaries | null = null;
  let why = "";
  try {
    bins = await serverBinaries();
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  return bootSystem(options, bins, why);
}
