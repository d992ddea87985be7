/**
 * What a training loop reports while it runs. Every method is optional; a CLI draws a progress bar from
 * them, a program logs or plots them. Steps count completed optimizer updates (the first is step 1).
 */
export interface TrainEvents {
  /** Once, before the first step (after a resume, `step` is where training continues). */
  start?(e: {
    step: number;
    maxSteps: number | null;
    maxMillis: number | null;
    batchesPerEpoch: number;
  }): void;
  /** After every optimizer update. `loss` is this batch's mean loss; `tokensPerSec` averages this run. */
  step?(e: {
    step: number;
    loss: number;
    tokensPerSec: number;
    lr: number;
    epoch: number;
    elapsedMs: number;
  }): void;
  /** After every validation (metric names come from the caller's `validate`). */
  validate?(e: { step: number; metrics: Record<string, number> }): void;
  /** After a checkpoint was written (atomically) to `path`. */
  checkpoint?(e: { step: number; path: string }): void;
}

/** Why a training run stopped. */
export type StopReason = 'steps' | 'epochs' | 'time' | 'early-stopping' | 'aborted';

/** One validation's metrics, taken after `step` updates. */
export interface ValidationRecord {
  step: number;
  metrics: Record<string, number>;
}
