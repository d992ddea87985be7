/**
 * The statistics of interleaved rounds. The host is noisy (2 shared cores whose speed drifts), so we
 * never compare against an old absolute number: each round runs every contender once, back to back, and
 * a ratio is taken within each round before the median over rounds.
 */

/** Median of `xs` (mean of the middle two for an even count); NaN for an empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The order contenders run in round `round`: the list rotated by the round number, so each contender in
 * turn goes first (A B, B A, A B, …; for three: A B C, B C A, C A B) and no one always runs right after
 * the same neighbour or always on a cold cache.
 */
export function interleavedOrder<T>(items: readonly T[], round: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  const r = ((round % n) + n) % n;
  return [...items.slice(r), ...items.slice(0, r)];
}

/**
 * Per-round ratios `a[r] / b[r]` over the rounds where both were measured (a missing round is
 * `undefined` or NaN), and their median. `a` and `b` are rates (higher is better): a ratio above 1 means
 * `a` was faster.
 */
export function roundRatios(
  a: readonly (number | undefined)[],
  b: readonly (number | undefined)[],
): { ratios: number[]; median: number } {
  const ratios: number[] = [];
  const n = Math.min(a.length, b.length);
  for (let r = 0; r < n; r++) {
    const x = a[r];
    const y = b[r];
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y) || y === 0) continue;
    ratios.push(x / y);
  }
  return { ratios, median: median(ratios) };
}

/**
 * How many steps to time per round so a round lasts about `targetSeconds`, given one measured step:
 * at least 1, at most `maxSteps`.
 */
export function stepsFor(stepSeconds: number, targetSeconds: number, maxSteps: number): number {
  if (!(stepSeconds > 0)) return 1;
  return Math.max(1, Math.min(maxSteps, Math.floor(targetSeconds / stepSeconds)));
}

/** Verdict on memory across training steps. */
export interface GrowthVerdict {
  /** Bytes from the first to the last sample (may be negative). */
  growth: number;
  /** Whether the samples rise by more than the tolerance. */
  grew: boolean;
}

/**
 * Whether a series of post-GC memory samples (one per round, the first taken after warm-up) grows.
 * Steady state may wobble (allocator pages, GC timing), so growth counts only beyond
 * `max(toleranceBytes, toleranceFraction · first)` AND only when the samples rise in the second half
 * too (a one-off jump that then stays flat is a cache filling, a steady rise is a leak).
 */
export function memoryGrowth(
  samples: readonly number[],
  toleranceBytes: number,
  toleranceFraction = 0.02,
): GrowthVerdict {
  if (samples.length < 2) return { growth: 0, grew: false };
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const growth = last - first;
  const tol = Math.max(toleranceBytes, toleranceFraction * Math.abs(first));
  if (growth <= tol) return { growth, grew: false };
  const half = samples.slice(Math.floor(samples.length / 2));
  const halfRise = half[half.length - 1]! - half[0]!;
  return { growth, grew: samples.length < 4 || halfRise > tol / 2 };
}

/**
 * The order of all measurements: `rounds` rounds, each visiting every contender once in
 * {@link interleavedOrder}; a contender with a `maxRounds` limit (a slow peer) is visited only in its
 * first `maxRounds` rounds. Returns `[round, id]` pairs in run order.
 */
export function roundSchedule(
  ids: readonly string[],
  rounds: number,
  maxRounds: Readonly<Record<string, number>> = {},
): [round: number, id: string][] {
  const out: [number, string][] = [];
  for (let r = 0; r < rounds; r++) {
    for (const id of interleavedOrder(ids, r)) {
      if (r < (maxRounds[id] ?? rounds)) out.push([r, id]);
    }
  }
  return out;
}

/** Stores `value` as round `round` of `id` in a per-contender map of per-round values. */
export function setRound(
  map: Record<string, (number | undefined)[]>,
  id: string,
  round: number,
  value: number,
): void {
  const rounds = map[id] ?? [];
  rounds[round] = value;
  map[id] = rounds;
}

/** A rate measured once per round (undefined where not measured) and its median over rounds. */
export interface Measured {
  rounds: (number | undefined)[];
  median: number;
}

/** Wraps per-round values with their median (ignoring unmeasured rounds). */
export function measured(rounds: readonly (number | undefined)[]): Measured {
  const xs = rounds.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return { rounds: [...rounds], median: median(xs) };
}
