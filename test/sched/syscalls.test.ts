// Every scheduling syscall, and every errno its ABI entry lists, through the
// real ABI. A root guest spawns a child from its own image ("self"); the
// child, told what to do by its first argument, reports through its exit
// status. Rights: a spawner's child handle has SCHEDULE; handle_dup makes
// weaker copies.
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, Rights, SYSCALLS } from "../../abi/gen/abi.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { guest, results } from "../helpers/wat.ts";

const E = (name: keyof typeof Errno) => -Errno[name];
const SELF = "(i32.const -1)";
const BOGUS = "(i32.const 0x7ff0001)"; // a handle never issued
const { INSPECT, WAIT, SCHEDULE, READ, WRITE } = Rights;

/**
 * The root's body runs with locals: $img (its own image), $child (a child
 * running `childBody`, spawned with argument "c"), $closed (a closed copy of
 * the child handle), $weak (the child handle with INSPECT|WAIT only), $nosee
 * (with WAIT only), $st (scratch). $wait_child records the child's exit status.
 */
function family(rootBody: string, childBody = "(drop (call $sleep (i64.const 1000000)))") {
  return guest(`
    (data (i32.const 0) "self")
    (data (i32.const 16) "c\\00")
    (func $is_child (result i32)
      (drop (call $arg_get (i32.const 0) (i32.const 32) (i32.const 1)))
      (i32.eq (i32.load8_u (i32.const 32)) (i32.const 0x63)))
    (func $wait_child (param $h i32)
      (drop (call $wait (local.get $h) (i32.const 40) (i64.const 0x7fffffffffffffff)))
      (call $rec (i32.load (i32.const 40))))
    (func (export "_start") (local $img i32) (local $child i32) (local $closed i32) (local $weak i32) (local $nosee i32) (local $st i32) (local $p i32) (local $q i32)
      (if (call $is_child) (then ${childBody} (return)))
      (local.set $img (call $handle_get (i32.const 0) (i32.const 4)))
      (local.set $child (call $spawn (local.get $img) (i32.const 16) (i32.const 2) (i32.const 0) (i32.const 0)))
      (local.set $closed (call $handle_dup (local.get $child) (i32.const ${INSPECT | WAIT | SCHEDULE})))
      (drop (call $handle_close (local.get $closed)))
      (local.set $weak (call $handle_dup (local.get $child) (i32.const ${INSPECT | WAIT})))
      (local.set $nosee (call $handle_dup (local.get $child) (i32.const ${WAIT})))
      ${rootBody}
      (call $flush))`);
}

async function recorded(bytes: Uint8Array) {
  const r = await runGuest(bytes);
  expect(r.exit.reason, r.exit.message).toBe(ExitReason.NORMAL);
  expect(r.kernel.core.objects.liveTotal()).toBe(0);
  return results(r.stdoutBytes);
}

/** The four handle errors of a call whose handle argument is `arg(h)`. */
const handleErrors = (call: (h: string) => string) =>
  [BOGUS, "(local.get $closed)", "(local.get $img)", "(local.get $nosee)"].map((h) => `(call $rec ${call(h)})`).join("\n");
const HANDLE_ERRORS = [E("EBADH"), E("ESTALE"), E("EWRONGTYPE"), E("EACCES")];

describe("sched_set_priority", () => {
  it("sets a priority and policy, and returns each of its errors", async () => {
    const r = await recorded(
      family(
        `
      (call $rec (call $sched_set_priority ${SELF} (i32.const 200) (i32.const ${Constants.SCHED_FIFO})))
      (call $rec (call $sched_info ${SELF} (i32.const 1000) (i32.const 80)))
      (call $rec (i32.load (i32.const 1004)))
      (call $rec (i32.load (i32.const 1008)))
      ${handleErrors((h) => `(call $sched_set_priority ${h} (i32.const 10) (i32.const 0))`)}
      (call $rec (call $sched_set_priority ${SELF} (i32.const 256) (i32.const 0)))
      (call $rec (call $sched_set_priority ${SELF} (i32.const -1) (i32.const 0)))
      (call $rec (call $sched_set_priority ${SELF} (i32.const 10) (i32.const 2)))
      ;; Setting the child's priority also caps its ceiling: it cannot go back up.
      (call $rec (call $sched_set_priority (local.get $child) (i32.const 100) (i32.const 0)))
      (call $wait_child (local.get $child))
      (call $rec (call $sched_set_priority (local.get $child) (i32.const 10) (i32.const 0)))`,
        `(drop (call $sleep (i64.const 1000)))
     (call $exit (i32.add
       (i32.mul (call $sched_set_priority ${SELF} (i32.const 101) (i32.const 0)) (i32.const 1000))
       (i32.mul (call $sched_set_priority ${SELF} (i32.const 50) (i32.const 0)) (i32.const -1))))`,
      ),
    );
    expect(r).toEqual([
      0,
      80,
      Constants.SCHED_FIFO,
      200,
      ...HANDLE_ERRORS,
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      0,
      E("ECEILING") * 1000, // the child: 101 refused, 50 (below its ceiling) accepted
      E("ESRCH"),
    ]);
  });
});

describe("sched_set_tier", () => {
  it("gives the tier's default priority, and returns each of its errors", async () => {
    const r = await recorded(
      family(
        `
      (call $rec (call $sched_set_tier ${SELF} (i32.const ${Constants.TIER_GRAVITY})))
      (call $rec (call $sched_info ${SELF} (i32.const 1000) (i32.const 80)))
      (call $rec (i32.load (i32.const 1008)))
      (call $rec (i32.load (i32.const 1016)))
      ${handleErrors((h) => `(call $sched_set_tier ${h} (i32.const 1))`)}
      (call $rec (call $sched_set_tier ${SELF} (i32.const 4)))
      (call $rec (call $sched_set_tier ${SELF} (i32.const -1)))
      (call $rec (call $sched_set_priority (local.get $child) (i32.const 100) (i32.const 0)))
      (call $wait_child (local.get $child))
      (call $rec (call $sched_set_tier (local.get $child) (i32.const 1)))`,
        `(drop (call $sleep (i64.const 1000)))
     (call $exit (i32.add
       (i32.mul (call $sched_set_tier ${SELF} (i32.const ${Constants.TIER_PHOTON})) (i32.const 1000))
       (call $sched_set_tier ${SELF} (i32.const ${Constants.TIER_VOID}))))`,
      ),
    );
    expect(r).toEqual([0, 80, 96, Constants.TIER_GRAVITY, ...HANDLE_ERRORS, E("EINVAL"), E("EINVAL"), 0, E("ECEILING") * 1000, E("ESRCH")]);
  });
});

describe("sched_set_deadline and sched_wait_period", () => {
  it("admit a periodic process, and return each of their errors", async () => {
    const ok = "(i64.const 100000) (i64.const 1000000) (i64.const 0)";
    const r = await recorded(
      family(
        `
      (call $rec (call $sched_wait_period))
      ${handleErrors((h) => `(call $sched_set_deadline ${h} ${ok})`)}
      (call $rec (call $sched_set_deadline ${SELF} (i64.const 0) (i64.const 1000000) (i64.const 0)))
      (call $rec (call $sched_set_deadline ${SELF} (i64.const 100000) (i64.const 99999) (i64.const 0)))
      (call $rec (call $sched_set_deadline ${SELF} (i64.const 100000) (i64.const 0x20000000000001) (i64.const 0)))
      (call $rec (call $sched_set_deadline ${SELF} (i64.const 100000) (i64.const 1000000) (i64.const 99999)))
      (call $rec (call $sched_set_deadline ${SELF} (i64.const 100000) (i64.const 1000000) (i64.const 1000001)))
      (call $rec (call $sched_set_deadline ${SELF} (i64.const 950000) (i64.const 1000000) (i64.const 0)))
      (call $rec (call $sched_set_deadline ${SELF} ${ok}))
      (call $rec (call $sched_info ${SELF} (i32.const 1000) (i32.const 80)))
      (call $rec (i32.load (i32.const 1000)))
      (call $rec (i32.wrap_i64 (i64.load (i32.const 1040))))
      (call $rec (i32.wrap_i64 (i64.load (i32.const 1048))))
      (call $rec (i32.wrap_i64 (i64.load (i32.const 1056))))
      (call $rec (call $sched_wait_period))
      (call $rec (call $sched_set_priority (local.get $child) (i32.const 100) (i32.const 0)))
      (call $wait_child (local.get $child))
      (call $rec (call $sched_set_deadline (local.get $child) ${ok}))
      ;; Back to fixed priorities: wait_period is refused again.
      (call $rec (call $sched_set_priority ${SELF} (i32.const 128) (i32.const 0)))
      (call $rec (call $sched_wait_period))`,
        `(drop (call $sleep (i64.const 5000000)))
     (call $exit (call $sched_set_deadline ${SELF} ${ok}))`,
      ),
    );
    expect(r).toEqual([
      E("EINVAL"),
      ...HANDLE_ERRORS,
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EOVERLOAD"), // 0.95 > EDF_CAPACITY_PERMILLE
      0,
      80,
      Constants.SCHED_CLASS_DEADLINE,
      100000,
      1000000,
      1000000,
      0, // its job met its deadline
      0,
      E("ECEILING"), // the child's ceiling is 100 < PRIORITY_MAX
      E("ESRCH"),
      0,
      E("EINVAL"),
    ]);
  });
});

describe("sched_info and cpu_time", () => {
  it("describe a process, and return each of their errors", async () => {
    const r = await recorded(
      family(`
      (call $rec (call $sched_info (local.get $weak) (i32.const 1000) (i32.const 80)))
      (call $rec (i32.load (i32.const 1012)))
      (call $rec (i32.load (i32.const 1020)))
      (call $rec (i64.ge_s (call $cpu_time (local.get $weak)) (i64.const 0)))
      (call $rec (i64.gt_s (call $cpu_time ${SELF}) (i64.const 0)))
      ${handleErrors((h) => `(call $sched_info ${h} (i32.const 1000) (i32.const 80))`)}
      (call $rec (call $sched_info ${SELF} (i32.const 1000) (i32.const 79)))
      (call $rec (call $sched_info ${SELF} (i32.const 65500) (i32.const 80)))
      ${handleErrors((h) => `(i32.wrap_i64 (call $cpu_time ${h}))`)}
      (call $wait_child (local.get $child))
      ;; An exited process's CPU time stays readable.
      (call $rec (i64.gt_s (call $cpu_time (local.get $child)) (i64.const 0)))`),
    );
    expect(r).toEqual([80, 128, 255, 1, 1, ...HANDLE_ERRORS, E("EINVAL"), E("EFAULT"), ...HANDLE_ERRORS, 0, 1]);
  });
});

describe("set_limit", () => {
  it("lowers limits only, and returns each of its errors", async () => {
    const r = await recorded(
      family(`
      ${handleErrors((h) => `(call $set_limit ${h} (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const 1000000000))`)}
      (call $rec (call $set_limit ${SELF} (i32.const 3) (i64.const 1)))
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const 0)))
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const -5)))
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_HANDLES}) (i64.const 2)))
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const 1000000000000)))
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_CPU_NS}) (i64.const 1000000000001)))
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_HANDLES}) (i64.const 5000)))
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_HANDLES}) (i64.const 7)))
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_HANDLES}) (i64.const 8)))
      ;; 5 handles held (self, ns, child, weak, nosee): room for 2 more.
      (call $rec (i32.gt_s (call $port_create) (i32.const 0)))
      (call $rec (i32.gt_s (call $port_create) (i32.const 0)))
      (call $rec (call $port_create))
      (call $rec (call $sched_info ${SELF} (i32.const 1000) (i32.const 80)))
      (call $rec (i32.wrap_i64 (i64.load (i32.const 1032))))
      (call $wait_child (local.get $child))
      (call $rec (call $set_limit (local.get $child) (i32.const 1) (i64.const 5)))`),
    );
    expect(r).toEqual([
      ...HANDLE_ERRORS,
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      E("EINVAL"),
      0,
      E("ECEILING"),
      E("ECEILING"),
      0,
      E("ECEILING"),
      1,
      1,
      E("EMFILE"),
      80,
      1000000000000 | 0,
      0,
      E("ESRCH"),
    ]);
  });
});

describe("partition_create, partition_join and partition_info", () => {
  it("create, move into and describe partitions, and return each of their errors", async () => {
    const r = await recorded(
      family(`
      (local.set $p (call $partition_create (i32.const 300)))
      (call $rec (i32.gt_s (local.get $p) (i32.const 0)))
      (call $rec (call $partition_create (i32.const 0)))
      (call $rec (call $partition_create (i32.const 1001)))
      (call $rec (call $partition_create (i32.const 701)))
      ;; partition_join: its handle errors on either handle
      ${[BOGUS, "(local.get $closed)", "(local.get $child)"].map((h) => `(call $rec (call $partition_join ${h} (local.get $child)))`).join("\n")}
      (call $rec (call $partition_join (call $handle_dup (local.get $p) (i32.const ${READ})) (local.get $child)))
      ${[BOGUS, "(local.get $closed)", "(local.get $img)", "(local.get $weak)"].map((h) => `(call $rec (call $partition_join (local.get $p) ${h}))`).join("\n")}
      (call $rec (call $partition_join (local.get $p) (local.get $child)))
      ;; partition_info
      (call $rec (call $partition_info (local.get $p) (i32.const 2000) (i32.const 40)))
      (call $rec (i32.load (i32.const 2000)))
      (call $rec (i32.load (i32.const 2004)))
      (call $rec (i32.load (i32.const 2008)))
      ${[BOGUS, "(local.get $closed)", "(local.get $child)"].map((h) => `(call $rec (call $partition_info ${h} (i32.const 2000) (i32.const 40)))`).join("\n")}
      (call $rec (call $partition_info (call $handle_dup (local.get $p) (i32.const ${WRITE})) (i32.const 2000) (i32.const 40)))
      (call $rec (call $partition_info (local.get $p) (i32.const 2000) (i32.const 39)))
      (call $rec (call $partition_info (local.get $p) (i32.const 65530) (i32.const 40)))
      ;; EOVERLOAD: the root reserves 0.5 in the deadline class; 600 more cannot be carved from its 700.
      (call $rec (call $sched_set_deadline ${SELF} (i64.const 500000) (i64.const 1000000) (i64.const 0)))
      (call $rec (call $partition_create (i32.const 600)))
      ;; ... nor can it move into a 300 partition.
      (call $rec (call $partition_join (local.get $p) ${SELF}))
      (call $rec (call $sched_set_priority ${SELF} (i32.const 128) (i32.const 0)))
      (call $wait_child (local.get $child))
      (call $rec (call $partition_join (local.get $p) (local.get $child)))
      ;; EMFILE: no room for the new handle (8 held: self, ns, child, weak, nosee, p and its two copies).
      (call $rec (call $set_limit ${SELF} (i32.const ${Constants.LIMIT_HANDLES}) (i64.const 8)))
      (call $rec (call $partition_create (i32.const 1)))`),
    );
    expect(r).toEqual([
      1,
      E("EINVAL"),
      E("EINVAL"),
      E("ECEILING"),
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      0,
      40,
      300,
      300,
      1,
      E("EBADH"),
      E("ESTALE"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EINVAL"),
      E("EFAULT"),
      0,
      E("EOVERLOAD"),
      E("EOVERLOAD"),
      0,
      0,
      E("ESRCH"),
      0,
      E("EMFILE"),
    ]);
  });
});

describe("the scheduling syscalls' ABI entries", () => {
  it("are numbered in 60-79 and list exactly the errors the tests above produce", () => {
    const ours = SYSCALLS.filter((s) => s.nr >= 60 && s.nr <= 79);
    expect(ours.map((s) => s.name)).toEqual([
      "sched_set_priority",
      "sched_set_tier",
      "sched_set_deadline",
      "sched_wait_period",
      "sched_info",
      "cpu_time",
      "set_limit",
      "partition_create",
      "partition_join",
      "partition_info",
    ]);
    const byNumber = (a: number, b: number) => a - b;
    const listed = Object.fromEntries(ours.map((s) => [s.name, [...s.errors].sort(byNumber)]));
    const handle = HANDLE_ERRORS;
    const expected: Record<string, number[]> = {
      sched_set_priority: [...handle, E("EINVAL"), E("ECEILING"), E("ESRCH")],
      sched_set_tier: [...handle, E("EINVAL"), E("ECEILING"), E("ESRCH")],
      sched_set_deadline: [...handle, E("EINVAL"), E("ECEILING"), E("EOVERLOAD"), E("ESRCH")],
      sched_wait_period: [E("EINVAL"), E("EDIRECT")], // EDIRECT: conformance ports/direct-blocking
      sched_info: [...handle, E("EINVAL"), E("EFAULT")],
      cpu_time: [...handle],
      set_limit: [...handle, E("EINVAL"), E("ECEILING"), E("ESRCH")],
      partition_create: [E("EINVAL"), E("ECEILING"), E("EOVERLOAD"), E("EMFILE")],
      partition_join: [...handle, E("EOVERLOAD"), E("ESRCH")],
      partition_info: [...handle, E("EINVAL"), E("EFAULT")],
    };
    for (const [name, errs] of Object.entries(expected)) expect(listed[name], name).toEqual(errs.map((e) => -e).sort(byNumber));
  });
});
