// Structural validation of the ABI definition. Generators assume a valid definition,
// so gen-abi.ts refuses to write anything until this returns no problems.
// Contract: validateDefinition(value) returns one human-readable line per problem
// (empty when valid) and never throws, whatever `value` is.

const NAME_SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/; // syscall and parameter names
const NAME_UPPER = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/; // errno, rights, constants, ...
const PARAM_TYPES = ["i32", "i64"]; // sys widens every argument to i64, so floats are out
const RESULT_TYPES = ["i32", "i64", "never"];
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
/** Rights occupy bits 0..30 so every mask is a non-negative i32. */
const MAX_RIGHT_BIT = 30;
/** Struct field types and their sizes (build/abi/definition.ts FIELD_TYPE_SIZE). */
const FIELD_SIZES: Record<string, number> = { u8: 1, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 };
/** sys(nr, a0..a5): six argument slots. */
const SYS_ARG_SLOTS = 6;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}
function isText(v: unknown): v is string {
  return typeof v === "string" && v.trim() !== "";
}

export function validateDefinition(value: unknown): string[] {
  const problems: string[] = [];
  const fail = (msg: string): void => {
    problems.push(msg);
  };
  if (!isObj(value)) return ["the definition is not a JSON object"];
  const def = value;

  if (!isText(def.name)) fail("name must be a non-empty string");
  if (!isText(def.import_module)) fail("import_module must be a non-empty string");
  const v = def.version;
  if (!isObj(v) || !isInt(v.major) || !isInt(v.minor) || v.major < 0 || v.minor < 0)
    fail("version must be { major, minor } with non-negative integers");
  if (!Array.isArray(def.conventions) || !def.conventions.every(isText)) fail("conventions must be a list of non-empty strings");

  // Lists of named entries: each an object with a unique name matching `pattern`, and a doc.
  const table = (key: string, pattern: RegExp): Obj[] => {
    const list = def[key];
    if (!Array.isArray(list)) {
      fail(`${key} must be a list`);
      return [];
    }
    const seen = new Set<string>();
    const entries: Obj[] = [];
    list.forEach((e: unknown, i) => {
      if (!isObj(e)) return fail(`${key}[${i}] must be an object`);
      const where = `${key} ${String(e.name ?? `[${i}]`)}`;
      if (typeof e.name !== "string" || !pattern.test(e.name)) fail(`${where}: name must match ${pattern}`);
      else if (seen.has(e.name)) fail(`${where}: name used twice`);
      else seen.add(e.name);
      if (!isText(e.doc)) fail(`${where}: doc is missing`);
      entries.push(e);
    });
    return entries;
  };
  // Numbered tables: values are integers, unique within the table.
  const numbered = (key: string, field: string, min: number, max: number): Obj[] => {
    const entries = table(key, NAME_UPPER);
    const byValue = new Map<number, string>();
    for (const e of entries) {
      const n = e[field];
      if (!isInt(n) || n < min || n > max) fail(`${key} ${String(e.name)}: ${field} must be an integer in ${min}..${max}`);
      else if (byValue.has(n)) fail(`${key} ${String(e.name)}: ${field} ${n} already used by ${byValue.get(n)}`);
      else byValue.set(n, String(e.name));
    }
    return entries;
  };

  const errno = numbered("errno", "value", 1, I32_MAX); // 0 is success, results are -errno
  const rights = numbered("rights", "bit", 0, MAX_RIGHT_BIT);
  numbered("object_types", "value", 1, I32_MAX); // 0 is HANDLE_INVALID's non-object
  numbered("process_states", "value", 0, I32_MAX);
  numbered("exit_reasons", "value", 0, I32_MAX);
  // Limits may share values (several are 64 KiB), so only their range is checked.
  for (const l of table("limits", NAME_UPPER))
    if (!isInt(l.value) || l.value < 1 || l.value > I32_MAX) fail(`limit ${String(l.name)}: value must be a positive i32`);

  for (const c of table("constants", NAME_UPPER)) {
    const where = `constant ${String(c.name)}`;
    if (c.type === "i32") {
      if (!isInt(c.value) || c.value < I32_MIN || c.value > I32_MAX) fail(`${where}: value must be an i32 number`);
    } else if (c.type === "i64") {
      // JSON numbers lose precision past 2^53, so i64 values are decimal strings.
      if (typeof c.value !== "string" || !/^-?(0|[1-9][0-9]*)$/.test(c.value)) fail(`${where}: i64 value must be a decimal string`);
      else if (BigInt(c.value) < I64_MIN || BigInt(c.value) > I64_MAX) fail(`${where}: value is outside i64`);
    } else fail(`${where}: type must be i32 or i64`);
  }

  // Structs: fields aligned to their type's size, in offset order, covering the struct
  // exactly (no overlap, no gap: padding is a named reserved field), and no derived
  // NAME_SIZE constant clashing with a constant.
  const constantNames = new Set(Array.isArray(def.constants) ? def.constants.map((c: unknown) => (isObj(c) ? c.name : undefined)) : []);
  for (const st of table("structs", NAME_SNAKE)) {
    const where = `struct ${String(st.name)}`;
    if (constantNames.has(`${String(st.name).toUpperCase()}_SIZE`))
      fail(`${where}: constant ${String(st.name).toUpperCase()}_SIZE clashes with the size derived from the struct`);
    if (!Array.isArray(st.fields) || st.fields.length === 0) {
      fail(`${where}: fields must be a non-empty list`);
      continue;
    }
    let end = 0;
    let align = 1;
    const seen = new Set<string>();
    st.fields.forEach((f: unknown, j) => {
      if (!isObj(f)) return fail(`${where}: fields[${j}] must be an object`);
      const fw = `${where} field ${String(f.name ?? j)}`;
      if (typeof f.name !== "string" || !NAME_SNAKE.test(f.name)) fail(`${fw}: name must be snake_case`);
      else if (seen.has(f.name)) fail(`${fw}: name used twice`);
      else seen.add(f.name);
      if (!isText(f.doc)) fail(`${fw}: doc is missing`);
      const size = typeof f.type === "string" ? FIELD_SIZES[f.type] : undefined;
      if (size === undefined) return fail(`${fw}: type must be one of ${Object.keys(FIELD_SIZES).join(", ")}`);
      const count = f.count ?? 1;
      if (!isInt(count) || count < 1) return fail(`${fw}: count must be a positive integer`);
      if (!isInt(f.offset) || f.offset < 0) return fail(`${fw}: offset must be a non-negative integer`);
      if (f.offset % size !== 0) fail(`${fw}: offset ${f.offset} is not aligned to ${size} bytes`);
      if (f.offset < end) fail(`${fw}: offset ${f.offset} overlaps the field before (which ends at ${end})`);
      else if (f.offset > end) fail(`${fw}: gap of ${f.offset - end} bytes before it (name the padding as a field)`);
      end = Math.max(end, f.offset + size * count);
      align = Math.max(align, size);
    });
    if (end % align !== 0) fail(`${where}: size ${end} is not a multiple of its alignment ${align}`);
  }

  const pledges = table("pledge_classes", NAME_SNAKE);
  if (pledges.length > 31) fail("pledge_classes: at most 31 classes fit an i32 mask");

  const errnoNames = new Set(errno.map((e) => String(e.name)));
  const rightNames = new Set(rights.map((r) => String(r.name)));
  const pledgeNames = new Set(pledges.map((p) => String(p.name)));
  let maxParams = 0;

  const syscalls = Array.isArray(def.syscalls) ? def.syscalls : [];
  if (!Array.isArray(def.syscalls) || syscalls.length === 0) fail("syscalls must be a non-empty list");
  const names = new Map<string, number>();
  const nrs = new Map<number, string>();
  syscalls.forEach((sc: unknown, i) => {
    if (!isObj(sc)) return fail(`syscalls[${i}] must be an object`);
    const where = `syscall ${typeof sc.name === "string" ? sc.name : `[${i}]`}`;
    if (typeof sc.name !== "string" || !NAME_SNAKE.test(sc.name)) fail(`${where}: name must be snake_case`);
    else if (names.has(sc.name)) fail(`${where}: name used twice`);
    else names.set(sc.name, i);
    // nr 0 stays unused so a zeroed sys() argument never names a real syscall.
    if (!isInt(sc.nr) || sc.nr < 1 || sc.nr > I32_MAX) fail(`${where}: nr must be a positive integer (0 is reserved)`);
    else if (nrs.has(sc.nr)) fail(`${where}: nr ${sc.nr} already used by ${nrs.get(sc.nr)}`);
    else nrs.set(sc.nr, String(sc.name));
    if (!isText(sc.doc)) fail(`${where}: doc is missing`);
    if (typeof sc.blocking !== "boolean") fail(`${where}: blocking must be true or false`);
    if (typeof sc.pledge !== "string" || !pledgeNames.has(sc.pledge)) fail(`${where}: pledge ${String(sc.pledge)} is not a pledge class`);

    const paramRights = new Set<string>();
    if (!Array.isArray(sc.params)) fail(`${where}: params must be a list`);
    else {
      maxParams = Math.max(maxParams, sc.params.length);
      const seen = new Set<string>();
      sc.params.forEach((p: unknown, j) => {
        if (!isObj(p)) return fail(`${where}: params[${j}] must be an object`);
        const pw = `${where} param ${String(p.name ?? j)}`;
        if (typeof p.name !== "string" || !NAME_SNAKE.test(p.name)) fail(`${pw}: name must be snake_case`);
        else if (seen.has(p.name)) fail(`${pw}: name used twice`);
        else seen.add(p.name);
        if (typeof p.type !== "string" || !PARAM_TYPES.includes(p.type)) fail(`${pw}: type must be one of ${PARAM_TYPES.join(", ")}`);
        if (!isText(p.doc)) fail(`${pw}: doc is missing`);
        if (p.unit !== undefined && !isText(p.unit)) fail(`${pw}: unit must be a non-empty string`);
        if (p.rights !== undefined) {
          if (!Array.isArray(p.rights) || p.rights.length === 0) fail(`${pw}: rights must be a non-empty list of right names`);
          else
            for (const right of p.rights) {
              if (typeof right !== "string" || !rightNames.has(right)) fail(`${pw}: right ${String(right)} is not defined`);
              else paramRights.add(right);
            }
        }
      });
    }

    const r = sc.result;
    if (!isObj(r)) fail(`${where}: result must be an object`);
    else {
      if (typeof r.type !== "string" || !RESULT_TYPES.includes(r.type))
        fail(`${where}: result type must be one of ${RESULT_TYPES.join(", ")}`);
      if (!isText(r.doc)) fail(`${where}: result doc is missing`);
      if (r.unit !== undefined && !isText(r.unit)) fail(`${where}: result unit must be a non-empty string`);
      // A call that never returns has nothing to suspend for and no error to report.
      if (r.type === "never" && sc.blocking === true) fail(`${where}: a never-returning syscall cannot be blocking`);
      if (r.type === "never" && Array.isArray(sc.errors) && sc.errors.length > 0)
        fail(`${where}: a never-returning syscall cannot list errors`);
    }

    // Per-parameter rights (several handles) add up to the syscall's list.
    if (paramRights.size > 0) {
      const listed = new Set(Array.isArray(sc.rights) ? sc.rights : []);
      if (listed.size !== paramRights.size || [...paramRights].some((r) => !listed.has(r)))
        fail(`${where}: rights must be the union of its parameters' rights (${[...paramRights].join(", ")})`);
    }
    if (sc.rights !== undefined) {
      if (!Array.isArray(sc.rights)) fail(`${where}: rights must be a list of right names`);
      else {
        for (const right of sc.rights)
          if (typeof right !== "string" || !rightNames.has(right)) fail(`${where}: right ${String(right)} is not defined`);
        if (new Set(sc.rights).size !== sc.rights.length) fail(`${where}: a right is listed twice`);
      }
    }

    if (!Array.isArray(sc.errors)) fail(`${where}: errors must be a list`);
    else {
      const listed = new Set<string>();
      sc.errors.forEach((e: unknown, j) => {
        if (!isObj(e)) return fail(`${where}: errors[${j}] must be an object`);
        if (typeof e.errno !== "string" || !errnoNames.has(e.errno)) fail(`${where}: error ${String(e.errno)} is not in errno`);
        else if (listed.has(e.errno)) fail(`${where}: error ${e.errno} listed twice`);
        else listed.add(e.errno);
        if (!isText(e.when)) fail(`${where}: error ${String(e.errno)} does not say when`);
      });
      // Needing a right means a handle without it is refused, which must be documented.
      if (Array.isArray(sc.rights) && sc.rights.length > 0 && errnoNames.has("EACCES") && !listed.has("EACCES"))
        fail(`${where}: needs rights but does not list EACCES`);
    }
  });

  const sys = def.sys;
  if (!isObj(sys)) fail("sys must be an object");
  else {
    if (!isText(sys.name)) fail("sys: name is missing");
    else if (names.has(sys.name)) fail(`sys: name ${sys.name} clashes with a syscall`);
    if (!isText(sys.doc)) fail("sys: doc is missing");
    const params = Array.isArray(sys.params) ? sys.params : [];
    if (params.length !== 1 + SYS_ARG_SLOTS || params[0] !== "i32" || !params.slice(1).every((t) => t === "i64"))
      fail(`sys: params must be the syscall number (i32) then ${SYS_ARG_SLOTS} i64 arguments`);
    if (sys.result !== "i64") fail("sys: result must be i64 (every result widens to it)");
    if (maxParams > SYS_ARG_SLOTS) fail(`sys: a syscall takes ${maxParams} parameters but sys passes only ${SYS_ARG_SLOTS}`);
  }

  return problems;
}
