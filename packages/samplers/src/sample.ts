import type { Rng } from '@recurrent/core';
import { sampleCategorical } from './categorical.ts';
import { greedy } from './greedy.ts';
import { type ResolvedSamplingOptions, resolveSamplingOptions, type SamplingOptions } from './options.ts';
import { applyRepetitionPenalty } from './repetition-penalty.ts';
import { applyTemperature } from './temperature.ts';
import { topKFilter } from './top-k.ts';
import { topPFilter } from './top-p.ts';

/**
 * Picks the next token id from one row of logits `[V]`. `history` (prompt and generated ids) is
 * only read by a repetition penalty. A pure function of its arguments and the rng's state.
 */
export type Sampler = (logits: Float32Array, rng: Rng, history?: ArrayLike<number>) => number;

function sampleResolved(
  logits: Float32Array,
  rng: Rng,
  o: ResolvedSamplingOptions,
  history: ArrayLike<number> | undefined,
): number {
  let x = logits;
  if (o.repetitionPenalty !== 1 && history !== undefined && history.length > 0) {
    x = applyRepetitionPenalty(x, history, o.repetitionPenalty);
  }
  if (o.temperature === 0) return greedy(x);
  if (o.temperature !== 1) x = applyTemperature(x, o.temperature);
  if (o.topK > 0) x = topKFilter(x, o.topK);
  if (o.topP < 1) x = topPFilter(x, o.topP);
  return sampleCategorical(x, rng);
}

/**
 * Draws one token id from `logits` `[V]` under `options` (repetition penalty, then temperature,
 * top-k, top-p, then one categorical draw; temperature 0 is greedy and draws nothing from `rng`).
 *
 * @throws OptionError for invalid options (see {@link resolveSamplingOptions}).
 */
export function sample(
  logits: Float32Array,
  rng: Rng,
  options: SamplingOptions = {},
  history?: ArrayLike<number>,
): number {
  return sampleResolved(logits, rng, resolveSamplingOptions(options), history);
}

/** A {@link Sampler} with `options` validated once up front (throws OptionError here, not later). */
export function createSampler(options: SamplingOptions = {}): Sampler {
  const o = resolveSamplingOptions(options);
  return (logits, rng, history) => sampleResolved(logits, rng, o, history);
}
