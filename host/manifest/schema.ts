// The boot manifest: its schema, checked in code. validateManifest turns a
// parsed JSON document into a typed Manifest or a list of every error found,
// each with its JSON pointer (the line:column is added by loadManifest).
// The format is documented in docs/system.md ("The boot manifest").

import { Constants, Limits, PLEDGE_CLASS_NAMES, Rights } from "../../abi/gen/abi.ts";

/** unveil permissions by letter, as OpenBSD's unveil(2) spells them. */
const UNVEIL_LETTERS: Readonly<Record<string, number>> = {
  r: Constants.UNVEIL_READ,
  w: Constants.UNVEIL_WRITE,
  c: Constants.UNVEIL_CREATE,
  x: Constants.UNVEIL_EXEC,
};
import { pointerToken } from "./json.ts";

export const MANIFEST_VERSION = 1;
/** Priorities a manifest may give: 0..PRIORITY_MAX (higher runs first; the default is 128). */
export const MANIFEST_PRIORITY_MAX = Constants.PRIORITY_MAX;

/** Kinds of object a manifest can create, and the rights a handle to each may carry (its default too). */
export const OBJECT_KINDS = {
  endpoint: Rights.DUPLICATE | Rights.TRANSFER | Rights.SEND | Rights.RECEIVE,
  namespace: Rights.REGISTER | Rights.LOOKUP | Rights.DUPLICATE | Rights.TRANSFER,
  memory: Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.WRITE | Rights.MAP,
  console: Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.WRITE | Rights.ATTACH,
  rng: Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.WRITE | Rights.ATTACH,
  timer: Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.WRITE | Rights.ATTACH,
  image: Rights.SPAWN | Rights.DUPLICATE | Rights.TRANSFER,
  /** The process table (proc_next), for a /proc server or a monitor. */
  kinfo: Rights.READ | Rights.DUPLICATE | Rights.TRANSFER,
  /** A path namespace (docs/namespace.md): its root, or with a handle's "path" a subtree of it. */
  dir: Rights.READ | Rights.WRITE | Rights.CREATE | Rights.EXEC | Rights.MOUNT | Rights.DUPLICATE | Rights.TRANSFER,
  /** One host directory (docs/system.md "Host directories"), for a server such as guests/hostfs. */
  hostdir: Rights.READ | Rights.WRITE | Rights.DUPLICATE | Rights.TRANSFER,
} as const;
export type ObjectKind = keyof typeof OBJECT_KINDS;

export interface ObjectSpec {
  name: string;
  kind: ObjectKind;
  /** memory: bytes. */
  size?: number;
  /** image: which entry of "images". */
  image?: string;
  /** dir: endpoint objects the host mounts before anything runs (absolute path -> endpoint name). */
  mounts?: Map<string, string>;
  /** hostdir: the host directory (relative to the manifest's folder; `wasmos boot --dir NAME=PATH` replaces it). */
  path?: string;
  /** hostdir: refuse every change. */
  readOnly?: boolean;
}

export interface HandleSpec {
  /** The name handle_get finds it by. */
  name: string;
  /** An entry of "objects" or "images". */
  object: string;
  rights: number;
  /** dir: a view of this subtree (the handle's scope) instead of the root. */
  path?: string;
}

export type RestartWhen = "never" | "on-failure" | "always";

export interface RestartPolicy {
  when: RestartWhen;
  /** At most this many restarts within windowMs of virtual time; one more and the process stays dead. */
  max: number;
  windowMs: number;
  /** Delay before the n-th restart in a row: backoffMs * 2^(n-1), at most backoffMaxMs (virtual time). */
  backoffMs: number;
  backoffMaxMs: number;
}

export interface ProcessSpec {
  name: string;
  image: string;
  /** argv after argv[0] (which is the process name). */
  args: string[];
  env: Record<string, string>;
  priority: number | undefined;
  partition: string | undefined;
  handles: HandleSpec[];
  /** Pledge classes kept (bitmask), or undefined: all. */
  promises: number | undefined;
  /** unveil rules it starts with (one unveil call made for it before it runs), or undefined: the whole namespace. */
  unveil: { path: string; perms: number }[] | undefined;
  memoryPages: number | undefined;
  restart: RestartPolicy;
  /** A server: expected to stay blocked (in receive) when the rest of the system is done. */
  daemon: boolean;
  /**
   * A WASI program's preopened directories, fds 3, 4, ... in order: the name
   * it sees and the name of one of its handles (a dir, usually with a "path").
   */
  preopens: { guest: string; handle: string }[];
  /** Where in the document it was declared (for messages at boot time). */
  pointer: string;
}

export interface PartitionSpec {
  name: string;
  /** Permille of the whole CPU, carved from the system partition. */
  share: number;
}

export interface Manifest {
  name: string;
  seed: number;
  realtime: boolean;
  /** name -> path as written (relative to the manifest's folder). */
  images: Map<string, { path: string; pointer: string }>;
  objects: Map<string, ObjectSpec>;
  partitions: Map<string, PartitionSpec>;
  processes: ProcessSpec[];
}

export interface ManifestIssue {
  pointer: string;
  message: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const RIGHT_NAMES = Object.fromEntries(Object.entries(Rights).map(([k, v]) => [k.toLowerCase(), v as number]));
const PLEDGE_BITS = Object.fromEntries(Object.entries(PLEDGE_CLASS_NAMES).map(([bit, name]) => [name, Number(bit)]));

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const kindOf = (v: Json) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/** Check a parsed manifest. Returns the manifest, or every issue found (never throws for bad input). */
export function validateManifest(doc: Json): { manifest: Manifest; issues: [] } | { manifest: null; issues: ManifestIssue[] } {
  const issues: ManifestIssue[] = [];
  const issue = (pointer: string, message: string) => void issues.push({ pointer, message });
  const at = (base: string, key: string | number) => `${base}/${pointerToken(key)}`;

  /** Check the keys of an object against the allowed ones. */
  const fields = (v: Json, ptr: string, allowed: readonly string[], required: readonly string[] = []): Record<string, Json> | null => {
    if (!isObj(v)) {
      issue(ptr, `expected an object, got ${kindOf(v)}`);
      return null;
    }
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) issue(at(ptr, k), `unknown field "${k}" (allowed: ${allowed.join(", ")})`);
    }
    for (const k of required) if (!(k in v)) issue(ptr, `missing field "${k}"`);
    return v;
  };
  const str = (v: Json, ptr: string): string | undefined => {
    if (typeof v === "string") return v;
    issue(ptr, `expected a string, got ${kindOf(v)}`);
    return undefined;
  };
  const int = (v: Json, ptr: string, min: number, max: number): number | undefined => {
    if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
    issue(ptr, `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    return undefined;
  };
  const bool = (v: Json, ptr: string): boolean | undefined => {
    if (typeof v === "boolean") return v;
    issue(ptr, `expected true or false, got ${kindOf(v)}`);
    return undefined;
  };
  const name = (v: Json, ptr: string, what: string): string | undefined => {
    const s = str(v, ptr);
    if (s !== undefined && !NAME.test(s))
      issue(ptr, `${what} "${s}" is not a name (letters, digits, _ . -; at most 64; not starting with a digit)`);
    return s;
  };
  const map = (v: Json, ptr: string, each: (key: string, value: Json, ptr: string) => void) => {
    if (!isObj(v)) return issue(ptr, `expected an object, got ${kindOf(v)}`);
    for (const [k, val] of Object.entries(v)) {
      const p = at(ptr, k);
      if (!NAME.test(k)) issue(p, `"${k}" is not a name (letters, digits, _ . -; at most 64; not starting with a digit)`);
      each(k, val, p);
    }
  };

  /** An object whose keys are free text (paths). */
  const map2 = (v: Json, ptr: string, each: (key: string, value: Json, ptr: string) => void) => {
    if (!isObj(v)) return issue(ptr, `expected an object, got ${kindOf(v)}`);
    for (const [k, val] of Object.entries(v)) each(k, val, at(ptr, k));
  };

  const root = fields(
    doc,
    "",
    ["$schema", "version", "name", "kernel", "images", "objects", "partitions", "processes"],
    ["version", "processes"],
  );
  const m: Manifest = {
    name: "system",
    seed: 0,
    realtime: false,
    images: new Map(),
    objects: new Map(),
    partitions: new Map(),
    processes: [],
  };
  if (!root) return { manifest: null, issues };

  if ("version" in root && root.version !== MANIFEST_VERSION) {
    issue("/version", `unsupported manifest version ${JSON.stringify(root.version)} (this wasmos reads version ${MANIFEST_VERSION})`);
  }
  if ("name" in root) m.name = name(root.name, "/name", "system name") ?? m.name;
  if ("kernel" in root) {
    const k = fields(root.kernel, "/kernel", ["seed", "realtime"]);
    if (k) {
      if ("seed" in k) m.seed = int(k.seed, "/kernel/seed", 0, 0xffffffff) ?? 0;
      if ("realtime" in k) m.realtime = bool(k.realtime, "/kernel/realtime") ?? false;
    }
  }
  if ("images" in root) {
    map(root.images, "/images", (k, v, p) => {
      const path = str(v, p);
      if (path === undefined) return;
      if (path === "") issue(p, "empty image path");
      else if (!/\.(wasm|ts)$/.test(path)) issue(p, `image "${path}" is neither a .wasm module nor an AssemblyScript .ts file`);
      m.images.set(k, { path, pointer: p });
    });
  }
  if ("objects" in root) {
    map(root.objects, "/objects", (k, v, p) => {
      const o = fields(v, p, ["type", "size", "mounts", "path", "readOnly"], ["type"]);
      if (!o || !("type" in o)) return;
      const kind = str(o.type, at(p, "type"));
      if (kind === undefined) return;
      if (kind === "image" || !(kind in OBJECT_KINDS)) {
        const kinds = Object.keys(OBJECT_KINDS).filter((x) => x !== "image");
        return issue(at(p, "type"), `unknown object type "${kind}" (one of: ${kinds.join(", ")}; images go in "images")`);
      }
      const spec: ObjectSpec = { name: k, kind: kind as ObjectKind };
      if (kind === "memory") {
        if (!("size" in o)) issue(p, 'a memory object needs "size" (bytes)');
        else spec.size = int(o.size, at(p, "size"), 1, 1 << 30);
      } else if ("size" in o) issue(at(p, "size"), `"size" applies to memory objects only`);
      if (kind === "dir" && "mounts" in o) {
        spec.mounts = new Map();
        map2(o.mounts, at(p, "mounts"), (path, ep, mp) => {
          if (!path.startsWith("/")) issue(mp, `mount path "${path}" is not absolute`);
          const e = str(ep, mp);
          if (e !== undefined) spec.mounts!.set(path, e);
        });
      } else if ("mounts" in o) issue(at(p, "mounts"), `"mounts" applies to dir objects only`);
      if (kind === "hostdir") {
        if (!("path" in o)) issue(p, 'a hostdir needs "path" (the host directory, relative to the manifest)');
        else spec.path = str(o.path, at(p, "path"));
        if ("readOnly" in o) spec.readOnly = bool(o.readOnly, at(p, "readOnly"));
      } else {
        if ("path" in o) issue(at(p, "path"), `"path" applies to hostdir objects only`);
        if ("readOnly" in o) issue(at(p, "readOnly"), `"readOnly" applies to hostdir objects only`);
      }
      if (m.images.has(k)) issue(p, `"${k}" names both an image and an object`);
      m.objects.set(k, spec);
    });
  }
  for (const [name, o] of m.objects) {
    for (const [path, ep] of o.mounts ?? []) {
      const target = m.objects.get(ep);
      if (target?.kind !== "endpoint") {
        issue(
          `/objects/${pointerToken(name)}/mounts/${pointerToken(path)}`,
          `"${ep}" is not an endpoint object${suggest(ep, m.objects.keys())}`,
        );
      }
    }
  }
  if ("partitions" in root) {
    let total = 0;
    map(root.partitions, "/partitions", (k, v, p) => {
      const o = fields(v, p, ["share"], ["share"]);
      if (!o || !("share" in o)) return;
      const share = int(o.share, at(p, "share"), 1, 999);
      if (share === undefined) return;
      total += share;
      if (total > 999)
        issue(at(p, "share"), `partition shares add up to ${total}‰: the system partition must keep some (at most 999 in all)`);
      m.partitions.set(k, { name: k, share });
    });
  }

  const names = new Set<string>();
  if (!Array.isArray(root.processes)) {
    if ("processes" in root) issue("/processes", `expected an array of processes, got ${kindOf(root.processes)}`);
  } else {
    if (root.processes.length === 0) issue("/processes", "a system needs at least one process");
    root.processes.forEach((v, idx) => {
      const p = at("/processes", idx);
      const o = fields(
        v,
        p,
        [
          "name",
          "image",
          "args",
          "env",
          "priority",
          "partition",
          "handles",
          "pledge",
          "unveil",
          "memoryPages",
          "restart",
          "daemon",
          "preopens",
        ],
        ["name", "image"],
      );
      if (!o) return;
      const spec: ProcessSpec = {
        name: "",
        image: "",
        args: [],
        env: {},
        priority: undefined,
        partition: undefined,
        handles: [],
        promises: undefined,
        unveil: undefined,
        memoryPages: undefined,
        restart: { when: "never", max: 0, windowMs: 0, backoffMs: 0, backoffMaxMs: 0 },
        daemon: false,
        preopens: [],
        pointer: p,
      };
      if ("name" in o) {
        spec.name = name(o.name, at(p, "name"), "process name") ?? "";
        if (spec.name && names.has(spec.name)) issue(at(p, "name"), `two processes are named "${spec.name}"`);
        names.add(spec.name);
      }
      if ("image" in o) {
        const img = str(o.image, at(p, "image"));
        if (img !== undefined) {
          spec.image = img;
          if (!m.images.has(img)) issue(at(p, "image"), `no image "${img}" in "images"${suggest(img, m.images.keys())}`);
        }
      }
      if ("args" in o) {
        if (!Array.isArray(o.args)) issue(at(p, "args"), `expected an array of strings, got ${kindOf(o.args)}`);
        else spec.args = o.args.map((a, j) => str(a, at(at(p, "args"), j)) ?? "");
      }
      if ("env" in o) {
        map(o.env, at(p, "env"), (k, val, ep) => {
          const s = str(val, ep);
          // Each becomes KEY=VALUE in the process's environment (env_get); map() has checked the key is a name.
          if (s !== undefined && s.includes("\0")) issue(ep, "an environment variable's value cannot contain NUL");
          else if (s !== undefined) spec.env[k] = s;
        });
      }
      if ("priority" in o) spec.priority = int(o.priority, at(p, "priority"), 0, MANIFEST_PRIORITY_MAX);
      if ("partition" in o) {
        const part = str(o.partition, at(p, "partition"));
        if (part !== undefined && part !== "system" && !m.partitions.has(part)) {
          issue(at(p, "partition"), `no partition "${part}" in "partitions" (or "system")${suggest(part, m.partitions.keys())}`);
        }
        spec.partition = part === "system" ? undefined : part;
      }
      if ("memoryPages" in o) spec.memoryPages = int(o.memoryPages, at(p, "memoryPages"), 1, 65536);
      if ("daemon" in o) spec.daemon = bool(o.daemon, at(p, "daemon")) ?? false;
      if ("pledge" in o) {
        const pp = at(p, "pledge");
        if (!Array.isArray(o.pledge)) issue(pp, `expected an array of pledge classes, got ${kindOf(o.pledge)}`);
        else {
          let bits = 1 << PLEDGE_BITS.core; // core can never be pledged away
          o.pledge.forEach((c, j) => {
            const s = str(c, at(pp, j));
            if (s === undefined) return;
            if (!(s in PLEDGE_BITS)) issue(at(pp, j), `unknown pledge class "${s}" (one of: ${Object.keys(PLEDGE_BITS).join(", ")})`);
            else bits |= 1 << PLEDGE_BITS[s];
          });
          spec.promises = bits >>> 0;
        }
      }
      if ("unveil" in o) {
        const up = at(p, "unveil");
        if (!Array.isArray(o.unveil)) issue(up, `expected an array of {"path", "permissions"}, got ${kindOf(o.unveil)}`);
        else {
          spec.unveil = [];
          o.unveil.forEach((r, j) => {
            const rp = at(up, j);
            const rule = fields(r, rp, ["path", "permissions"], ["path", "permissions"]);
            if (!rule || !("path" in rule) || !("permissions" in rule)) return;
            const path = str(rule.path, at(rp, "path"));
            const perms = str(rule.permissions, at(rp, "permissions"));
            if (path === undefined || perms === undefined) return;
            if (!path.startsWith("/")) issue(at(rp, "path"), `"${path}" is not an absolute path`);
            let bits = 0;
            for (const c of perms) {
              const bit = UNVEIL_LETTERS[c];
              if (bit === undefined)
                issue(at(rp, "permissions"), `unknown permission "${c}" (r read, w write, c create, x execute; "" for none)`);
              else bits |= bit;
            }
            spec.unveil!.push({ path, perms: bits });
          });
          if (spec.unveil.length > Limits.MAX_UNVEIL_RULES) issue(up, `at most ${Limits.MAX_UNVEIL_RULES} rules`);
        }
      }
      if ("handles" in o) {
        const hp = at(p, "handles");
        if (!Array.isArray(o.handles)) issue(hp, `expected an array of handles, got ${kindOf(o.handles)}`);
        else {
          const seen = new Set<string>();
          o.handles.forEach((h, j) => {
            const ptr = at(hp, j);
            const hs = handleSpec(h, ptr);
            if (!hs) return;
            if (seen.has(hs.name)) issue(at(ptr, "name"), `two handles are named "${hs.name}"`);
            seen.add(hs.name);
            spec.handles.push(hs);
          });
        }
      }
      if ("preopens" in o) {
        const pp = at(p, "preopens");
        if (!Array.isArray(o.preopens)) issue(pp, `expected an array of {"guest", "handle"}, got ${kindOf(o.preopens)}`);
        else {
          o.preopens.forEach((r, j) => {
            const rp = at(pp, j);
            const pre = fields(r, rp, ["guest", "handle"], ["guest", "handle"]);
            if (!pre || !("guest" in pre) || !("handle" in pre)) return;
            const guest = str(pre.guest, at(rp, "guest"));
            const handle = str(pre.handle, at(rp, "handle"));
            if (guest === undefined || handle === undefined) return;
            if (guest === "") issue(at(rp, "guest"), "empty preopen name");
            const h = spec.handles.find((x) => x.name === handle);
            if (h === undefined) issue(at(rp, "handle"), `no handle "${handle}" in this process's "handles"`);
            else if (m.objects.get(h.object)?.kind !== "dir") issue(at(rp, "handle"), `handle "${handle}" is not a dir`);
            spec.preopens.push({ guest, handle });
          });
        }
      }
      if ("restart" in o) spec.restart = restartPolicy(o.restart, at(p, "restart"));
      if (spec.restart.when !== "never" && !spec.daemon && spec.restart.when === "always") {
        // "always" restarts a process that ended normally too: fine for servers, a loop for anything else.
        spec.daemon = true;
      }
      m.processes.push(spec);
    });
  }

  function handleSpec(h: Json, ptr: string): HandleSpec | null {
    if (typeof h === "string") h = { name: h, object: h }; // "ns" is short for {"name": "ns", "object": "ns"}
    const o = fields(h, ptr, ["name", "object", "rights", "path"], ["object"]);
    if (!o || !("object" in o)) return null;
    const object = str(o.object, at(ptr, "object"));
    if (object === undefined) return null;
    const nm = "name" in o ? name(o.name, at(ptr, "name"), "handle name") : object;
    const kind: ObjectKind | undefined = m.images.has(object) ? "image" : m.objects.get(object)?.kind;
    if (kind === undefined) {
      issue(at(ptr, "object"), `no object or image "${object}"${suggest(object, [...m.objects.keys(), ...m.images.keys()])}`);
      return null;
    }
    const allowed = OBJECT_KINDS[kind];
    let rights: number = allowed;
    if ("rights" in o) {
      const rp = at(ptr, "rights");
      if (!Array.isArray(o.rights)) issue(rp, `expected an array of rights, got ${kindOf(o.rights)}`);
      else {
        rights = 0;
        o.rights.forEach((r, j) => {
          const s = str(r, at(rp, j));
          if (s === undefined) return;
          const bit = RIGHT_NAMES[s];
          if (bit === undefined) issue(at(rp, j), `unknown right "${s}" (one of: ${Object.keys(RIGHT_NAMES).join(", ")})`);
          else if ((allowed & bit) === 0)
            issue(
              at(rp, j),
              `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} handle cannot carry "${s}" (it may carry: ${rightNames(allowed)})`,
            );
          else rights |= bit;
        });
      }
    }
    let path: string | undefined;
    if ("path" in o) {
      if (kind !== "dir") issue(at(ptr, "path"), `"path" applies to handles of dir objects only`);
      else {
        path = str(o.path, at(ptr, "path"));
        if (path !== undefined && !path.startsWith("/")) issue(at(ptr, "path"), `"${path}" is not an absolute path`);
      }
    }
    return nm === undefined ? null : { name: nm, object, rights, ...(path !== undefined ? { path } : {}) };
  }

  function restartPolicy(v: Json, ptr: string): RestartPolicy {
    const r: RestartPolicy = { when: "on-failure", max: 5, windowMs: 60_000, backoffMs: 10, backoffMaxMs: 1000 };
    if (typeof v === "string") v = { when: v };
    const o = fields(v, ptr, ["when", "max", "windowMs", "backoffMs", "backoffMaxMs"]);
    if (!o) return r;
    if ("when" in o) {
      const w = str(o.when, at(ptr, "when"));
      if (w !== undefined && w !== "never" && w !== "on-failure" && w !== "always") {
        issue(at(ptr, "when"), `unknown restart policy "${w}" (never, on-failure, always)`);
      } else if (w !== undefined) r.when = w;
    }
    if ("max" in o) r.max = int(o.max, at(ptr, "max"), 0, 1000) ?? r.max;
    if ("windowMs" in o) r.windowMs = int(o.windowMs, at(ptr, "windowMs"), 1, 86_400_000) ?? r.windowMs;
    if ("backoffMs" in o) r.backoffMs = int(o.backoffMs, at(ptr, "backoffMs"), 0, 3_600_000) ?? r.backoffMs;
    if ("backoffMaxMs" in o) r.backoffMaxMs = int(o.backoffMaxMs, at(ptr, "backoffMaxMs"), 0, 3_600_000) ?? r.backoffMaxMs;
    if (r.backoffMaxMs < r.backoffMs) issue(ptr, `backoffMaxMs (${r.backoffMaxMs}) is below backoffMs (${r.backoffMs})`);
    return r;
  }

  return issues.length ? { manifest: null, issues } : { manifest: m, issues: [] };
}

export function rightNames(bits: number): string {
  return Object.entries(RIGHT_NAMES)
    .filter(([, b]) => bits & b)
    .map(([n]) => n)
    .join(", ");
}

/** ` (did you mean "x"?)` when a known name is one edit or a case change away. */
function suggest(name: string, known: Iterable<string>): string {
  for (const k of known) {
    if (k.toLowerCase() === name.toLowerCase() || (name.length >= 3 && editDistance(k, name) <= 1)) return ` (did you mean "${k}"?)`;
  }
  return "";
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}
