/**
 * Held-out evaluation: cross-entropy of every predicted token, reported as perplexity (per token) and
 * bits per character (`total nats / ln 2 / characters`), the figure that compares models with different
 * tokenizers because it does not depend on how the text was cut into tokens.
 */
import { crossEntropy, DataError, OptionError, type RecurrentState, Tape } from '@recurrent/core';
import type { LanguageModel } from './language-model.ts';

/** Options for {@link evaluateIds} and {@link evaluateText}. */
export interface EvaluateOptions {
  /**
   * Parallel streams (default 16): the ids are cut into this many contiguous pieces evaluated side by side.
   * More streams run faster; with enough `context` the result hardly depends on the count.
   */
  streams?: number;
  /**
   * Tokens each stream after the first reads before its piece without scoring them (default 256), so its
   * first predictions come from a state that has seen text, as in training (where the state is carried),
   * rather than from a cold zero state.
   */
  context?: number;
  /** Time steps per forward call (default 128). The state is carried across calls, so this changes nothing but speed. */
  seqLen?: number;
}

/** The result of an evaluation. */
export interface LanguageModelMetrics {
  /** Bits per character: total nats / ln 2 / characters. */
  bitsPerChar: number;
  /** Per-token perplexity: exp(total nats / tokens). */
  perplexity: number;
  /** Mean nats per predicted token. */
  crossEntropy: number;
  /** Total nats over all predicted tokens. */
  nats: number;
  /** Predicted tokens. */
  tokens: number;
  /** Characters those tokens cover (the denominator of bits per character). */
  characters: number;
}

/**
 * Evaluates next-token prediction over `ids`: ids[1..] are predicted from what precedes them (ids[0] is
 * context only), in `streams` contiguous pieces, each read with `context` tokens of warm-up. `characters`
 * is the length of the text ids[1..] covers.
 * Runs without a tape and in eval mode (the model's mode is restored afterwards).
 */
export function evaluateIds(
  model: LanguageModel,
  ids: Int32Array,
  characters: number,
  options: EvaluateOptions = {},
): LanguageModelMetrics {
  const seqLen = options.seqLen ?? 128;
  const wantStreams = options.streams ?? 16;
  const context = options.context ?? 256;
  for (const [k, v, min] of [
    ['streams', wantStreams, 1],
    ['seqLen', seqLen, 1],
    ['context', context, 0],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new OptionError(`evaluate ${k}`, `an integer >= ${min}`, String(v));
  }
  const n = ids.length - 1; // predictions
  if (n < 1) throw new DataError('text to evaluate', 'at least 2 tokens', `${ids.length}`);
  if (!(characters > 0)) throw new DataError('characters to evaluate', 'at least 1', String(characters));
  const S = Math.min(wantStreams, n);
  const per = Math.ceil(n / S); // predictions per stream; the last stream may have fewer
  // Stream s scores the predictions of inputs [s·per, end) and starts reading `context` tokens earlier.
  const first = Int32Array.from({ length: S }, (_, s) => s * per);
  const feed = Int32Array.from(first, (f) => Math.max(0, f - context));
  const end = Int32Array.from(first, (f) => Math.min(n, f + per));
  let steps = 0;
  for (let s = 0; s < S; s++) steps = Math.max(steps, end[s]! - feed[s]!);
  const wasTraining = model.training;
  model.train(false);
  const tape = Tape.noGrad();
  let nats = 0;
  let state: RecurrentState | undefined;
  try {
    for (let t0 = 0; t0 < steps; t0 += seqLen) {
      const T = Math.min(seqLen, steps - t0);
      const inputs = new Int32Array(S * T);
      const targets = new Int32Array(S * T).fill(-100);
      for (let s = 0; s < S; s++) {
        for (let t = 0; t < T; t++) {
          const p = feed[s]! + t0 + t; // index of the input token; its target is p + 1
          if (p < end[s]!) {
            inputs[s * T + t] = ids[p]!;
            if (p >= first[s]!) targets[s * T + t] = ids[p + 1]!;
          }
        }
      }
      const out = model.forward(tape, inputs, S, T, state);
      state = out.state;
      nats += crossEntropy(tape, out.logits, targets, { reduction: 'sum' }).data[0]!;
    }
  } finally {
    model.train(wasTraining);
  }
  return {
    bitsPerChar: nats / Math.LN2 / characters,
    perplexity: Math.exp(nats / n),
    crossEntropy: nats / n,
    nats,
    tokens: n,
    characters,
  };
}

/** What {@link evaluateText} needs of a tokenizer. */
export interface TextCodec {
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  /** With a `bos` id, evaluation predicts every token of the text from a BOS context. */
  readonly specials?: { bos?: number };
}

/** Ids to evaluate and the characters their predictions cover (see {@link evaluateText}). */
export interface EvaluationText {
  ids: Int32Array;
  characters: number;
}

/**
 * Prepares `text` for {@link evaluateIds}. With a BOS token the ids are `[bos, ...encode(text)]`, every
 * token of the text is predicted and the characters are all of the text's code points. Without one, the
 * first token is context only and its characters are not counted.
 * @throws DataError when there is nothing to predict.
 */
export function prepareEvaluation(tokenizer: TextCodec, text: string): EvaluationText {
  let ids = tokenizer.encode(text);
  const bos = tokenizer.specials?.bos;
  let characters = codePoints(text);
  if (bos !== undefined) {
    if (ids[0] !== bos) {
      const withBos = new Int32Array(ids.length + 1);
      withBos[0] = bos;
      withBos.set(ids, 1);
      ids = withBos;
    }
  } else if (ids.length > 0) {
    characters -= codePoints(tokenizer.decode(ids.subarray(0, 1)));
  }
  if (ids.length < 2 || characters < 1) {
    throw new DataError('text to evaluate', 'at least one token to predict', `${ids.length} tokens`);
  }
  return { ids, characters };
}

/**
 * Evaluates `text` (bits per character over all of it when the tokenizer has a BOS token; see
 * {@link prepareEvaluation}). Runs without a tape, in eval mode.
 * @throws DataError when the text has nothing to predict.
 */
export function evaluateText(
  model: LanguageModel,
  tokenizer: TextCodec,
  text: string,
  options: EvaluateOptions = {},
): LanguageModelMetrics {
  const { ids, characters } = prepareEvaluation(tokenizer, text);
  return evaluateIds(model, ids, characters, options);
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
