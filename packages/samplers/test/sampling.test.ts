import { NumericalError, OptionError, Rng } from '@recurrent/core';
import {
  applyRepetitionPenalty,
  createSampler,
  greedy,
  resolveSamplingOptions,
  sample,
  sampleCategorical,
  topKFilter,
  topPFilter,
} from '@recurrent/samplers';
import { describe, expect, it } from 'vitest';

function randomLogits(rng: Rng, n: number, scale = 2): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

function softmax(logits: ArrayLike<number>): number[] {
  const a = Array.from(logits);
  const max = Math.max(...a);
  const e = a.map((v) => Math.exp(v - max));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
}

/** |observed - expected| within 5 standard deviations of a binomial count. */
function expectBinomial(count: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(
    Math.abs(count - n * p),
    `${what}: ${count} of ${n}, expected ${(n * p).toFixed(1)}`,
  ).toBeLessThanOrEqual(5 * sd + 1);
}

describe('greedy', () => {
  it('picks the largest logit, the lowest id on a tie', () => {
    expect(greedy(Float32Array.of(0, 3, 1, 3))).toBe(1);
    expect(greedy(Float32Array.of(-Infinity, -5))).toBe(1);
    expect(() => greedy(Float32Array.of(0, Number.NaN))).toThrow(NumericalError);
  });
});

describe('sampleCategorical', () => {
  it('draws with the softmax probabilities', () => {
    const rng = new Rng(11);
    const logits = Float32Array.of(1, 0, -1, 2, -Infinity);
    const p = softmax(logits);
    const n = 20000;
    const counts = new Array(5).fill(0);
    for (let i = 0; i < n; i++) counts[sampleCategorical(logits, rng)]++;
    expect(counts[4]).toBe(0);
    counts.forEach((c, i) => {
      expectBinomial(c, n, p[i]!, `token ${i}`);
    });
  });

  it('refuses rows with no possible token', () => {
    expect(() => sampleCategorical(Float32Array.of(-Infinity, -Infinity), new Rng(0))).toThrow(
      NumericalError,
    );
  });
});

describe('sample', () => {
  it('gives the same draws for the same seed, different ones for another', () => {
    const draw = (seed: number): number[] => {
      const rng = new Rng(seed);
      const logitsRng = new Rng(99);
      return Array.from({ length: 200 }, () =>
        sample(randomLogits(logitsRng, 30), rng, { temperature: 0.9, topP: 0.9 }),
      );
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('with topK 1 equals greedy, whatever the temperature and seed', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 300; i++) {
      const logits = randomLogits(rng, 17);
      // Some ties, where "lowest id" must agree between the two.
      if (i % 3 === 0) logits[5] = logits[greedy(logits)]!;
      expect(sample(logits, rng, { topK: 1, temperature: 1 + (i % 5) })).toBe(greedy(logits));
    }
  });

  it('with topP never picks outside the nucleus, and picks inside it with renormalised probabilities', () => {
    const rng = new Rng(7);
    const logits = randomLogits(new Rng(8), 25);
    const p = softmax(logits);
    for (const topP of [0.3, 0.75, 0.95]) {
      // Nucleus by brute force: most likely first, until the mass reaches topP.
      const order = p.map((_, i) => i).sort((a, b) => p[b]! - p[a]! || a - b);
      const nucleus = new Set<number>();
      let mass = 0;
      for (const i of order) {
        nucleus.add(i);
        mass += p[i]!;
        if (mass >= topP) break;
      }
      const n = 20000;
      const counts = new Map<number, number>();
      for (let k = 0; k < n; k++) {
        const id = sample(logits, rng, { topP });
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const outside = [...counts.keys()].filter((id) => !nucleus.has(id));
      expect(outside, `topP ${topP} drew tokens outside the nucleus`).toEqual([]);
      for (const i of nucleus) expectBinomial(counts.get(i) ?? 0, n, p[i]! / mass, `topP ${topP} token ${i}`);
    }
  });

  it('approaches greedy as the temperature goes to 0', () => {
    const rng = new Rng(21);
    const logits = Float32Array.of(1.0, 1.6, 0.2, 1.1, -0.5);
    const best = greedy(logits);
    const n = 4000;
    let previous = 0;
    for (const t of [2, 1, 0.5, 0.2, 0.05, 0.01]) {
      const pBest = softmax(Array.from(logits, (v) => v / t))[best]!;
      expect(pBest).toBeGreaterThan(previous);
      previous = pBest;
      let hits = 0;
      for (let k = 0; k < n; k++) if (sample(logits, rng, { temperature: t }) === best) hits++;
      expectBinomial(hits, n, pBest, `temperature ${t}`);
      if (t <= 0.01) expect(hits).toBe(n);
    }
    // And temperature 0 is exactly greedy, drawing nothing from the rng.
    const before = rng.getState();
    expect(sample(logits, rng, { temperature: 0 })).toBe(best);
    expect(rng.getState()).toEqual(before);
  });

  it('applies the repetition penalty before choosing', () => {
    const logits = Float32Array.of(2, 1.5, -1, 0);
    const penalised = applyRepetitionPenalty(logits, [0, 0, 2], 2);
    // Positive logits divided, negative multiplied, once per distinct token; the input is untouched.
    expect(Array.from(penalised)).toEqual([1, 1.5, -2, 0]);
    expect(Array.from(logits)).toEqual([2, 1.5, -1, 0]);
    expect(sample(logits, new Rng(0), { temperature: 0, repetitionPenalty: 2 }, [0])).toBe(1);
    expect(sample(logits, new Rng(0), { temperature: 0 }, [0])).toBe(0);
  });

  it('filters with topK and topP as pure functions', () => {
    const logits = Float32Array.of(0, 3, 1, 3, 2);
    expect(Array.from(topKFilter(logits, 2))).toEqual([-Infinity, 3, -Infinity, 3, -Infinity]);
    expect(Array.from(topKFilter(logits, 0))).toEqual(Array.from(logits));
    // The top token holds under half the mass, so p = 0.5 needs the two tied leaders.
    const f = topPFilter(logits, 0.5);
    expect(Array.from(f).map((v) => v > -Infinity)).toEqual([false, true, false, true, false]);
    expect(Array.from(topPFilter(Float32Array.of(10, 0, 0), 0.01)).filter((v) => v > -Infinity)).toEqual([
      10,
    ]);
  });

  it('rejects bad options with OptionError', () => {
    const bad = [
      { topP: 0 },
      { topP: 1.5 },
      { topP: -0.1 },
      { topP: Number.NaN },
      { topK: -1 },
      { topK: 1.5 },
      { temperature: -0.5 },
      { temperature: Number.POSITIVE_INFINITY },
      { repetitionPenalty: 0 },
    ];
    for (const o of bad) {
      expect(() => resolveSamplingOptions(o), JSON.stringify(o)).toThrow(OptionError);
      expect(() => createSampler(o), JSON.stringify(o)).toThrow(OptionError);
      expect(() => sample(Float32Array.of(0, 1), new Rng(0), o), JSON.stringify(o)).toThrow(OptionError);
    }
    expect(resolveSamplingOptions({ topP: 1, topK: 0, temperature: 0 })).toEqual({
      temperature: 0,
      topK: 0,
      topP: 1,
      repetitionPenalty: 1,
    });
  });
});
