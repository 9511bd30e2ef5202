// Structural validation of abi/wasmos.abi.json: the checked-in definition is valid,
// and the validator catches each kind of mistake (each case breaks one thing).

import { describe, expect, it } from "vitest";
import { validateDefinition } from "../../build/abi/validate.ts";
import { loadDefinition, mutableDefinition } from "./load.ts";

/** The problems the validator reports after `mutate` breaks a copy of the definition. */
function problemsAfter(mutate: (def: any) => void): string[] {
  const def = mutableDefinition();
  mutate(def);
  return validateDefinition(def);
}

const syscall = (def: any, name: string): any => def.syscalls.find((s: any) => s.name === name);

describe("the ABI definition", () => {
  it("passes structural validation", () => {
    expect(validateDefinition(loadDefinition())).toEqual([]);
  });

  it("references only errno names that exist", () => {
    const def = loadDefinition();
    const names = new Set(def.errno.map((e) => e.name));
    for (const sc of def.syscalls) for (const e of sc.errors) expect(names, `${sc.name} lists ${e.errno}`).toContain(e.errno);
  });

  it("references only rights that exist", () => {
    const def = loadDefinition();
    const names = new Set(def.rights.map((r) => r.name));
    for (const sc of def.syscalls) for (const r of sc.rights ?? []) expect(names, `${sc.name} needs ${r}`).toContain(r);
  });

  it("puts every syscall in an existing pledge class", () => {
    const def = loadDefinition();
    const names = new Set(def.pledge_classes.map((p) => p.name));
    for (const sc of def.syscalls) expect(names, sc.name).toContain(sc.pledge);
  });

  it("says for every syscall whether it blocks, and documents it", () => {
    for (const sc of loadDefinition().syscalls) {
      expect(typeof sc.blocking, sc.name).toBe("boolean");
      expect(sc.doc.trim(), sc.name).not.toBe("");
      expect(sc.result.doc.trim(), sc.name).not.toBe("");
      for (const p of sc.params) expect(p.doc.trim(), `${sc.name}.${p.name}`).not.toBe("");
    }
  });

  it("gives sys one slot per parameter of the widest syscall, at most six", () => {
    const def = loadDefinition();
    const slots = def.sys.params.length - 1;
    expect(def.sys.params[0]).toBe("i32");
    expect(slots).toBeLessThanOrEqual(6);
    expect(Math.max(...def.syscalls.map((s) => s.params.length))).toBeLessThanOrEqual(slots);
    expect(def.sys.result).toBe("i64");
  });
});

describe("validateDefinition", () => {
  it("rejects something that is not an object", () => {
    expect(validateDefinition(null)).toEqual(["the definition is not a JSON object"]);
    expect(validateDefinition([1, 2])).toEqual(["the definition is not a JSON object"]);
  });

  it("rejects an error that is not in errno", () => {
    expect(problemsAfter((d) => syscall(d, "sleep").errors.push({ errno: "EWHAT", when: "never" }))).toEqual([
      "syscall sleep: error EWHAT is not in errno",
    ]);
  });

  it("rejects an error listed twice or without a when", () => {
    expect(problemsAfter((d) => syscall(d, "sleep").errors.push({ errno: "EINVAL", when: "again" }))).toEqual([
      "syscall sleep: error EINVAL listed twice",
    ]);
    expect(problemsAfter((d) => (syscall(d, "sleep").errors[0].when = ""))).toEqual(["syscall sleep: error EINVAL does not say when"]);
  });

  it("rejects a right that is not defined", () => {
    expect(problemsAfter((d) => (syscall(d, "kill").rights = ["KILL", "FLY"]))).toEqual(["syscall kill: right FLY is not defined"]);
  });

  it("rejects needing a right without listing EACCES", () => {
    expect(problemsAfter((d) => (syscall(d, "kill").errors = syscall(d, "kill").errors.filter((e: any) => e.errno !== "EACCES")))).toEqual([
      "syscall kill: needs rights but does not list EACCES",
    ]);
  });

  it("rejects an unknown pledge class", () => {
    expect(problemsAfter((d) => (syscall(d, "spawn").pledge = "net"))).toEqual(["syscall spawn: pledge net is not a pledge class"]);
  });

  it("rejects a parameter type other than i32 or i64", () => {
    expect(problemsAfter((d) => (syscall(d, "sleep").params[0].type = "f64"))).toEqual([
      "syscall sleep param duration_ns: type must be one of i32, i64",
    ]);
  });

  it("rejects a bad result type", () => {
    expect(problemsAfter((d) => (syscall(d, "yield").result.type = "void"))).toEqual([
      "syscall yield: result type must be one of i32, i64, never",
    ]);
  });

  it("rejects a syscall that does not say whether it blocks", () => {
    expect(problemsAfter((d) => delete syscall(d, "wait").blocking)).toEqual(["syscall wait: blocking must be true or false"]);
  });

  it("rejects a blocking or error-returning never-returning syscall", () => {
    expect(problemsAfter((d) => (syscall(d, "exit").blocking = true))).toEqual([
      "syscall exit: a never-returning syscall cannot be blocking",
    ]);
    expect(problemsAfter((d) => syscall(d, "exit").errors.push({ errno: "EINVAL", when: "x" }))).toEqual([
      "syscall exit: a never-returning syscall cannot list errors",
    ]);
  });

  it("rejects missing docs", () => {
    expect(problemsAfter((d) => (syscall(d, "kill").doc = " "))).toEqual(["syscall kill: doc is missing"]);
    expect(problemsAfter((d) => delete syscall(d, "kill").params[1].doc)).toEqual(["syscall kill param status: doc is missing"]);
    expect(problemsAfter((d) => (d.errno[0].doc = ""))).toEqual(["errno EFAULT: doc is missing"]);
  });

  it("rejects a duplicate or reserved syscall number", () => {
    expect(problemsAfter((d) => (syscall(d, "kill").nr = 1))).toEqual(["syscall kill: nr 1 already used by exit"]);
    expect(problemsAfter((d) => (syscall(d, "kill").nr = 0))).toEqual(["syscall kill: nr must be a positive integer (0 is reserved)"]);
  });

  it("rejects a duplicate syscall name or a name that is not snake_case", () => {
    expect(problemsAfter((d) => (syscall(d, "kill").name = "exit"))).toEqual(["syscall exit: name used twice"]);
    expect(problemsAfter((d) => (syscall(d, "kill").name = "Kill"))).toEqual(["syscall Kill: name must be snake_case"]);
  });

  it("rejects duplicate errno values, right bits and a right beyond bit 30", () => {
    expect(problemsAfter((d) => (d.errno[1].value = 1))).toEqual(["errno EINVAL: value 1 already used by EFAULT"]);
    expect(problemsAfter((d) => (d.rights[1].bit = 0))).toEqual(["rights TRANSFER: bit 0 already used by DUPLICATE"]);
    expect(problemsAfter((d) => (d.rights[1].bit = 31))).toEqual(["rights TRANSFER: bit must be an integer in 0..30"]);
  });

  it("rejects errno 0, which is success", () => {
    expect(problemsAfter((d) => (d.errno[0].value = 0))).toEqual(["errno EFAULT: value must be an integer in 1..2147483647"]);
  });

  it("rejects constants whose value does not fit their type", () => {
    const at = (d: any, name: string): any => d.constants.find((c: any) => c.name === name);
    expect(problemsAfter((d) => (at(d, "HANDLE_SELF").value = 2 ** 31))).toEqual(["constant HANDLE_SELF: value must be an i32 number"]);
    expect(problemsAfter((d) => (at(d, "DEADLINE_INFINITE").value = 9223372036854775807))).toEqual([
      "constant DEADLINE_INFINITE: i64 value must be a decimal string",
    ]);
    expect(problemsAfter((d) => (at(d, "DEADLINE_INFINITE").value = "9223372036854775808"))).toEqual([
      "constant DEADLINE_INFINITE: value is outside i64",
    ]);
  });

  it("rejects a syscall with more parameters than sys has slots", () => {
    expect(
      problemsAfter((d) => {
        for (const n of ["a", "b"]) syscall(d, "spawn").params.push({ name: n, type: "i32", doc: "extra" });
      }),
    ).toEqual(["sys: a syscall takes 7 parameters but sys passes only 6"]);
  });

  it("rejects a sys entry of the wrong shape", () => {
    expect(problemsAfter((d) => d.sys.params.pop())).toEqual(["sys: params must be the syscall number (i32) then 6 i64 arguments"]);
    expect(problemsAfter((d) => (d.sys.result = "i32"))).toEqual(["sys: result must be i64 (every result widens to it)"]);
    expect(problemsAfter((d) => (d.sys.name = "kill"))).toEqual(["sys: name kill clashes with a syscall"]);
  });

  it("rejects a malformed version", () => {
    expect(problemsAfter((d) => (d.version = "0.1"))).toEqual(["version must be { major, minor } with non-negative integers"]);
  });
});
