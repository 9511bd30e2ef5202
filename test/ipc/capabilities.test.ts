// Capabilities: derivation, revoke across processes, rights that only
// shrink, pledge, the name registry, and nothing leaked at exit.
import { describe, expect, it } from "vitest";
import { Errno, ObjectType, PledgeClass, Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { guest, results } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";
const E = (name: keyof typeof Errno) => -Errno[name];
const { SEND, RECEIVE, DUPLICATE, TRANSFER, REGISTER, LOOKUP } = Rights;

describe("handle derivation", () => {
  it("handle_dup derives equal or fewer rights, never more; handle_info describes it", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
        (func (export "_start") (local $ep i32) (local $d i32)
          (local.set $ep (call $endpoint_create))
          (local.set $d (call $handle_dup (local.get $ep) (i32.const ${SEND | DUPLICATE})))
          (call $rec (call $handle_info (local.get $d) (i32.const 100)))
          (call $rec (i32.load (i32.const 100)))
          (call $rec (i32.load (i32.const 104)))
          (call $rec (i32.eq (i32.load (i32.const 108)) (block (result i32) (drop (call $handle_info (local.get $ep) (i32.const 120))) (i32.load (i32.const 128)))))
          (call $rec (i32.load (i32.const 112)))
          (call $rec (call $handle_dup (local.get $d) (i32.const ${SEND | RECEIVE})))
          (call $rec (call $handle_dup (call $handle_dup (local.get $d) (i32.const ${SEND})) (i32.const ${SEND})))
          (call $rec (call $handle_dup (i32.const 0x00090009) (i32.const 0)))
          (call $rec (call $handle_info (local.get $d) (i32.const 65530)))
          (call $rec (call $handle_close (local.get $d)))
          (call $rec (call $handle_info (local.get $d) (i32.const 100)))
          (call $rec (call $handle_revoke (local.get $d)))
          (call $flush))`),
      },
    ]);
    expect(r.rec.p).toEqual([
      16,
      ObjectType.ENDPOINT,
      SEND | DUPLICATE,
      1,
      1,
      E("EINVAL"),
      E("EACCES"),
      E("EBADH"),
      E("EFAULT"),
      0,
      E("ESTALE"),
      E("ESTALE"),
    ]);
  });

  it("revoke invalidates every derived handle in three processes and two levels, and nothing else", async () => {
    // A creates an endpoint and passes a derived copy to B at spawn; B passes a
    // derived copy of its own to C. A revokes its root: B's and C's go, A's stays.
    // All three share A's stdout; each flush starts with a tag (0xA, 0xB, 0xC).
    const k = new Kernel();
    const c = guest(`
      (data (i32.const 0) "ep")
      (func (export "_start") (local $ep i32)
        (call $rec (i32.const 0xC))
        (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
        (drop (call $handle_info (local.get $ep) (i32.const 100)))
        (call $rec (i32.load (i32.const 112)))
        (drop (call $sleep (i64.const 2000000)))
        (call $rec (call $handle_info (local.get $ep) (i32.const 100)))
        (call $rec (call $pulse (local.get $ep) (i32.const 1) (i64.const 0)))
        (call $flush))`);
    const b = guest(`
      (data (i32.const 0) "ep")
      (data (i32.const 4) "c")
      (func (export "_start") (local $ep i32) (local $c i32)
        (call $rec (i32.const 0xB))
        (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
        (i32.store (i32.const 64) (local.get $ep))
        (i32.store (i32.const 68) (i32.const 0))
        (i32.store (i32.const 72) (i32.const 2))
        (local.set $c (call $spawn (call $handle_get (i32.const 4) (i32.const 1)) (i32.const 0) (i32.const 0) (i32.const 64) (i32.const 1)))
        (drop (call $sleep (i64.const 2000000)))
        (call $rec (call $handle_info (local.get $ep) (i32.const 100)))
        (drop (call $wait (local.get $c) (i32.const 200) ${INF}))
        (call $flush))`);
    const a = guest(`
      (data (i32.const 0) "b")
      (data (i32.const 4) "c")
      (data (i32.const 8) "ep")
      (func (export "_start") (local $ep i32) (local $b i32)
        (call $rec (i32.const 0xA))
        (local.set $ep (call $endpoint_create))
        (i32.store (i32.const 64) (local.get $ep))
        (i32.store (i32.const 68) (i32.const 8))
        (i32.store (i32.const 72) (i32.const 2))
        (i32.store (i32.const 80) (call $handle_get (i32.const 4) (i32.const 1)))
        (i32.store (i32.const 84) (i32.const 4))
        (i32.store (i32.const 88) (i32.const 1))
        (local.set $b (call $spawn (call $handle_get (i32.const 0) (i32.const 1)) (i32.const 0) (i32.const 0) (i32.const 64) (i32.const 2)))
        (drop (call $sleep (i64.const 1000000)))
        (call $rec (call $handle_revoke (local.get $ep)))
        (call $rec (i32.gt_s (call $handle_info (local.get $ep) (i32.const 100)) (i32.const 0)))
        (drop (call $wait (local.get $b) (i32.const 200) ${INF}))
        (call $flush))`);
    const imgB = k.loadImage(b, "b");
    const imgC = k.loadImage(c, "c");
    const spawnRights = Rights.SPAWN | DUPLICATE | TRANSFER;
    const flushes = new Map<number, number[]>();
    const imgA = k.loadImage(a, "a");
    const pa = k.spawn(imgA, {
      handles: [
        { name: "b", object: imgB, rights: spawnRights },
        { name: "c", object: imgC, rights: spawnRights },
      ],
      stdout: (bytes) => {
        const rec = results(bytes);
        flushes.set(rec[0], rec.slice(1));
      },
    });
    for (const img of [imgA, imgB, imgC]) k.release(img);
    await k.run();
    expect(flushes.get(0xa)).toEqual([2, 1]); // two handles revoked; A's own still valid
    expect(flushes.get(0xb)).toEqual([E("ESTALE")]);
    expect(flushes.get(0xc)).toEqual([2, E("ESTALE"), E("ESTALE")]); // C's handle was two levels down
    pa.close();
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});

describe("pledge", () => {
  it("drops whole classes irrevocably: a pledged-away call returns EPLEDGE and does nothing", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
        (data (i32.const 0) "self")
        (func (export "_start")
          (call $rec (call $pledge (i32.const ${(1 << PledgeClass.core) | (1 << PledgeClass.stdio)})))
          (call $rec (call $endpoint_create))
          (call $rec (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
          (call $rec (i32.wrap_i64 (call $msg_word (i32.const 0))))
          (call $rec (call $port_create))
          (call $rec (call $pledge (i32.const ${(1 << PledgeClass.stdio) | (1 << PledgeClass.ipc)})))
          (call $rec (call $pledge (i32.const 0x40000000)))
          (call $rec (call $pledge (i32.const ${1 << PledgeClass.stdio})))
          (call $rec (call $random_get (i32.const 200) (i32.const 4)))
          (call $rec (i32.gt_s (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 0)))
          (call $flush))`),
      },
    ]);
    expect(r.rec.p).toEqual([0, E("EPLEDGE"), E("EPLEDGE"), E("EPLEDGE"), E("EPLEDGE"), E("EPLEDGE"), E("EINVAL"), 0, 0, 1]);
  });

  it("a spawned child inherits its spawner's pledges", async () => {
    const r = await runSystem([
      {
        name: "p",
        bytes: guest(`
        (data (i32.const 0) "self")
        (data (i32.const 8) "kid\\00")
        (func (export "_start") (local $c i32)
          (if (i32.eq (call $arg_count) (i32.const 1)) (then
            (drop (call $arg_get (i32.const 0) (i32.const 16) (i32.const 3)))
            (if (i32.eq (i32.load8_u (i32.const 16)) (i32.const 0x6b)) (then
              (call $exit (call $endpoint_create))))))
          (call $rec (call $pledge (i32.const ${(1 << PledgeClass.stdio) | (1 << PledgeClass.proc)})))
          (local.set $c (call $spawn (call $handle_get (i32.const 0) (i32.const 4)) (i32.const 8) (i32.const 4) (i32.const 0) (i32.const 0)))
          (drop (call $wait (local.get $c) (i32.const 100) ${INF}))
          (call $rec (i32.load (i32.const 100)))
          (call $flush))`),
      },
    ]);
    expect(r.rec.p).toEqual([0, E("EPLEDGE")]);
  });
});

describe("the name registry", () => {
  it("registers, looks up (send-only handles), refuses duplicates, unregisters, and checks its rights", async () => {
    const k = new Kernel();
    const ns = k.createNamespace();
    const r = await runSystem(
      [
        {
          name: "p",
          bytes: guest(`
        (data (i32.const 0) "ns")
        (data (i32.const 4) "echo")
        (data (i32.const 12) "\\ff\\fe")
        (func (export "_start") (local $ns i32) (local $ep i32) (local $c i32)
          (local.set $ns (call $handle_get (i32.const 0) (i32.const 2)))
          (local.set $ep (call $endpoint_create))
          (call $rec (call $name_register (local.get $ns) (i32.const 4) (i32.const 4) (local.get $ep)))
          (call $rec (call $name_register (local.get $ns) (i32.const 4) (i32.const 4) (local.get $ep)))
          (call $rec (call $name_register (local.get $ns) (i32.const 4) (i32.const 0) (local.get $ep)))
          (call $rec (call $name_register (local.get $ns) (i32.const 12) (i32.const 2) (local.get $ep)))
          (call $rec (call $name_register (local.get $ns) (i32.const 65535) (i32.const 4) (local.get $ep)))
          (call $rec (call $name_register (local.get $ns) (i32.const 4) (i32.const 4) (local.get $ns)))
          (call $rec (call $name_register (local.get $ns) (i32.const 4) (i32.const 4) (call $handle_dup (local.get $ep) (i32.const ${SEND}))))
          (call $rec (call $name_register (local.get $ep) (i32.const 4) (i32.const 4) (local.get $ep)))
          (local.set $c (call $name_lookup (local.get $ns) (i32.const 4) (i32.const 4)))
          (drop (call $handle_info (local.get $c) (i32.const 100)))
          (call $rec (i32.load (i32.const 104)))
          (call $rec (call $receive (local.get $c) (i32.const 0) (i32.const 0) (i64.const 0)))
          (call $rec (call $name_lookup (local.get $ns) (i32.const 4) (i32.const 3)))
          (call $rec (call $name_lookup (local.get $ns) (i32.const 4) (i32.const 65)))
          (call $rec (call $name_lookup (local.get $ns) (i32.const 70000) (i32.const 4)))
          (call $rec (call $name_unregister (local.get $ns) (i32.const 4) (i32.const 4)))
          (call $rec (call $name_unregister (local.get $ns) (i32.const 4) (i32.const 4)))
          (call $rec (call $name_lookup (local.get $ns) (i32.const 4) (i32.const 4)))
          (call $rec (i32.gt_s (call $handle_info (local.get $c) (i32.const 100)) (i32.const 0)))
          ;; revoking the registrant's endpoint handle removes the entry too
          (drop (call $name_register (local.get $ns) (i32.const 4) (i32.const 4) (local.get $ep)))
          (drop (call $handle_revoke (local.get $ep)))
          (call $rec (call $name_lookup (local.get $ns) (i32.const 4) (i32.const 4)))
          (call $rec (call $handle_info (local.get $c) (i32.const 100)))
          (call $rec (call $name_lookup (call $handle_dup (local.get $ns) (i32.const ${REGISTER})) (i32.const 4) (i32.const 4)))
          (call $rec (call $name_unregister (call $handle_dup (local.get $ns) (i32.const ${LOOKUP})) (i32.const 4) (i32.const 4)))
          (call $flush))`),
          handles: [{ name: "ns", object: ns, rights: REGISTER | LOOKUP | DUPLICATE }],
        },
      ],
      {},
      k,
      [ns],
    );
    expect(r.rec.p).toEqual([
      0,
      E("EEXIST"),
      E("EINVAL"),
      E("EINVAL"),
      E("EFAULT"),
      E("EWRONGTYPE"),
      E("EACCES"),
      E("EWRONGTYPE"),
      SEND | DUPLICATE | TRANSFER,
      E("EACCES"),
      E("ENOENT"),
      E("EINVAL"),
      E("EFAULT"),
      0,
      E("ENOENT"),
      E("ENOENT"),
      1,
      E("ENOENT"),
      E("ESTALE"),
      E("EACCES"),
      E("EACCES"),
    ]);
    closeAll(r);
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });
});

describe("startup handles from the host", () => {
  it("a spawn naming an object already destroyed is refused with ESTALE, naming the handle, and starts nothing", () => {
    const k = new Kernel();
    const ep = k.createEndpoint();
    k.release(ep); // the host's was the only reference: the endpoint is gone
    expect(ep.isDestroyed).toBe(true);
    const img = k.loadImage(guest(`(func (export "_start"))`), "g");
    expect(() => k.spawn(img, { handles: [{ name: "ep", object: ep, rights: Rights.SEND }] })).toThrow(
      'spawn refused: ESTALE: startup handle "ep" names a destroyed object',
    );
    expect(k.core.alive).toBe(0);
    k.release(img);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
