/**
 * Elman RNN with PyTorch's equations and parameters (`torch.nn.RNN`, batch-first):
 *
 *   h' = act(W_ih x + b_ih + W_hh h + b_hh),   act = tanh (default) or relu.
 *
 * `weight_ih_l{k}` is `[H, I]`, `weight_hh_l{k}` `[H, H]`, `bias_*` `[H]`.
 */
import { OptionError } from '../errors.ts';
import type { Kernels } from '../kernels/types.ts';
import { RecurrentLayer, type RecurrentOptions } from './recurrent.ts';
import { CellRunner, type DirectionWeights, fit, from, type SweepScratch } from './recurrent-cell.ts';

const EMPTY = new Float32Array(0);

/** Options of {@link RNN}: the shared recurrent options plus the nonlinearity. */
export interface RnnOptions extends RecurrentOptions {
  /** The activation: `tanh` (default) or `relu`. */
  nonlinearity?: 'tanh' | 'relu';
}

class RnnRunner extends CellRunner {
  readonly carried = 1;
  private readonly relu: boolean;

  constructor(hidden: number, scratch: SweepScratch, relu: boolean) {
    super(hidden, scratch);
    this.relu = relu;
    this.prev.push(EMPTY);
    // cur[0] holds the pre-activation until the step activates it in place into h.
    this.cur.push(EMPTY);
  }

  ensure(total: number): void {
    this.prev[0] = fit(this.prev[0]!, total * this.hidden);
    this.cur[0] = fit(this.cur[0]!, total * this.hidden);
  }

  project(
    k: Kernels,
    total: number,
    inSize: number,
    input: Float32Array,
    w: DirectionWeights,
    packedIh: Float32Array | null = null,
  ): void {
    const h = this.hidden;
    const a = this.cur[0]!;
    if (packedIh)
      k.gemmPacked(total, h, inSize, input, packedIh, a, false); // [total, H]
    else k.gemm('nt', total, h, inSize, input, w.wIh.data, a, false);
    if (w.bIh) k.addBias(total, h, a, w.bIh.data);
    if (w.bHh) k.addBias(total, h, a, w.bHh.data);
  }

  stepForward(k: Kernels, off: number, n: number, w: DirectionWeights, packedHh: Float32Array | null): void {
    const h = this.hidden;
    const a = from(this.cur[0]!, off * h);
    const hPrev = from(this.prev[0]!, off * h);
    if (packedHh) k.gemmPacked(n, h, h, hPrev, packedHh, a, true);
    else k.gemm('nt', n, h, h, hPrev, w.wHh.data, a, true);
    if (this.relu) {
      for (let i = 0; i < n * h; i++) if (a[i]! < 0) a[i] = 0;
    } else {
      k.tanh(n * h, a, a);
    }
  }

  stepBackward(k: Kernels, off: number, n: number, _w: DirectionWeights, packedHh: Float32Array): void {
    const h = this.hidden;
    const y = this.cur[0]!;
    const dA = this.scratch.dA;
    const dh = this.scratch.carry[0];
    const o = off * h;
    if (this.relu) {
      for (let i = 0; i < n * h; i++) dA[o + i] = y[o + i]! > 0 ? dh[i]! : 0;
    } else {
      for (let i = 0; i < n * h; i++) {
        const v = y[o + i]!;
        dA[o + i] = dh[i]! * (1 - v * v);
      }
    }
    k.gemmPacked(n, h, h, from(dA, o), packedHh, dh, false); // dh_prev = dA · W_hh
  }

  get projection(): Float32Array {
    return this.cur[0]!;
  }

  get dIh(): Float32Array {
    return this.scratch.dA;
  }

  get dHh(): Float32Array {
    return this.scratch.dA;
  }
}

/**
 * Elman RNN layer stack (PyTorch `nn.RNN` semantics, batch-first), tanh or relu.
 * State: `{ h }` `[L·D, B, H]`. See {@link RecurrentLayer} for forward/step and the parameters.
 */
export class RNN extends RecurrentLayer {
  /** The activation. */
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RnnOptions) {
    const nl = options?.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') {
      throw new OptionError('RNN nonlinearity', "'tanh' or 'relu'", String(nl));
    }
    const relu = nl === 'relu';
    super(options, {
      kind: relu ? 'RNN_RELU' : 'RNN_TANH',
      gates: 1,
      cellState: false,
      runner: (h, s) => new RnnRunner(h, s, relu),
    });
    this.nonlinearity = nl;
  }
}
