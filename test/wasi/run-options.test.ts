// `wasmos run` options in wasmtime's conventions: options before the program,
// everything after it belongs to the program.
import { describe, expect, it } from "vitest";
import { parseDuration, parseRunOptions, parseSize } from "../../cli/run-options.ts";
import { UsageError } from "../../cli/args.ts";

describe("wasmos run's options", () => {
  it("takes options before the program and gives the program everything after it, options included", () => {
    const o = parseRunOptions(["--dir", "data::/d", "--env", "A=1", "--argv0", "cc", "--fuel=1000", "prog.wasm", "--dir", "x", "-v"]);
    expect(o).toMatchObject({
      program: "prog.wasm",
      args: ["--dir", "x", "-v"],
      dirs: [{ host: "data", guest: "/d" }],
      env: ["A=1"],
      argv0: "cc",
      fuel: 1000,
    });
  });

  it("drops one -- right after the program, and accepts one before it", () => {
    expect(parseRunOptions(["prog.wasm", "--", "--help"]).args).toEqual(["--help"]);
    expect(parseRunOptions(["--", "prog.wasm", "a"])).toMatchObject({ program: "prog.wasm", args: ["a"] });
  });

  it("names a directory after itself unless ::GUEST is given, and takes --env K from the host", () => {
    const o = parseRunOptions(["--dir", ".", "--dir", "/tmp::tmp", "--env", "HOME", "p.wasm"], { HOME: "/home/u" });
    expect(o.dirs).toEqual([
      { host: ".", guest: ".", readOnly: false, spec: "." },
      { host: "/tmp", guest: "tmp", readOnly: false, spec: "/tmp::tmp" },
    ]);
    expect(parseRunOptions(["--dir", "/data::/d:ro", "p.wasm"]).dirs).toEqual([
      { host: "/data", guest: "/d", readOnly: true, spec: "/data::/d:ro" },
    ]);
    expect(o.env).toEqual(["HOME=/home/u"]);
  });

  it("takes --preopen NSPATH[::GUEST][:ro] (a path of the system's namespace) and refuses a relative path or one with ..", () => {
    expect(parseRunOptions(["--preopen", "/tmp", "--preopen=/dev::dev:ro", "p.wasm"]).preopens).toEqual([
      { path: "/tmp", guest: "/tmp", readOnly: false },
      { path: "/dev", guest: "dev", readOnly: true },
    ]);
    expect(() => parseRunOptions(["--preopen", "tmp", "p.wasm"])).toThrow(/--preopen wants an absolute namespace path/);
    expect(() => parseRunOptions(["--preopen", "/tmp/../etc", "p.wasm"])).toThrow(UsageError);
  });

  it("reads sizes and durations as wasmtime users write them", () => {
    expect(parseSize("65536")).toBe(65536);
    expect(parseSize("64K")).toBe(65536);
    expect(parseSize("256M")).toBe(256 * 1024 * 1024);
    expect(parseSize("2GiB")).toBe(2 * 1024 ** 3);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("2")).toBe(2000);
    expect(parseDuration("1m")).toBe(60_000);
  });

  it("refuses what it cannot read, naming the option", () => {
    expect(() => parseRunOptions(["--frobnicate", "p.wasm"])).toThrow(/unknown option --frobnicate/);
    expect(() => parseRunOptions(["--fuel", "lots", "p.wasm"])).toThrow(/--fuel wants a positive integer/);
    expect(() => parseRunOptions(["--max-memory", "big", "p.wasm"])).toThrow(/--max-memory/);
    expect(() => parseRunOptions(["--timeout", "soon", "p.wasm"])).toThrow(/--timeout/);
    expect(() => parseRunOptions(["--env", "NOPE_NOT_SET", "p.wasm"], {})).toThrow(/no variable NOPE_NOT_SET/);
    expect(() => parseRunOptions(["--dir", "::x", "p.wasm"])).toThrow(/--dir wants/);
    expect(() => parseRunOptions(["--dir"])).toThrow(UsageError);
    expect(() => parseRunOptions([])).toThrow(/which program/);
  });
});
