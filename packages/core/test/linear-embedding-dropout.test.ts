/** Linear, Embedding and Dropout: PyTorch names, layouts, initialisation and training behaviour. */
import { describe, expect, it } from 'vitest';
import { Dropout, Embedding, gradcheck, Linear, Rng, stateDict, sum, Tape, Tensor } from '../src/index.ts';

describe('Linear', () => {
  it('has weight [out, in] and bias [out] drawn uniform(±1/√in) from the Rng, weight first', () => {
    const lin = new Linear({ inFeatures: 16, outFeatures: 8, rng: new Rng(3) });
    const names = [...lin.parameters()].map(([n, p]) => `${n}:${p.shape.join('x')}`);
    expect(names).toEqual(['weight:8x16', 'bias:8']);
    const bound = 1 / Math.sqrt(16);
    const all = [...lin.weight.data, ...lin.bias!.data];
    expect(all.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    const rng = new Rng(3);
    expect(lin.weight.data[0]).toBe(Math.fround(rng.range(-bound, bound)));
    // Same seed, same weights.
    const again = new Linear({ inFeatures: 16, outFeatures: 8, rng: new Rng(3) });
    expect(again.weight.toArray()).toEqual(lin.weight.toArray());
    expect(new Linear({ inFeatures: 2, outFeatures: 3, bias: false, rng }).bias).toBeNull();
  });

  it('forward is x·Wᵀ + b over any leading dims, and gradchecks', () => {
    const lin = new Linear({ inFeatures: 3, outFeatures: 2, rng: new Rng(4) });
    lin.weight.data.set([1, 2, 3, -1, 0, 1]);
    lin.bias!.data.set([0.5, -0.5]);
    const x = Tensor.from([1, 1, 1, 2, 0, -1], [1, 2, 3], true);
    const y = lin.forward(Tape.noGrad(), x);
    expect(y.shape).toEqual([1, 2, 2]);
    expect(y.toArray()).toEqual([6.5, -0.5, -0.5, -3.5]);
    const r = gradcheck((t) => lin.forward(t, x), [x, lin.weight, lin.bias!]);
    expect(r.ok, r.message).toBe(true);
  });
});

describe('Embedding', () => {
  it('weight [num, dim] ~ N(0, 1); the padding row is 0 and never gets gradient', () => {
    const emb = new Embedding({ numEmbeddings: 200, embeddingDim: 50, paddingIdx: 0, rng: new Rng(5) });
    expect([...stateDict(emb).keys()]).toEqual(['weight']);
    expect(emb.weight.shape).toEqual([200, 50]);
    const w = emb.weight.data;
    expect(Array.from(w.subarray(0, 50)).every((v) => v === 0)).toBe(true);
    const rest = Array.from(w.subarray(50));
    const m = rest.reduce((a, b) => a + b, 0) / rest.length;
    const sd = Math.sqrt(rest.reduce((a, b) => a + (b - m) ** 2, 0) / rest.length);
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);

    const tape = new Tape();
    const ids = Int32Array.from([0, 3, 3, 7, 0, 1]);
    const y = emb.forward(tape, ids, [2, 3]);
    expect(y.shape).toEqual([2, 3, 50]);
    expect(y.get(0, 1, 4)).toBe(emb.weight.get(3, 4));
    tape.backward(sum(tape, y));
    const g = emb.weight.grad!;
    expect(Array.from(g.subarray(0, 50)).every((v) => v === 0)).toBe(true);
    expect(g[3 * 50]).toBe(2);
    expect(g[7 * 50]).toBe(1);
    expect(g[2 * 50]).toBe(0);
  });

  it('a negative paddingIdx counts from the end, as in PyTorch', () => {
    const emb = new Embedding({ numEmbeddings: 4, embeddingDim: 3, paddingIdx: -1, rng: new Rng(6) });
    expect(emb.paddingIdx).toBe(3);
    expect(Array.from(emb.weight.data.subarray(9, 12))).toEqual([0, 0, 0]);
  });
});

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1 − p)', () => {
    const p = 0.3;
    const d = new Dropout({ p, rng: new Rng(7) });
    const x = Tensor.full([100, 100], 2);
    const y = d.forward(Tape.noGrad(), x);
    const zeros = y.toArray().filter((v) => v === 0).length;
    expect(Math.abs(zeros / 10000 - p)).toBeLessThan(0.02);
    const kept = y.toArray().filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 2 / (1 - p)) < 1e-6)).toBe(true);
  });

  it('is deterministic for a seed, and the gradient uses the same mask', () => {
    const x = Tensor.full([4, 8], 1);
    x.requiresGrad = true;
    const a = new Dropout({ p: 0.5, rng: new Rng(8) }).forward(Tape.noGrad(), x);
    const tape = new Tape();
    const b = new Dropout({ p: 0.5, rng: new Rng(8) }).forward(tape, x);
    expect(b.toArray()).toEqual(a.toArray());
    tape.backward(b);
    expect(Array.from(x.grad!)).toEqual(b.toArray()); // d/dx of mask·x·2 with x = 1
  });

  it('is the identity in eval mode and for p = 0', () => {
    const d = new Dropout({ p: 0.9, rng: new Rng(9) });
    const x = Tensor.full([3, 3], 1.5);
    d.train(false);
    expect(d.training).toBe(false);
    expect(d.forward(new Tape(), x)).toBe(x);
    d.train(true);
    expect(d.forward(Tape.noGrad(), x)).not.toBe(x);
    expect(new Dropout({ p: 0, rng: new Rng(9) }).forward(new Tape(), x)).toBe(x);
  });
});
