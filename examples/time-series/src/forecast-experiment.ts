/**
 * The whole experiment: split a daily series into a training part and a held-out tail, fit the scaler on
 * the training part only, train the LSTM forecaster on windows with MSE loss (core's training loop, early
 * stopping on the last stretch of the training part), then forecast every day of the tail one step ahead
 * and compare MAE/RMSE with the naive and seasonal-naive forecasts of the same days.
 */
import {
  Adam,
  type BatchSource,
  type BatchSourceState,
  DataError,
  mse,
  OptionError,
  Rng,
  Tape,
  type TrainEvents,
  train,
} from '@recurrent/core';
import { naiveForecast, seasonalNaiveForecast } from './baselines.ts';
import type { DailySeries } from './births.ts';
import { Forecaster, type ForecastTarget, WindowedSeries } from './forecaster.ts';
import { type ForecastErrors, forecastErrors } from './metrics.ts';
import { StandardScaler } from './scaler.ts';

/** Options of {@link runForecastExperiment}; every field has a default. */
export interface ForecastExperimentOptions {
  /** Seed of every random draw (weights, batch order). Default 1. */
  seed?: number;
  /** Days held out at the end for testing. Default 730 (two years). */
  testDays?: number;
  /** Use only the last this many days before the test tail for training (default: all of them). */
  trainDays?: number;
  /** Of the training days, the last this many validate (early stopping). Default 365. */
  validationDays?: number;
  /** Input window W in days (≥ 7). Default 28. */
  window?: number;
  /** What the network predicts (see {@link ForecastTarget}). Default `seasonal-difference`. */
  target?: ForecastTarget;
  /** LSTM hidden size. Default 32. */
  hiddenSize?: number;
  /** Windows per batch. Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 3e-3. */
  lr?: number;
  /** Training epochs at most. Default 30. */
  epochs?: number;
  /** Stop after this many validations (one per epoch) without improvement. Default 5. */
  patience?: number;
  /** Progress callbacks of the training loop. */
  events?: TrainEvents;
}

/** What {@link runForecastExperiment} reports; errors are in the series' units (births per day). */
export interface ForecastExperimentResult {
  /** The test days' dates, first and last. */
  testRange: [string, string];
  trainWindows: number;
  validationWindows: number;
  testDays: number;
  lstm: ForecastErrors;
  naive: ForecastErrors;
  seasonalNaive: ForecastErrors;
  /** Training steps taken and why training stopped. */
  steps: number;
  stoppedBy: string;
  /** The tail's actual values and the LSTM's forecasts. */
  actual: Float64Array;
  forecast: Float64Array;
}

/** Shuffled batches of training days; the order of epoch e is a pure function of (seed, e), so resuming is exact. */
class WindowBatches implements BatchSource<number[]> {
  readonly batchesPerEpoch: number;
  private epoch = 0;
  private index = 0;
  private order: number[] = [];

  constructor(
    private readonly days: number[],
    private readonly batchSize: number,
    private readonly seed: number,
  ) {
    this.batchesPerEpoch = Math.ceil(days.length / batchSize);
    this.shuffle();
  }

  private shuffle(): void {
    this.order = new Rng(this.seed * 1_000_003 + this.epoch).shuffle([...this.days]);
  }

  next(): number[] {
    const batch = this.order.slice(this.index * this.batchSize, (this.index + 1) * this.batchSize);
    if (++this.index === this.batchesPerEpoch) {
      this.index = 0;
      this.epoch++;
      this.shuffle();
    }
    return batch;
  }

  getState(): BatchSourceState {
    return { epoch: this.epoch, index: this.index };
  }

  setState(s: BatchSourceState): void {
    if (
      !(
        Number.isInteger(s.epoch) &&
        s.epoch >= 0 &&
        Number.isInteger(s.index) &&
        s.index >= 0 &&
        s.index < this.batchesPerEpoch
      )
    ) {
      throw new OptionError(
        'WindowBatches state',
        `epoch >= 0, index in [0, ${this.batchesPerEpoch})`,
        JSON.stringify(s),
      );
    }
    this.epoch = s.epoch;
    this.index = s.index;
    this.shuffle();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** Forecasts of `days` in series units, batched, without recording gradients. */
function predict(
  model: Forecaster,
  data: WindowedSeries,
  scaler: StandardScaler,
  days: number[],
): Float64Array {
  const out = new Float64Array(days.length);
  const tape = Tape.noGrad();
  for (let i = 0; i < days.length; i += 256) {
    const chunk = days.slice(i, i + 256);
    const y = model.forward(tape, data.inputs(chunk));
    for (let b = 0; b < chunk.length; b++)
      out[i + b] = scaler.inverse(data.fromNetwork(chunk[b]!, y.data[b]!));
  }
  return out;
}

/** Runs the experiment on `series` (see the module comment). */
export async function runForecastExperiment(
  series: DailySeries,
  options: ForecastExperimentOptions = {},
): Promise<ForecastExperimentResult> {
  const seed = options.seed ?? 1;
  const W = options.window ?? 28;
  const testDays = options.testDays ?? 730;
  const validationDays = options.validationDays ?? 365;
  const n = series.values.length;
  if (!(Number.isInteger(W) && W >= 7))
    throw new OptionError('window', 'an integer >= 7 (one week)', String(W));
  const testStart = n - testDays;
  const trainStart = Math.max(W, options.trainDays === undefined ? W : testStart - options.trainDays);
  const valStart = testStart - validationDays;
  if (!(testDays >= 1 && valStart - trainStart >= 1 && validationDays >= 1)) {
    throw new DataError(
      'forecast split',
      `${W} + training + ${validationDays} validation + ${testDays} test days`,
      `${n} days`,
    );
  }

  // The scaler sees only days before the test tail.
  const scaler = StandardScaler.fit(series.values.subarray(trainStart - W, testStart));
  const data = new WindowedSeries(
    scaler.transformAll(series.values),
    series.dayOfWeek,
    W,
    options.target ?? 'seasonal-difference',
  );
  const rng = new Rng(seed);
  const model = new Forecaster({ hiddenSize: options.hiddenSize ?? 32, rng });
  const optimizer = new Adam(model.parameters(), { lr: options.lr ?? 3e-3 });
  const trainDaysList = range(trainStart, valStart);
  const valDays = range(valStart, testStart);
  const batches = new WindowBatches(trainDaysList, options.batchSize ?? 64, seed);
  const valX = data.inputs(valDays);
  const valY = data.targets(valDays);

  const result = await train({
    model,
    optimizer,
    data: batches,
    maxEpochs: options.epochs ?? 30,
    clipNorm: 1,
    forward: (tape, days) => ({
      loss: mse(tape, model.forward(tape, data.inputs(days)), data.targets(days)),
      tokens: days.length,
    }),
    validation: {
      every: batches.batchesPerEpoch,
      run: () => ({ mse: mse(Tape.noGrad(), model.forward(Tape.noGrad(), valX), valY).data[0]! }),
      patience: options.patience ?? 5,
      restoreBest: true,
    },
    ...(options.events ? { events: options.events } : {}),
  });

  const testList = range(testStart, n);
  const actual = series.values.slice(testStart);
  const forecast = predict(model, data, scaler, testList);
  return {
    testRange: [series.dates[testStart]!, series.dates[n - 1]!],
    trainWindows: trainDaysList.length,
    validationWindows: valDays.length,
    testDays,
    lstm: forecastErrors(actual, forecast),
    naive: forecastErrors(actual, naiveForecast(series.values, testStart, n)),
    seasonalNaive: forecastErrors(actual, seasonalNaiveForecast(series.values, testStart, n, 7)),
    steps: result.steps,
    stoppedBy: result.stoppedBy,
    actual,
    forecast,
  };
}
