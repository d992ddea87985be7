/**
 * The packed layout of a padded batch (PyTorch's `PackedSequence`): rows sorted by length, longest first
 * (stable), then stored time step by time step, keeping at step t only the `sizes[t]` rows still running.
 * A step's rows are contiguous, so the recurrent GEMM of step t is over exactly the live rows, and the
 * input projection of all steps is one GEMM over the `total` live rows with no padding.
 *
 * Packed row of (time t, sorted row s < sizes[t]) = `offsets[t] + s`; sorted row s is batch row `order[s]`.
 */
import { ShapeError } from '../errors.ts';
import type { Kernels } from '../kernels/types.ts';
import { plainF32 } from '../memory.ts';
import { addRange, copyRange } from './recurrent-cell.ts';

/** How a `[B, T, ·]` batch with per-row lengths maps onto packed rows. */
export class PackedBatch {
  /** Batch rows B. */
  readonly batch: number;
  /** Padded time steps T of the batch (the output keeps this many). */
  readonly time: number;
  /** Steps any row runs: max(lengths) ≤ T. */
  readonly steps: number;
  /** Live rows over all steps: Σ lengths. */
  readonly total: number;
  /** order[s] = batch row of sorted row s (lengths non-increasing in s). */
  readonly order: Int32Array;
  /** lengths[s] of sorted row s. */
  readonly lengths: Int32Array;
  /** sizes[t] = rows live at step t, for t in [0, steps]; sizes[steps] = 0. Non-increasing. */
  readonly sizes: Int32Array;
  /** offsets[t] = first packed row of step t, for t in [0, steps]; offsets[steps] = total. */
  readonly offsets: Int32Array;

  /**
   * @param batch B; @param time T;
   * @param lengths per batch row, each in [1, T]; omitted = every row runs all T steps.
   */
  constructor(batch: number, time: number, lengths?: Int32Array) {
    this.batch = batch;
    this.time = time;
    const order = new Int32Array(batch);
    const lens = new Int32Array(batch);
    if (lengths === undefined) {
      for (let b = 0; b < batch; b++) {
        order[b] = b;
        lens[b] = time;
      }
    } else {
      if (lengths.length !== batch) {
        throw new ShapeError('lengths', `${batch} entries (one per batch row)`, `${lengths.length}`);
      }
      for (let b = 0; b < batch; b++) {
        const l = lengths[b]!;
        if (!Number.isInteger(l) || l < 1 || l > time) {
          throw new ShapeError(
            `lengths[${b}]`,
            `an integer in [1, ${time}] (the padded length T)`,
            String(l),
          );
        }
      }
      // Stable sort by length, longest first, so equal lengths keep batch order (deterministic).
      const idx = Array.from({ length: batch }, (_, b) => b);
      idx.sort((p, q) => lengths[q]! - lengths[p]! || p - q);
      for (let s = 0; s < batch; s++) {
        order[s] = idx[s]!;
        lens[s] = lengths[idx[s]!]!;
      }
    }
    this.order = order;
    this.lengths = lens;
    const steps = batch > 0 ? lens[0]! : 0;
    this.steps = steps;
    const sizes = new Int32Array(steps + 1);
    const offsets = new Int32Array(steps + 1);
    let live = batch;
    let total = 0;
    for (let t = 0; t < steps; t++) {
      while (live > 0 && lens[live - 1]! <= t) live--;
      sizes[t] = live;
      offsets[t] = total;
      total += live;
    }
    offsets[steps] = total;
    this.sizes = sizes;
    this.offsets = offsets;
    this.total = total;
  }

  /**
   * Gathers `src [B, T, F]` into `dst [total, F]` packed rows.
   */
  pack(features: number, src: Float32Array, dst: Float32Array): void {
    const { steps, sizes, offsets, order, time } = this;
    for (let t = 0; t < steps; t++) {
      const n = sizes[t]!;
      const o = offsets[t]!;
      for (let s = 0; s < n; s++) {
        copyRange(src, (order[s]! * time + t) * features, dst, (o + s) * features, features);
      }
    }
  }

  /**
   * Copies packed rows `src [total, F]` into `dst [B, T, F]` (padded positions untouched), a row per
   * memory copy.
   */
  unpack(features: number, src: Float32Array, dst: Float32Array): void {
    this.eachRow(features, (from, to) => copyRange(src, from, dst, to, features));
  }

  /** Adds packed rows `src [total, F]` into `dst [B, T, F]` (padded positions untouched). */
  unpackAdd(k: Kernels, features: number, src: Float32Array, dst: Float32Array): void {
    if (features >= 128) {
      this.eachRow(features, (from, to) => addRange(k, src, from, dst, to, features));
      return;
    }
    // Short rows: one element loop over plain views (monomorphic), cheaper than a kernel call per row.
    const s = plainF32(src);
    const d = plainF32(dst);
    this.eachRow(features, (from, to) => {
      for (let f = 0; f < features; f++) d[to + f] = d[to + f]! + s[from + f]!;
    });
  }

  /** Calls `f(packed offset, padded offset)` (in floats) for every live row. */
  private eachRow(features: number, f: (from: number, to: number) => void): void {
    const { steps, sizes, offsets, order, time } = this;
    for (let t = 0; t < steps; t++) {
      const n = sizes[t]!;
      const o = offsets[t]!;
      for (let s = 0; s < n; s++) f((o + s) * features, (order[s]! * time + t) * features);
    }
  }
}
