/**
 * `pnpm --filter @recurrent/example-time-series start [--quick]`: trains the LSTM forecaster on daily US
 * births and prints its errors on the held-out last two years next to the naive and seasonal-naive ones.
 */
import { loadUsBirths } from './births.ts';
import { runForecastExperiment } from './forecast-experiment.ts';

const quick = process.argv.includes('--quick');
const series = loadUsBirths();
console.log(`${series.source}: ${series.values.length} days, ${series.dates[0]} .. ${series.dates.at(-1)}`);
const t0 = performance.now();
const r = await runForecastExperiment(series, {
  ...(quick ? { trainDays: 1500, epochs: 8 } : {}),
  events: {
    validate: (e) => process.stderr.write(`step ${e.step}: validation mse ${e.metrics.mse?.toFixed(4)}\n`),
  },
});
const secs = ((performance.now() - t0) / 1000).toFixed(1);
console.log(
  `trained on ${r.trainWindows} windows (+${r.validationWindows} validation), ${r.steps} steps, stopped by ${r.stoppedBy}, ${secs} s`,
);
console.log(`test: ${r.testDays} days, ${r.testRange[0]} .. ${r.testRange[1]} (one step ahead)`);
const row = (name: string, e: { mae: number; rmse: number }) =>
  console.log(
    `  ${name.padEnd(16)} MAE ${e.mae.toFixed(1).padStart(7)}   RMSE ${e.rmse.toFixed(1).padStart(7)}`,
  );
row('LSTM', r.lstm);
row('naive (t-1)', r.naive);
row('seasonal (t-7)', r.seasonalNaive);
