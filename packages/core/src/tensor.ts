import { fmtShape, ShapeError } from './errors.ts';
import { allocF32 } from './memory.ts';

/**
 * A dense float32 tensor: a `Float32Array` plus a shape, row-major, batch-first (`[B, T, F]`).
 *
 * `grad` is allocated lazily by whoever first accumulates into it, and gradients always accumulate
 * (`+=`), which is what makes a weight shared across time steps come out right.
 */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  /** Accumulated gradient of the same shape, or null if none has flowed here. */
  grad: Float32Array | null = null;
  /** Whether ops recorded on a tape should propagate gradients into this tensor. */
  requiresGrad: boolean;

  constructor(data: Float32Array, shape: readonly number[], requiresGrad = false) {
    const n = shapeSize(shape);
    if (data.length !== n) {
      throw new ShapeError(
        'Tensor data length',
        `${n} elements for shape ${fmtShape(shape)}`,
        `${data.length}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  /** A zero-filled tensor of `shape`. */
  static zeros(shape: readonly number[], requiresGrad = false): Tensor {
    return new Tensor(allocF32(shapeSize(shape)), shape, requiresGrad);
  }

  /** A tensor holding a copy of `values`. */
  static from(values: ArrayLike<number>, shape: readonly number[], requiresGrad = false): Tensor {
    const data = allocF32(values.length);
    data.set(values);
    return new Tensor(data, shape, requiresGrad);
  }

  /** A tensor filled with `value`. */
  static full(shape: readonly number[], value: number): Tensor {
    const t = Tensor.zeros(shape);
    t.data.fill(value);
    return t;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Size of dimension `i` (negative counts from the end). */
  dim(i: number): number {
    const d = this.shape[i < 0 ? this.shape.length + i : i];
    if (d === undefined)
      throw new ShapeError('Tensor.dim', `an axis of a rank-${this.rank} tensor`, String(i));
    return d;
  }

  /** The gradient buffer, allocating a zeroed one if needed. */
  ensureGrad(): Float32Array {
    if (this.grad === null) this.grad = allocF32(this.data.length);
    return this.grad;
  }

  /** Sets the gradient to zero (keeps the buffer). */
  zeroGrad(): void {
    this.grad?.fill(0);
  }

  /** A copy that does not require grad (cuts the graph, e.g. carried state in truncated BPTT). */
  detach(): Tensor {
    return Tensor.from(this.data, this.shape, false);
  }

  /** Same data viewed with another shape of equal size (no copy; not recorded on a tape). */
  view(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape, false);
  }

  /** Element at a multi-index (slow; for tests and debugging). */
  get(...idx: number[]): number {
    return this.data[flatIndex(this.shape, idx)]!;
  }

  /** Plain nested-free copy of the values as a number array. */
  toArray(): number[] {
    return Array.from(this.data);
  }
}

/**
 * A trainable tensor (weight or bias). `requiresGrad` is always true; `name` is its key in a state dict.
 */
export class Parameter extends Tensor {
  constructor(data: Float32Array, shape: readonly number[]) {
    super(data, shape, true);
  }

  /** A zero-filled parameter. */
  static override zeros(shape: readonly number[]): Parameter {
    return new Parameter(allocF32(shapeSize(shape)), shape);
  }
}

/** Product of the dimensions; validates they are non-negative integers. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new ShapeError('shape', 'non-negative integer dimensions', fmtShape(shape));
    n *= d;
  }
  return n;
}

/** Checks that `t` has exactly `expected` shape (`-1` matches any size); throws a ShapeError naming `what`. */
export function assertShape(what: string, t: Tensor, expected: readonly number[]): void {
  const ok = t.shape.length === expected.length && expected.every((d, i) => d === -1 || d === t.shape[i]);
  if (!ok) {
    const exp = `[${expected.map((d) => (d === -1 ? '*' : String(d))).join(', ')}]`;
    throw new ShapeError(what, exp, fmtShape(t.shape));
  }
}

function flatIndex(shape: readonly number[], idx: number[]): number {
  if (idx.length !== shape.length)
    throw new ShapeError('Tensor.get index', `${shape.length} indices`, `${idx.length}`);
  let f = 0;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    const k = idx[i]!;
    if (k < 0 || k >= d) throw new ShapeError(`Tensor.get index ${i}`, `0..${d - 1}`, String(k));
    f = f * d + k;
  }
  return f;
}
