// Every syscall that takes a handle refuses a forged one (EBADH), a closed
// one (ESTALE), one naming another type of object (EWRONGTYPE) and one
// without the rights it needs (EACCES) — each where abi/ documents it. The
// calls are generated from the ABI table, so a new syscall is covered by
// adding the object type its first handle must name.
import { describe, expect, it } from "vitest";
import { Errno, ObjectType, Rights, SYSCALL_BY_NAME, type SyscallName } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { runSystem } from "../helpers/system.ts";
import { guest } from "../helpers/wat.ts";

/** What the first handle parameter of each covered syscall must name (null: any type). */
const FIRST_HANDLE: Partial<Record<SyscallName, number | null>> = {
  handle_close: null,
  handle_dup: null,
  handle_revoke: null,
  handle_info: null,
  spawn: ObjectType.IMAGE,
  wait: ObjectType.PROCESS,
  kill: ObjectType.PROCESS,
  process_info: ObjectType.PROCESS,
  send: ObjectType.ENDPOINT,
  sendmsg: ObjectType.ENDPOINT,
  receive: ObjectType.ENDPOINT,
  pulse: ObjectType.ENDPOINT,
  name_register: ObjectType.NAMESPACE,
  name_lookup: ObjectType.NAMESPACE,
  name_unregister: ObjectType.NAMESPACE,
  port_bind: ObjectType.PORT,
  port_send: ObjectType.PORT,
};

/** A local holding a handle to each object type (set up at the start of the guest). */
const LOCAL: Record<number, string> = {
  [ObjectType.IMAGE]: "$image",
  [ObjectType.PROCESS]: "$proc",
  [ObjectType.ENDPOINT]: "$ep",
  [ObjectType.PORT]: "$port",
  [ObjectType.NAMESPACE]: "$ns",
};

const zero = (t: string) => (t === "i64" ? "(i64.const 0)" : "(i32.const 0)");

/** `(call $name HANDLE 0 0 ...)` recording the result as an i32. */
function call(name: SyscallName, handle: string): string {
  const def = SYSCALL_BY_NAME[name];
  const args = [handle, ...def.params.slice(1).map((p) => zero(p.type))].join(" ");
  const c = `(call $${name} ${args})`;
  return `(call $rec ${def.result === "i64" ? `(i32.wrap_i64 ${c})` : c})`;
}

const covered = (Object.keys(FIRST_HANDLE) as SyscallName[]).filter((n) => SYSCALL_BY_NAME[n].errors.includes(Errno.EBADH));

/** Run one guest that, for each covered syscall, passes the handle `pick(syscall)` and records the result. */
async function probe(pick: (name: SyscallName) => string): Promise<Record<string, number>> {
  const k = new Kernel();
  const ns = k.createNamespace();
  const body = covered.map((n) => call(n, pick(n))).join("\n          ");
  const r = await runSystem(
    [
      {
        name: "p",
        bytes: guest(`
      (data (i32.const 0) "self")
      (data (i32.const 8) "ns")
      (func (export "_start") (local $image i32) (local $proc i32) (local $ep i32) (local $port i32) (local $ns i32) (local $stale i32)
        (if (i32.eq (call $arg_count) (i32.const 0)) (then (return))) ;; the child spawned below does nothing
        (local.set $image (call $handle_get (i32.const 0) (i32.const 4)))
        (local.set $ns (call $handle_get (i32.const 8) (i32.const 2)))
        (local.set $proc (call $spawn (local.get $image) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
        (local.set $ep (call $endpoint_create))
        (local.set $port (call $port_create))
        (local.set $stale (call $endpoint_create))
        (drop (call $handle_close (local.get $stale)))
        ${body}
        (call $flush))`),
        handles: [{ name: "ns", object: ns, rights: Rights.REGISTER | Rights.LOOKUP | Rights.DUPLICATE }],
      },
    ],
    {},
    k,
    [ns],
  );
  expect(r.exit.p.reason, r.exit.p.message).toBe(0);
  return Object.fromEntries(covered.map((n, i) => [n, r.rec.p[i]]));
}

const expectAll = (got: Record<string, number>, errno: number, which: (n: SyscallName) => boolean) => {
  const want = Object.fromEntries(covered.filter(which).map((n) => [n, -errno]));
  expect(Object.fromEntries(Object.entries(got).filter(([n]) => which(n as SyscallName)))).toEqual(want);
};

describe("handle errors of every syscall that takes a handle", () => {
  it("a forged handle is EBADH", async () => {
    expectAll(await probe(() => "(i32.const 0x00350007)"), Errno.EBADH, () => true);
  });

  it("a closed handle is ESTALE", async () => {
    expectAll(await probe(() => "(local.get $stale)"), Errno.ESTALE, (n) => SYSCALL_BY_NAME[n].errors.includes(Errno.ESTALE));
  });

  it("a handle to another type of object is EWRONGTYPE", async () => {
    // Type-agnostic calls get a throwaway handle (handle_close would otherwise close the probe's own).
    const wrong = (n: SyscallName) =>
      FIRST_HANDLE[n] === null ? "(call $endpoint_create)" : FIRST_HANDLE[n] === ObjectType.PORT ? "(local.get $ep)" : "(local.get $port)";
    expectAll(await probe(wrong), Errno.EWRONGTYPE, (n) => FIRST_HANDLE[n] !== null);
  });

  it("a handle without the rights the call needs is EACCES", async () => {
    const bare = (n: SyscallName) => {
      const type = FIRST_HANDLE[n] ?? null;
      return `(call $handle_dup (local.get ${type === null ? "$ep" : LOCAL[type]}) (i32.const 0))`;
    };
    // Calls that need rights on their first handle (handle_dup needs DUPLICATE).
    const needsRights = (n: SyscallName) => SYSCALL_BY_NAME[n].rights !== 0 && SYSCALL_BY_NAME[n].errors.includes(Errno.EACCES);
    expectAll(await probe(bare), Errno.EACCES, needsRights);
  });
});

describe("a full handle table", () => {
  it("is EMFILE for every call that would add a handle, and nothing is lost", async () => {
    const k = new Kernel({ limits: { maxHandles: 12 } });
    const ns = k.createNamespace();
    const r = await runSystem(
      [
        {
          name: "p",
          bytes: guest(`
        (data (i32.const 0) "self")
        (data (i32.const 8) "ns")
        (data (i32.const 16) "name")
        (func (export "_start") (local $image i32) (local $ns i32) (local $ep i32) (local $n i32)
          (if (i32.eq (call $arg_count) (i32.const 0)) (then (return)))
          (local.set $image (call $handle_get (i32.const 0) (i32.const 4)))
          (local.set $ns (call $handle_get (i32.const 8) (i32.const 2)))
          (local.set $ep (call $endpoint_create))
          (drop (call $name_register (local.get $ns) (i32.const 16) (i32.const 4) (local.get $ep)))
          ;; fill the table
          (block $full (loop $fill
            (br_if $full (i32.lt_s (call $port_create) (i32.const 0)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $fill)))
          (call $rec (local.get $n))
          (call $rec (call $endpoint_create))
          (call $rec (call $port_create))
          (call $rec (call $handle_dup (local.get $ep) (i32.const 0)))
          (call $rec (call $name_lookup (local.get $ns) (i32.const 16) (i32.const 4)))
          (call $rec (call $spawn (local.get $image) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
          (call $rec (i32.gt_s (call $handle_info (local.get $ep) (i32.const 100)) (i32.const 0)))
          (call $flush))`),
          handles: [{ name: "ns", object: ns, rights: Rights.REGISTER | Rights.LOOKUP | Rights.DUPLICATE }],
        },
      ],
      {},
      k,
      [ns],
    );
    const E = -Errno.EMFILE;
    expect(r.rec.p).toEqual([12 - 3, E, E, E, E, E, 1]);
    for (const p of Object.values(r.procs)) p.close();
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
