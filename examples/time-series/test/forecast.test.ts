/**
 * A short seeded run of the time-series example: the LSTM, trained on 1,500 days of US births, must beat
 * the naive (t−1) and seasonal-naive (t−7) forecasts on the held-out last two years, in MAE and RMSE.
 */
import { describe, expect, it } from 'vitest';
import { naiveForecast, seasonalNaiveForecast } from '../src/baselines.ts';
import { loadUsBirths } from '../src/births.ts';
import { runForecastExperiment } from '../src/forecast-experiment.ts';
import { forecastErrors } from '../src/metrics.ts';
import { StandardScaler } from '../src/scaler.ts';

const series = loadUsBirths();

describe('US births series and baselines', () => {
  it('loads 20 years of consecutive days with a weekly cycle', () => {
    expect(series.values.length).toBe(7305);
    expect(series.dates[0]).toBe('1969-01-01');
    expect(series.dates.at(-1)).toBe('1988-12-31');
    expect(series.dayOfWeek[0]).toBe(2); // 1 January 1969 was a Wednesday
    // Weekends have fewer births: the seasonal-naive forecast is far better than the naive one.
    const n = series.values.length;
    const naive = forecastErrors(series.values.subarray(7), naiveForecast(series.values, 7, n));
    const seasonal = forecastErrors(series.values.subarray(7), seasonalNaiveForecast(series.values, 7, n, 7));
    expect(seasonal.mae).toBeLessThan(naive.mae / 2);
  });

  it('computes MAE/RMSE and scales with statistics of the given part only', () => {
    expect(forecastErrors([1, 2, 3], [2, 2, 5])).toEqual({ mae: 1, rmse: Math.sqrt(5 / 3) });
    const s = StandardScaler.fit([1, 3]);
    expect([s.mean, s.std, s.transform(5), s.inverse(s.transform(7))]).toEqual([2, 1, 3, 7]);
  });
});

describe('LSTM forecaster', () => {
  it('beats the naive and seasonal-naive forecasts on the held-out tail', async () => {
    const r = await runForecastExperiment(series, {
      seed: 1,
      trainDays: 1500,
      epochs: 15,
      lr: 0.01,
      hiddenSize: 16,
      window: 21,
    });
    expect(r.testDays).toBe(730);
    expect(r.testRange).toEqual(['1987-01-02', '1988-12-31']);
    expect(r.forecast.every(Number.isFinite)).toBe(true);
    expect(r.lstm.mae).toBeLessThan(r.naive.mae);
    expect(r.lstm.rmse).toBeLessThan(r.naive.rmse);
    expect(r.lstm.mae).toBeLessThan(r.seasonalNaive.mae);
    expect(r.lstm.rmse).toBeLessThan(r.seasonalNaive.rmse);
  });
});
