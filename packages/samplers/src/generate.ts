import { OptionError, Rng, ShapeError } from '@recurrent/core';
import { pickSamplingOptions, type SamplingOptions } from './options.ts';
import { createSampler, type Sampler } from './sample.ts';
import type { StepModel } from './step-model.ts';

/** Settings of {@link generate}: how to sample, plus when to stop. */
export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to sample (EOS and held-back stop tokens included). Default 100. */
  maxTokens?: number;
  /** Seed of a fresh {@link Rng} (default 0). Give either `seed` or `rng`, not both. */
  seed?: number;
  /** Generator to draw from (advanced by the draws, so a caller can continue its stream). */
  rng?: Rng;
  /** End-of-sequence id: ends generation and is not yielded. */
  eosId?: number;
  /**
   * Token-id sequences that end generation; the matched sequence is not yielded. Tokens that could
   * be the start of one are held back until they cannot be.
   */
  stopSequences?: readonly ArrayLike<number>[];
  /** Turns generated ids (prompt excluded) into text; needed by `stopStrings`. */
  decode?: (ids: Int32Array) => string;
  /**
   * Strings that end generation once the decoded text contains one. Tokens whose text could begin a
   * stop string are held back; on a match, the tokens from the one in which the match begins onward
   * are not yielded.
   */
  stopStrings?: readonly string[];
  /** Aborts generation between steps. */
  signal?: AbortSignal;
}

/** Why generation ended. */
export type StopReason = 'eos' | 'stop-sequence' | 'stop-string' | 'max-tokens' | 'aborted';

/** What {@link generate}'s iterator returns once done: every yielded id, and why it stopped. */
export interface GenerateResult {
  tokens: Int32Array;
  reason: StopReason;
}

interface Resolved {
  maxTokens: number;
  eosId: number | undefined;
  stopSequences: number[][];
  decode: ((ids: Int32Array) => string) | undefined;
  stopStrings: string[];
}

function resolve(options: GenerateOptions): Resolved {
  const maxTokens = options.maxTokens ?? 100;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) {
    throw new OptionError('generate maxTokens', 'an integer >= 0', String(maxTokens));
  }
  if (options.eosId !== undefined && !(Number.isInteger(options.eosId) && options.eosId >= 0)) {
    throw new OptionError('generate eosId', 'an integer >= 0', String(options.eosId));
  }
  const stopSequences = (options.stopSequences ?? []).map((s, i) => {
    if (s.length === 0) throw new OptionError(`generate stopSequences[${i}]`, 'at least one token', 'empty');
    return Array.from(s);
  });
  const stopStrings = [...(options.stopStrings ?? [])];
  stopStrings.forEach((s, i) => {
    if (s.length === 0) throw new OptionError(`generate stopStrings[${i}]`, 'a non-empty string', '""');
  });
  if (stopStrings.length > 0 && options.decode === undefined) {
    throw new OptionError('generate decode', 'a decode function when stopStrings are given', 'undefined');
  }
  return { maxTokens, eosId: options.eosId, stopSequences, decode: options.decode, stopStrings };
}

/** Length of the longest proper prefix of a stop sequence that `ids` ends with. */
function pendingIdMatch(ids: readonly number[], stops: readonly number[][]): number {
  let best = 0;
  for (const s of stops) {
    for (let m = Math.min(s.length - 1, ids.length); m > best; m--) {
      let ok = true;
      for (let j = 0; j < m; j++) {
        if (ids[ids.length - m + j] !== s[j]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        best = m;
        break;
      }
    }
  }
  return best;
}

/** Length of the completed stop sequence `ids` ends with, or 0. */
function completedIdMatch(ids: readonly number[], stops: readonly number[][]): number {
  for (const s of stops) {
    if (s.length > ids.length) continue;
    let ok = true;
    for (let j = 0; j < s.length; j++) {
      if (ids[ids.length - s.length + j] !== s[j]) {
        ok = false;
        break;
      }
    }
    if (ok) return s.length;
  }
  return 0;
}

/** Characters at the end of `text` that are a proper prefix of some stop string. */
function pendingTextMatch(text: string, stops: readonly string[]): number {
  let best = 0;
  for (const s of stops) {
    for (let m = Math.min(s.length - 1, text.length); m > best; m--) {
      if (text.endsWith(s.slice(0, m))) {
        best = m;
        break;
      }
    }
  }
  return best;
}

/**
 * Generates tokens after `prompt` from a {@link StepModel}, streaming each id as soon as it is
 * certain not to be part of a stop sequence. The prompt (at least one token) is fed to a batch of
 * 1; then each step samples one id with {@link SamplingOptions} (repetition penalty over prompt +
 * generated ids) from a seeded {@link Rng}, so the same seed gives the same stream.
 *
 * ```ts
 * for await (const id of generate(lm, tok.encode('Call me'), { temperature: 0.8, topP: 0.95, seed: 1 }))
 *   process.stdout.write(tok.decode([id]));
 * ```
 *
 * @param prompt `[P]` ids, P >= 1.
 * @returns an async iterator of ids; its return value ({@link GenerateResult}) says why it ended.
 * @throws OptionError at once for invalid options or an empty prompt; the iterator throws
 *   ShapeError when the model's logits are not one row.
 */
export function generate<S>(
  model: StepModel<S>,
  prompt: ArrayLike<number>,
  options: GenerateOptions = {},
): AsyncGenerator<number, GenerateResult, undefined> {
  // Validated here, eagerly: an async generator's body would only run on the first next().
  const o = resolve(options);
  const sampler = createSampler(pickSamplingOptions(options));
  if (options.rng !== undefined && options.seed !== undefined) {
    throw new OptionError('generate rng/seed', 'either rng or seed, not both', 'both');
  }
  const rng = options.rng ?? new Rng(options.seed ?? 0);
  if (prompt.length === 0)
    throw new OptionError('generate prompt', 'at least one token (e.g. BOS)', '0 tokens');
  return run(model, Array.from(prompt), o, sampler, rng, options.signal);
}

async function* run<S>(
  model: StepModel<S>,
  prompt: number[],
  o: Resolved,
  sampler: Sampler,
  rng: Rng,
  signal: AbortSignal | undefined,
): AsyncGenerator<number, GenerateResult, undefined> {
  const history = prompt.slice();
  let state = model.initialState(1);
  let logits: Float32Array = new Float32Array(0);
  for (const id of history) {
    const out = model.step(Int32Array.of(id), state);
    logits = out.logits;
    state = out.state;
  }

  const generated: number[] = [];
  let emitted = 0;
  const decodeText = (n: number): string => o.decode!(Int32Array.from(generated.slice(0, n)));
  // Yields generated[emitted .. upTo).
  const flushTo = function* (upTo: number): Generator<number> {
    while (emitted < upTo) yield generated[emitted++]!;
  };
  const done = (reason: StopReason): GenerateResult => ({
    tokens: Int32Array.from(generated.slice(0, emitted)),
    reason,
  });

  for (let step = 0; step < o.maxTokens; step++) {
    if (signal?.aborted) {
      yield* flushTo(generated.length);
      return done('aborted');
    }
    if (logits.length === 0) throw new ShapeError('StepModel.step logits', '[1, V] with V >= 1', '0 values');
    const id = sampler(logits, rng, history);
    if (id === o.eosId) {
      yield* flushTo(generated.length);
      return done('eos');
    }
    generated.push(id);
    history.push(id);

    const idMatch = completedIdMatch(generated, o.stopSequences);
    if (idMatch > 0) {
      yield* flushTo(generated.length - idMatch);
      return done('stop-sequence');
    }
    let hold = pendingIdMatch(generated, o.stopSequences);
    if (o.stopStrings.length > 0) {
      const text = decodeText(generated.length);
      let at = -1;
      for (const s of o.stopStrings) {
        const i = text.indexOf(s);
        if (i >= 0 && (at < 0 || i < at)) at = i;
      }
      if (at >= 0) {
        // Keep the tokens whose text ends before the match begins.
        let keep = emitted;
        while (keep < generated.length && decodeText(keep + 1).length <= at) keep++;
        yield* flushTo(keep);
        return done('stop-string');
      }
      const pending = pendingTextMatch(text, o.stopStrings);
      if (pending > 0) {
        // Hold back every token that contributes to the pending tail of the text.
        let k = generated.length;
        while (k > emitted && decodeText(k - 1).length > text.length - pending) k--;
        hold = Math.max(hold, generated.length - (k - 1));
      }
    }
    yield* flushTo(generated.length - hold);

    if (step + 1 < o.maxTokens) {
      const out = model.step(Int32Array.of(id), state);
      logits = out.logits;
      state = out.state;
    }
  }
  yield* flushTo(generated.length);
  return done('max-tokens');
}

/** Runs {@link generate} to the end and returns every yielded id and the stop reason. */
export async function generateAll<S>(
  model: StepModel<S>,
  prompt: ArrayLike<number>,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const it = generate(model, prompt, options);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}
