// Sentinels a syscall handler returns instead of a value.

/** The caller was blocked (Kernel.blockCurrent or yieldCurrent); its result arrives on resume. */
export const BLOCK: unique symbol = Symbol("BLOCK");
/** The caller has ended (exit, panic, killed itself); the host unwinds its stack. */
export const NORETURN: unique symbol = Symbol("NORETURN");

export type Control = typeof BLOCK | typeof NORETURN;
