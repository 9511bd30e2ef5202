// Named priority tiers over the 256 fixed priorities (after the Rumpk/Nexus
// "Spectrum": Photon > Matter > Gravity > Void). A tier is a band of
// priorities, the priority sched_set_tier gives, and a default deadline: how
// long a process of the tier may wait to be dispatched once it is ready. A
// later dispatch is a latency miss (counted per process, and traced); it does
// not change the order processes run in, which fixed priorities decide.

import { Constants } from "../../abi/gen/abi.ts";

export interface Tier {
  readonly id: number;
  readonly name: string;
  /** Lowest and highest priority of the band. */
  readonly lowest: number;
  readonly highest: number;
  /** What sched_set_tier gives. */
  readonly defaultPriority: number;
  /** Longest wait from ready to dispatched that is not a latency miss (Infinity: none). */
  readonly deadlineNs: number;
}

export const TIERS: readonly Tier[] = [
  { id: Constants.TIER_VOID, name: "Void", lowest: 0, highest: 63, defaultPriority: 32, deadlineNs: Infinity },
  { id: Constants.TIER_GRAVITY, name: "Gravity", lowest: 64, highest: 127, defaultPriority: 96, deadlineNs: 100_000_000 },
  { id: Constants.TIER_MATTER, name: "Matter", lowest: 128, highest: 191, defaultPriority: 128, deadlineNs: 16_000_000 },
  { id: Constants.TIER_PHOTON, name: "Photon", lowest: 192, highest: 255, defaultPriority: 224, deadlineNs: 1_000_000 },
];

/** The tier a priority (0..255) belongs to. */
export function tierOf(priority: number): Tier {
  return TIERS[priority >>> 6];
}
