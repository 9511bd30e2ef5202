// Generates conformance/generic/: for every syscall that takes a handle, one
// case passing a forged handle (EBADH), a closed one (ESTALE), one naming
// another type of object (EWRONGTYPE) and one without rights (EACCES) as its
// first handle, each where abi/ documents it, and for each right the ABI entry
// lists, a handle with all the others (EACCES) and one with exactly those (not
// EACCES): the handler checks the rights its entry lists, no more, no fewer; and, for every syscall of a
// class that can be pledged away, the call after pledging that class away
// (EPLEDGE). Generated from the ABI table, so a new syscall gets its cases by
// adding its handle parameters' object types below (an unknown handle
// parameter name fails generation). Run: node conformance/gen-generic.ts
// (a test fails when the checked-in files drift from this output).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Errno, PledgeClass, RIGHT_NAMES, SYSCALLS, type SyscallDef } from "../abi/gen/abi.ts";

/** Parameter names that carry a handle -> the local holding a good one and a local holding one of the wrong type. */
/** `extra`: a setup handle only the cases of this kind get (read into the local named by `good`). */
const HANDLE_PARAMS: Record<string, { good: string; wrong: string; extra?: { name: string; object: string } } | null> = {
  handle: null, // any type
  image: { good: "$image", wrong: "$ep" },
  process: { good: "$proc", wrong: "$ep" },
  endpoint: { good: "$ep", wrong: "$port" },
  namespace: { good: "$ns", wrong: "$ep" },
  dir: { good: "$dir", wrong: "$ns" },
  file: { good: "$ep", wrong: "$ep" }, // no FILE without a server: EACCES on io_call is hand-written (conformance/ns/)
  port: { good: "$port", wrong: "$ep" },
  memory: { good: "$mem", wrong: "$ep" },
  window: { good: "$win", wrong: "$mem" },
  partition: { good: "$part", wrong: "$ep" },
  device: { good: "$timer", wrong: "$ep" },
  timer: { good: "$timer", wrong: "$rng" },
  console: { good: "$console", wrong: "$timer" },
  audio: { good: "$audio", wrong: "$timer" },
  fb: { good: "$fb", wrong: "$timer" },
  rng: { good: "$rng", wrong: "$timer" },
  source: { good: "$mem", wrong: "$ep" },
  kinfo: { good: "$kinfo", wrong: "$ep", extra: { name: "kinfo", object: "kinfo" } },
  hostdir: { good: "$hostdir", wrong: "$timer", extra: { name: "hostdir", object: "hostdir" } },
};

/** Parameters that are handles, by name, only for syscalls whose first parameter is one. */
const FIRST_IS_HANDLE = (d: SyscallDef) => d.params.length > 0 && d.params[0].name in HANDLE_PARAMS && d.params[0].type === "i32";

const FORGED = "(i32.const 0x00350007)";

/**
 * Arguments after the handle, where zeros would be refused on their own
 * (EINVAL) and an implementation may check them before the handle: the
 * suite does not fix the order of checks, so the other arguments are valid.
 */
const OTHER_ARGS: Record<string, string[]> = {
  memory_set_budget: ["(i32.const 4096)"],
  sched_set_deadline: ["(i64.const 1000000)", "(i64.const 10000000)", "(i64.const 0)"],
  set_limit: ["(i32.const 2)", "(i64.const 100)"],
  sched_set_priority: ["(i32.const 100)", "(i32.const 0)"],
  sched_set_tier: ["(i32.const 1)"],
  ns_open: ["(i32.const 0)", "(i32.const 4)", "(i32.const 1)"], // "self", O_READ: READ is what the handle lacks
};
const zero = (t: string) => (t === "i64" ? "(i64.const 0)" : "(i32.const 0)");

function call(d: SyscallDef, first: string): string {
  const args = [first, ...(OTHER_ARGS[d.name] ?? d.params.slice(1).map((p) => zero(p.type)))].join(" ");
  const c = `(call $${d.name} ${args})`;
  return `(call $rec ${d.result === "i64" ? `(i32.wrap_i64 ${c})` : c})`;
}

const PRELUDE_LOCALS =
  "(local $image i32) (local $ns i32) (local $proc i32) (local $ep i32) (local $port i32) (local $mem i32) (local $win i32) (local $part i32) (local $timer i32) (local $console i32) (local $audio i32) (local $fb i32) (local $rng i32) (local $dir i32) (local $stale i32)";

const SETUP_CODE = `
    (if (i32.eqz (call $arg_count)) (then (return))) ;; the child spawned below does nothing
    (local.set $image (call $h (i32.const 0) (i32.const 4)))
    (local.set $ns (call $h (i32.const 8) (i32.const 2)))
    (local.set $timer (call $h (i32.const 16) (i32.const 5)))
    (local.set $console (call $h (i32.const 24) (i32.const 7)))
    (local.set $audio (call $h (i32.const 32) (i32.const 5)))
    (local.set $fb (call $h (i32.const 40) (i32.const 2)))
    (local.set $rng (call $h (i32.const 48) (i32.const 3)))
    (local.set $dir (call $h (i32.const 72) (i32.const 4)))
    (local.set $proc (call $spawn (local.get $image) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (local.set $ep (call $endpoint_create))
    (local.set $port (call $port_create))
    (local.set $mem (call $memory_create (i32.const 65536)))
    (local.set $win (call $memory_map (local.get $mem) (i32.const 0) (i32.const 4) (i32.const 4) (i32.const 4)))
    (local.set $part (call $partition_create (i32.const 100)))
    (local.set $stale (call $endpoint_create))
    (drop (call $handle_close (local.get $stale)))
    ;; every setup handle must be valid, or the probes below prove nothing
    (if (i32.le_s (local.get $proc) (i32.const 0)) (then unreachable))
    (if (i32.le_s (local.get $ep) (i32.const 0)) (then unreachable))
    (if (i32.le_s (local.get $port) (i32.const 0)) (then unreachable))
    (if (i32.le_s (local.get $mem) (i32.const 0)) (then unreachable))
    (if (i32.le_s (local.get $win) (i32.const 0)) (then unreachable))
    (if (i32.le_s (local.get $part) (i32.const 0)) (then unreachable))`;

const DATA = `(data (i32.const 0) "self")
(data (i32.const 8) "ns")
(data (i32.const 16) "timer")
(data (i32.const 24) "console")
(data (i32.const 32) "audio")
(data (i32.const 40) "fb")
(data (i32.const 48) "rng")
(data (i32.const 72) "root")`;

const SETUP = {
  handles: [
    { name: "ns", object: "namespace" },
    { name: "timer", object: "timer" },
    { name: "console", object: "console" },
    { name: "audio", object: "audio" },
    { name: "fb", object: "framebuffer" },
    { name: "rng", object: "rng" },
    { name: "root", object: "dir" },
  ],
};

/** handle_dup that traps when it fails: a probe with a bad handle would prove nothing. */
const DUP = `(func $dup (param $h i32) (param $rights i32) (result i32) (local $d i32)
  (local.set $d (call $handle_dup (local.get $h) (local.get $rights)))
  (if (i32.le_s (local.get $d) (i32.const 0)) (then unreachable))
  (local.get $d))`;

interface Gen {
  wat: string;
  json: object;
}

function generate(d: SyscallDef): Gen | null {
  const lines: string[] = [];
  const results: [string, string][] = [];
  const has = (e: number) => d.errors.includes(e);
  if (FIRST_IS_HANDLE(d)) {
    const kind = HANDLE_PARAMS[d.params[0].name];
    if (has(Errno.EBADH)) {
      lines.push(`;; a forged handle\n    ${call(d, FORGED)}`);
      results.push([d.name, "EBADH"]);
    }
    if (has(Errno.ESTALE)) {
      lines.push(`;; a closed handle\n    ${call(d, "(local.get $stale)")}`);
      results.push([d.name, "ESTALE"]);
    }
    if (kind && has(Errno.EWRONGTYPE)) {
      lines.push(`;; a handle to another type of object\n    ${call(d, `(local.get ${kind.wrong})`)}`);
      results.push([d.name, "EWRONGTYPE"]);
    }
    // The rights of the first handle: its own when the syscall takes several handles.
    const need = d.params[0].rights ?? d.rights;
    if (has(Errno.EACCES) && need !== 0) {
      const good = kind ? kind.good : "$ep";
      lines.push(`;; the right object, no rights\n    ${call(d, `(call $handle_dup (local.get ${good}) (i32.const 0))`)}`);
      results.push([d.name, "EACCES"]);
      // The handler checks exactly the rights its ABI entry lists: each one
      // missing is refused, and a handle with just those is not refused for rights.
      for (let bit = 0; bit < 31; bit++) {
        const right = 1 << bit;
        if ((need & right) === 0) continue;
        lines.push(
          `;; every right it needs but ${RIGHT_NAMES[right]}\n    ${call(d, `(call $dup (local.get ${good}) (i32.const ${need & ~right}))`)}`,
        );
        results.push([d.name, "EACCES"]);
      }
      lines.push(
        `;; exactly the rights it needs: refused for something else, if at all\n    ${call(d, `(call $dup (local.get ${good}) (i32.const ${need}))`)}`,
      );
      results.push([d.name, "!EACCES"]);
    }
  } else if (
    d.params.length > 0 &&
    d.params[0].name in HANDLE_PARAMS === false &&
    d.params.some((p) => p.name in HANDLE_PARAMS && p.type === "i32")
  ) {
    // a syscall whose handle is not first: covered by hand-written cases
  }
  let exitStatus = 0;
  const covers: [string, string][] = [];
  if (d.pledge !== PledgeClass.core) {
    const keep = 0x1ff & ~(1 << d.pledge);
    const args = d.params.map((p) => zero(p.type)).join(" ");
    const c = `(call $${d.name}${args ? " " + args : ""})`;
    const v = d.result === "i64" ? `(i32.wrap_i64 ${c})` : c;
    if (d.pledge === PledgeClass.stdio) {
      // The console is in the class pledged away: the result comes back as the exit status, negated.
      lines.push(
        `;; after pledging its class away (console output included): exit with -result\n    (call $flush)\n    (drop (call $pledge (i32.const ${keep})))\n    (call $exit (i32.sub (i32.const 0) ${v}))`,
      );
      exitStatus = Errno.EPLEDGE;
      covers.push([d.name, "EPLEDGE"]);
    } else {
      lines.push(`;; after pledging its class away\n    (call $rec (call $pledge (i32.const ${keep})))\n    (call $rec ${v})`);
      results.push(["pledge", "0"], [d.name, "EPLEDGE"]);
    }
  }
  if (lines.length === 0) return null;
  const extra = FIRST_IS_HANDLE(d) ? HANDLE_PARAMS[d.params[0].name]?.extra : undefined;
  const local = extra ? HANDLE_PARAMS[d.params[0].name]!.good : "";
  const wat = `;; Generated by conformance/gen-generic.ts. Do not edit.
;; ${d.name} (${d.nr}): handle errors of its first handle and the pledged-away call.
${DATA}${extra ? `\n(data (i32.const 56) "${extra.name}")` : ""}
${DUP}
(func (export "_start") ${PRELUDE_LOCALS}${extra ? ` (local ${local} i32)` : ""}
    ${SETUP_CODE.trim()}${extra ? `\n    (local.set ${local} (call $h (i32.const 56) (i32.const ${extra.name.length})))` : ""}
    ${lines.join("\n    ")}
    (call $flush))
`;
  const json = {
    description: `${d.name}: ${[...results, ...covers]
      .map((r) => r[1])
      .filter((e) => e !== "0")
      .join(", ")} (generated)`,
    setup: extra ? { handles: [...SETUP.handles, extra] } : SETUP,
    ...(covers.length ? { covers } : {}),
    expect: { exit: { status: exitStatus, reason: "NORMAL" }, results: results.map(([n, e]) => [n, e === "0" ? 0 : e]) },
  };
  return { wat, json };
}

export function generateAll(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const d of SYSCALLS) {
    for (const p of d.params) {
      if (
        p.type === "i32" &&
        p === d.params[0] &&
        /^(handle|process|endpoint|namespace|port|memory|window|partition|device|timer|console|audio|fb|rng|image|source|kinfo|hostdir|dir|file)$/.test(
          p.name,
        ) === false &&
        d.rights !== 0 &&
        FIRST_IS_HANDLE(d) === false &&
        d.errors.includes(Errno.EBADH)
      ) {
        throw new Error(
          `gen-generic: ${d.name}'s first parameter "${p.name}" takes a handle of a kind this generator does not know; add it to HANDLE_PARAMS`,
        );
      }
    }
    const g = generate(d);
    if (!g) continue;
    const base = `${String(d.nr).padStart(2, "0")}-${d.name}`;
    files[`${base}.wat`] = g.wat;
    files[`${base}.json`] = JSON.stringify(g.json, null, 2) + "\n";
  }
  return files;
}

/** hostile/syscall-extremes and hostile/forged-handles-everywhere (their .json are hand-written). */
export function generateHostile(): Record<string, string> {
  const I32 = ["0", "-1", "-2147483648", "2147483647"];
  const I64 = ["0", "-1", "-9223372036854775808", "9223372036854775807"];
  const skip = new Set(["exit", "panic", "sleep", "pledge"]);
  const ext: string[] = [];
  for (const d of SYSCALLS) {
    if (skip.has(d.name)) continue;
    for (let v = 0; v < 4; v++) {
      // a deadline never at infinity: nothing here may block for ever
      const args = d.params
        .map((p) => (p.type === "i64" ? `(i64.const ${/deadline/.test(p.name) && v === 3 ? "0" : I64[v]})` : `(i32.const ${I32[v]})`))
        .join(" ");
      const c = `(call $${d.name}${args ? " " + args : ""})`;
      ext.push(d.result === "i64" ? `(drop ${c})` : d.result === "i32" ? `(drop ${c})` : c);
    }
  }
  for (let v = 0; v < 4; v++) ext.push(`(drop (call $pledge (i32.const ${I32[v]})))`);
  const forged = ["0", "0x7fffffff", "0x80000000", "0xffff", "0x40001000", "0x00350fff"]; // never issued: slots beyond the table or never used, bit 31
  const fh: string[] = [];
  const results: string[] = [];
  for (const d of SYSCALLS) {
    if (!FIRST_IS_HANDLE(d) || !d.errors.includes(Errno.EBADH)) continue;
    for (const f of forged) {
      fh.push(call(d, `(i32.const ${f})`));
      results.push(d.name);
    }
  }
  return {
    "syscall-extremes.wat": `;; Generated by conformance/gen-generic.ts. Do not edit.
;; Every syscall but exit, panic and sleep with every argument at 0, -1, i32 min, i32 max
;; (i64: 0, -1, i64 min, i64 max; deadlines never infinite), then pledge likewise.
(func (export "_start")
  ${ext.join("\n  ")}
  (call $exit (i32.const 0)))
`,
    "forged-handles-everywhere.wat": `;; Generated by conformance/gen-generic.ts. Do not edit.
;; Forged handle values (${forged.join(", ")}) as the first handle of every call that takes one.
(func (export "_start")
  ${fh.join("\n  ")}
  (call $flush))
`,
    "forged-handles-everywhere.results.json": JSON.stringify(results.map((n) => [n, "EBADH"])) + "\n",
  };
}

export const HOSTILE_DIR = join(new URL(".", import.meta.url).pathname, "hostile");

export const GENERIC_DIR = join(new URL(".", import.meta.url).pathname, "generic");

/** Every file this generator owns (path -> text): generic/ whole, and its parts of hostile/. */
export function generatedFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [f, text] of Object.entries(generateAll())) out[join(GENERIC_DIR, f)] = text;
  const hostile = generateHostile();
  const results = JSON.parse(hostile["forged-handles-everywhere.results.json"]);
  delete hostile["forged-handles-everywhere.results.json"];
  for (const [f, text] of Object.entries(hostile)) out[join(HOSTILE_DIR, f)] = text;
  // the expectation's results list is generated too
  const jp = join(HOSTILE_DIR, "forged-handles-everywhere.json");
  const spec = JSON.parse(readFileSync(jp, "utf8"));
  spec.expect = { exit: { status: 0, reason: "NORMAL" }, results };
  out[jp] = JSON.stringify(spec, null, 2) + "\n";
  return out;
}

// node conformance/gen-generic.ts [--check]: write the files (generic/ is replaced whole), or exit 1 naming those that differ.
if (import.meta.url === `file://${process.argv[1]}`) {
  const files = generatedFiles();
  const stale = Object.keys(files).filter((f) => !existsSync(f) || readFileSync(f, "utf8") !== files[f]);
  const extra = existsSync(GENERIC_DIR)
    ? readdirSync(GENERIC_DIR)
        .map((f) => join(GENERIC_DIR, f))
        .filter((f) => !(f in files))
    : [];
  if (process.argv.includes("--check")) {
    for (const f of [...stale, ...extra]) process.stdout.write(`out of date: ${f}\n`);
    process.exit(stale.length + extra.length > 0 ? 1 : 0);
  }
  for (const f of extra) rmSync(f);
  mkdirSync(GENERIC_DIR, { recursive: true });
  for (const f of stale) writeFileSync(f, files[f]);
  process.stdout.write(`conformance: ${stale.length} of ${Object.keys(files).length} generated cases rewritten, ${extra.length} removed\n`);
}
