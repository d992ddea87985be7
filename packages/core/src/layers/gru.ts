/**
 * GRU with PyTorch's equations, gate order and parameters (`torch.nn.GRU`, batch-first):
 *
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
 *
 * The reset gate multiplies after the recurrent matmul (PyTorch/cuDNN's variant). `weight_ih_l{k}` is
 * `[3H, I]` stacking (W_ir | W_iz | W_in), likewise `weight_hh`, `bias_*`.
 */
import type { Kernels } from '../kernels/types.ts';
import { RecurrentLayer, type RecurrentOptions } from './recurrent.ts';
import {
  CellRunner,
  copyRange,
  type DirectionWeights,
  fit,
  from,
  type SweepScratch,
} from './recurrent-cell.ts';

const EMPTY = new Float32Array(0);

class GruRunner extends CellRunner {
  readonly carried = 1;
  /** x·W_ihᵀ + b_ih for all rows [total, 3H]. */
  private xg: Float32Array = EMPTY;
  /** (r, z, n, W_hn h + b_hn) per row for the backward [total, 4H]. */
  private saved: Float32Array = EMPTY;
  /** h_prev·W_hhᵀ + b_hh of the current step [B, 3H]. */
  private hg: Float32Array = EMPTY;

  constructor(hidden: number, scratch: SweepScratch) {
    super(hidden, scratch);
    this.prev.push(EMPTY);
    this.cur.push(EMPTY);
  }

  ensure(total: number, batch: number): void {
    const h = this.hidden;
    this.xg = fit(this.xg, total * 3 * h);
    this.saved = fit(this.saved, total * 4 * h);
    this.hg = fit(this.hg, batch * 3 * h);
    this.prev[0] = fit(this.prev[0]!, total * h);
    this.cur[0] = fit(this.cur[0]!, total * h);
  }

  project(
    k: Kernels,
    total: number,
    inSize: number,
    input: Float32Array,
    w: DirectionWeights,
    packedIh: Float32Array | null = null,
  ): void {
    const g = 3 * this.hidden;
    if (packedIh)
      k.gemmPacked(total, g, inSize, input, packedIh, this.xg, false); // [total, 3H]
    else k.gemm('nt', total, g, inSize, input, w.wIh.data, this.xg, false);
    if (w.bIh) k.addBias(total, g, this.xg, w.bIh.data);
  }

  stepForward(k: Kernels, off: number, n: number, w: DirectionWeights, packedHh: Float32Array | null): void {
    const h = this.hidden;
    const hPrev = from(this.prev[0]!, off * h);
    if (packedHh)
      k.gemmPacked(n, 3 * h, h, hPrev, packedHh, this.hg, false); // [n, 3H]
    else k.gemm('nt', n, 3 * h, h, hPrev, w.wHh.data, this.hg, false);
    if (w.bHh) k.addBias(n, 3 * h, this.hg, w.bHh.data);
    k.gruForward(
      n,
      h,
      from(this.xg, off * 3 * h),
      this.hg,
      hPrev,
      from(this.cur[0]!, off * h),
      from(this.saved, off * 4 * h),
    );
  }

  stepBackward(k: Kernels, off: number, n: number, _w: DirectionWeights, packedHh: Float32Array): void {
    const h = this.hidden;
    const s = this.scratch;
    const dh = s.carry[0];
    const dhg = from(s.dB, off * 3 * h);
    k.gruBackward(
      n,
      h,
      from(this.saved, off * 4 * h),
      from(this.prev[0]!, off * h),
      dh,
      from(s.dA, off * 3 * h),
      dhg,
      s.tmp,
    );
    k.gemmPacked(n, h, 3 * h, dhg, packedHh, s.tmp, true); // dh_prev = z⊙dh + dHg · W_hh
    copyRange(s.tmp, 0, dh, 0, n * h);
  }

  get projection(): Float32Array {
    return this.xg;
  }

  get dIh(): Float32Array {
    return this.scratch.dA;
  }

  get dHh(): Float32Array {
    return this.scratch.dB;
  }
}

/**
 * Gated recurrent unit layer stack (PyTorch `nn.GRU` semantics, batch-first).
 * State: `{ h }` `[L·D, B, H]`. See {@link RecurrentLayer} for forward/step and the parameters.
 */
export class GRU extends RecurrentLayer {
  constructor(options: RecurrentOptions) {
    super(options, { kind: 'GRU', gates: 3, cellState: false, runner: (h, s) => new GruRunner(h, s) });
  }
}
