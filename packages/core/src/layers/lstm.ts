/**
 * LSTM with PyTorch's equations, gate order and parameters (`torch.nn.LSTM`, batch-first):
 *
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c' = f ⊙ c + i ⊙ g                        h' = o ⊙ tanh(c')
 *
 * `weight_ih_l{k}` is `[4H, I]` stacking (W_ii | W_if | W_ig | W_io), likewise `weight_hh`, `bias_*`.
 */
import type { Kernels } from '../kernels/types.ts';
import { RecurrentLayer, type RecurrentOptions } from './recurrent.ts';
import { CellRunner, type DirectionWeights, fit, from, type SweepScratch } from './recurrent-cell.ts';

const EMPTY = new Float32Array(0);

class LstmRunner extends CellRunner {
  readonly carried = 2;
  /** Pre-activations, activated in place by the step: (i, f, g, o) [total, 4H]. */
  private gates: Float32Array = EMPTY;
  /** tanh(c') [total, H]. */
  private tanhC: Float32Array = EMPTY;

  constructor(hidden: number, scratch: SweepScratch) {
    super(hidden, scratch);
    this.prev.push(EMPTY, EMPTY);
    this.cur.push(EMPTY, EMPTY);
  }

  ensure(total: number): void {
    const h = this.hidden;
    this.gates = fit(this.gates, total * 4 * h);
    this.tanhC = fit(this.tanhC, total * h);
    for (let c = 0; c < 2; c++) {
      this.prev[c] = fit(this.prev[c]!, total * h);
      this.cur[c] = fit(this.cur[c]!, total * h);
    }
  }

  project(
    k: Kernels,
    total: number,
    inSize: number,
    input: Float32Array,
    w: DirectionWeights,
    packedIh: Float32Array | null = null,
  ): void {
    const g = 4 * this.hidden;
    if (packedIh)
      k.gemmPacked(total, g, inSize, input, packedIh, this.gates, false); // [total, 4H]
    else k.gemm('nt', total, g, inSize, input, w.wIh.data, this.gates, false);
    if (w.bIh) k.addBias(total, g, this.gates, w.bIh.data);
    if (w.bHh) k.addBias(total, g, this.gates, w.bHh.data);
  }

  stepForward(k: Kernels, off: number, n: number, w: DirectionWeights, packedHh: Float32Array | null): void {
    const h = this.hidden;
    const gates = from(this.gates, off * 4 * h);
    const hPrev = from(this.prev[0]!, off * h);
    const o = off * h;
    if (packedHh) {
      k.lstmStepPacked(
        n,
        h,
        hPrev,
        packedHh,
        gates,
        from(this.prev[1]!, o),
        from(this.cur[1]!, o),
        from(this.tanhC, o),
        from(this.cur[0]!, o),
      );
      return;
    }
    k.gemm('nt', n, 4 * h, h, hPrev, w.wHh.data, gates, true);
    k.lstmForward(
      n,
      h,
      gates,
      from(this.prev[1]!, o),
      from(this.cur[1]!, o),
      from(this.tanhC, o),
      from(this.cur[0]!, o),
    );
  }

  stepBackward(k: Kernels, off: number, n: number, _w: DirectionWeights, packedHh: Float32Array): void {
    const h = this.hidden;
    const o = off * h;
    const dG = from(this.scratch.dA, off * 4 * h);
    const [dh, dc] = this.scratch.carry;
    k.lstmBackward(
      n,
      h,
      from(this.gates, off * 4 * h),
      from(this.prev[1]!, o),
      from(this.tanhC, o),
      dh,
      dc,
      dG,
    );
    k.gemmPacked(n, h, 4 * h, dG, packedHh, dh, false); // dh_prev = dGates · W_hh
  }

  get projection(): Float32Array {
    return this.gates;
  }

  get dIh(): Float32Array {
    return this.scratch.dA;
  }

  get dHh(): Float32Array {
    return this.scratch.dA;
  }
}

/**
 * Long short-term memory layer stack (PyTorch `nn.LSTM` semantics, batch-first).
 * State: `{ h, c }`, each `[L·D, B, H]`. See {@link RecurrentLayer} for forward/step and the parameters.
 */
export class LSTM extends RecurrentLayer {
  constructor(options: RecurrentOptions) {
    super(options, { kind: 'LSTM', gates: 4, cellState: true, runner: (h, s) => new LstmRunner(h, s) });
  }
}
