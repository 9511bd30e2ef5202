// The derivation tree's rule for a capability that leaves it (closed, or its
// process ended): its children are adopted by its parent, so a revoke of any
// ancestor still reaches them. Executed by Cap.detachFromTree
// (kernel/handles.ts); the bounded revocation model in
// test/proofs/revocation.test.ts reads it.

/** The new parent of a leaving capability's children: the leaving capability's own parent (`none` for a root). */
export function adoptiveParent<C>(leavingParent: C, _none: C): C {
  return leavingParent;
}
