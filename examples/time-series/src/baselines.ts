/**
 * The forecasts a model must beat. Both predict `series[t]` from what is known at `t - 1`.
 */

/** Naive (random walk): tomorrow equals today. Forecasts for `t` in `[from, to)`. */
export function naiveForecast(series: ArrayLike<number>, from: number, to: number): Float64Array {
  const out = new Float64Array(to - from);
  for (let t = from; t < to; t++) out[t - from] = series[t - 1]!;
  return out;
}

/** Seasonal naive: tomorrow equals the same day one `period` ago (7 for a weekly cycle). */
export function seasonalNaiveForecast(
  series: ArrayLike<number>,
  from: number,
  to: number,
  period: number,
): Float64Array {
  const out = new Float64Array(to - from);
  for (let t = from; t < to; t++) out[t - from] = series[t - period]!;
  return out;
}
