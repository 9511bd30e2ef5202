// Scheduling parameters shared by the kernel's scheduler and the host's fuel
// metering (loader/instrument/fuel.ts), and the defaults a Kernel starts with.

import { Limits } from "../../abi/gen/abi.ts";

/**
 * Virtual nanoseconds per unit of fuel in deterministic mode: the virtual
 * clock advances by the fuel the running process burns, so clock_now and
 * cpu_time reflect work done and every run is the same. One fuel unit is
 * about one wasm instruction (see loader/instrument/fuel.ts), so 1 ns per unit
 * is about an instruction per nanosecond.
 */
export const DEFAULT_NS_PER_FUEL = 1;

/** Round-robin quantum in fuel. */
export const DEFAULT_QUANTUM_FUEL = Limits.SCHED_QUANTUM_NS;

/** Largest slice of fuel the kernel hands out at once (the counter is an i32 and must not wrap). */
export const MAX_SLICE_FUEL = 0x3fffffff;

/** Partition averaging window, and how many buckets it is kept in. */
export const DEFAULT_WINDOW_NS = Limits.PARTITION_WINDOW_NS;
export const WINDOW_BUCKETS = 20;

/** Share of the CPU the deadline class may reserve in all. */
export const DEFAULT_EDF_CAPACITY = Limits.EDF_CAPACITY_PERMILLE / 1000;

/**
 * Virtual ns a dispatch (a context switch: a JSPI suspend and resume plus the
 * kernel's work) costs in deterministic mode, charged to the process
 * dispatched. It also keeps time moving for processes whose work cannot be
 * measured (images loaded with instrument: false, for benchmarks).
 */
export const DEFAULT_SWITCH_COST_NS = 1000;
