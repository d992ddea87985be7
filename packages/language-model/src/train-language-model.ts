/**
 * Training a language model end to end: tokenized text -> contiguous-stream batches (truncated BPTT
 * with the hidden state carried across batches, detached) -> Adam with gradient clipping -> periodic
 * validation in bits per character -> checkpoints that resume exactly.
 */
import {
  Adam,
  type CarriedState,
  type CheckpointOptions,
  CosineAnnealingLR,
  DataError,
  detachState,
  type LrSchedule,
  type RecurrentState,
  Rng,
  StreamBatcher,
  type Tensor,
  type TrainEvents,
  type TrainResult,
  train,
} from '@recurrent/core';
import type { LanguageModelConfig } from './config.ts';
import {
  type EvaluationText,
  evaluateIds,
  type LanguageModelMetrics,
  prepareEvaluation,
  type TextCodec,
} from './evaluate.ts';
import { LanguageModel } from './language-model.ts';

/** Options for {@link trainLanguageModel}. One of `maxSteps`, `maxEpochs`, `maxMillis` is required. */
export interface TrainLanguageModelOptions {
  /** The training text. */
  text: string;
  /** Held-out text for validation (default none). */
  validText?: string;
  /** Turns text into ids; its `vocabSize` sizes the model. */
  tokenizer: TextCodec & { readonly vocabSize: number };
  /** Architecture (the vocabulary size comes from the tokenizer). */
  model?: Omit<LanguageModelConfig, 'vocabSize'>;
  /** Seed of the weights and dropout masks (default 0). */
  seed?: number;
  /** Parallel streams per batch (default 32). */
  batchSize?: number;
  /** Truncated-BPTT length (default 64). */
  seqLen?: number;
  /** Adam learning rate (default 2e-3). */
  lr?: number;
  /** Global gradient-norm clip (default 1). */
  clipNorm?: number;
  /** `constant` (default) or `cosine` annealing to lr/10 over `maxSteps` (needs `maxSteps`). */
  schedule?: 'constant' | 'cosine';
  maxSteps?: number;
  maxEpochs?: number;
  maxMillis?: number;
  /** Validate every this many steps (default 200; needs `validText`). */
  validEvery?: number;
  /** Validate on at most this many characters of `validText` during training (default all). */
  validChars?: number;
  /** Stop after this many validations without improvement (default never). */
  patience?: number;
  /** Periodic checkpoints and resuming. */
  checkpoint?: CheckpointOptions;
  /** Progress callbacks. */
  events?: TrainEvents;
  /** Stops training at the next step boundary. */
  signal?: AbortSignal;
}

/** What {@link trainLanguageModel} returns. */
export interface TrainedLanguageModel {
  model: LanguageModel;
  /** The loop's record: steps, losses, validations, why it stopped. */
  result: TrainResult;
  /** Metrics on the whole `validText` at the end (null without one). */
  valid: LanguageModelMetrics | null;
}

/** Trains a language model on `text`; see {@link TrainLanguageModelOptions}. */
export async function trainLanguageModel(options: TrainLanguageModelOptions): Promise<TrainedLanguageModel> {
  const { tokenizer } = options;
  const seed = options.seed ?? 0;
  const rng = new Rng(seed);
  const model = new LanguageModel({ ...(options.model ?? {}), vocabSize: tokenizer.vocabSize }, { rng });
  const ids = tokenizer.encode(options.text);
  if (ids.length < 2) throw new DataError('training text', 'at least 2 tokens', `${ids.length}`);
  const data = new StreamBatcher(ids, {
    batchSize: options.batchSize ?? 32,
    seqLen: options.seqLen ?? 64,
  });
  const lr = options.lr ?? 2e-3;
  const optimizer = new Adam(model.parameters(), { lr });
  let schedule: LrSchedule | undefined;
  if (options.schedule === 'cosine') {
    if (options.maxSteps === undefined) throw new DataError('cosine schedule', 'maxSteps', 'none');
    schedule = new CosineAnnealingLR({ tMax: options.maxSteps, etaMin: lr / 10 });
  }

  let carried: RecurrentState | undefined;
  const carry: CarriedState = {
    save: () => {
      const out: Record<string, Tensor> = {};
      if (carried) {
        out.h = carried.h;
        if (carried.c) out.c = carried.c;
      }
      return out;
    },
    load: (t) => {
      carried = t.h === undefined ? undefined : t.c === undefined ? { h: t.h } : { h: t.h, c: t.c };
    },
  };

  const valid = prepareValid(tokenizer, options.validText, options.validChars);
  const result = await train({
    model,
    optimizer,
    data,
    forward: (tape, batch) => {
      // A new epoch restarts every stream from its beginning: the carried state no longer follows on.
      if (batch.reset) carried = undefined;
      const { loss, state } = model.loss(tape, batch, carried);
      carried = detachState(state);
      return { loss, tokens: batch.batch * batch.steps };
    },
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.maxEpochs !== undefined ? { maxEpochs: options.maxEpochs } : {}),
    ...(options.maxMillis !== undefined ? { maxMillis: options.maxMillis } : {}),
    ...(schedule ? { schedule } : {}),
    clipNorm: options.clipNorm ?? 1,
    ...(valid
      ? {
          validation: {
            every: options.validEvery ?? 200,
            run: () => {
              const m = evaluateIds(model, valid.during.ids, valid.during.characters);
              return { bitsPerChar: m.bitsPerChar, perplexity: m.perplexity };
            },
            metric: 'bitsPerChar',
            ...(options.patience !== undefined ? { patience: options.patience } : {}),
          },
        }
      : {}),
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    rngs: { model: rng },
    carried: carry,
    ...(options.events ? { events: options.events } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const final = valid ? evaluateIds(model, valid.full.ids, valid.full.characters) : null;
  return { model, result, valid: final };
}

function prepareValid(
  tokenizer: TextCodec,
  text: string | undefined,
  limit: number | undefined,
): { full: EvaluationText; during: EvaluationText } | null {
  if (text === undefined) return null;
  const full = prepareEvaluation(tokenizer, text);
  const during =
    limit !== undefined && limit < text.length ? prepareEvaluation(tokenizer, text.slice(0, limit)) : full;
  return { full, during };
}
