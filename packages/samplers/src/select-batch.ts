import { ShapeError } from '@recurrent/core';

/**
 * Gathers entries `indices` along axis `axis` of a row-major array of shape `shape`, returning a new
 * array of the same shape with that axis resized to `indices.length`. Written for
 * {@link StepModel.selectState}: an LSTM state `h` `[L*D, B, H]` is reordered with `axis` 1.
 *
 * @throws ShapeError when `data` does not match `shape`, `axis` is out of range, or an index is
 *   outside [0, shape[axis]).
 */
export function selectBatch(
  data: Float32Array,
  shape: readonly number[],
  axis: number,
  indices: Int32Array,
): { data: Float32Array; shape: number[] } {
  if (!(Number.isInteger(axis) && axis >= 0 && axis < shape.length)) {
    throw new ShapeError('selectBatch axis', `an integer in [0, ${shape.length})`, String(axis));
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new ShapeError(
      'selectBatch data',
      `${size} elements for shape [${shape.join(', ')}]`,
      `${data.length}`,
    );
  }
  const n = shape[axis]!;
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  const out = new Float32Array(outer * indices.length * inner);
  for (let k = 0; k < indices.length; k++) {
    const src = indices[k]!;
    if (!(src >= 0 && src < n))
      throw new ShapeError(`selectBatch indices[${k}]`, `in [0, ${n})`, String(src));
  }
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < indices.length; k++) {
      const from = (o * n + indices[k]!) * inner;
      out.set(data.subarray(from, from + inner), (o * indices.length + k) * inner);
    }
  }
  const outShape = shape.slice();
  outShape[axis] = indices.length;
  return { data: out, shape: outShape };
}
