import { OptionError } from './errors.ts';

/**
 * Serializable state of an {@link Rng}: the four xoshiro128** words and the cached second normal deviate.
 */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

/**
 * The seeded random number generator used for every random choice in the framework.
 *
 * Algorithm: xoshiro128** 1.0 (Blackman & Vigna, 2018) on four 32-bit words, seeded by running
 * SplitMix32 over the seed. `uniform()` takes the top 24 bits (exact in float32 and float64);
 * `normal()` is Box-Muller, caching the second deviate. The whole state is in {@link RngState},
 * so checkpoints can resume a run bit for bit.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new OptionError('Rng seed', 'a finite number', String(seed));
    let x = Math.trunc(seed) >>> 0;
    // SplitMix32: spreads any seed (even 0) over the 128-bit state.
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

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform float in [0, 1) with 24 bits of precision. */
  uniform(): number {
    return (this.nextU32() >>> 8) / 16777216;
  }

  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). Unbiased (rejection sampling). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n) || n > 2 ** 32) {
      throw new OptionError('Rng.int(n)', 'an integer in [1, 2^32]', String(n));
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const v = this.nextU32();
      if (v < limit) return v % n;
    }
  }

  /** Standard normal deviate (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `a` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A new generator derived from this one's stream (advances this one by two draws). */
  fork(): Rng {
    const child = new Rng(0);
    child.setState({ s: [this.nextU32(), this.nextU32(), this.nextU32() | 1, this.nextU32()], spare: null });
    return child;
  }

  /** Copy of the full state, for checkpoints. */
  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /** Restores a state from {@link getState}. */
  setState(state: RngState): void {
    const [a, b, c, d] = state.s;
    if ((a | b | c | d) === 0) throw new OptionError('Rng state', 'not all zero', 'all zero');
    this.s0 = a >>> 0;
    this.s1 = b >>> 0;
    this.s2 = c >>> 0;
    this.s3 = d >>> 0;
    this.spare = state.spare;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
