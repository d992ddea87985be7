import {
  NgramLogistic,
  ngramFeatureDefaults,
  ngramFeatures,
  resolveNgramFeatureConfig,
  trainNgramLogistic,
} from '@recurrent/classifiers';
import { DataError, OptionError, Rng } from '@recurrent/core';
import { describe, expect, it } from 'vitest';

const POS = ['great', 'lovely', 'superb', 'wonderful'];
const NEG = ['awful', 'boring', 'dreadful', 'terrible'];
const FILL = ['the', 'film', 'was', 'a', 'plot', 'and', 'cast', 'really', 'quite'];

/** Sentences of filler words with one polar word; label 1 = positive. */
function polar(n: number, seed: number): { texts: string[]; labels: number[] } {
  const rng = new Rng(seed);
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.int(2);
    const words = Array.from({ length: 3 + rng.int(5) }, () => FILL[rng.int(FILL.length)]!);
    const pool = y === 1 ? POS : NEG;
    words.splice(rng.int(words.length + 1), 0, pool[rng.int(pool.length)]!);
    texts.push(words.join(' '));
    labels.push(y);
  }
  return { texts, labels };
}

describe('ngramFeatures', () => {
  it('lists distinct lower-cased word n-grams and character n-grams across word boundaries', () => {
    const f = ngramFeatures('Not bad at all not', { wordNgrams: 2, charNgrams: [3, 3] });
    expect(f.filter((s) => s.startsWith('w:'))).toEqual([
      'w:not',
      'w:bad',
      'w:at',
      'w:all',
      'w:not bad',
      'w:bad at',
      'w:at all',
      'w:all not',
    ]);
    const chars = f.filter((s) => s.startsWith('c:'));
    expect(chars).toContain('c: no');
    expect(chars).toContain('c:t b'); // spans the space between "not" and "bad"
    expect(chars).toContain('c:ot ');
    expect(new Set(f).size).toBe(f.length);
    expect(ngramFeatures('', ngramFeatureDefaults).filter((s) => s.startsWith('w:'))).toEqual([]);
  });

  it('rejects an invalid feature config with an OptionError naming the field', () => {
    expect(() => resolveNgramFeatureConfig({ charNgrams: [4, 2] })).toThrow(/charNgrams/);
    expect(() => resolveNgramFeatureConfig({ wordNgrams: -1 })).toThrow(OptionError);
    expect(() => resolveNgramFeatureConfig({ wordNgrams: 0, charNgrams: null })).toThrow(
      /word or character n-grams/,
    );
    expect(resolveNgramFeatureConfig({})).toEqual({ wordNgrams: 2, charNgrams: [2, 5], lexicon: false });
    expect(() => resolveNgramFeatureConfig({ lexicon: 'yes' as never })).toThrow(/lexicon/);
  });

  it('adds lexicon-polarity features, flipped to l:not: within three words after a negation', () => {
    const cfg = { wordNgrams: 1, charNgrams: null, lexicon: true };
    const lex = (t: string) => ngramFeatures(t, cfg).filter((s) => s.startsWith('l:'));
    // AFINN scores "superb" +5 and "awful" -3: quarters of [-1, 1] give +4 and -2.
    expect(lex('a superb film')).toContain('l:afinn:+4');
    expect(lex('an awful film')).toContain('l:afinn:-2');
    expect(lex('not a superb film')).toContain('l:not:afinn:+4');
    expect(lex('not a superb film')).not.toContain('l:afinn:+4');
    // Four words after the negation the scope has ended.
    expect(lex("isn't the plot and superb")).toContain('l:afinn:+4');
    expect(lex('the film and the plot')).toEqual([]);
    expect(ngramFeatures('a superb film', { ...cfg, lexicon: false }).some((s) => s.startsWith('l:'))).toBe(
      false,
    );
  });

  it('lexicon features carry polarity to words the training texts never show', () => {
    // Train on two polar words per side; test on lexicon words absent from training.
    const rng = new Rng(5);
    const texts: string[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 120; i++) {
      const y = i % 2;
      const w = (y === 1 ? ['great', 'lovely'] : ['awful', 'boring'])[rng.int(2)]!;
      texts.push(`the film was ${w}`);
      labels.push(y);
    }
    const withLex = trainNgramLogistic(texts, labels, 2, { lexicon: true, charNgrams: null });
    const without = trainNgramLogistic(texts, labels, 2, { charNgrams: null });
    const unseen = ['the film was nice', 'the film was terrible']; // same polarity buckets as lovely, awful
    const p = withLex.probabilities(unseen);
    expect(p[0]![1]).toBeGreaterThan(0.7);
    expect(p[1]![1]).toBeLessThan(0.3);
    // Without them the unseen words are no evidence: both texts get the same probability.
    const q = without.probabilities(unseen);
    expect(q[0]![1]).toBeCloseTo(q[1]![1]!, 6);
  });
});

describe('trainNgramLogistic', () => {
  it('learns a polar-word task, deterministically, with mirrored binary weights', () => {
    const train = polar(200, 1);
    const test = polar(100, 2);
    const m = trainNgramLogistic(train.texts, train.labels, 2, { iterations: 100 });
    const again = trainNgramLogistic(train.texts, train.labels, 2, { iterations: 100 });
    expect(Array.from(again.weight)).toEqual(Array.from(m.weight));
    expect(again.features).toEqual(m.features);
    const f = m.features.length;
    for (let j = 0; j < f; j++) expect(m.weight[j]).toBe(-m.weight[f + j]!);
    expect(m.bias[0]).toBe(-m.bias[1]!);
    const probs = m.probabilities(test.texts);
    let correct = 0;
    probs.forEach((p, i) => {
      expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
      if ((p[1]! > 0.5 ? 1 : 0) === test.labels[i]) correct++;
    });
    expect(correct / test.texts.length).toBeGreaterThanOrEqual(0.97);
    // A polar word seen only as a sub-word piece still counts: "greatest" shares "great"'s n-grams.
    const [p] = m.probabilities(['the greatest cast']);
    expect(p![1]!).toBeGreaterThan(0.5);
  });

  it('fits one-vs-rest models for more than two classes', () => {
    const texts = ['red apple', 'red cherry', 'green leaf', 'green grass', 'blue sky', 'blue sea'];
    const labels = [0, 0, 1, 1, 2, 2];
    const m = trainNgramLogistic(texts, labels, 3, { charNgrams: null, wordNgrams: 1 });
    expect(m.numClasses).toBe(3);
    const probs = m.probabilities(['red', 'green', 'blue', 'nothing known']);
    expect(probs.map((p) => p.indexOf(Math.max(...p)))).toEqual([
      0,
      1,
      2,
      probs[3]!.indexOf(Math.max(...probs[3]!)),
    ]);
    for (const p of probs) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    // No known feature: every class gets the same prior-only score.
    expect(probs[3]![0]).toBeCloseTo(1 / 3, 2);
  });

  it('rejects bad data and options with typed errors naming what was wrong', () => {
    expect(() => trainNgramLogistic([], [], 2)).toThrow(DataError);
    expect(() => trainNgramLogistic(['a', 'b'], [0], 2)).toThrow(/2 \(one per text\)/);
    expect(() => trainNgramLogistic(['a', 'b'], [0, 2], 2)).toThrow(/label 1/);
    expect(() => trainNgramLogistic(['a', 'b'], [0, 1], 2, { alpha: 0 })).toThrow(/alpha/);
    expect(() => trainNgramLogistic(['a', 'b'], [0, 1], 2, { iterations: 1.5 })).toThrow(OptionError);
    expect(() => trainNgramLogistic(['a', 'b'], [0, 1], 1)).toThrow(/numClasses/);
  });

  it('checks the parts of a model', () => {
    const parts = { config: ngramFeatureDefaults, features: ['w:a', 'w:b'], bias: new Float32Array(2) };
    expect(() => new NgramLogistic({ ...parts, weight: new Float32Array(3) })).toThrow(/classes x features/);
    expect(
      () => new NgramLogistic({ ...parts, features: ['w:a', 'w:a'], weight: new Float32Array(4) }),
    ).toThrow(/distinct/);
  });
});
