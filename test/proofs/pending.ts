// Invariants not proved yet, and why (listed in docs/invariants.md).

export const PENDING: readonly { id: string; means: string; why: string }[] = [];
