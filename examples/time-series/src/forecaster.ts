/**
 * An LSTM one-step-ahead forecaster: a window of the last W days -> the next day.
 *
 * Input step k of a window ending before day t holds `[z(t−W+k), weekday one-hot of day t−W+k+1]`
 * (the value, and which weekday comes next: calendar covariates are known in advance), so the input width
 * is F = 8. The LSTM's last hidden state goes through a linear head to the prediction of day t, which is
 * either the scaled value itself or, with `target: 'seasonal-difference'`, its change from the same
 * weekday one week earlier (the model learns a correction to the seasonal-naive forecast).
 */
import { BaseModule, Linear, LSTM, type Rng, reshape, slice, type Tape, Tensor } from '@recurrent/core';

/** Features per input step: the scaled value and a one-hot of the following day's weekday. */
export const FEATURES = 8;

/** Options of {@link Forecaster}. */
export interface ForecasterOptions {
  /** Hidden size of the LSTM (default 32). */
  hiddenSize?: number;
  /** Stacked LSTM layers (default 1). */
  numLayers?: number;
  /** Draws the initial weights. */
  rng: Rng;
}

/** `x [B, W, 8]` -> `[B, 1]`: an LSTM over the window and a linear head on its last step. */
export class Forecaster extends BaseModule {
  readonly lstm: LSTM;
  readonly head: Linear;

  constructor(options: ForecasterOptions) {
    super();
    const hiddenSize = options.hiddenSize ?? 32;
    this.lstm = this.child(
      'lstm',
      new LSTM({ inputSize: FEATURES, hiddenSize, numLayers: options.numLayers ?? 1, rng: options.rng }),
    );
    this.head = this.child('head', new Linear({ inFeatures: hiddenSize, outFeatures: 1, rng: options.rng }));
  }

  /** `x [B, W, 8]` -> prediction `[B, 1]`. */
  forward(tape: Tape, x: Tensor): Tensor {
    const [B, W] = [x.dim(0), x.dim(1)];
    const { output } = this.lstm.forward(tape, x); // [B, W, H]
    const last = reshape(tape, slice(tape, output, 1, W - 1, W), [B, this.lstm.hiddenSize]); // [B, H]
    return this.head.forward(tape, last); // [B, 1]
  }
}

/** What the network predicts for day t. */
export type ForecastTarget = 'value' | 'seasonal-difference';

/** A scaled series cut into windows: everything needed to build inputs and targets for any day t ≥ W. */
export class WindowedSeries {
  constructor(
    /** The series, scaled. */
    readonly z: Float64Array,
    /** Weekday of each day, 0..6. */
    readonly dayOfWeek: Uint8Array,
    /** Window length W (≥ 7). */
    readonly window: number,
    readonly target: ForecastTarget,
  ) {}

  /** Inputs `[days.length, W, 8]` for forecasting each of `days` (each ≥ W). */
  inputs(days: ArrayLike<number>): Tensor {
    const W = this.window;
    const x = Tensor.zeros([days.length, W, FEATURES]);
    for (let b = 0; b < days.length; b++) {
      const t = days[b]!;
      for (let k = 0; k < W; k++) {
        const day = t - W + k;
        const row = (b * W + k) * FEATURES;
        x.data[row] = this.z[day]!;
        x.data[row + 1 + this.dayOfWeek[day + 1]!] = 1;
      }
    }
    return x;
  }

  /** Training targets `[days.length, 1]` in the network's terms (see {@link ForecastTarget}). */
  targets(days: ArrayLike<number>): Tensor {
    const y = Tensor.zeros([days.length, 1]);
    for (let b = 0; b < days.length; b++) y.data[b] = this.fromNetwork(days[b]!, this.z[days[b]!]!, true);
    return y;
  }

  /** Network output for day t -> the scaled forecast z(t) (or back, with `inverse`). */
  fromNetwork(t: number, v: number, inverse = false): number {
    if (this.target === 'value') return v;
    const base = this.z[t - 7]!;
    return inverse ? v - base : v + base;
  }
}
