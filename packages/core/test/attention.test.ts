/** Attention beyond the PyTorch fixtures: masking, normalisation, parameter names, prepare/attend. */
import { describe, expect, it } from 'vitest';
import { Attention, type AttentionScore, add, Rng, stateDict, sum, Tape, Tensor } from '../src/index.ts';

function rand(rng: Rng, shape: number[]): Tensor {
  const t = Tensor.zeros(shape, true);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.range(-1, 1);
  return t;
}

const scores: AttentionScore[] = ['additive', 'general', 'dot', 'scaled_dot'];

describe('Attention', () => {
  it('parameter names and shapes follow the fixtures', () => {
    const rng = new Rng(1);
    const shapes = (score: AttentionScore) =>
      [...stateDict(new Attention({ score, querySize: 4, keySize: 6, attnSize: 5, rng }))].map(
        ([n, p]) => `${n}:${p.shape.join('x')}`,
      );
    expect(shapes('additive')).toEqual(['W_q:5x4', 'W_k:5x6', 'v:5']);
    expect(shapes('general')).toEqual(['W:4x6']);
    expect([...new Attention({ score: 'dot', querySize: 3, keySize: 3 }).parameters()]).toEqual([]);
  });

  for (const score of scores) {
    it(`${score}: weights sum to 1, padding gets exactly 0, context = Σ w·k`, () => {
      const rng = new Rng(2);
      const attn = new Attention({ score, querySize: 3, keySize: 3, rng });
      const q = rand(rng, [2, 3]);
      const k = rand(rng, [2, 4, 3]);
      const { context, weights } = attn.forward(Tape.noGrad(), q, k, { lengths: [4, 2] });
      expect(weights.shape).toEqual([2, 4]);
      expect(context.shape).toEqual([2, 3]);
      for (let b = 0; b < 2; b++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += weights.get(b, j);
        expect(s).toBeCloseTo(1, 6);
        for (let h = 0; h < 3; h++) {
          let c = 0;
          for (let j = 0; j < 4; j++) c += weights.get(b, j) * k.get(b, j, h);
          expect(context.get(b, h)).toBeCloseTo(c, 6);
        }
      }
      expect(weights.get(1, 2)).toBe(0);
      expect(weights.get(1, 3)).toBe(0);
      // Values at padded positions cannot leak into the context.
      const k2 = Tensor.from(k.data, k.shape);
      k2.data.fill(1e6, 1 * 12 + 2 * 3, 2 * 12);
      const again = attn.forward(Tape.noGrad(), q, k2, { lengths: [4, 2] });
      expect(again.context.toArray()).toEqual(context.toArray());
    });
  }

  it('dot and scaled_dot differ by the 1/√Hk temperature', () => {
    const rng = new Rng(3);
    const q = rand(rng, [1, 4]);
    const k = rand(rng, [1, 3, 4]);
    const wd = new Attention({ score: 'dot', querySize: 4, keySize: 4 }).forward(Tape.noGrad(), q, k).weights;
    const ws = new Attention({ score: 'scaled_dot', querySize: 4, keySize: 4 }).forward(
      Tape.noGrad(),
      q,
      k,
    ).weights;
    const e = [0, 1, 2].map((s) => [0, 1, 2, 3].reduce((a, h) => a + q.get(0, h) * k.get(0, s, h), 0));
    const soft = (xs: number[]) => {
      const m = Math.max(...xs);
      const ex = xs.map((x) => Math.exp(x - m));
      const z = ex.reduce((a, b) => a + b, 0);
      return ex.map((x) => x / z);
    };
    for (const [i, w] of soft(e).entries()) expect(wd.data[i]).toBeCloseTo(w, 6);
    for (const [i, w] of soft(e.map((x) => x / 2)).entries()) expect(ws.data[i]).toBeCloseTo(w, 6);
  });

  it('prepare once + attend per step equals forward per step, gradients included', () => {
    const rng = new Rng(4);
    const attn = new Attention({ score: 'additive', querySize: 3, keySize: 2, attnSize: 4, rng });
    const keys = rand(rng, [2, 5, 2]);
    const qs = [rand(rng, [2, 3]), rand(rng, [2, 3]), rand(rng, [2, 3])];
    const lengths = [5, 3];
    const params = [...attn.parameters()].map(([, p]) => p);
    const run = (prepared: boolean) => {
      for (const t of [keys, ...params]) t.grad = null;
      const tape = new Tape();
      const mem = attn.prepare(tape, keys, { lengths });
      let loss: Tensor | null = null;
      const ctxs: number[] = [];
      for (const q of qs) {
        const { context } = prepared ? attn.attend(tape, q, mem) : attn.forward(tape, q, keys, { lengths });
        ctxs.push(...context.data);
        const s = sum(tape, context);
        loss = loss ? add(tape, loss, s) : s;
      }
      tape.backward(loss!);
      return { ctxs, grads: [keys, ...params].map((t) => Array.from(t.grad!)) };
    };
    const a = run(true);
    const b = run(false);
    expect(a.ctxs).toEqual(b.ctxs);
    for (const [i, g] of a.grads.entries()) {
      for (const [j, v] of g.entries()) expect(v).toBeCloseTo(b.grads[i]![j]!, 5);
    }
  });
});
