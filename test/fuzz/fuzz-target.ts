/**
 * The fuzzing loop for one target: input i is a pure function of (target, seed, i), so any input can be
 * regenerated alone (`pnpm fuzz --target T --from i --count 1`). An input passes when it loads or throws one
 * of our typed errors (RecurrentError: FormatError, DataError, ...); anything else thrown is a crash, and an
 * input that takes longer than the cap counts as a hang.
 */
import { RecurrentError, Rng } from '@recurrent/core';
import { mutateInput } from './mutate.ts';
import type { FuzzTarget } from './targets.ts';

/** Options of {@link fuzzTarget}. */
export interface FuzzOptions {
  /** Seed of the whole run (default 1). */
  seed?: number;
  /** First input index (default 0). */
  from?: number;
  /** Inputs to try. */
  count: number;
  /** An input slower than this, in ms, is a hang (default 2000). */
  capMs?: number;
  /** Called before each input with its index (a watchdog uses it to name a real hang). */
  onInput?: (index: number) => void;
  /** Called every 1,000 inputs with the stats so far and the next index (so a killed run loses little). */
  onProgress?: (stats: FuzzStats, next: number) => void;
  /** Indices not to run (inputs already known to hang). */
  skip?: readonly number[];
}

/** One crash (an error that is not ours) or hang. */
export interface FuzzFailure {
  index: number;
  kind: 'crash' | 'hang';
  /** `Name: message`, or the time taken for a hang. */
  error: string;
  /** The input's first bytes in hex. */
  head: string;
  bytes: number;
}

/** What a run of one target found. */
export interface FuzzStats {
  target: string;
  tried: number;
  /** Inputs that loaded without error. */
  loaded: number;
  /** Our typed errors, by class. */
  typed: Record<string, number>;
  /** Crashes and hangs (the first 20 kept; counts are exact). */
  failures: FuzzFailure[];
  crashes: number;
  hangs: number;
  /** The slowest input, in ms. */
  slowestMs: number;
  /** Wall time of the run, in ms. */
  ms: number;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The i-th input of `target` for `seed`. */
export function fuzzInput(
  target: FuzzTarget,
  seeds: readonly Uint8Array[],
  seed: number,
  i: number,
): Uint8Array {
  const s = (hashString(target.name) ^ Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  return mutateInput(seeds, target.mutators, new Rng(s === 0 ? 1 : s));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 48), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks that every seed loads (a target whose seeds fail would fuzz nothing), then fuzzes it. */
export async function fuzzTarget(
  target: FuzzTarget,
  seeds: readonly Uint8Array[],
  options: FuzzOptions,
): Promise<FuzzStats> {
  for (const [i, s] of seeds.entries()) {
    try {
      await target.run(s);
    } catch (e) {
      throw new Error(`fuzz target ${target.name}: seed ${i} does not load: ${(e as Error).message}`);
    }
  }
  const seed = options.seed ?? 1;
  const from = options.from ?? 0;
  const cap = options.capMs ?? 2000;
  const stats: FuzzStats = {
    target: target.name,
    tried: 0,
    loaded: 0,
    typed: {},
    failures: [],
    crashes: 0,
    hangs: 0,
    slowestMs: 0,
    ms: 0,
  };
  const start = performance.now();
  const skip = new Set(options.skip ?? []);
  for (let i = from; i < from + options.count; i++) {
    if ((i - from) % 1000 === 0 && i > from) {
      stats.ms = performance.now() - start;
      options.onProgress?.(stats, i);
    }
    if (skip.has(i)) continue;
    options.onInput?.(i);
    const input = fuzzInput(target, seeds, seed, i);
    const t0 = performance.now();
    let failure: Omit<FuzzFailure, 'index' | 'head' | 'bytes'> | null = null;
    try {
      const r = target.run(input);
      if (r instanceof Promise) await r;
      stats.loaded++;
    } catch (e) {
      if (e instanceof RecurrentError) stats.typed[e.name] = (stats.typed[e.name] ?? 0) + 1;
      else
        failure = {
          kind: 'crash',
          error: e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : String(e),
        };
    }
    const ms = performance.now() - t0;
    stats.slowestMs = Math.max(stats.slowestMs, ms);
    if (failure === null && ms > cap)
      failure = { kind: 'hang', error: `took ${ms.toFixed(0)} ms (cap ${cap} ms)` };
    if (failure !== null) {
      if (failure.kind === 'crash') stats.crashes++;
      else stats.hangs++;
      if (stats.failures.length < 20)
        stats.failures.push({ index: i, ...failure, head: hex(input), bytes: input.length });
    }
    stats.tried++;
  }
  stats.ms = performance.now() - start;
  return stats;
}
