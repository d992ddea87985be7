import { concatVectors, sentimentLexicon, standardizeVectors, trainSkipGram } from '@recurrent/classifiers';
import { DataError, Rng } from '@recurrent/core';
import { describe, expect, it } from 'vitest';

/** Two topics that never share a sentence: words of one topic should end up closer to each other. */
function corpus(n: number, seed: number): string[][] {
  const rng = new Rng(seed);
  const topics = [
    ['cat', 'dog', 'pet', 'fur', 'paw', 'tail'],
    ['car', 'road', 'wheel', 'engine', 'fuel', 'drive'],
  ];
  return Array.from({ length: n }, (_, i) => {
    const t = topics[i % 2]!;
    return Array.from({ length: 8 }, () => t[rng.int(t.length)]!);
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return d / Math.sqrt(na * nb);
}

describe('trainSkipGram', () => {
  it('puts words that share contexts closer than words that never do', () => {
    const v = trainSkipGram(corpus(400, 1), { dim: 16, epochs: 3, minCount: 1, sample: 0, seed: 3 });
    expect(v.size).toBe(12);
    expect(v.get('cat')!.length).toBe(16);
    const same = (cosine(v.get('cat')!, v.get('dog')!) + cosine(v.get('car')!, v.get('road')!)) / 2;
    const cross = (cosine(v.get('cat')!, v.get('car')!) + cosine(v.get('dog')!, v.get('road')!)) / 2;
    expect(same).toBeGreaterThan(cross + 0.3);
  });

  it('is deterministic for a seed and drops rare words', () => {
    const text = [...corpus(50, 2), ['hapax']];
    const a = trainSkipGram(text, { dim: 8, epochs: 1, minCount: 2, seed: 5 });
    const b = trainSkipGram(text, { dim: 8, epochs: 1, minCount: 2, seed: 5 });
    expect(a.has('hapax')).toBe(false);
    expect(Array.from(a.get('fur')!)).toEqual(Array.from(b.get('fur')!));
    expect(() => trainSkipGram([['a', 'b']], { minCount: 2 })).toThrow(DataError);
  });
});

describe('word-vector helpers', () => {
  it('standardizeVectors gives the components the asked standard deviation', () => {
    const m = standardizeVectors(
      new Map([
        ['a', Float32Array.of(1, 3)],
        ['b', Float32Array.of(-1, -3)],
      ]),
      2,
    );
    // Components 1, 3, -1, -3: mean 0, sd √5, so 1 -> 2/√5.
    expect(m.get('a')![0]).toBeCloseTo(2 / Math.sqrt(5), 6);
    expect(m.get('b')![1]).toBeCloseTo(-6 / Math.sqrt(5), 6);
  });

  it('concatVectors joins maps side by side with zeros for missing words', () => {
    const m = concatVectors(new Map([['x', [1, 2]]]), new Map([['y', Float32Array.of(3, 4, 5)]]));
    expect(Array.from(m.get('x')!)).toEqual([1, 2, 0, 0, 0]);
    expect(Array.from(m.get('y')!)).toEqual([0, 0, 3, 4, 5]);
  });

  it("sentimentLexicon reads natural's three English lexicons", () => {
    const lex = sentimentLexicon();
    // AFINN: "good" 3 -> 0.6; it is positive in every lexicon that has it.
    expect(lex.get('good')![0]).toBeCloseTo(0.6, 6);
    expect(lex.get('terrible')!.every((x) => x <= 0)).toBe(true);
    expect([...lex.keys()].every((w) => !/[\s_]/.test(w))).toBe(true);
    expect(sentimentLexicon({ minMagnitude: 0.5 }).size).toBeLessThan(lex.size);
  });
});
