import { OptionError } from '@recurrent/core';

/**
 * How one token is drawn from a row of logits. Every field is optional; the defaults leave the
 * distribution untouched (plain sampling at temperature 1). The processors run in the order of
 * Hugging Face's `generate`: repetition penalty, temperature, top-k, top-p, then one draw.
 */
export interface SamplingOptions {
  /** Divides the logits; 0 means greedy (argmax, no random draw). Must be >= 0. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (ties broken by lower id); 0 disables. Integer >= 0. Default 0. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 disables. In (0, 1]. Default 1. */
  topP?: number;
  /**
   * CTRL-style penalty (Keskar et al., 2019, as in Hugging Face) on every token already in the
   * history: positive logits are divided by it, negative ones multiplied. 1 disables. > 0. Default 1.
   */
  repetitionPenalty?: number;
}

/** {@link SamplingOptions} with every default filled in and every value checked. */
export type ResolvedSamplingOptions = Required<SamplingOptions>;

/** The defaults of {@link SamplingOptions}. */
export const DEFAULT_SAMPLING_OPTIONS: Readonly<ResolvedSamplingOptions> = Object.freeze({
  temperature: 1,
  topK: 0,
  topP: 1,
  repetitionPenalty: 1,
});

/**
 * Merges `options` over {@link DEFAULT_SAMPLING_OPTIONS} and validates them.
 *
 * @throws OptionError for temperature < 0, topK not an integer >= 0, topP outside (0, 1], or a
 *   repetition penalty <= 0 (and for any non-finite value).
 */
export function resolveSamplingOptions(options: SamplingOptions = {}): ResolvedSamplingOptions {
  const o = { ...DEFAULT_SAMPLING_OPTIONS, ...definedOnly(options) };
  if (!Number.isFinite(o.temperature) || o.temperature < 0) {
    throw new OptionError('temperature', 'a finite number >= 0 (0 = greedy)', String(o.temperature));
  }
  if (!Number.isInteger(o.topK) || o.topK < 0) {
    throw new OptionError('topK', 'an integer >= 0 (0 = off)', String(o.topK));
  }
  if (!(o.topP > 0 && o.topP <= 1)) {
    throw new OptionError('topP', 'a number in (0, 1] (1 = off)', String(o.topP));
  }
  if (!Number.isFinite(o.repetitionPenalty) || o.repetitionPenalty <= 0) {
    throw new OptionError('repetitionPenalty', 'a finite number > 0 (1 = off)', String(o.repetitionPenalty));
  }
  return o;
}

/** Drops keys whose value is `undefined`, so they do not override defaults in a spread. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Just the {@link SamplingOptions} fields of a larger options object (undefined ones left out). */
export function pickSamplingOptions(o: SamplingOptions): SamplingOptions {
  const { temperature, topK, topP, repetitionPenalty } = o;
  return definedOnly({ temperature, topK, topP, repetitionPenalty });
}
