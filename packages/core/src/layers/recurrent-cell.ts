/**
 * The per-cell half of the recurrent layers (internal). A {@link CellRunner} owns the buffers one
 * direction of one layer keeps between its forward and backward sweeps and does the cell's arithmetic
 * for one time step; the time loop, packing, state hand-over and the weight-gradient GEMMs live in
 * `recurrent.ts` and are shared by RNN, LSTM and GRU.
 *
 * All buffers are in the packed layout of `packed-batch.ts`: row `offsets[t] + s` is sorted batch row s
 * at step t; a step's block of rows starts at `off` and has `n` rows.
 */
import type { Kernels } from '../kernels/types.ts';
import { allocF32 } from '../memory.ts';
import type { Parameter } from '../tensor.ts';

/** The weights of one direction of one layer, PyTorch layout (`G` = gates: 1 RNN, 4 LSTM, 3 GRU). */
export interface DirectionWeights {
  /** `weight_ih_l{k}[_reverse]` [G·H, I]. */
  readonly wIh: Parameter;
  /** `weight_hh_l{k}[_reverse]` [G·H, H]. */
  readonly wHh: Parameter;
  /** `bias_ih_l{k}[_reverse]` [G·H], or null with `bias: false`. */
  readonly bIh: Parameter | null;
  /** `bias_hh_l{k}[_reverse]` [G·H], or null with `bias: false`. */
  readonly bHh: Parameter | null;
}

/** A buffer of at least `n` floats: `buf` itself when big enough, else a new one (with slack). */
export function fit(buf: Float32Array, n: number): Float32Array {
  if (buf.length >= n) return buf;
  // Variable-length batches change the packed row count every batch; slack stops repeated regrowth.
  return allocF32(buf.length === 0 ? n : Math.max(n, Math.ceil(buf.length * 1.25)));
}

/**
 * dst[dOff .. dOff+len) = src[sOff .. sOff+len). Very short ranges copy element by element, without
 * allocating a view; others as one memory copy through a view, several times faster on wasm-memory arrays
 * once the view's cost is spread over a few dozen elements.
 */
export function copyRange(
  src: Float32Array,
  sOff: number,
  dst: Float32Array,
  dOff: number,
  len: number,
): void {
  if (len >= LONG_COPY) {
    // A plain view made directly: a backend's subclassed `subarray` costs far more to construct.
    dst.set(new Float32Array(src.buffer, src.byteOffset + sOff * 4, len), dOff);
    return;
  }
  for (let i = 0; i < len; i++) dst[dOff + i] = src[sOff + i]!;
}

/** Ranges at least this long are copied through one view and one memory copy. */
const LONG_COPY = 16;
/** Ranges at least this long are added by one kernel call (whose fixed cost is a few microseconds). */
const LONG_RANGE = 128;

/**
 * dst[dOff .. dOff+len) += src[sOff .. sOff+len): long ranges through the kernels (`addBias` over one row
 * of `len` columns is exactly this sum, in SIMD), short ones element by element.
 */
export function addRange(
  k: Kernels,
  src: Float32Array,
  sOff: number,
  dst: Float32Array,
  dOff: number,
  len: number,
): void {
  if (len >= LONG_RANGE) {
    k.addBias(1, len, dst.subarray(dOff, dOff + len), src.subarray(sOff, sOff + len));
    return;
  }
  for (let i = 0; i < len; i++) dst[dOff + i] = dst[dOff + i]! + src[sOff + i]!;
}

/**
 * `buf.subarray(off)`, or `buf` itself at offset 0: views on wasm memory are costly to make, and the
 * one-step path (generation) calls this several times per token with offset 0.
 */
export function from(buf: Float32Array, off: number): Float32Array {
  return off === 0 ? buf : buf.subarray(off);
}

const EMPTY = new Float32Array(0);

/** The cell kinds, named as PyTorch's `mode` (and the fixtures) name them. */
export type RecurrentKind = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** How a subclass of `RecurrentLayer` specialises the shared machinery. */
export interface CellSpec {
  /** PyTorch's mode name. */
  kind: RecurrentKind;
  /** Gate blocks G in the weight rows (`[G·H, ·]`): 1 RNN, 4 LSTM, 3 GRU. */
  gates: number;
  /** Whether the state has a cell part `c` (LSTM). */
  cellState: boolean;
  /** Builds this cell's buffers/arithmetic for one direction of one layer. */
  runner(hidden: number, scratch: SweepScratch): CellRunner;
}

/**
 * Backward scratch shared by every runner of one workspace: directions and layers are differentiated
 * one after another, so one set of gate-gradient buffers serves them all.
 */
export class SweepScratch {
  /** Gradient of the input-side pre-activations for all packed rows [total, G·H]. */
  dA: Float32Array = EMPTY;
  /** Gradient of the hidden-side pre-activations [total, G·H] (GRU only; RNN/LSTM share `dA`). */
  dB: Float32Array = EMPTY;
  /** Gradient carried between steps for each carried state (h, then c) [B, H]. */
  readonly carry: [Float32Array, Float32Array] = [EMPTY, EMPTY];
  /** [B, H] temporary. */
  tmp: Float32Array = EMPTY;

  ensure(total: number, batch: number, gateWidth: number, hidden: number, needB: boolean): void {
    this.dA = fit(this.dA, total * gateWidth);
    if (needB) this.dB = fit(this.dB, total * gateWidth);
    this.carry[0] = fit(this.carry[0], batch * hidden);
    this.carry[1] = fit(this.carry[1], batch * hidden);
    this.tmp = fit(this.tmp, batch * hidden);
  }
}

/** One cell type's buffers and step arithmetic for one direction of one layer. */
export abstract class CellRunner {
  /** Hidden size H. */
  readonly hidden: number;
  /** States carried from step to step: 1 (h) or 2 (h, c). */
  abstract readonly carried: 1 | 2;
  /** Previous state of every packed row, per carried state [total, H] (prev[0] is H_prev for dW_hh). */
  readonly prev: Float32Array[] = [];
  /** New state of every packed row, per carried state [total, H] (cur[0] is the layer output h). */
  readonly cur: Float32Array[] = [];
  protected readonly scratch: SweepScratch;

  constructor(hidden: number, scratch: SweepScratch) {
    this.hidden = hidden;
    this.scratch = scratch;
  }

  /** Grows the buffers to hold `total` packed rows and `batch` rows of one step. */
  abstract ensure(total: number, batch: number): void;

  /**
   * Input projection of all packed rows at once: `input [total, I] · W_ihᵀ` (+ biases) into the gate buffer.
   * `packedIh`: W_ihᵀ packed by `k.packB(true, I, G·H, W_ih)` (a whole sequence: the packed tile is the
   * faster product for many rows), or null for the dot-product form (one step; also what
   * `projectInput` uses, so its rows are the bits `step` computes).
   */
  abstract project(
    k: Kernels,
    total: number,
    inSize: number,
    input: Float32Array,
    w: DirectionWeights,
    packedIh?: Float32Array | null,
  ): void;

  /**
   * One step over rows [off, off+n): reads `prev`, writes `cur` (and what the backward needs).
   * `packedHh`: W_hhᵀ packed by `k.packB(true, H, G·H, W_hh)` for the whole sweep, or null (one step
   * alone: the plain `nt` product).
   */
  abstract stepForward(
    k: Kernels,
    off: number,
    n: number,
    w: DirectionWeights,
    packedHh: Float32Array | null,
  ): void;

  /**
   * Backward of one step: `scratch.carry[c]` rows [0, n) hold the gradient of `cur[c]` at this step; writes
   * the gate gradients at rows [off, off+n) of {@link dIh}/{@link dHh} and overwrites the carries with the
   * gradient of `prev[c]`. `packedHh`: W_hh `[G·H, H]` packed by `k.packB(false, G·H, H, W_hh)`.
   */
  abstract stepBackward(
    k: Kernels,
    off: number,
    n: number,
    w: DirectionWeights,
    packedHh: Float32Array,
  ): void;

  /**
   * The buffer {@link project} writes, [total, G·H]: the input-side pre-activations each step then
   * completes (LSTM and RNN: x·W_ihᵀ + b_ih + b_hh; GRU: x·W_ihᵀ + b_ih, its b_hh joins the recurrent part).
   */
  abstract get projection(): Float32Array;

  /** Gradient of `x·W_ihᵀ + b_ih` for all packed rows [total, G·H] after the sweep. */
  abstract get dIh(): Float32Array;
  /** Gradient of `h_prev·W_hhᵀ + b_hh` for all packed rows [total, G·H] after the sweep. */
  abstract get dHh(): Float32Array;
}
