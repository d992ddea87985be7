/**
 * NumPy-style broadcasting for the binary elementwise ops. Shapes align on the right; a dimension of
 * size 1 (or a missing leading one) repeats. The plan walks the output row by row along its last axis,
 * so the inner loop is a plain strided loop whichever operand is broadcast (bias over rows,
 * `[B, 1, A] + [B, S, A]`, a `[N, 1]` column times `[N, C]`).
 */
import { fmtShape, ShapeError } from '../errors.ts';

/** How to walk the output of a broadcast binary op and where each row reads its two inputs. */
export interface BroadcastPlan {
  /** Output shape. */
  readonly shape: readonly number[];
  /** Number of rows (output size / `inner`). */
  readonly rows: number;
  /** Length of a row (the output's last dimension, or the whole tensor when shapes are equal). */
  readonly inner: number;
  /** Start offset of each row in `a` and in `b`. */
  readonly aOff: Int32Array;
  readonly bOff: Int32Array;
  /** Step along a row in `a` and in `b`: 1, or 0 when that operand is broadcast along the last axis. */
  readonly aInc: number;
  readonly bInc: number;
}

/** The broadcast shape of `a` and `b`; throws a ShapeError naming `what` when they do not broadcast. */
export function broadcastShapes(what: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = new Array(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${what}: shapes do not broadcast`,
        `equal sizes or 1 on each axis (aligned from the right) for ${fmtShape(a)}`,
        fmtShape(b),
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Builds the row plan for broadcasting `a` with `b`. */
export function planBroadcast(what: string, a: readonly number[], b: readonly number[]): BroadcastPlan {
  const shape = broadcastShapes(what, a, b);
  const rank = shape.length;
  const size = shape.reduce((p, d) => p * d, 1);
  if (sameShape(a, b) || rank === 0) {
    return {
      shape,
      rows: 1,
      inner: size,
      aOff: new Int32Array(1),
      bOff: new Int32Array(1),
      aInc: 1,
      bInc: 1,
    };
  }
  const sa = stridesIn(a, rank);
  const sb = stridesIn(b, rank);
  const inner = shape[rank - 1]!;
  const rows = inner === 0 ? 0 : size / inner;
  const aOff = new Int32Array(rows);
  const bOff = new Int32Array(rows);
  // Odometer over the leading rank-1 axes.
  const idx = new Int32Array(Math.max(rank - 1, 0));
  let oa = 0;
  let ob = 0;
  for (let r = 0; r < rows; r++) {
    aOff[r] = oa;
    bOff[r] = ob;
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      oa += sa[d]!;
      ob += sb[d]!;
      if (idx[d]! < shape[d]!) break;
      oa -= sa[d]! * shape[d]!;
      ob -= sb[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return { shape, rows, inner, aOff, bOff, aInc: sa[rank - 1]!, bInc: sb[rank - 1]! };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Row-major strides of `s` laid against a rank-`rank` output, 0 on broadcast axes. */
function stridesIn(s: readonly number[], rank: number): Int32Array {
  const st = new Int32Array(rank);
  let acc = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    const o = rank - s.length + i;
    st[o] = s[i] === 1 ? 0 : acc;
    acc *= s[i]!;
  }
  return st;
}
