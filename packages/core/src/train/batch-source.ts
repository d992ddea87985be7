/**
 * Where a training loop gets its batches. A source is deterministic given its construction arguments and
 * its {@link BatchSourceState}, so a checkpoint that stores the state resumes on exactly the next batch.
 */

/** The position of a {@link BatchSource}: plain JSON, stored in checkpoints. */
export interface BatchSourceState {
  /** Epochs completed so far (0 during the first pass). */
  epoch: number;
  /** Index of the next batch within the epoch. */
  index: number;
}

/** An endless, resumable stream of batches; it moves to the next epoch by itself. */
export interface BatchSource<B> {
  /** The next batch (after the last batch of an epoch comes the first of the next). */
  next(): B;
  /** Batches in one epoch (> 0). */
  readonly batchesPerEpoch: number;
  /** Where the next {@link next} call will read. */
  getState(): BatchSourceState;
  /** Moves to a position from {@link getState} (validated: a bad state throws and changes nothing). */
  setState(state: BatchSourceState): void;
}
