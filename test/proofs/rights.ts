// Invariants of the rights algebra (kernel/rules/rights.ts) against the rights
// each syscall needs in the ABI (abi/wasmos.abi.json).

import { Errno, Rights } from "../../abi/gen/abi.ts";
import type { WordAlgebra } from "../../kernel/rules/algebra.ts";
import * as R from "../../kernel/rules/rights.ts";
import { rightsNames, SYSCALL_NEEDS } from "./abi.ts";
import { type AnyInvariant, invariant } from "./invariant.ts";
import { type Bool, boolIn, type Kit, type Model, prove, type Word, wordIn } from "./z3.ts";

type Rules = typeof R;
const RULES: Rules = R;
const READS = "kernel/rules/rights.ts";

/** a ⊆ b, as the property states it (not the kernel's isSubset). */
const within = (k: Kit, a: Word, b: Word): Bool => a.and(b.not()).eq(k.Z.BitVec.val(0n, 32)) as Bool;
const holdsAll = (k: Kit, r: Word, need: number): Bool => r.and(k.words.word(need)).eq(k.words.word(need)) as Bool;

/** The first ABI syscall the model lets `after` do that `before` could not. */
function gainedSyscall(m: Model, before: Word, after: Word): string {
  const b = wordIn(m, before);
  const a = wordIn(m, after);
  const s = SYSCALL_NEEDS.find((x) => (a & x.need) >>> 0 === x.need && (b & x.need) >>> 0 !== x.need);
  return s === undefined ? "" : `, so it can now ${s.name} (needs ${rightsNames(s.need)})`;
}

const mutant = (patch: Partial<Rules>): Rules => ({ ...RULES, ...patch });

export const RIGHTS_INVARIANTS: AnyInvariant[] = [
  invariant<Rules>({
    id: "rights.derive-narrows",
    means:
      "A handle derived from another (handle_dup, a copy in a message or to a child, a name lookup, a grant binding) never has a right its parent lacks.",
    reads: `${READS} derivedRights (Cap.derive)`,
    bounds: "none (all 2^32 x 2^32 rights masks)",
    subject: RULES,
    async check(k, r) {
      const held = k.word("held");
      const asked = k.word("asked");
      const d = r.derivedRights(k.words, held, asked);
      return prove(
        k,
        [],
        within(k, d, held),
        (m) => `held ${rightsNames(wordIn(m, held))}, asked ${rightsNames(wordIn(m, asked))}: derived ${rightsNames(wordIn(m, d))}`,
      );
    },
    mutation: {
      what: "derivedRights returns asked | held",
      subject: mutant({ derivedRights: <W, B>(A: WordAlgebra<W, B>, held: W, asked: W) => A.or(asked, held) }),
      names: /derived/,
    },
  }),
  invariant<Rules>({
    id: "rights.derive-gains-no-syscall",
    means: "No syscall in the ABI becomes possible through a derived handle that was not possible through its parent.",
    reads: `${READS} derivedRights, and every syscall's rights in abi/wasmos.abi.json`,
    bounds: "none",
    subject: RULES,
    async check(k, r) {
      const held = k.word("held");
      const asked = k.word("asked");
      const d = r.derivedRights(k.words, held, asked);
      const claim = k.Z.And(...SYSCALL_NEEDS.map((s) => k.Z.Implies(holdsAll(k, d, s.need), holdsAll(k, held, s.need)))) as Bool;
      return prove(
        k,
        [],
        claim,
        (m) => `held ${rightsNames(wordIn(m, held))}, derived ${rightsNames(wordIn(m, d))}${gainedSyscall(m, held, d)}`,
      );
    },
    mutation: {
      what: "derivedRights keeps what was asked for and adds SEND",
      subject: mutant({ derivedRights: <W, B>(A: WordAlgebra<W, B>, held: W, asked: W) => A.or(A.and(asked, held), A.word(Rights.SEND)) }),
      names: /can now (send|sendmsg|pulse|port_send)/,
    },
  }),
  invariant<Rules>({
    id: "rights.check-exact",
    means:
      "A syscall runs only if the handle holds every right the ABI lists for it (EACCES otherwise), including syscalls that need two rights.",
    reads: `${READS} hasRights (HandleTable.get), and every syscall's rights in abi/wasmos.abi.json`,
    bounds: "none",
    subject: RULES,
    async check(k, r) {
      const held = k.word("held");
      const claim = k.Z.And(
        ...SYSCALL_NEEDS.map((s) => r.hasRights(k.words, held, k.words.word(s.need)).eq(holdsAll(k, held, s.need))),
      ) as Bool;
      return prove(k, [], claim, (m) => {
        const h = wordIn(m, held);
        const wrong = SYSCALL_NEEDS.find(
          (x) => boolIn(m, r.hasRights(k.words, held, k.words.word(x.need))) !== ((h & x.need) >>> 0 === x.need),
        )!;
        return `a handle with ${rightsNames(h)} is judged wrongly for ${wrong.name} (needs ${rightsNames(wrong.need)})`;
      });
    },
    mutation: {
      what: "hasRights accepts any one of the needed rights",
      subject: mutant({ hasRights: <W, B>(A: WordAlgebra<W, B>, held: W, need: W) => A.neg(A.eq(A.and(held, need), A.word(0))) }),
      names: /for (partition_join|device_attach|audio_submit) \(needs \w+\|\w+\)/,
    },
  }),
  invariant<Rules>({
    id: "rights.dup-narrows",
    means: "handle_dup succeeds only on a handle with DUPLICATE and only for rights that handle holds (EACCES, EINVAL otherwise).",
    reads: `${READS} dupCheck (handle_dup)`,
    bounds: "none",
    subject: RULES,
    async check(k, r) {
      const held = k.word("held");
      const asked = k.word("asked");
      const ok = r.dupCheck(k.words, held, asked).eq(k.words.word(0));
      const claim = k.Z.Implies(ok, k.Z.And(holdsAll(k, held, Rights.DUPLICATE), within(k, asked, held))) as Bool;
      return prove(
        k,
        [],
        claim,
        (m) => `handle_dup of a handle with ${rightsNames(wordIn(m, held))} asking ${rightsNames(wordIn(m, asked))} is accepted`,
      );
    },
    mutation: {
      what: "dupCheck forgets the check that the asked rights are held",
      subject: mutant({
        dupCheck: <W, B>(A: WordAlgebra<W, B>, held: W, _asked: W) =>
          A.pick(R.hasRights(A, held, A.word(Rights.DUPLICATE)), A.word(0), A.word(Errno.EACCES)),
      }),
      names: /handle_dup of a handle with .* asking .* is accepted/,
    },
  }),
  invariant<Rules>({
    id: "rights.copy-needs-duplicate",
    means:
      "A handle travels in a message only with TRANSFER, and a copy (the sender keeps its own) also needs DUPLICATE: no message turns one capability into two without that right.",
    reads: `${READS} transferNeed (checkHandles, kernel/ipc/transfer.ts)`,
    bounds: "none",
    subject: RULES,
    async check(k, r) {
      const held = k.word("held");
      const move = k.bool("move");
      const passes = r.hasRights(k.words, held, r.transferNeed(k.words, move));
      const claim = k.Z.Implies(
        passes,
        k.Z.And(holdsAll(k, held, Rights.TRANSFER), k.Z.Implies(k.Z.Not(move), holdsAll(k, held, Rights.DUPLICATE))),
      ) as Bool;
      return prove(
        k,
        [],
        claim,
        (m) => `a ${String(m.eval(move, true)) === "true" ? "move" : "copy"} of a handle with ${rightsNames(wordIn(m, held))} is allowed`,
      );
    },
    mutation: {
      what: "transferNeed asks only TRANSFER for copies too",
      subject: mutant({ transferNeed: <W, B>(A: WordAlgebra<W, B>, _move: B) => A.word(Rights.TRANSFER) }),
      names: /a copy of a handle with .* is allowed/,
    },
  }),
  invariant<Rules>({
    id: "rights.transfer-never-amplifies",
    means: "The receiver of a handle, moved or copied, can make no syscall of the ABI that the sender's handle could not.",
    reads: `${READS} transferredRights (takeHandles), and every syscall's rights in abi/wasmos.abi.json`,
    bounds: "none",
    subject: RULES,
    async check(k, r) {
      const held = k.word("held");
      const move = k.bool("move");
      const got = r.transferredRights(k.words, held, move);
      const claim = k.Z.And(
        within(k, got, held),
        ...SYSCALL_NEEDS.map((s) => k.Z.Implies(holdsAll(k, got, s.need), holdsAll(k, held, s.need))),
      ) as Bool;
      return prove(
        k,
        [],
        claim,
        (m) => `sent ${rightsNames(wordIn(m, held))}, received ${rightsNames(wordIn(m, got))}${gainedSyscall(m, held, got)}`,
      );
    },
    mutation: {
      what: "transferredRights adds WRITE to a moved handle",
      subject: mutant({
        transferredRights: <W, B>(A: WordAlgebra<W, B>, held: W, move: B) => A.pick(move, A.or(held, A.word(Rights.WRITE)), held),
      }),
      names: /received .*WRITE/,
    },
  }),
];
