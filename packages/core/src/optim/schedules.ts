import { FormatError, OptionError } from '../errors.ts';

/** Anything with a settable learning rate (every {@link Optimizer}). */
export interface HasLr {
  lr: number;
}

/**
 * A learning-rate schedule: a pure function of the step count, so its whole state is one integer and a
 * resumed run gets exactly the same rates. Drive it with an {@link LrScheduler}.
 */
export interface LrSchedule {
  /** The learning rate after `step` scheduler steps (0 = before the first), given the optimizer's initial lr. */
  lrAt(step: number, baseLr: number): number;
}

function checkInt(what: string, v: number, min: number): void {
  if (!(Number.isInteger(v) && v >= min)) throw new OptionError(what, `an integer >= ${min}`, String(v));
}

function checkFinite(what: string, v: number, min: number): void {
  if (!(Number.isFinite(v) && v >= min)) throw new OptionError(what, `a finite number >= ${min}`, String(v));
}

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Decay every this many steps (required, integer >= 1). */
  stepSize: number;
  /** Multiplicative decay (default 0.1, PyTorch's). */
  gamma?: number;
}

/** PyTorch's StepLR: `lr = baseLr * gamma^floor(step / stepSize)`. */
export class StepLR implements LrSchedule {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(options: StepLROptions) {
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    checkInt('StepLR stepSize', this.stepSize, 1);
    checkFinite('StepLR gamma', this.gamma, 0);
  }

  lrAt(step: number, baseLr: number): number {
    return baseLr * this.gamma ** Math.floor(step / this.stepSize);
  }
}

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingOptions {
  /** Steps from the base lr down to `etaMin` (required, integer >= 1). */
  tMax: number;
  /** The lowest learning rate, absolute (default 0). */
  etaMin?: number;
}

/**
 * PyTorch's CosineAnnealingLR in closed form: `lr = etaMin + (baseLr - etaMin) * (1 + cos(pi * step / tMax)) / 2`.
 * Like PyTorch's closed form it is periodic past `tMax` (it climbs back up), so set `tMax` to the run length.
 */
export class CosineAnnealingLR implements LrSchedule {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(options: CosineAnnealingOptions) {
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    checkInt('CosineAnnealingLR tMax', this.tMax, 1);
    checkFinite('CosineAnnealingLR etaMin', this.etaMin, 0);
  }

  lrAt(step: number, baseLr: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * step) / this.tMax))) / 2;
  }
}

/** Options of {@link LinearWarmup}. */
export interface LinearWarmupOptions {
  /** Length of the warm-up in steps (required, integer >= 1). */
  steps: number;
  /** Fraction of the target lr at step 0, in [0, 1] (default 1/3, PyTorch LinearLR's `start_factor`). */
  startFactor?: number;
  /** The schedule that follows; its clock starts when the warm-up ends (default: constant base lr). */
  after?: LrSchedule;
}

/**
 * Linear warm-up, composable: for `step < steps` the lr rises linearly from `startFactor * target` towards
 * `target = after.lrAt(0, baseLr)` (PyTorch LinearLR's factor `startFactor + (1 - startFactor) * step / steps`);
 * from `steps` on it is `after.lrAt(step - steps, baseLr)`, like PyTorch's SequentialLR with one milestone.
 */
export class LinearWarmup implements LrSchedule {
  readonly steps: number;
  readonly startFactor: number;
  readonly after: LrSchedule | null;

  constructor(options: LinearWarmupOptions) {
    this.steps = options.steps;
    this.startFactor = options.startFactor ?? 1 / 3;
    this.after = options.after ?? null;
    checkInt('LinearWarmup steps', this.steps, 1);
    if (!(this.startFactor >= 0 && this.startFactor <= 1)) {
      throw new OptionError('LinearWarmup startFactor', 'a number in [0, 1]', String(this.startFactor));
    }
  }

  lrAt(step: number, baseLr: number): number {
    if (step >= this.steps) return this.after ? this.after.lrAt(step - this.steps, baseLr) : baseLr;
    const target = this.after ? this.after.lrAt(0, baseLr) : baseLr;
    return target * (this.startFactor + ((1 - this.startFactor) * step) / this.steps);
  }
}

/** Serializable state of an {@link LrScheduler}. */
export interface LrSchedulerState {
  /** Scheduler steps taken. */
  step: number;
  /** The optimizer's lr when the scheduler was created. */
  baseLr: number;
}

/**
 * Drives an optimizer's `lr` from an {@link LrSchedule}: creating it sets `lrAt(0)`, each {@link step} (call
 * it after `optimizer.step()`) advances the clock and sets the next rate.
 */
export class LrScheduler {
  private t = 0;
  private base: number;

  constructor(
    private readonly optimizer: HasLr,
    /** The schedule being followed. */
    readonly schedule: LrSchedule,
  ) {
    this.base = optimizer.lr;
    this.apply();
  }

  /** Scheduler steps taken so far. */
  get lastStep(): number {
    return this.t;
  }

  /** The optimizer's lr when this scheduler was created. */
  get baseLr(): number {
    return this.base;
  }

  /** Advances one step and sets the optimizer's lr. */
  step(): void {
    this.t += 1;
    this.apply();
  }

  /** `{ step, baseLr }`. */
  stateDict(): LrSchedulerState {
    return { step: this.t, baseLr: this.base };
  }

  /** Restores a {@link stateDict} and sets the optimizer's lr to match. */
  loadStateDict(state: LrSchedulerState): void {
    if (!(Number.isInteger(state?.step) && state.step >= 0)) {
      throw new FormatError('LrScheduler state step', 'a non-negative integer', String(state?.step));
    }
    if (!(Number.isFinite(state.baseLr) && state.baseLr >= 0)) {
      throw new FormatError('LrScheduler state baseLr', 'a finite number >= 0', String(state.baseLr));
    }
    this.t = state.step;
    this.base = state.baseLr;
    this.apply();
  }

  private apply(): void {
    this.optimizer.lr = this.schedule.lrAt(this.t, this.base);
  }
}

/** Options of {@link ReduceLROnPlateau}; defaults are PyTorch's. */
export interface ReduceLROnPlateauOptions {
  /** `min`: lower metric is better (a loss); `max`: higher is better (an accuracy). Default `min`. */
  mode?: 'min' | 'max';
  /** Multiplier applied to the lr on a plateau, in [0, 1) (default 0.1). */
  factor?: number;
  /** Bad steps tolerated before reducing: the lr drops on bad step `patience + 1` (default 10). */
  patience?: number;
  /** What counts as an improvement (default 1e-4). */
  threshold?: number;
  /** `rel`: better than `best * (1 -/+ threshold)`; `abs`: better than `best -/+ threshold` (default `rel`). */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting bad steps again (default 0). */
  cooldown?: number;
  /** Lower bound of the lr (default 0). */
  minLr?: number;
  /** A reduction smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/** Serializable state of a {@link ReduceLROnPlateau}. `best` is null before the first metric. */
export interface ReduceLROnPlateauState {
  best: number | null;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
}

/**
 * PyTorch's ReduceLROnPlateau: call {@link step} with the validation metric; after more than `patience`
 * steps without improvement the optimizer's lr becomes `max(lr * factor, minLr)`, then `cooldown` steps are
 * ignored. It changes the optimizer's lr directly, so do not also drive that optimizer with an {@link LrScheduler}.
 */
export class ReduceLROnPlateau {
  readonly options: Readonly<Required<ReduceLROnPlateauOptions>>;
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;
  private lastEpoch = 0;

  constructor(
    private readonly optimizer: HasLr,
    options: ReduceLROnPlateauOptions = {},
  ) {
    const o: Required<ReduceLROnPlateauOptions> = {
      mode: options.mode ?? 'min',
      factor: options.factor ?? 0.1,
      patience: options.patience ?? 10,
      threshold: options.threshold ?? 1e-4,
      thresholdMode: options.thresholdMode ?? 'rel',
      cooldown: options.cooldown ?? 0,
      minLr: options.minLr ?? 0,
      eps: options.eps ?? 1e-8,
    };
    if (o.mode !== 'min' && o.mode !== 'max')
      throw new OptionError('ReduceLROnPlateau mode', 'min or max', String(o.mode));
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') {
      throw new OptionError('ReduceLROnPlateau thresholdMode', 'rel or abs', String(o.thresholdMode));
    }
    if (!(o.factor >= 0 && o.factor < 1))
      throw new OptionError('ReduceLROnPlateau factor', 'a number in [0, 1)', String(o.factor));
    checkInt('ReduceLROnPlateau patience', o.patience, 0);
    checkInt('ReduceLROnPlateau cooldown', o.cooldown, 0);
    checkFinite('ReduceLROnPlateau threshold', o.threshold, 0);
    checkFinite('ReduceLROnPlateau minLr', o.minLr, 0);
    checkFinite('ReduceLROnPlateau eps', o.eps, 0);
    this.options = Object.freeze(o);
    this.best = this.worst();
  }

  /** The best metric seen so far (`Infinity` / `-Infinity` before the first). */
  get bestMetric(): number {
    return this.best;
  }

  /** Records one metric value; returns true when it reduced the lr. */
  step(metric: number): boolean {
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad steps during cooldown do not count
    }
    if (this.numBadEpochs > this.options.patience) {
      const reduced = this.reduce();
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
      return reduced;
    }
    return false;
  }

  /** The counters and best metric (JSON-able: an infinite `best` is written as null). */
  stateDict(): ReduceLROnPlateauState {
    return {
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
    };
  }

  /** Restores a {@link stateDict}. */
  loadStateDict(state: ReduceLROnPlateauState): void {
    for (const k of ['numBadEpochs', 'cooldownCounter', 'lastEpoch'] as const) {
      const v = state?.[k];
      if (!(Number.isInteger(v) && v >= 0))
        throw new FormatError(`ReduceLROnPlateau state ${k}`, 'a non-negative integer', String(v));
    }
    if (state.best !== null && typeof state.best !== 'number') {
      throw new FormatError('ReduceLROnPlateau state best', 'a number or null', String(state.best));
    }
    this.best = state.best ?? this.worst();
    this.numBadEpochs = state.numBadEpochs;
    this.cooldownCounter = state.cooldownCounter;
    this.lastEpoch = state.lastEpoch;
  }

  private worst(): number {
    return this.options.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    const best = this.best;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  private reduce(): boolean {
    const old = this.optimizer.lr;
    const next = Math.max(old * this.options.factor, this.options.minLr);
    if (old - next > this.options.eps) {
      this.optimizer.lr = next;
      return true;
    }
    return false;
  }
}
