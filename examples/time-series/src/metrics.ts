/** Forecast errors in the units of the series. */
export interface ForecastErrors {
  /** Mean absolute error. */
  mae: number;
  /** Root mean squared error. */
  rmse: number;
}

/** MAE and RMSE of `forecast` against `actual` (same length). */
export function forecastErrors(actual: ArrayLike<number>, forecast: ArrayLike<number>): ForecastErrors {
  let abs = 0;
  let sq = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = forecast[i]! - actual[i]!;
    abs += Math.abs(e);
    sq += e * e;
  }
  return { mae: abs / actual.length, rmse: Math.sqrt(sq / actual.length) };
}
