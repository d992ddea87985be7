import { DataError, OptionError } from '../errors.ts';
import { Rng } from '../rng.ts';
import type { BatchSource, BatchSourceState } from './batch-source.ts';
import { checkSourceState } from './check-source-state.ts';

/** Options for {@link BucketBatcher}. */
export interface BucketBatcherOptions<E> {
  /** Examples per batch (default 32). */
  batchSize?: number;
  /** Length of an example, the key examples are bucketed by (required). */
  lengthOf: (example: E) => number;
  /**
   * Batches per sorting window (default 50): each epoch's shuffled order is cut into windows of
   * `batchSize * window` examples, each window is sorted by length and cut into batches, so a batch holds
   * examples of similar length (little padding) while batches still differ from epoch to epoch.
   */
  window?: number;
  /** Seed of the per-epoch shuffles (default 0). Epoch e is shuffled by `new Rng(seed + e)`. */
  seed?: number;
  /** Drop the last batch of an epoch if it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/**
 * Batches variable-length examples for padded training with length bucketing. Each epoch's order is a
 * pure function of `seed` and the epoch number, so the position `{epoch, index}` is all a checkpoint needs.
 * Batches are arrays of examples; {@link padBatch} turns id sequences into a padded `[B, T]` block.
 */
export class BucketBatcher<E> implements BatchSource<E[]> {
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  private readonly examples: readonly E[];
  private readonly lengths: Int32Array;
  private readonly window: number;
  private readonly seed: number;
  private readonly dropLast: boolean;
  private epoch = 0;
  private index = 0;
  private plan: Int32Array[] | null = null;
  private planEpoch = -1;

  constructor(examples: readonly E[], options: BucketBatcherOptions<E>) {
    this.batchSize = options.batchSize ?? 32;
    this.window = options.window ?? 50;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new OptionError('BucketBatcher batchSize', 'an integer >= 1', String(this.batchSize));
    }
    if (!Number.isInteger(this.window) || this.window < 1) {
      throw new OptionError('BucketBatcher window', 'an integer >= 1', String(this.window));
    }
    this.examples = examples;
    this.lengths = Int32Array.from(examples, (e) => options.lengthOf(e));
    const full = Math.floor(examples.length / this.batchSize);
    this.batchesPerEpoch = this.dropLast || examples.length % this.batchSize === 0 ? full : full + 1;
    if (this.batchesPerEpoch < 1) {
      throw new DataError(
        'examples for batching',
        this.dropLast ? `at least batchSize (${this.batchSize}) examples` : 'at least one example',
        `${examples.length}`,
      );
    }
  }

  next(): E[] {
    const plan = this.epochPlan(this.epoch);
    const ids = plan[this.index]!;
    const out = Array.from(ids, (i) => this.examples[i]!);
    this.index++;
    if (this.index === this.batchesPerEpoch) {
      this.index = 0;
      this.epoch++;
    }
    return out;
  }

  getState(): BatchSourceState {
    return { epoch: this.epoch, index: this.index };
  }

  setState(state: BatchSourceState): void {
    checkSourceState('BucketBatcher', state, this.batchesPerEpoch);
    this.epoch = state.epoch;
    this.index = state.index;
  }

  /** The batches (as example indices) of epoch `e`, in the order they are served. */
  private epochPlan(e: number): Int32Array[] {
    if (this.plan !== null && this.planEpoch === e) return this.plan;
    const rng = new Rng(this.seed + e);
    const order = rng.shuffle(Int32Array.from(this.examples, (_, i) => i));
    const span = this.batchSize * this.window;
    const batches: Int32Array[] = [];
    for (let w = 0; w < order.length; w += span) {
      // A stable sort by length inside the window (ties keep their shuffled order).
      const win = Array.from(order.subarray(w, w + span)).sort((a, b) => this.lengths[a]! - this.lengths[b]!);
      for (let s = 0; s < win.length; s += this.batchSize) {
        const chunk = win.slice(s, s + this.batchSize);
        if (chunk.length < this.batchSize && this.dropLast) continue;
        batches.push(Int32Array.from(chunk));
      }
    }
    // Windows are whole multiples of batchSize, so only the last one can end in a short batch: the count
    // matches batchesPerEpoch. Shuffling the batch order spreads the lengths over the epoch.
    rng.shuffle(batches);
    this.plan = batches;
    this.planEpoch = e;
    return this.plan;
  }
}

/** A padded block of id sequences. */
export interface PaddedBatch {
  /** Ids `[B, T]`, row-major, `pad` after each sequence's end. */
  ids: Int32Array;
  /** Each sequence's length `[B]`. */
  lengths: Int32Array;
  /** Rows, B. */
  batch: number;
  /** Columns, T: the longest length. */
  steps: number;
}

/** Pads id sequences to the longest one: `[B, T]` ids plus their lengths. */
export function padBatch(seqs: readonly ArrayLike<number>[], pad: number): PaddedBatch {
  const B = seqs.length;
  let T = 0;
  for (const s of seqs) T = Math.max(T, s.length);
  const ids = new Int32Array(B * T).fill(pad);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const s = seqs[b]!;
    ids.set(s, b * T);
    lengths[b] = s.length;
  }
  return { ids, lengths, batch: B, steps: T };
}
