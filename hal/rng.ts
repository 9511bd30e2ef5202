// RNG device: a generator of its own. Seeded (xoshiro128**, the same seed
// gives the same bytes: deterministic mode) or the host's entropy
// (crypto.getRandomValues, present in Node and browsers alike).

import { Constants, ObjectType } from "../abi/gen/abi.ts";
import { BaseDevice } from "./device.ts";

export interface RandomSource {
  fill(out: Uint8Array): void;
}

/** xoshiro128** seeded through splitmix32: fast, small, deterministic. Not cryptographic. */
export class SeededRandom implements RandomSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  fill(out: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const v = this.nextU32();
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    if (i < out.length) {
      let v = this.nextU32();
      for (; i < out.length; i++, v >>>= 8) out[i] = v;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
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
    this.source = options.source ?? new SeededRandom(options.seed ?? 0);
  }

  fill(out: Uint8Array): void {
    if (this.guard("fill", () => this.source.fill(out))) this.bytes += out.length;
  }

  override info(key: number): number | null {
    return key === Constants.DEVINFO_RNG_BYTES ? this.bytes : null;
  }
}
