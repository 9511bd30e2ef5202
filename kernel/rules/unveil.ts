// unveil only narrows: the permissions a process has on a path are the
// intersection, over every unveil call it and its ancestors made, of that
// call's longest rule covering the path (none: no permission). Executed by
// kernel/ns/state.ts permsAt; proved in test/proofs/unveil.ts.

import { Constants } from "../../abi/gen/abi.ts";
import type { WordAlgebra } from "./algebra.ts";

export const UNVEIL_ALL = Constants.UNVEIL_READ | Constants.UNVEIL_WRITE | Constants.UNVEIL_CREATE | Constants.UNVEIL_EXEC;

/** One rule of one call, as seen from a path: whether the path is under the rule's, and the rule's permissions. */
export interface RuleAt<W, B> {
  readonly under: B;
  readonly perms: W;
}

/** Permissions on a path: each call's rules longest first (the first covering rule counts, none gives 0), intersected over the calls. */
export function unveilPerms<W, B>(A: WordAlgebra<W, B>, view: readonly (readonly RuleAt<W, B>[])[]): W {
  let perms = A.word(UNVEIL_ALL);
  for (const call of view) {
    let here = A.word(0);
    for (let i = call.length - 1; i >= 0; i--) here = A.pick(call[i].under, call[i].perms, here);
    perms = A.and(perms, here);
  }
  return perms;
}
