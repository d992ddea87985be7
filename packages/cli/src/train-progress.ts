/**
 * Training progress on stderr: on a terminal a live bar (cli-progress) with loss, tokens/s and ETA;
 * elsewhere (a log file, a pipe) one plain line per validation. stdout is never touched, so it stays
 * free for the command's result.
 */
import type { TrainEvents } from '@recurrent/core';
import cliProgress from 'cli-progress';

/** Options for {@link trainProgress}. */
export interface TrainProgressOptions {
  /** Where the plain lines go (default: `process.stderr`). */
  write?: (s: string) => void;
  /** Draw the live bar on `process.stderr` (default: when it is a TTY). */
  bar?: boolean;
  /** Name of the validation metric to show (default `bitsPerChar`). */
  metric?: string;
}

/** {@link TrainEvents} that report progress, plus `stop()` to finish the bar. */
export interface TrainProgress extends TrainEvents {
  stop(): void;
}

/** Creates the progress reporter for one training run. */
export function trainProgress(options: TrainProgressOptions = {}): TrainProgress {
  const stream = process.stderr;
  const useBar = options.bar ?? stream.isTTY === true;
  const write = options.write ?? ((s: string) => void stream.write(s));
  const metric = options.metric ?? 'bitsPerChar';
  let bar: cliProgress.SingleBar | null = null;
  let total = 1;
  let byTime = false;
  let maxMillis = 0;
  let emaLoss: number | null = null;
  let valid = '-';
  const line = (s: string): void => write(`${s}\n`);
  return {
    start(e) {
      byTime = e.maxSteps === null;
      maxMillis = e.maxMillis ?? 0;
      total = byTime ? Math.max(1, Math.round(maxMillis / 1000)) : (e.maxSteps ?? 1);
      if (!useBar) return;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format:
            ' {bar} {percentage}% | step {step} | loss {loss} | {tps} tok/s | valid {valid} | ETA {eta_formatted}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, byTime ? 0 : e.step, { step: e.step, loss: '-', tps: '-', valid });
    },
    step(e) {
      // An exponential average reads better than the noisy per-batch loss.
      emaLoss = emaLoss === null ? e.loss : 0.95 * emaLoss + 0.05 * e.loss;
      if (!bar) return;
      const value = byTime ? Math.min(total, Math.round(e.elapsedMs / 1000)) : e.step;
      bar.update(value, { step: e.step, loss: emaLoss.toFixed(3), tps: Math.round(e.tokensPerSec), valid });
    },
    validate(e) {
      const v = e.metrics[metric];
      valid = v === undefined ? '-' : v.toFixed(3);
      if (bar) bar.update({ valid });
      else
        line(`step ${e.step}: train loss ${emaLoss?.toFixed(3) ?? '-'} nats/token, valid ${metric} ${valid}`);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
