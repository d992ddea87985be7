/**
 * Row gather, the embedding lookup: `out[i] = table[ids[i]]`. The backward scatter-adds each output
 * row's gradient into the table row it came from, so an id used twice collects both gradients.
 */
import { DataError, fmtShape, OptionError, ShapeError } from '../errors.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { shapeSize } from '../tensor.ts';
import { output } from './common.ts';

/** Options for {@link gatherRows}. */
export interface GatherRowsOptions {
  /** Leading shape of the output (its product must equal `ids.length`); default `[ids.length]`. */
  shape?: readonly number[];
  /** A row of `table` that never receives gradient (PyTorch's `padding_idx`); default none. */
  paddingIdx?: number;
}

/**
 * `table [V, D]` rows picked by `ids` (integers in `[0, V)`) -> `[...shape, D]`.
 * Throws a DataError naming the position of an id outside `[0, V)`.
 */
export function gatherRows(
  tape: Tape,
  table: Tensor,
  ids: ArrayLike<number>,
  options: GatherRowsOptions = {},
): Tensor {
  if (table.rank !== 2) throw new ShapeError('gatherRows table', '[V, D]', fmtShape(table.shape));
  const shape = options.shape ?? [ids.length];
  if (shapeSize(shape) !== ids.length) {
    throw new ShapeError(
      'gatherRows ids shape',
      `a shape with ${ids.length} elements (one per id)`,
      fmtShape(shape),
    );
  }
  const v = table.dim(0);
  const d = table.dim(1);
  const pad = options.paddingIdx ?? -1;
  if (options.paddingIdx !== undefined && !(Number.isInteger(pad) && pad >= 0 && pad < v)) {
    throw new OptionError('gatherRows paddingIdx', `an integer in [0, ${v})`, String(options.paddingIdx));
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!(Number.isInteger(id) && id >= 0 && id < v)) {
      throw new DataError(
        `id at position ${i}`,
        `an integer in [0, ${v}) (rows of a ${fmtShape(table.shape)} table)`,
        String(id),
      );
    }
  }
  const rec = tape.needsGrad(table);
  const out = output([...shape, d], rec);
  for (let i = 0; i < ids.length; i++) {
    const r = ids[i]! * d;
    out.data.set(table.data.subarray(r, r + d), i * d);
  }
  if (rec) {
    // Copy the ids: the caller may reuse its buffer before backward runs.
    const saved = Int32Array.from(ids);
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const gt = table.ensureGrad();
      for (let i = 0; i < saved.length; i++) {
        const id = saved[i]!;
        if (id === pad) continue;
        const r = id * d;
        const src = i * d;
        for (let j = 0; j < d; j++) gt[r + j]! += g[src + j]!;
      }
    });
  }
  return out;
}
