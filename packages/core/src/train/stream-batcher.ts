import { DataError, OptionError } from '../errors.ts';
import type { BatchSource, BatchSourceState } from './batch-source.ts';
import { checkSourceState } from './check-source-state.ts';

/** One batch of a contiguous token stream for truncated back-propagation through time. */
export interface StreamBatch {
  /** Input ids `[B, T]`, row-major. */
  inputs: Int32Array;
  /** Target ids `[B, T]`: each input's next token. */
  targets: Int32Array;
  /** Rows (parallel streams). */
  batch: number;
  /** Time steps. */
  steps: number;
  /**
   * True on the first batch of an epoch: the streams restart from their beginnings, so a carried hidden
   * state must be reset to zeros rather than continued.
   */
  reset: boolean;
  /** Epoch this batch belongs to (0-based). */
  epoch: number;
}

/** Options for {@link StreamBatcher}. */
export interface StreamBatcherOptions {
  /** Parallel streams per batch, B (default 32). */
  batchSize?: number;
  /** Time steps per batch, T: the truncation length of back-propagation through time (default 64). */
  seqLen?: number;
}

/**
 * Cuts one long token sequence into B contiguous streams and walks them T tokens at a time, the classic
 * language-model batching (Zaremba et al. 2014): row b of batch i continues row b of batch i-1, so a
 * hidden state carried across batches (and detached) sees the text in order. Every epoch walks the same
 * positions; the tail that does not fill a whole batch is left out. The state is `{epoch, index}`.
 */
export class StreamBatcher implements BatchSource<StreamBatch> {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly batchesPerEpoch: number;
  /** Tokens in each stream (inputs; the targets reach one further). */
  readonly streamLength: number;
  private readonly tokens: Int32Array;
  private epoch = 0;
  private index = 0;

  constructor(tokens: Int32Array, options: StreamBatcherOptions = {}) {
    this.batchSize = options.batchSize ?? 32;
    this.seqLen = options.seqLen ?? 64;
    for (const [k, v] of [
      ['batchSize', this.batchSize],
      ['seqLen', this.seqLen],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new OptionError(`StreamBatcher ${k}`, 'an integer >= 1', String(v));
    }
    this.tokens = tokens;
    this.streamLength = Math.floor((tokens.length - 1) / this.batchSize);
    this.batchesPerEpoch = Math.floor(this.streamLength / this.seqLen);
    if (this.batchesPerEpoch < 1) {
      const need = this.batchSize * this.seqLen + 1;
      throw new DataError(
        'token stream for batching',
        `at least ${need} tokens (batchSize ${this.batchSize} x seqLen ${this.seqLen} + 1)`,
        `${tokens.length}`,
      );
    }
  }

  next(): StreamBatch {
    const B = this.batchSize;
    const T = this.seqLen;
    const inputs = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = b * this.streamLength + this.index * T;
      inputs.set(this.tokens.subarray(start, start + T), b * T);
      targets.set(this.tokens.subarray(start + 1, start + T + 1), b * T);
    }
    const out: StreamBatch = {
      inputs,
      targets,
      batch: B,
      steps: T,
      reset: this.index === 0,
      epoch: this.epoch,
    };
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
    checkSourceState('StreamBatcher', state, this.batchesPerEpoch);
    this.epoch = state.epoch;
    this.index = state.index;
  }
}
