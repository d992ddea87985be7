import { fmtShape, OptionError, ShapeError } from './errors.ts';
import type { Rng } from './rng.ts';
import type { Tensor } from './tensor.ts';

/**
 * Parameter initialisers, PyTorch's `torch.nn.init` semantics. Each fills `t.data` in place, row-major,
 * drawing only from the given {@link Rng} (so a seed fixes the weights), and returns `t`.
 */

/**
 * PyTorch's fan computation: for a weight `[out, in, ...receptive]`, `fanIn = in * prod(receptive)` and
 * `fanOut = out * prod(receptive)`. Needs at least 2 dimensions.
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new ShapeError('fan in/out', 'a tensor with at least 2 dimensions', fmtShape(shape));
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** Options of the Glorot/Xavier and orthogonal initialisers. */
export interface GainOptions {
  /** Scale factor (default 1; e.g. 5/3 for tanh, PyTorch's `calculate_gain('tanh')`). */
  gain?: number;
}

function gainOf(what: string, o: GainOptions): number {
  const g = o.gain ?? 1;
  if (!Number.isFinite(g)) throw new OptionError(`${what} gain`, 'a finite number', String(g));
  return g;
}

/** Uniform in [low, high): options of {@link uniform}. */
export interface UniformOptions {
  /** Lower bound (default 0). */
  low?: number;
  /** Upper bound (default 1). */
  high?: number;
}

/** Fills `t` with U(low, high) (defaults 0, 1). */
export function uniform(t: Tensor, rng: Rng, options: UniformOptions = {}): Tensor {
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) {
    throw new OptionError('uniform bounds', 'finite low <= high', `low ${low}, high ${high}`);
  }
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = rng.range(low, high);
  return t;
}

/** Options of {@link normal}. */
export interface NormalOptions {
  /** Mean (default 0). */
  mean?: number;
  /** Standard deviation, >= 0 (default 1). */
  std?: number;
}

/** Fills `t` with N(mean, std^2) (defaults 0, 1). */
export function normal(t: Tensor, rng: Rng, options: NormalOptions = {}): Tensor {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) {
    throw new OptionError('normal options', 'finite mean and std >= 0', `mean ${mean}, std ${std}`);
  }
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * rng.normal();
  return t;
}

/** Fills `t` with `value`. */
export function constant(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

/** Fills `t` with zeros. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Glorot/Xavier uniform: U(-a, a) with `a = gain * sqrt(6 / (fanIn + fanOut))`. `t` has >= 2 dimensions. */
export function xavierUniform(t: Tensor, rng: Rng, options: GainOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  const a = gainOf('xavierUniform', options) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, rng, { low: -a, high: a });
}

/** Glorot/Xavier normal: N(0, std^2) with `std = gain * sqrt(2 / (fanIn + fanOut))`. `t` has >= 2 dimensions. */
export function xavierNormal(t: Tensor, rng: Rng, options: GainOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  const std = gainOf('xavierNormal', options) * Math.sqrt(2 / (fanIn + fanOut));
  return normal(t, rng, { std });
}

/**
 * (Semi-)orthogonal initialisation like `torch.nn.init.orthogonal_`: `t` is viewed as `[rows, cols]`
 * (`rows = shape[0]`); a seeded standard-normal matrix (transposed when rows < cols) is QR-factorised and
 * `gain * Q` is written back, with Q's signs fixed so R has a positive diagonal, which makes Q uniformly
 * distributed over orthogonal matrices. Afterwards rows are orthonormal when rows <= cols, else columns.
 * QR here is modified Gram-Schmidt with one re-orthogonalisation pass, in float64.
 */
export function orthogonal(t: Tensor, rng: Rng, options: GainOptions = {}): Tensor {
  const gain = gainOf('orthogonal', options);
  if (t.rank < 2)
    throw new ShapeError('orthogonal init', 'a tensor with at least 2 dimensions', fmtShape(t.shape));
  const rows = t.shape[0]!;
  const cols = rows === 0 ? 0 : t.size / rows;
  if (t.size === 0) return t;
  // Draw row-major [rows, cols] like torch, then factorise the tall orientation [m, n] with m >= n.
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  const transpose = rows < cols;
  const m = transpose ? cols : rows;
  const n = transpose ? rows : cols;
  // q holds the n columns of the tall matrix, each contiguous (column j at j * m).
  const q = new Float64Array(m * n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = a[r * cols + c]!;
      if (transpose)
        q[r * m + c] = v; // tall matrix = a^T: its column r is row r of a
      else q[c * m + r] = v;
    }
  }
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const ck = k * m;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[ck + i]! * q[cj + i]!;
        for (let i = 0; i < m; i++) q[cj + i] = q[cj + i]! - dot * q[ck + i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[cj + i]! * q[cj + i]!;
    norm = Math.sqrt(norm);
    // A (measure-zero) dependent column: replace it by a fresh draw orthogonalised the same way.
    if (!(norm > 1e-10)) {
      for (let i = 0; i < m; i++) q[cj + i] = rng.normal();
      j -= 1;
      continue;
    }
    for (let i = 0; i < m; i++) q[cj + i] = q[cj + i]! / norm;
  }
  const d = t.data;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      d[r * cols + c] = gain * (transpose ? q[r * m + c]! : q[c * m + r]!);
    }
  }
  return t;
}

/** Options of {@link lstmForgetGateBias}. */
export interface ForgetBiasOptions {
  /** The forget gate's total bias `b_ih + b_hh` (default 1, Jozefowicz et al. 2015). */
  value?: number;
}

/**
 * Sets an LSTM's forget-gate bias. PyTorch's LSTM adds `bias_ih` and `bias_hh` (each `[4H]`, gates i,f,g,o),
 * so the f slice `[H, 2H)` gets `value` in `biasIh` and 0 in `biasHh`: the gate then sees exactly `value`.
 * Other slices are left as they are.
 */
export function lstmForgetGateBias(
  biasIh: Tensor,
  biasHh: Tensor | null,
  options: ForgetBiasOptions = {},
): void {
  const value = options.value ?? 1;
  if (!Number.isFinite(value))
    throw new OptionError('lstmForgetGateBias value', 'a finite number', String(value));
  for (const [what, b] of [
    ['bias_ih', biasIh],
    ['bias_hh', biasHh],
  ] as const) {
    if (b !== null && (b.rank !== 1 || b.size % 4 !== 0 || b.size !== biasIh.size)) {
      throw new ShapeError(
        `lstmForgetGateBias ${what}`,
        `[4H] matching bias_ih ${fmtShape(biasIh.shape)}`,
        fmtShape(b.shape),
      );
    }
  }
  const h = biasIh.size / 4;
  biasIh.data.fill(value, h, 2 * h);
  biasHh?.data.fill(0, h, 2 * h);
}

/**
 * Applies {@link lstmForgetGateBias} to every `bias_ih_l<k>[_reverse]` of named LSTM parameters (e.g.
 * `lstm.parameters()`), pairing each with its `bias_hh_...`. Returns how many layers/directions were set.
 */
export function initLstmForgetBias(
  params: Iterable<readonly [string, Tensor]>,
  options: ForgetBiasOptions = {},
): number {
  const byName = new Map(params);
  let n = 0;
  for (const [name, b] of byName) {
    const m = /^(.*?)bias_ih_l(\d+(?:_reverse)?)$/.exec(name);
    if (m === null) continue;
    lstmForgetGateBias(b, byName.get(`${m[1]}bias_hh_l${m[2]}`) ?? null, options);
    n++;
  }
  return n;
}
