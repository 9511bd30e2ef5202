// Bound grants' rights: a grant bound from a handle without WRITE is
// read-only (spawn then refuses a module that writes that memory: the
// loader's write sites, loader/grant-writes.ts), and the capability the
// kernel holds for the binding never has more than the handle it came from.
// Executed by kernel/mm/grants.ts (planGrants, bindGrants); proved in
// test/proofs/grants.test.ts.

import { Rights } from "../../abi/gen/abi.ts";
import type { WordAlgebra } from "./algebra.ts";

/** Whether a grant bound from a handle with `rights` is read-only. */
export function grantReadOnly<W, B>(A: WordAlgebra<W, B>, rights: W): B {
  return A.eq(A.and(rights, A.word(Rights.WRITE)), A.word(0));
}

/** The rights of the binding's held capability (then narrowed by derivation from the handle's cap). */
export function grantBindRights<W, B>(A: WordAlgebra<W, B>, readOnly: B): W {
  return A.pick(readOnly, A.word(Rights.READ), A.word(Rights.READ | Rights.WRITE));
}
