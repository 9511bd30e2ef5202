// The generated TypeScript module (abi/gen/abi.ts) agrees with the definition and
// has the shape the host and kernel import.

import { describe, expect, it } from "vitest";
import * as abi from "../../abi/gen/abi.ts";
import { loadDefinition } from "./load.ts";
import { rightsMask } from "../../build/abi/definition.ts";

describe("abi/gen/abi.ts", () => {
  const def = loadDefinition();

  it("carries the version and import module", () => {
    expect(abi.ABI_VERSION).toEqual(def.version);
    expect(abi.IMPORT_MODULE).toBe("wasmos");
  });

  it("maps errno names to values and back", () => {
    expect(abi.Errno.EFAULT).toBe(1);
    for (const e of def.errno) {
      expect(abi.Errno[e.name as abi.ErrnoName]).toBe(e.value);
      expect(abi.ERRNO_NAMES[e.value]).toBe(e.name);
    }
  });

  it("gives rights as masks with NONE and ALL", () => {
    expect(abi.Rights.SPAWN).toBe(16);
    expect(abi.Rights.NONE).toBe(0);
    expect(abi.Rights.ALL).toBe(def.rights.reduce((m, r) => m | (1 << r.bit), 0));
    for (const r of def.rights) expect(abi.RIGHT_NAMES[1 << r.bit]).toBe(r.name);
  });

  it("reverses object types, process states and exit reasons", () => {
    for (const o of def.object_types) expect(abi.OBJECT_TYPE_NAMES[(abi.ObjectType as Record<string, number>)[o.name]!]).toBe(o.name);
    for (const s of def.process_states) expect(abi.PROCESS_STATE_NAMES[(abi.ProcessState as Record<string, number>)[s.name]!]).toBe(s.name);
    for (const e of def.exit_reasons) {
      expect((abi.ExitReason as Record<string, number>)[e.name]).toBe(e.value);
      expect(abi.EXIT_REASON_NAMES[e.value]).toBe(e.name);
      expect(abi.EXIT_REASON_DOCS[e.value]).toBe(e.doc);
    }
  });

  it("gives limits as numbers and i64 constants as bigints", () => {
    expect(abi.Constants.DEADLINE_INFINITE).toBe(9223372036854775807n);
    expect(abi.Constants.HANDLE_SELF).toBe(-1);
    for (const l of def.limits) expect((abi.Limits as Record<string, number>)[l.name]).toBe(l.value);
  });

  it("numbers pledge classes by definition order", () => {
    const classes = loadDefinition().pledge_classes.map((c) => c.name);
    expect(classes.slice(0, 3)).toEqual(["core", "stdio", "proc"]); // the first three never move
    expect(abi.PledgeClass).toEqual(Object.fromEntries(classes.map((n, i) => [n, i])));
    expect(abi.PLEDGE_CLASS_NAMES).toEqual(Object.fromEntries(classes.map((n, i) => [i, n])));
  });

  it("describes every syscall as the definition does", () => {
    expect(abi.SYSCALLS.map((s) => s.name)).toEqual(def.syscalls.map((s) => s.name));
    for (const sc of def.syscalls) {
      const d = abi.SYSCALL_BY_NAME[sc.name as abi.SyscallName];
      expect(abi.SYSCALL_BY_NR[sc.nr]).toBe(d);
      expect(d).toEqual({
        nr: sc.nr,
        name: sc.name,
        params: sc.params.map((p) => ({
          name: p.name,
          type: p.type,
          ...(p.rights !== undefined ? { rights: rightsMask(def, p.rights) } : {}),
        })),
        result: sc.result.type,
        blocking: sc.blocking,
        pledge: def.pledge_classes.findIndex((p) => p.name === sc.pledge),
        rights: (sc.rights ?? []).reduce((m, r) => m | abi.Rights[r as keyof typeof abi.Rights], 0),
        errors: sc.errors.map((e) => abi.Errno[e.errno as abi.ErrnoName]),
      });
    }
    expect(abi.SYSCALL_BY_NR[0]).toBeUndefined();
    expect(abi.SYSCALL_BY_NR.length).toBe(Math.max(...def.syscalls.map((s) => s.nr)) + 1);
  });

  it("describes the sys entry", () => {
    expect(abi.SYS_ENTRY.name).toBe("sys");
    expect(abi.SYS_ENTRY.params.map((p) => p.type)).toEqual(def.sys.params);
    expect(abi.SYS_ENTRY.params.map((p) => p.name)).toEqual(["nr", "a0", "a1", "a2", "a3", "a4", "a5"]);
    expect(abi.SYS_ENTRY.result).toBe("i64");
  });

  it("types syscall arguments and results (checked by tsc)", () => {
    const sleepArgs: abi.SyscallArgs["sleep"] = [1_000n];
    const now: abi.SyscallResult<"clock_now"> = 5n;
    const count: abi.SyscallResult<"arg_count"> = 3;
    // @ts-expect-error i64 parameters are bigints, not numbers
    const wrong: abi.SyscallArgs["sleep"] = [1000];
    expect([sleepArgs, now, count, wrong]).toHaveLength(4);
  });
});
