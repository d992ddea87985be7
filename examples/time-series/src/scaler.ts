import { DataError } from '@recurrent/core';

/** z = (x − mean) / std, with mean and std fit on training data only (no peeking at the test tail). */
export class StandardScaler {
  private constructor(
    readonly mean: number,
    readonly std: number,
  ) {}

  /** Fits mean and standard deviation on `values` (the training part of a series). */
  static fit(values: ArrayLike<number>): StandardScaler {
    if (values.length < 2)
      throw new DataError('StandardScaler.fit values', 'at least 2 values', `${values.length}`);
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i]!;
    const mean = sum / values.length;
    let sq = 0;
    for (let i = 0; i < values.length; i++) sq += (values[i]! - mean) ** 2;
    const std = Math.sqrt(sq / values.length);
    if (!(std > 0)) throw new DataError('StandardScaler.fit values', 'values that vary', 'a constant series');
    return new StandardScaler(mean, std);
  }

  /** Scales one value. */
  transform(x: number): number {
    return (x - this.mean) / this.std;
  }

  /** Scales a series. */
  transformAll(values: ArrayLike<number>): Float64Array {
    return Float64Array.from(values as ArrayLike<number>, (x) => this.transform(x));
  }

  /** Undoes {@link transform}. */
  inverse(z: number): number {
    return z * this.std + this.mean;
  }
}
