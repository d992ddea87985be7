import { existsSync } from 'node:fs';
import {
  Adam,
  BucketBatcher,
  type LrSchedule,
  OptionError,
  Tape,
  type TrainEvents,
  type TrainResult,
  train,
} from '@recurrent/core';
import type { Seq2Seq, Seq2SeqExample } from './model.ts';
import { loadSeq2Seq, type Seq2SeqInfo, saveSeq2Seq } from './model-file.ts';

/** Options of {@link trainSeq2Seq}; every field but the data has a default. */
export interface TrainSeq2SeqOptions {
  /** Training pairs (ids). */
  train: readonly Seq2SeqExample[];
  /** Held-out pairs for the validation loss (default none: no validation). */
  valid?: readonly Seq2SeqExample[];
  /** Pairs per batch; batches hold pairs of similar source length (length bucketing). Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 2e-3. */
  lr?: number;
  /** Learning-rate schedule over steps (default constant). */
  schedule?: LrSchedule;
  /** Clip the global gradient norm to this. Default 5. */
  clipNorm?: number;
  /** Label smoothing ε. Default 0.1. */
  labelSmoothing?: number;
  /** Teacher-forcing ratio (see {@link Seq2Seq.loss}). Default 1. */
  teacherForcing?: number;
  /** Stop after this many updates. */
  maxSteps?: number;
  /** Stop after this many epochs. */
  maxEpochs?: number;
  /** Stop after this much wall time. */
  maxMillis?: number;
  /** Validate every this many steps (default 500). */
  validEvery?: number;
  /** Extra validation metrics (e.g. BLEU of a greedy decode), merged after `valid_loss`. */
  evaluate?: () => Record<string, number>;
  /** Metric that picks the best model (default `valid_loss`) and whether smaller is better (default true). */
  metric?: { name: string; minimize: boolean };
  /** Save the best model (by `metric`) here after each validation that improves it, with `info`. */
  modelPath?: string;
  /** Facts stored in the saved model file (data, options). */
  info?: Seq2SeqInfo;
  /** Resumable checkpoint (weights, Adam state, RNG, data position), written every `every` steps. */
  checkpoint?: { path: string; every?: number; resume?: boolean; tag?: string };
  /** Seed of the batch order. Default 0. */
  seed?: number;
  /** Progress callbacks. */
  events?: TrainEvents;
  /** Stops training at the next step boundary. */
  signal?: AbortSignal;
}

/** Mean per-token cross-entropy (no smoothing, no dropout) of `examples`, in batches. */
export function seq2seqLoss(model: Seq2Seq, examples: readonly Seq2SeqExample[], batchSize = 64): number {
  const was = model.training;
  model.train(false);
  const tape = Tape.noGrad();
  let total = 0;
  let tokens = 0;
  const sorted = [...examples].sort((a, b) => a.source.length - b.source.length);
  for (let i = 0; i < sorted.length; i += batchSize) {
    const r = model.loss(tape, sorted.slice(i, i + batchSize));
    total += r.loss.data[0]! * r.tokens;
    tokens += r.tokens;
  }
  model.train(was);
  return tokens === 0 ? 0 : total / tokens;
}

/**
 * Trains a {@link Seq2Seq} with Adam on length-bucketed batches, gradient clipping, label smoothing and
 * teacher forcing, validating on `valid` and saving the best model as one file, through the core
 * training loop (so checkpoints resume exactly).
 */
export async function trainSeq2Seq(model: Seq2Seq, options: TrainSeq2SeqOptions): Promise<TrainResult> {
  if (options.train.length === 0) throw new OptionError('trainSeq2Seq train', 'at least one pair', '0 pairs');
  const data = new BucketBatcher(options.train, {
    batchSize: options.batchSize ?? 64,
    lengthOf: (e) => e.source.length * 1000 + e.target.length,
    seed: options.seed ?? 0,
  });
  const optimizer = new Adam(model.parameters(), { lr: options.lr ?? 2e-3 });
  const lossOptions = {
    labelSmoothing: options.labelSmoothing ?? 0.1,
    teacherForcing: options.teacherForcing ?? 1,
  };
  const metric = options.metric ?? { name: 'valid_loss', minimize: true };
  let best: number | null = null;
  if (options.checkpoint?.resume && options.modelPath && existsSync(options.modelPath)) {
    // A resumed run must not overwrite a better model saved before the interruption.
    const saved = (loadSeq2Seq(options.modelPath).info.metrics as Record<string, number> | undefined)?.[
      metric.name
    ];
    if (typeof saved === 'number') best = saved;
  }
  const valid = options.valid;
  const validation =
    valid !== undefined && valid.length > 0
      ? {
          every: options.validEvery ?? 500,
          metric: metric.name,
          minimize: metric.minimize,
          run: async () => {
            const metrics: Record<string, number> = { valid_loss: seq2seqLoss(model, valid) };
            Object.assign(metrics, options.evaluate?.() ?? {});
            const v = metrics[metric.name];
            if (v !== undefined && (best === null || (metric.minimize ? v < best : v > best))) {
              best = v;
              if (options.modelPath)
                await saveSeq2Seq(options.modelPath, model, { ...options.info, metrics });
            }
            return metrics;
          },
        }
      : undefined;
  const result = await train({
    model,
    optimizer,
    data,
    forward: (tape, batch) => model.loss(tape, batch, lossOptions),
    clipNorm: options.clipNorm ?? 5,
    rngs: { model: model.rng },
    ...(options.maxSteps !== undefined && { maxSteps: options.maxSteps }),
    ...(options.maxEpochs !== undefined && { maxEpochs: options.maxEpochs }),
    ...(options.maxMillis !== undefined && { maxMillis: options.maxMillis }),
    ...(options.schedule !== undefined && { schedule: options.schedule }),
    ...(validation !== undefined && { validation }),
    ...(options.checkpoint !== undefined && { checkpoint: options.checkpoint }),
    ...(options.events !== undefined && { events: options.events }),
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  if (options.modelPath && validation === undefined)
    await saveSeq2Seq(options.modelPath, model, options.info ?? {});
  return result;
}
