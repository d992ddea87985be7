/**
 * The training loop: batches -> forward on a tape -> loss -> backward -> NaN/Inf check -> clip ->
 * optimizer step, with an LR schedule, periodic validation and early stopping, and atomic checkpoints
 * that resume bit for bit.
 *
 * What makes resuming exact: the loop's whole mutable state is saved at a step boundary (weights,
 * optimizer buffers and step counts, every RNG that training draws from, the batch source position,
 * the caller's carried state such as a truncated-BPTT hidden state, early-stopping counters and the loss
 * history), the LR is a pure function of the step, and validation draws no randomness.
 */
import { FormatError, OptionError } from '../errors.ts';
import type { Module } from '../module.ts';
import { clipGradNorm } from '../optim/clip-grad-norm.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import type { LrSchedule } from '../optim/schedules.ts';
import type { Rng } from '../rng.ts';
import { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import type { BatchSource } from './batch-source.ts';
import { type Checkpoint, type LoopState, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import type { StopReason, TrainEvents, ValidationRecord } from './events.ts';
import { checkGradients, checkLoss } from './numerics.ts';

/** What one training step's forward pass returns. */
export interface StepResult {
  /** The scalar (one-element) loss the tape back-propagates from. */
  loss: Tensor;
  /** Tokens (or examples) in the batch, for the throughput figure. */
  tokens: number;
}

/** Passed to {@link TrainOptions.forward} with each batch. */
export interface StepContext {
  /** Index of this step: 0 for the first update of a fresh run. */
  step: number;
  /** Epoch of the batch source when the batch was taken. */
  epoch: number;
}

/** State a task carries from step to step besides its weights (e.g. the hidden state of truncated BPTT). */
export interface CarriedState {
  /** The tensors to save (names are free; they come back to {@link load}). */
  save(): Record<string, Tensor>;
  /** Restores what {@link save} returned (called on resume, before the first step). */
  load(tensors: Record<string, Tensor>): void;
}

/** Periodic validation and early stopping. */
export interface ValidationOptions {
  /** Validate every this many steps (and once more at the end). */
  every: number;
  /**
   * Computes the metrics on held-out data. The model is switched to eval mode around the call. Must not
   * draw from the training RNGs, or resuming would no longer be exact.
   */
  run: () => Record<string, number> | Promise<Record<string, number>>;
  /** Metric that decides early stopping and "best" (default: the first key `run` returns). */
  metric?: string;
  /** Whether a smaller metric is better (default true: losses, bits/char, perplexity). */
  minimize?: boolean;
  /** Stop after this many validations in a row without improvement (default: never stop early). */
  patience?: number;
  /** An improvement must beat the best by more than this (default 0). */
  minDelta?: number;
  /** When training ends, copy the best validated weights back into the model (default false). */
  restoreBest?: boolean;
}

/** Where and how often to checkpoint. */
export interface CheckpointOptions {
  /** The checkpoint file (safetensors). Written atomically: a crash never leaves a half-written file. */
  path: string;
  /** Write every this many steps (default: only at the end). */
  every?: number;
  /** Continue from `path` if it exists (default false). */
  resume?: boolean;
  /**
   * Identifies the run's configuration (e.g. a hash of data, model and options). Stored in the
   * checkpoint; resuming from one with a different tag is a FormatError instead of a silently mixed run.
   */
  tag?: string;
}

/** Options for {@link train}. Exactly one of the limits (`maxSteps`, `maxEpochs`, `maxMillis`) is needed. */
export interface TrainOptions<B> {
  /** The module whose parameters are trained (and saved). */
  model: Module;
  /** Updates the model's parameters; its state is checkpointed. */
  optimizer: Optimizer;
  /** The batches, with a resumable position. */
  data: BatchSource<B>;
  /** Forward pass of one batch on `tape`, returning the scalar loss. Switches nothing: the loop sets train mode. */
  forward: (tape: Tape, batch: B, ctx: StepContext) => StepResult;
  /** Stop after this many steps in total (counting steps done before a resume). */
  maxSteps?: number;
  /** Stop at the end of this many epochs. */
  maxEpochs?: number;
  /** Stop after this much wall time in total (counting time before a resume). Not reproducible, by nature. */
  maxMillis?: number;
  /**
   * Learning-rate schedule, evaluated at each 0-based step against the optimizer's lr when a fresh run
   * starts (saved in checkpoints). Default: leave the optimizer's lr alone.
   */
  schedule?: LrSchedule;
  /** Clip the global L2 norm of the gradients to this (default: no clipping). */
  clipNorm?: number;
  /** Periodic validation and early stopping (default none). */
  validation?: ValidationOptions;
  /** Periodic checkpoints and resuming (default none). */
  checkpoint?: CheckpointOptions;
  /** Every RNG the forward pass draws from (dropout masks...), by a stable name; their states are checkpointed. */
  rngs?: Record<string, Rng>;
  /** Non-parameter state carried across steps (e.g. a detached hidden state); checkpointed. */
  carried?: CarriedState;
  /** Progress callbacks. */
  events?: TrainEvents;
  /** Stops the loop at the next step boundary (then a final checkpoint is written). */
  signal?: AbortSignal;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** Steps completed in total (including those before a resume). */
  steps: number;
  /** Epoch of the batch source at the end. */
  epoch: number;
  /** Why the loop stopped. */
  stoppedBy: StopReason;
  /** Loss of every step, index i = step i + 1 (including steps before a resume). */
  losses: number[];
  /** Every validation, in order. */
  validations: ValidationRecord[];
  /** Best value of the validation metric, or null without validation. */
  best: { step: number; value: number } | null;
  /** Wall time in total, in milliseconds (including time before a resume). */
  elapsedMs: number;
  /** The step training resumed from (0 for a fresh run). */
  resumedFrom: number;
}

/**
 * Runs the training loop until a limit is reached (or early stopping, or `signal`), checkpointing and
 * validating on the way. Throws a NumericalError naming the step and the first non-finite tensor when the
 * loss or a gradient is NaN/Inf (the last good checkpoint is left untouched).
 */
export async function train<B>(options: TrainOptions<B>): Promise<TrainResult> {
  const { model, optimizer, data, forward, events = {} } = options;
  const maxSteps = positiveInt('maxSteps', options.maxSteps);
  const maxEpochs = positiveInt('maxEpochs', options.maxEpochs);
  const maxMillis = positiveNumber('maxMillis', options.maxMillis);
  if (maxSteps === null && maxEpochs === null && maxMillis === null) {
    throw new OptionError('train limits', 'at least one of maxSteps, maxEpochs, maxMillis', 'none');
  }
  const clipNorm = options.clipNorm;
  if (clipNorm !== undefined && !(clipNorm > 0))
    throw new OptionError('train clipNorm', 'a number > 0', String(clipNorm));
  const val = options.validation;
  if (val !== undefined) positiveInt('validation.every', val.every);
  const ckpt = options.checkpoint;
  if (ckpt?.every !== undefined) positiveInt('checkpoint.every', ckpt.every);
  const rngs = options.rngs ?? {};
  const minimize = val?.minimize ?? true;
  const minDelta = val?.minDelta ?? 0;

  let state: LoopState = {
    step: 0,
    elapsedMs: 0,
    losses: [],
    validations: [],
    best: null,
    sinceBest: 0,
    data: data.getState(),
    rngs: {},
    baseLr: optimizer.lr,
  };
  let bestWeights: Map<string, Float32Array> | null = null;
  if (ckpt?.resume) {
    const saved = await readCheckpoint(ckpt.path);
    if (saved !== null && saved.tag !== (ckpt.tag ?? '')) {
      throw new FormatError(
        `checkpoint ${ckpt.path}`,
        `one written by this run configuration (tag ${JSON.stringify(ckpt.tag ?? '')})`,
        `tag ${JSON.stringify(saved.tag)}`,
      );
    }
    if (saved !== null) {
      restore(saved, options);
      state = saved.loop;
      bestWeights = saved.best;
    }
  }
  const resumedFrom = state.step;
  const runStart = performance.now();
  const priorMs = state.elapsedMs;
  const elapsed = (): number => priorMs + (performance.now() - runStart);
  let runTokens = 0;

  const save = async (): Promise<void> => {
    if (!ckpt) return;
    state.elapsedMs = elapsed();
    state.data = data.getState();
    state.rngs = Object.fromEntries(Object.entries(rngs).map(([k, r]) => [k, r.getState()]));
    await writeCheckpoint(ckpt.path, {
      model,
      optimizer,
      carried: options.carried?.save() ?? {},
      best: bestWeights,
      loop: state,
      tag: ckpt.tag ?? '',
    });
    events.checkpoint?.({ step: state.step, path: ckpt.path });
  };

  const validate = async (): Promise<boolean> => {
    if (!val) return false;
    model.train(false);
    let metrics: Record<string, number>;
    try {
      metrics = await val.run();
    } finally {
      model.train(true);
    }
    state.validations.push({ step: state.step, metrics });
    events.validate?.({ step: state.step, metrics });
    const key = val.metric ?? Object.keys(metrics)[0];
    const value = key === undefined ? undefined : metrics[key];
    if (value === undefined) {
      throw new OptionError(
        'validation metric',
        `a key of the validation result (${Object.keys(metrics).join(', ')})`,
        String(key),
      );
    }
    const better =
      state.best === null ||
      (minimize ? value < state.best.value - minDelta : value > state.best.value + minDelta);
    if (better) {
      state.best = { step: state.step, value };
      state.sinceBest = 0;
      if (val.restoreBest) bestWeights = copyWeights(model);
    } else {
      state.sinceBest++;
    }
    return val.patience !== undefined && state.sinceBest >= val.patience;
  };

  events.start?.({ step: state.step, maxSteps, maxMillis, batchesPerEpoch: data.batchesPerEpoch });
  model.train(true);
  let stoppedBy: StopReason | null = null;
  let lastValidated = val ? (state.validations.at(-1)?.step ?? -1) : -1;
  const limitReached = (): StopReason | null => {
    if (maxSteps !== null && state.step >= maxSteps) return 'steps';
    if (maxEpochs !== null && data.getState().epoch >= maxEpochs) return 'epochs';
    if (maxMillis !== null && elapsed() >= maxMillis) return 'time';
    if (options.signal?.aborted) return 'aborted';
    return null;
  };
  stoppedBy = limitReached();
  while (stoppedBy === null) {
    const epoch = data.getState().epoch;
    const batch = data.next();
    const stepIndex = state.step;
    if (options.schedule) optimizer.lr = options.schedule.lrAt(stepIndex, state.baseLr);
    optimizer.zeroGrad();
    const tape = new Tape();
    const { loss, tokens } = forward(tape, batch, { step: stepIndex, epoch });
    if (loss.size !== 1) {
      throw new OptionError('train forward() loss', 'a one-element tensor', `${loss.size} elements`);
    }
    const lossValue = loss.data[0]!;
    checkLoss(lossValue, stepIndex + 1);
    tape.backward(loss);
    checkGradients(model, stepIndex + 1);
    if (clipNorm !== undefined) clipGradNorm(model.parameters(), { maxNorm: clipNorm });
    optimizer.step();
    state.step++;
    state.losses.push(lossValue);
    runTokens += tokens;
    const ms = elapsed();
    events.step?.({
      step: state.step,
      loss: lossValue,
      tokensPerSec: runTokens / Math.max(1e-9, (ms - priorMs) / 1000),
      lr: optimizer.lr,
      epoch: data.getState().epoch,
      elapsedMs: ms,
    });
    let early = false;
    if (val && state.step % val.every === 0) {
      early = await validate();
      lastValidated = state.step;
    }
    stoppedBy = early ? 'early-stopping' : limitReached();
    if (ckpt?.every !== undefined && state.step % ckpt.every === 0 && stoppedBy === null) await save();
    // Let timers and signal handlers run between steps (a progress bar redraw, SIGINT).
    await yieldToEventLoop();
  }
  if (val && lastValidated !== state.step && stoppedBy !== 'early-stopping') {
    await validate();
  }
  await save();
  if (val?.restoreBest && bestWeights !== null) loadWeights(model, bestWeights);
  return {
    steps: state.step,
    epoch: data.getState().epoch,
    stoppedBy,
    losses: state.losses,
    validations: state.validations,
    best: state.best,
    elapsedMs: elapsed(),
    resumedFrom,
  };
}

/** Applies a checkpoint to the live objects; every check runs before anything changes. */
function restore<B>(saved: Checkpoint, options: TrainOptions<B>): void {
  const { model, optimizer, data } = options;
  const rngs = options.rngs ?? {};
  const params = [...model.parameters()];
  for (const [name, p] of params) {
    const w = saved.weights.get(name);
    if (w === undefined) throw new FormatError(`checkpoint weight "${name}"`, 'present', 'missing');
    if (w.length !== p.size)
      throw new FormatError(`checkpoint weight "${name}"`, `${p.size} values`, `${w.length}`);
  }
  for (const k of Object.keys(rngs)) {
    if (saved.loop.rngs[k] === undefined)
      throw new FormatError(`checkpoint RNG "${k}"`, 'present', 'missing');
  }
  const dataBefore = data.getState();
  data.setState(saved.loop.data);
  try {
    optimizer.loadStateDict(saved.optimizer);
  } catch (err) {
    data.setState(dataBefore);
    throw err;
  }
  for (const [name, p] of params) p.data.set(saved.weights.get(name)!);
  for (const [k, r] of Object.entries(rngs)) r.setState(saved.loop.rngs[k]!);
  options.carried?.load(saved.carried);
}

/** Resolves after pending I/O and timers had a turn (setImmediate in Node; a zero timeout in browsers). */
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

function copyWeights(model: Module): Map<string, Float32Array> {
  return new Map([...model.parameters()].map(([n, p]) => [n, p.data.slice()]));
}

function loadWeights(model: Module, w: Map<string, Float32Array>): void {
  for (const [n, p] of model.parameters()) {
    const src = w.get(n);
    if (src !== undefined) p.data.set(src);
  }
}

function positiveInt(what: string, v: number | undefined): number | null {
  if (v === undefined) return null;
  if (!Number.isInteger(v) || v < 1) throw new OptionError(`train ${what}`, 'an integer >= 1', String(v));
  return v;
}

function positiveNumber(what: string, v: number | undefined): number | null {
  if (v === undefined) return null;
  if (!(v > 0)) throw new OptionError(`train ${what}`, 'a number > 0', String(v));
  return v;
}
