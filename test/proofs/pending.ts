// Invariants not proved yet, and why (listed in docs/invariants.md).

export const PENDING: readonly { id: string; means: string; why: string }[] = [
  {
    id: "unveil.only-narrows",
    means: "After unveil, a process can open no path outside what it unveiled, and a later unveil can only narrow it further.",
    why: "unveil is being built on the userland branch and is not in main yet",
  },
];
