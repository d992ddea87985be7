import { type AttentionMemory, type RecurrentState, Tensor } from '@recurrent/core';
import { selectBatch } from '@recurrent/samplers';
import type { DecoderState } from './decoder.ts';

/** Rows `indices` of `t` along `axis` (repeats allowed), as a new tensor cut from any graph. */
export function selectRows(t: Tensor, axis: number, indices: Int32Array): Tensor {
  const r = selectBatch(t.data, t.shape, axis, indices);
  return new Tensor(r.data, r.shape);
}

/** The decoder state of batch rows `indices` (h/c `[L, B, H]` along axis 1, the feed `[B, H]` along 0). */
export function selectDecoderState(s: DecoderState, indices: Int32Array): DecoderState {
  let rnn: RecurrentState | null = null;
  if (s.rnn !== null) {
    const h = selectRows(s.rnn.h, 1, indices);
    rnn = s.rnn.c === undefined ? { h } : { h, c: selectRows(s.rnn.c, 1, indices) };
  }
  return { rnn, feed: s.feed === null ? null : selectRows(s.feed, 0, indices) };
}

/** The attention memory of batch rows `indices` (keys, projected keys and mask along axis 0). */
export function selectMemory(m: AttentionMemory, indices: Int32Array): AttentionMemory {
  let mask: Uint8Array | null = null;
  if (m.mask !== null) {
    const S = m.keys.dim(1);
    mask = new Uint8Array(indices.length * S);
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i]!;
      mask.set(m.mask.subarray(r * S, (r + 1) * S), i * S);
    }
  }
  return {
    keys: selectRows(m.keys, 0, indices),
    projected: m.projected === null ? null : selectRows(m.projected, 0, indices),
    mask,
  };
}
