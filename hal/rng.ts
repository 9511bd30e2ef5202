// RNG device: a generator of its own. Seeded (the kernel's xoshiro128**,
// kernel/rng.ts: the same seed gives the same bytes, deterministic mode) or
// the host's entropy (crypto.getRandomValues, present in Node and browsers
// alike).

import { Constants, ObjectType } from "../abi/gen/abi.ts";
import { SeededRng } from "../kernel/rng.ts";
import { BaseDevice } from "./device.ts";

export interface RandomSource {
  fill(out: Uint8Array): void;
}

/** The host's entropy (Web Crypto, in Node and browsers). */
export class CryptoRandom implements RandomSource {
  fill(out: Uint8Array): void {
    for (let i = 0; i < out.length; i += 65536)
      globalThis.crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)) as Uint8Array<ArrayBuffer>);
  }
}

export class RngDevice extends BaseDevice {
  readonly objectType = ObjectType.DEV_RNG;
  private readonly source: RandomSource;
  bytes = 0;

  /** A seeded device by default (seed 0); pass `source` for another generator. */
  constructor(options: { seed?: number; source?: RandomSource; name?: string } = {}) {
    super(options.name ?? "rng");
    this.source = options.source ?? new SeededRng(options.seed ?? 0);
  }

  fill(out: Uint8Array): void {
    if (this.guard("fill", () => this.source.fill(out))) this.bytes += out.length;
  }

  override info(key: number): number | null {
    return key === Constants.DEVINFO_RNG_BYTES ? this.bytes : null;
  }
}
