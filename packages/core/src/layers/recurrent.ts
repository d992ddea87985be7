/**
 * What RNN, LSTM and GRU share: options, PyTorch parameters, stacking, bidirectionality, variable
 * lengths, inter-layer dropout, the time loop and its hand-written backward (BPTT).
 *
 * The batched formulation (also the fast path): per layer and direction the input projection of every
 * time step is ONE GEMM (`[rows, I] · W_ihᵀ`), each step then does only the recurrent GEMM
 * (`h_prev · W_hhᵀ`) and the fused cell kernel, and after the reverse sweep the weight gradients are
 * again single large GEMMs over all steps (`dW_ih = dGatesᵀ · X`, `dW_hh = dGatesᵀ · H_prev`).
 * A whole `forward` records one tape step whose closure runs that BPTT for every layer and direction.
 *
 * Variable lengths follow PyTorch's packed sequences: rows are processed in the packed layout of
 * {@link PackedBatch} (no work on padding), padded outputs are 0, the final state of a row is taken at
 * its last valid step, and the reverse direction starts there.
 */
import { fmtShape, OptionError, ShapeError } from '../errors.ts';
import { kernels } from '../kernels/backend.ts';
import type { Kernels } from '../kernels/types.ts';
import { allocF32, freshF32 } from '../memory.ts';
import { BaseModule } from '../module.ts';
import { Rng } from '../rng.ts';
import { Tape } from '../tape.ts';
import { assertShape, Parameter, Tensor } from '../tensor.ts';
import { PackedBatch } from './packed-batch.ts';
import {
  addRange,
  type CellRunner,
  type CellSpec,
  copyRange,
  type DirectionWeights,
  fit,
  type RecurrentKind,
  SweepScratch,
} from './recurrent-cell.ts';

export type { RecurrentKind } from './recurrent-cell.ts';

/** Options shared by {@link RNN}, {@link LSTM} and {@link GRU} (PyTorch's constructor arguments). */
export interface RecurrentOptions {
  /** Features of each input step, I. */
  inputSize: number;
  /** Features of the hidden state, H. */
  hiddenSize: number;
  /** Stacked layers L; layer k > 0 reads layer k−1's output. Default 1. */
  numLayers?: number;
  /** Also run each layer from each sequence's end; outputs concatenate [forward, reverse]. Default false. */
  bidirectional?: boolean;
  /** Dropout probability on each layer's output except the last one's, in training only. In [0, 1). Default 0. */
  dropout?: number;
  /** Learn `bias_ih`/`bias_hh`. Default true. */
  bias?: boolean;
  /** Draws the initial weights, uniform(−1/√H, 1/√H) as PyTorch, and later the dropout masks. */
  rng: Rng;
}

/**
 * The recurrent state, `[L·D, B, H]` each (index = layer·D + direction, direction 1 = reverse).
 * `c` is the LSTM cell state and is absent for RNN and GRU.
 */
export interface RecurrentState {
  h: Tensor;
  c?: Tensor;
}

/** Per-call options of {@link RecurrentLayer.forward}. */
export interface RecurrentForwardOptions {
  /** Valid steps of each batch row, each in [1, T]; omitted = all T. */
  lengths?: Int32Array;
  /** Initial state (e.g. carried from the previous batch); omitted = zeros. */
  state?: RecurrentState;
}

/** Result of {@link RecurrentLayer.forward}. */
export interface RecurrentOutput {
  /** Top layer's hidden state at every step, `[B, T, D·H]` ([forward | reverse]); 0 past each row's length. */
  output: Tensor;
  /** Final state of every layer and direction, `[L·D, B, H]`, from each row's last valid step. */
  state: RecurrentState;
}

/** Result of {@link RecurrentLayer.step}. */
export interface RecurrentStepOutput {
  /** The top layer's new hidden state `[B, H]` (the step's output). */
  output: Tensor;
  /** The new state of every layer `[L, B, H]`. */
  state: RecurrentState;
}

/**
 * One-step use of a unidirectional stack on weights packed once (see {@link RecurrentLayer.frozenSteps}):
 * the same results as the layer's `step`/`stepProjected` up to rounding, faster for generation.
 */
export interface FrozenSteps {
  /** {@link RecurrentLayer.step} on the weights as they were when these were made. */
  step(x: Tensor, state?: RecurrentState): RecurrentStepOutput;
  /** {@link RecurrentLayer.stepProjected} on the weights as they were when these were made. */
  stepProjected(projected: Tensor, state?: RecurrentState): RecurrentStepOutput;
  /**
   * `stepProjected` on rows `ids` of a projection table `[V, gateWidth]` (what `projectInput` of an
   * embedding gives), without gathering them into a tensor first: the rows go straight into the step's
   * buffers. Same results as `stepProjected(gatherRows(table, ids))`. Ids are the caller's to check.
   */
  stepTable(table: Tensor, ids: ArrayLike<number>, state?: RecurrentState): RecurrentStepOutput;
}

/** Per layer: W_ihᵀ (null for layer 0, whose input product stays the `projectInput` form) and W_hhᵀ, packed. */
interface StepPacks {
  kernels: Kernels;
  ih: (Float32Array | null)[];
  hh: Float32Array[];
}

/** A copy of `state` cut from every graph (truncated BPTT: carry the values, not the gradients). */
export function detachState(state: RecurrentState): RecurrentState {
  return state.c === undefined ? { h: state.h.detach() } : { h: state.h.detach(), c: state.c.detach() };
}

const EMPTY = new Float32Array(0);
const EMPTY_MASK = new Uint8Array(0);
const _NO_GRAD = Tape.noGrad();
const MAX_POOLED = 256;

function positiveInt(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new OptionError(what, 'a positive integer', String(v));
  }
  return v;
}

/** Everything one `forward` keeps until its backward: reused through a per-layer pool. */
class Workspace {
  plan: PackedBatch = new PackedBatch(0, 0);
  readonly scratch = new SweepScratch();
  readonly runners: CellRunner[];
  /** Packed layer-0 input [total, I]. */
  input: Float32Array = EMPTY;
  /** Per layer: packed output [total, D·H] (after dropout below the top: the next layer's input). */
  readonly outs: Float32Array[];
  /** Per layer below the top: the dropout keep-mask of `outs`. */
  readonly masks: Uint8Array[];
  gradA: Float32Array = EMPTY;
  gradB: Float32Array = EMPTY;
  /** W_hh of the direction being swept, packed for the per-step products. */
  packed: Float32Array = EMPTY;

  constructor(spec: CellSpec, hidden: number, layers: number, directions: number) {
    this.runners = Array.from({ length: layers * directions }, () => spec.runner(hidden, this.scratch));
    this.outs = Array.from({ length: layers }, () => EMPTY);
    this.masks = Array.from({ length: layers }, () => EMPTY_MASK);
  }
}

/**
 * A stack of recurrent layers with PyTorch's semantics, parameters and initialisation (batch-first).
 * Subclasses: {@link RNN}, {@link LSTM}, {@link GRU}.
 *
 * Parameters, in PyTorch's order and layout, for layer k and suffix `''`/`'_reverse'`:
 * `weight_ih_l{k} [G·H, I_k]`, `weight_hh_l{k} [G·H, H]`, `bias_ih_l{k} [G·H]`, `bias_hh_l{k} [G·H]`
 * (I_0 = inputSize, I_k = D·H), so a PyTorch `state_dict` loads without reshuffling.
 */
export abstract class RecurrentLayer extends BaseModule {
  /** PyTorch's name for the cell kind. */
  readonly kind: RecurrentKind;
  /** Features of each input step, I. */
  readonly inputSize: number;
  /** Hidden size H. */
  readonly hiddenSize: number;
  /** Stacked layers L. */
  readonly numLayers: number;
  /** Whether each layer also runs in reverse. */
  readonly bidirectional: boolean;
  /** Directions D: 1, or 2 when bidirectional. */
  readonly directions: 1 | 2;
  /** Dropout probability between layers (training only). */
  readonly dropout: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether the state has a cell part `c` (LSTM). */
  readonly hasCellState: boolean;
  /** Weights of layer k, direction d at index k·D + d. */
  readonly cells: readonly DirectionWeights[];

  private readonly spec: CellSpec;
  private readonly rng: Rng;
  private readonly allParams: Parameter[];
  /** Buffers of {@link step}, one runner per layer, kept between calls. */
  private stepRunners: CellRunner[] | null = null;
  private readonly pool: Workspace[] = [];

  protected constructor(options: RecurrentOptions, spec: CellSpec) {
    super();
    const kind = spec.kind;
    if (typeof options !== 'object' || options === null) {
      throw new OptionError(`${kind} options`, 'an options object', String(options));
    }
    this.kind = kind;
    this.spec = spec;
    this.inputSize = positiveInt(`${kind} inputSize`, options.inputSize);
    this.hiddenSize = positiveInt(`${kind} hiddenSize`, options.hiddenSize);
    this.numLayers = positiveInt(`${kind} numLayers`, options.numLayers ?? 1);
    const bidi = options.bidirectional ?? false;
    if (typeof bidi !== 'boolean') throw new OptionError(`${kind} bidirectional`, 'a boolean', String(bidi));
    this.bidirectional = bidi;
    this.directions = bidi ? 2 : 1;
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) {
      throw new OptionError(`${kind} dropout`, 'a probability in [0, 1)', String(p));
    }
    this.dropout = p;
    const bias = options.bias ?? true;
    if (typeof bias !== 'boolean') throw new OptionError(`${kind} bias`, 'a boolean', String(bias));
    this.bias = bias;
    if (!(options.rng instanceof Rng)) {
      throw new OptionError(`${kind} rng`, 'an Rng (all randomness is seeded)', String(options.rng));
    }
    this.rng = options.rng;
    this.hasCellState = spec.cellState;

    const H = this.hiddenSize;
    const G = spec.gates;
    const bound = 1 / Math.sqrt(H);
    const uniform = (shape: number[]): Parameter => {
      const w = Parameter.zeros(shape);
      for (let i = 0; i < w.data.length; i++) w.data[i] = this.rng.range(-bound, bound);
      return w;
    };
    const cells: DirectionWeights[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? this.inputSize : this.directions * H;
      for (let d = 0; d < this.directions; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        // Registration order = PyTorch's named_parameters() order, which its init also follows.
        const wIh = this.param(`weight_ih${sfx}`, uniform([G * H, inSize]));
        const wHh = this.param(`weight_hh${sfx}`, uniform([G * H, H]));
        const bIh = bias ? this.param(`bias_ih${sfx}`, uniform([G * H])) : null;
        const bHh = bias ? this.param(`bias_hh${sfx}`, uniform([G * H])) : null;
        cells.push({ wIh, wHh, bIh, bHh });
      }
    }
    this.cells = cells;
    this.allParams = [...this.parameters()].map(([, q]) => q);
  }

  /** Width of the gate pre-activations, G·H (G = 1 RNN, 4 LSTM, 3 GRU): the columns of {@link projectInput}. */
  get gateWidth(): number {
    return this.spec.gates * this.hiddenSize;
  }

  /** Features of each output step: D·H. */
  get outputSize(): number {
    return this.directions * this.hiddenSize;
  }

  /** A zero state for `batch` rows: `h` (and `c` for LSTM) `[L·D, batch, H]`. */
  zeroState(batch: number): RecurrentState {
    const shape = [this.numLayers * this.directions, batch, this.hiddenSize];
    return this.hasCellState
      ? { h: Tensor.zeros(shape), c: Tensor.zeros(shape) }
      : { h: Tensor.zeros(shape) };
  }

  /**
   * Runs the stack over a padded batch `x [B, T, I]`.
   * Returns `output [B, T, D·H]` and the final `state` (`h`, and `c` for LSTM, `[L·D, B, H]`).
   * Records one backward step on `tape` when anything involved requires grad.
   * @throws ShapeError for a wrong input width or rank, a wrong state shape, or lengths out of [1, T].
   */
  forward(tape: Tape, x: Tensor, options: RecurrentForwardOptions = {}): RecurrentOutput {
    return this.run(tape, x, options, this.training && this.dropout > 0 && this.numLayers > 1);
  }

  /**
   * One time step without a tape (generation): `x [B, I]` and the current state (omitted = zeros) give the
   * top layer's new hidden state `output [B, H]` and the new `state`. Equals `forward` on `[B, 1, I]` in
   * eval mode; never applies dropout.
   * @throws OptionError on a bidirectional layer (its reverse direction needs the whole sequence).
   */
  step(x: Tensor, state?: RecurrentState): RecurrentStepOutput {
    this.assertSteppable('step');
    assertShape(`${this.kind}.step input x [B, inputSize]`, x, [-1, this.inputSize]);
    return this.stepRows(x.dim(0), x.data, false, state);
  }

  /**
   * The first layer's input-side pre-activations of each row of `x [N, I]`, `[N, G·H]`: what
   * {@link stepProjected} takes instead of the input. For a fixed set of inputs (an embedding table)
   * this is computed once and every later step skips the input product; the values are the same bits
   * `step` computes, because each output row of a product is summed the same way whatever the batch.
   * Reflects the weights at the time of the call.
   */
  projectInput(x: Tensor): Tensor {
    assertShape(`${this.kind}.projectInput x [N, inputSize]`, x, [-1, this.inputSize]);
    const n = x.dim(0);
    const out = Tensor.zeros([n, this.gateWidth]);
    if (n === 0) return out;
    const r = this.spec.runner(this.hiddenSize, new SweepScratch());
    r.ensure(n, n);
    r.project(kernels(), n, this.inputSize, x.data, this.cells[0]!);
    out.data.set(r.projection.subarray(0, out.size));
    return out;
  }

  /**
   * {@link step} from the first layer's pre-activations `projected [B, G·H]` (rows of
   * {@link projectInput}) instead of the input: the same result without the input product.
   */
  stepProjected(projected: Tensor, state?: RecurrentState): RecurrentStepOutput {
    this.assertSteppable('stepProjected');
    assertShape(`${this.kind}.stepProjected projected [B, gateWidth]`, projected, [-1, this.gateWidth]);
    return this.stepRows(projected.dim(0), projected.data, true, state);
  }

  /**
   * Steps on a snapshot of the weights: every recurrent weight (and the input weight of layers above the
   * first) is rearranged once into the packed panels of the fast product, so each later step streams it
   * contiguously instead of re-reading it row by row. The first layer's input product keeps the
   * {@link projectInput} form, so a table made by `projectInput` still gives the bits of `step`.
   * Reflects the weights at the time of the call: make new ones after changing the weights.
   * @throws OptionError on a bidirectional layer.
   */
  frozenSteps(): FrozenSteps {
    this.assertSteppable('frozenSteps');
    let packs: StepPacks | null = null;
    const snapshot = this.cells.map((w, l) => ({
      ih: l === 0 ? null : Float32Array.from(w.wIh.data),
      hh: Float32Array.from(w.wHh.data),
    }));
    const current = (): StepPacks => {
      const k = kernels();
      if (packs?.kernels === k) return packs;
      // Packed layouts belong to a backend: pack again if the active one changed.
      const H = this.hiddenSize;
      const GH = this.gateWidth;
      packs = { kernels: k, ih: [], hh: [] };
      snapshot.forEach((w) => {
        const hh = allocF32(k.packedSize(H, GH));
        k.packB(true, H, GH, w.hh, hh);
        packs!.hh.push(hh);
        if (w.ih === null) packs!.ih.push(null);
        else {
          const ih = allocF32(k.packedSize(H, GH));
          k.packB(true, H, GH, w.ih, ih);
          packs!.ih.push(ih);
        }
      });
      return packs;
    };
    return {
      step: (x, state) => {
        assertShape(`${this.kind}.step input x [B, inputSize]`, x, [-1, this.inputSize]);
        return this.stepRows(x.dim(0), x.data, false, state, current());
      },
      stepProjected: (projected, state) => {
        assertShape(`${this.kind}.stepProjected projected [B, gateWidth]`, projected, [-1, this.gateWidth]);
        return this.stepRows(projected.dim(0), projected.data, true, state, current());
      },
      stepTable: (table, ids, state) => {
        assertShape(`${this.kind}.stepTable table [V, gateWidth]`, table, [-1, this.gateWidth]);
        return this.stepRows(ids.length, table.data, true, state, current(), ids);
      },
    };
  }

  private assertSteppable(what: string): void {
    if (this.bidirectional) {
      throw new OptionError(`${this.kind}.${what}`, 'a unidirectional layer', 'bidirectional: true');
    }
  }

  /**
   * One step for B rows without the packed-batch machinery (generation is one short step at a time, so
   * per-call bookkeeping would cost more than the arithmetic): per layer the input product (or the given
   * projection), the recurrent product and the fused cell, in buffers kept between calls. Computes
   * exactly what `run` computes for T = 1.
   */
  private stepRows(
    B: number,
    input0: Float32Array,
    projected: boolean,
    state?: RecurrentState,
    packs: StepPacks | null = null,
    rows: ArrayLike<number> | null = null,
  ): RecurrentStepOutput {
    if (B < 1) throw new ShapeError(`${this.kind}.step batch`, 'B ≥ 1', String(B));
    const [h0, c0] = this.checkState(state, B);
    const k = kernels();
    const L = this.numLayers;
    const H = this.hiddenSize;
    const BH = B * H;
    if (this.stepRunners === null) {
      this.stepRunners = Array.from({ length: L }, () => this.spec.runner(H, new SweepScratch()));
    }
    const runners = this.stepRunners;
    // The new state in plain arrays: it only ever goes through copies (never straight into a kernel),
    // and a plain array costs a generation step far less than a block of backend memory. h and c share
    // one array, from freshF32's slab: a typed array of its own would cost ~2 µs each.
    const store = freshF32((this.hasCellState ? 2 : 1) * L * BH);
    const hN = new Tensor(this.hasCellState ? store.subarray(0, L * BH) : store, [L, B, H]);
    const cN = this.hasCellState ? new Tensor(store.subarray(L * BH), [L, B, H]) : null;
    const init = [h0?.data ?? null, c0?.data ?? null];
    const finals = [hN.data, cN?.data ?? EMPTY];
    let input = input0;
    let inSize = this.inputSize;
    for (let l = 0; l < L; l++) {
      const r = runners[l]!;
      const w = this.cells[l]!;
      r.ensure(B, B);
      for (let c = 0; c < r.carried; c++) {
        const ini = init[c];
        if (ini) copyRange(ini, l * BH, r.prev[c]!, 0, BH);
        else r.prev[c]!.fill(0, 0, BH);
      }
      if (l === 0 && projected) {
        const GW = this.gateWidth;
        if (rows === null) copyRange(input, 0, r.projection, 0, B * GW);
        else for (let i = 0; i < B; i++) copyRange(input, rows[i]! * GW, r.projection, i * GW, GW);
      } else r.project(k, B, inSize, input, w, packs?.ih[l] ?? null);
      r.stepForward(k, 0, B, w, packs?.hh[l] ?? null);
      for (let c = 0; c < r.carried; c++) copyRange(r.cur[c]!, 0, finals[c]!, l * BH, BH);
      input = r.cur[0]!;
      inSize = H;
    }
    const output = new Tensor(L === 1 ? hN.data : hN.data.subarray((L - 1) * BH, L * BH), [B, H]);
    return { output, state: cN === null ? { h: hN } : { h: hN, c: cN } };
  }

  private checkState(state: RecurrentState | undefined, batch: number): [Tensor | null, Tensor | null] {
    if (state === undefined) return [null, null];
    const shape = [this.numLayers * this.directions, batch, this.hiddenSize];
    assertShape(`${this.kind} state.h [layers·directions, B, hiddenSize]`, state.h, shape);
    if (this.hasCellState) {
      if (state.c === undefined) {
        throw new ShapeError(`${this.kind} state.c`, `a cell state ${fmtShape(shape)}`, 'none');
      }
      assertShape(`${this.kind} state.c [layers·directions, B, hiddenSize]`, state.c, shape);
      return [state.h, state.c];
    }
    if (state.c !== undefined) {
      throw new ShapeError(
        `${this.kind} state.c`,
        'no cell state (only LSTM has one)',
        fmtShape(state.c.shape),
      );
    }
    return [state.h, null];
  }

  private acquire(plan: PackedBatch): Workspace {
    const ws = this.pool.pop() ?? new Workspace(this.spec, this.hiddenSize, this.numLayers, this.directions);
    ws.plan = plan;
    const n = plan.total;
    const H = this.hiddenSize;
    const DH = this.outputSize;
    ws.input = fit(ws.input, n * this.inputSize);
    for (let l = 0; l < this.numLayers; l++) ws.outs[l] = fit(ws.outs[l]!, n * DH);
    for (const r of ws.runners) r.ensure(n, plan.batch);
    ws.scratch.ensure(n, plan.batch, this.spec.gates * H, H, this.spec.kind === 'GRU');
    return ws;
  }

  private release(ws: Workspace): void {
    // Step-by-step decoding keeps one workspace per step in flight; past a bound, let spares be collected.
    if (this.pool.length < MAX_POOLED) this.pool.push(ws);
  }

  private run(tape: Tape, x: Tensor, options: RecurrentForwardOptions, useDropout: boolean): RecurrentOutput {
    assertShape(`${this.kind} input x [B, T, inputSize]`, x, [-1, -1, this.inputSize]);
    const B = x.dim(0);
    const T = x.dim(1);
    if (B < 1 || T < 1) {
      throw new ShapeError(`${this.kind} input x [B, T, inputSize]`, 'B ≥ 1 and T ≥ 1', fmtShape(x.shape));
    }
    const plan = new PackedBatch(B, T, options.lengths);
    const [h0, c0] = this.checkState(options.state, B);
    const rec = tape.needsGrad(x, h0, c0, ...this.allParams);
    const k = kernels();
    const ws = this.acquire(plan);

    const L = this.numLayers;
    const D = this.directions;
    const H = this.hiddenSize;
    const DH = D * H;
    const N = plan.total;
    plan.pack(this.inputSize, x.data, ws.input);
    const hN = Tensor.zeros([L * D, B, H], rec);
    const cN = this.hasCellState ? Tensor.zeros([L * D, B, H], rec) : null;
    const init = [h0?.data ?? null, c0?.data ?? null];
    const finals = [hN.data, cN?.data ?? EMPTY];
    const scale = 1 / (1 - this.dropout);

    let input = ws.input;
    let inSize = this.inputSize;
    for (let l = 0; l < L; l++) {
      const out = ws.outs[l]!;
      for (let d = 0; d < D; d++) this.forwardDirection(k, ws, l, d, input, inSize, init, finals, out);
      if (useDropout && l < L - 1) {
        // Same convention as ops' dropout: keep when the draw is ≥ p, survivors scaled by 1/(1−p).
        const m = ws.masks[l]!.length >= N * DH ? ws.masks[l]! : new Uint8Array(N * DH);
        ws.masks[l] = m;
        for (let i = 0; i < N * DH; i++) {
          const keep = this.rng.uniform() >= this.dropout;
          m[i] = keep ? 1 : 0;
          out[i] = keep ? out[i]! * scale : 0;
        }
      }
      input = out;
      inSize = DH;
    }
    const output = Tensor.zeros([B, T, DH], rec);
    plan.unpack(DH, ws.outs[L - 1]!, output.data);
    const state: RecurrentState = cN === null ? { h: hN } : { h: hN, c: cN };

    if (rec) {
      tape.record(() => {
        this.backward(ws, x, h0, c0, output, hN, cN, useDropout);
        this.release(ws);
      });
    } else {
      this.release(ws);
    }
    return { output, state };
  }

  /** One direction of one layer over all steps (packed rows); writes its output columns and final state. */
  private forwardDirection(
    k: Kernels,
    ws: Workspace,
    l: number,
    d: number,
    input: Float32Array,
    inSize: number,
    init: (Float32Array | null)[],
    finals: Float32Array[],
    out: Float32Array,
  ): void {
    const H = this.hiddenSize;
    const D = this.directions;
    const { batch: B, steps, sizes, offsets, order, lengths, total } = ws.plan;
    const slot = (l * D + d) * B * H;
    const r = ws.runners[l * D + d]!;
    const w = this.cells[l * D + d]!;
    const reverse = d === 1;
    const GH = this.spec.gates * H;
    // W_ihᵀ and W_hhᵀ rearranged into the packed panels of the fast product: once per sweep.
    ws.packed = fit(ws.packed, k.packedSize(inSize, GH));
    k.packB(true, inSize, GH, w.wIh.data, ws.packed);
    r.project(k, total, inSize, input, w, ws.packed);
    ws.packed = fit(ws.packed, k.packedSize(H, GH));
    k.packB(true, H, GH, w.wHh.data, ws.packed);
    for (let i = 0; i < steps; i++) {
      const t = reverse ? steps - 1 - i : i;
      const n = sizes[t]!;
      const off = offsets[t]!;
      // Rows [0, cont) continue from the neighbouring step (whose live rows are a prefix); the rest
      // start here from the initial state: all rows at t = 0 forward, rows whose sequence ends at t in reverse.
      const cont = reverse ? sizes[t + 1]! : t > 0 ? n : 0;
      const from = reverse ? offsets[t + 1]! : t > 0 ? offsets[t - 1]! : 0;
      for (let c = 0; c < r.carried; c++) {
        const prev = r.prev[c]!;
        copyRange(r.cur[c]!, from * H, prev, off * H, cont * H);
        const ini = init[c];
        for (let s = cont; s < n; s++) {
          if (ini) copyRange(ini, slot + order[s]! * H, prev, (off + s) * H, H);
          else prev.fill(0, (off + s) * H, (off + s + 1) * H);
        }
      }
      r.stepForward(k, off, n, w, ws.packed);
    }
    const h = r.cur[0]!;
    const DH = D * H;
    if (D === 1) copyRange(h, 0, out, 0, total * H);
    else for (let row = 0; row < total; row++) copyRange(h, row * H, out, row * DH + d * H, H);
    for (let s = 0; s < B; s++) {
      const row = offsets[reverse ? 0 : lengths[s]! - 1]! + s;
      for (let c = 0; c < r.carried; c++) copyRange(r.cur[c]!, row * H, finals[c]!, slot + order[s]! * H, H);
    }
  }

  /** BPTT of everything one forward recorded, then the hand-over of its workspace. */
  private backward(
    ws: Workspace,
    x: Tensor,
    h0: Tensor | null,
    c0: Tensor | null,
    output: Tensor,
    hN: Tensor,
    cN: Tensor | null,
    dropped: boolean,
  ): void {
    const gy = output.grad;
    const gh = hN.grad;
    const gc = cN?.grad ?? null;
    if (gy === null && gh === null && gc === null) return;
    const k = kernels();
    const plan = ws.plan;
    const N = plan.total;
    const D = this.directions;
    const DH = this.outputSize;
    const I = this.inputSize;
    ws.gradA = fit(ws.gradA, N * Math.max(DH, I));
    ws.gradB = fit(ws.gradB, N * Math.max(DH, I));
    let dOut = ws.gradA;
    let dIn = ws.gradB;
    if (gy !== null) plan.pack(DH, gy, dOut);
    else dOut.fill(0, 0, N * DH);
    const gFinal = [gh, gc];
    const gInit = [h0?.requiresGrad ? h0.ensureGrad() : null, c0?.requiresGrad ? c0.ensureGrad() : null];
    const scale = 1 / (1 - this.dropout);
    for (let l = this.numLayers - 1; l >= 0; l--) {
      const inSize = l === 0 ? I : DH;
      const input = l === 0 ? ws.input : ws.outs[l - 1]!;
      const needIn = l > 0 || x.requiresGrad;
      if (needIn) dIn.fill(0, 0, N * inSize);
      for (let d = 0; d < D; d++) {
        this.backwardDirection(k, ws, l, d, input, inSize, dOut, gFinal, gInit, needIn ? dIn : null);
      }
      if (l > 0) {
        if (dropped) {
          const m = ws.masks[l - 1]!;
          for (let i = 0; i < N * DH; i++) dIn[i] = m[i] ? dIn[i]! * scale : 0;
        }
        const t = dOut;
        dOut = dIn;
        dIn = t;
      }
    }
    if (x.requiresGrad) plan.unpackAdd(k, I, dIn, x.ensureGrad());
  }

  /** Reverse sweep of one direction of one layer, then its weight gradients as GEMMs over all rows. */
  private backwardDirection(
    k: Kernels,
    ws: Workspace,
    l: number,
    d: number,
    input: Float32Array,
    inSize: number,
    dOut: Float32Array,
    gFinal: (Float32Array | null)[],
    gInit: (Float32Array | null)[],
    dIn: Float32Array | null,
  ): void {
    const H = this.hiddenSize;
    const D = this.directions;
    const DH = D * H;
    const { batch: B, steps, sizes, offsets, order, total } = ws.plan;
    const slot = (l * D + d) * B * H;
    const r = ws.runners[l * D + d]!;
    const w = this.cells[l * D + d]!;
    const carry = ws.scratch.carry;
    const reverse = d === 1;
    const GH = this.spec.gates * H;
    ws.packed = fit(ws.packed, k.packedSize(GH, H));
    k.packB(false, GH, H, w.wHh.data, ws.packed);
    for (let i = 0; i < steps; i++) {
      const t = reverse ? i : steps - 1 - i;
      const n = sizes[t]!;
      const off = offsets[t]!;
      const next = sizes[t + 1]!;
      // Rows whose final state this step produced get its gradient; the others carry one from the step after.
      const seedFrom = reverse ? (t === 0 ? 0 : n) : next;
      for (let c = 0; c < r.carried; c++) {
        const g = gFinal[c];
        const cr = carry[c]!;
        for (let s = seedFrom; s < n; s++) {
          if (g) copyRange(g, slot + order[s]! * H, cr, s * H, H);
          else cr.fill(0, s * H, (s + 1) * H);
        }
      }
      const c0 = carry[0]!;
      if (D === 1) addRange(k, dOut, off * H, c0, 0, n * H);
      else for (let s = 0; s < n; s++) addRange(k, dOut, (off + s) * DH + d * H, c0, s * H, H);
      r.stepBackward(k, off, n, w, ws.packed);
      // Rows that started at this step hand their gradient to the initial state.
      const startFrom = reverse ? next : t === 0 ? 0 : n;
      for (let c = 0; c < r.carried; c++) {
        const g = gInit[c];
        if (!g) continue;
        const cr = carry[c]!;
        for (let s = startFrom; s < n; s++) addRange(k, cr, s * H, g, slot + order[s]! * H, H);
      }
    }
    const dI = r.dIh;
    const dH = r.dHh;
    if (w.wIh.requiresGrad) k.gemm('tn', GH, inSize, total, dI, input, w.wIh.ensureGrad(), true);
    if (w.wHh.requiresGrad) k.gemm('tn', GH, H, total, dH, r.prev[0]!, w.wHh.ensureGrad(), true);
    if (w.bIh?.requiresGrad) k.sumRows(total, GH, dI, w.bIh.ensureGrad());
    if (w.bHh?.requiresGrad) k.sumRows(total, GH, dH, w.bHh.ensureGrad());
    if (dIn) k.gemm('nn', total, inSize, GH, dI, w.wIh.data, dIn, true);
  }
}
