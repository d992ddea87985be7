/**
 * freshF32, the slab allocator behind per-token results: every array is fresh (zero-filled, sharing no
 * element with any other), plain, and stays intact however many arrays are made after it; and the
 * recurrent step's states built on it are never disturbed by later steps.
 */
import { describe, expect, it } from 'vitest';
import { freshF32, LSTM, Rng, Tensor } from '../src/index.ts';

describe('freshF32', () => {
  it('hands out zero-filled, disjoint, plain arrays that later ones never overwrite', () => {
    const kept: { a: Float32Array; fill: number }[] = [];
    const rng = new Rng(5);
    for (let i = 0; i < 400; i++) {
      const n = 1 + Math.floor(rng.uniform() * 1100); // across the slab limit too
      const a = freshF32(n);
      expect(a.length).toBe(n);
      expect(Object.getPrototypeOf(a)).toBe(Float32Array.prototype);
      expect(a.every((v) => v === 0)).toBe(true);
      a.fill(i + 1);
      kept.push({ a, fill: i + 1 });
    }
    for (const { a, fill } of kept) expect(a.every((v) => v === fill)).toBe(true);
    expect(freshF32(0).length).toBe(0);
  });
});

describe('recurrent step states', () => {
  it('a state kept from an early step is unchanged after many later steps and still steps the same', () => {
    const layer = new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, rng: new Rng(1) });
    layer.train(false);
    const frozen = layer.frozenSteps();
    const x = Tensor.full([1, 3], 0.25);
    let state = frozen.step(x).state;
    const kept = state;
    const h0 = kept.h.toArray();
    const c0 = kept.c!.toArray();
    const next = frozen.step(x, kept).output.toArray();
    for (let i = 0; i < 3000; i++) state = frozen.step(x, state).state;
    expect(kept.h.toArray()).toEqual(h0);
    expect(kept.c!.toArray()).toEqual(c0);
    expect(frozen.step(x, kept).output.toArray()).toEqual(next);
  });
});
