/**
 * The one interface for the heavy arithmetic. `reference.ts` is the plain-TypeScript implementation
 * (the definition of correct); fast implementations (wasm SIMD, threads) must agree with it to float32
 * rounding and are checked by the same tests. Arrays are passed as (sub)views: a kernel reads and
 * writes exactly the leading elements it needs, so callers pass `subarray`s for offsets.
 *
 * Shapes in the comments are row-major; `b` = batch rows, `h` = hidden size.
 */
export type GemmForm = 'nn' | 'nt' | 'tn';

export interface Kernels {
  /** Backend name, e.g. `js`, `wasm`, `wasm-threads`. */
  readonly name: string;
  /** Worker threads used by the big GEMMs (1 = caller's thread only). */
  readonly threads: number;

  /**
   * C[m,n] = (accumulate ? C : 0) + op(A) · op(B), where
   * `nn`: A[m,k] · B[k,n];  `nt`: A[m,k] · B[n,k]ᵀ;  `tn`: A[k,m]ᵀ · B[k,n].
   */
  gemm(
    form: GemmForm,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void;

  /** Floats {@link packB} writes for op(B) `[k, n]` (the layout is the backend's own). */
  packedSize(k: number, n: number): number;

  /**
   * Packs op(B) `[k, n]` for {@link gemmPacked}: `trans` = B is stored `[n, k]` (op(B) = Bᵀ, a layer's
   * weight in `nt` products), else `[k, n]`. Writes `packedSize(k, n)` floats of `out`.
   */
  packB(trans: boolean, k: number, n: number, b: Float32Array, out: Float32Array): void;

  /**
   * C[m,n] = (accumulate ? C : 0) + A[m,k] · op(B), op(B) given packed by {@link packB}: a weight used
   * at every time step is rearranged once per sequence instead of once per product.
   */
  gemmPacked(
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    packed: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void;

  /** y[r, j] += bias[j] for r < rows, j < cols (broadcast a bias over rows). */
  addBias(rows: number, cols: number, y: Float32Array, bias: Float32Array): void;

  /**
   * One Adam step (PyTorch's rule without amsgrad) over n parameters, in place: g' = g + l2·p;
   * m = β1·m + (1 − β1)·g'; v = β2·v + (1 − β2)·g'²; p −= step·m / (√v / bc2 + eps), where the caller
   * passes step = lr / (1 − β1^t) and bc2 = √(1 − β2^t).
   */
  adamUpdate(
    n: number,
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    step: number,
    bc2: number,
    beta1: number,
    beta2: number,
    eps: number,
    l2: number,
  ): void;

  /**
   * Row statistics for a softmax over `x [rows, c]`: `max[r]` = max_j x, `sumExp[r]` = Σ_j e^(x − max[r]),
   * `sumX[r]` = Σ_j x (log-sum-exp is max + log(sumExp); sumX serves label smoothing).
   */
  softmaxStats(
    rows: number,
    c: number,
    x: Float32Array,
    max: Float32Array,
    sumExp: Float32Array,
    sumX: Float32Array,
  ): void;

  /**
   * Softmax gradient: `g[r, j] += scale[r] · (e^(x[r, j] − lse[r]) − base)` for rows with scale[r] ≠ 0
   * (cross-entropy's backward before the target term).
   */
  softmaxGradAdd(
    rows: number,
    c: number,
    x: Float32Array,
    lse: Float32Array,
    scale: Float32Array,
    base: number,
    g: Float32Array,
  ): void;

  /** out[j] += Σ_r x[r, j] for r < rows, j < cols (bias gradient). */
  sumRows(rows: number, cols: number, x: Float32Array, out: Float32Array): void;

  /**
   * One LSTM step, PyTorch gate order i, f, g, o.
   * In: `gates` [b,4h] pre-activations (x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), `cPrev` [b,h].
   * Out: `gates` activated in place (σ(i), σ(f), tanh(g), σ(o)); `c` [b,h] = f⊙cPrev + i⊙g;
   * `tanhC` [b,h] = tanh(c); `h` [b,h] = o⊙tanhC.
   */
  lstmForward(
    b: number,
    h: number,
    gates: Float32Array,
    cPrev: Float32Array,
    c: Float32Array,
    tanhC: Float32Array,
    hOut: Float32Array,
  ): void;

  /**
   * One whole LSTM step on a packed recurrent weight: `gates [b,4h] += hPrev [b,h] · W_hhᵀ` with W_hhᵀ packed by
   * `packB(true, h, 4h, W_hh)`, then {@link lstmForward}. Exactly `gemmPacked(b, 4h, h, hPrev, packed, gates,
   * true)` followed by `lstmForward` (same bits); a threaded backend splits it by hidden units, so each thread
   * computes all four gates of its units and their cell in one hand-off.
   */
  lstmStepPacked(
    b: number,
    h: number,
    hPrev: Float32Array,
    packed: Float32Array,
    gates: Float32Array,
    cPrev: Float32Array,
    c: Float32Array,
    tanhC: Float32Array,
    hOut: Float32Array,
  ): void;

  /**
   * Backward of {@link lstmForward}. In: activated `gates` [b,4h], `cPrev`, `tanhC`, `dh` [b,h] (grad of h),
   * `dc` [b,h] (grad of c from the next step). Out: `dGates` [b,4h] grad of the pre-activations;
   * `dc` overwritten with the grad of cPrev.
   */
  lstmBackward(
    b: number,
    h: number,
    gates: Float32Array,
    cPrev: Float32Array,
    tanhC: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    dGates: Float32Array,
  ): void;

  /**
   * One GRU step, PyTorch gate order r, z, n, reset applied after the matmul:
   * r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r⊙hn), h' = (1−z)⊙n + z⊙hPrev.
   * In: `xg` [b,3h] = x·W_ihᵀ + b_ih, `hg` [b,3h] = hPrev·W_hhᵀ + b_hh, `hPrev` [b,h].
   * Out: `hOut` [b,h]; `saved` [b,4h] = (r, z, n, hn) for the backward.
   */
  gruForward(
    b: number,
    h: number,
    xg: Float32Array,
    hg: Float32Array,
    hPrev: Float32Array,
    hOut: Float32Array,
    saved: Float32Array,
  ): void;

  /**
   * Backward of {@link gruForward}. In: `saved` [b,4h], `hPrev`, `dh` [b,h] grad of hOut.
   * Out: `dxg` [b,3h] grad of xg; `dhg` [b,3h] grad of hg; `dhPrev` [b,h] overwritten with the direct
   * part z⊙dh (the caller adds dhg·W_hh with a GEMM).
   */
  gruBackward(
    b: number,
    h: number,
    saved: Float32Array,
    hPrev: Float32Array,
    dh: Float32Array,
    dxg: Float32Array,
    dhg: Float32Array,
    dhPrev: Float32Array,
  ): void;

  /** y = tanh(x) elementwise over n values (y may alias x). */
  tanh(n: number, x: Float32Array, y: Float32Array): void;
  /** y = σ(x) elementwise over n values (y may alias x). */
  sigmoid(n: number, x: Float32Array, y: Float32Array): void;
}
