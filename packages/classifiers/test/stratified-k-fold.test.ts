import { stratifiedKFold } from '@recurrent/classifiers';
import { DataError, OptionError, ShapeError } from '@recurrent/core';
import { describe, expect, it } from 'vitest';

function count(labels: number[], idx: Int32Array, y: number): number {
  let n = 0;
  for (const i of idx) if (labels[i] === y) n++;
  return n;
}

describe('stratifiedKFold', () => {
  // 23 of class 0, 9 of class 1, 5 of class 2, interleaved.
  const labels = Array.from({ length: 37 }, (_, i) => (i < 23 ? 0 : i < 32 ? 1 : 2)).map(
    (_, i, a) => a[(i * 7) % 37]!,
  );

  it('puts every example in exactly one test fold and keeps train = the complement', () => {
    const folds = stratifiedKFold(labels, { k: 5, seed: 3 });
    expect(folds).toHaveLength(5);
    const seen = new Int32Array(labels.length);
    for (const f of folds) {
      for (const i of f.test) seen[i]!++;
      expect(f.train.length + f.test.length).toBe(labels.length);
      const test = new Set(f.test);
      for (const i of f.train) expect(test.has(i)).toBe(false);
      expect([...f.test]).toEqual([...f.test].sort((a, b) => a - b));
    }
    expect([...seen].every((s) => s === 1)).toBe(true);
  });

  it('stratifies: each class is spread over the folds within one example', () => {
    const folds = stratifiedKFold(labels, { k: 5, seed: 3 });
    for (const y of [0, 1, 2]) {
      const per = folds.map((f) => count(labels, f.test, y));
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const a = stratifiedKFold(labels, { k: 4, seed: 11 });
    const b = stratifiedKFold(labels, { k: 4, seed: 11 });
    const c = stratifiedKFold(labels, { k: 4, seed: 12 });
    expect(a.map((f) => [...f.test])).toEqual(b.map((f) => [...f.test]));
    expect(a.map((f) => [...f.test])).not.toEqual(c.map((f) => [...f.test]));
  });

  it('never splits a group across folds', () => {
    const groups = labels.map((_, i) => `g${i % 13}`);
    const folds = stratifiedKFold(labels, { k: 4, seed: 1, groups });
    for (const f of folds) {
      const inTest = new Set([...f.test].map((i) => groups[i]));
      for (const i of f.train) expect(inTest.has(groups[i]!)).toBe(false);
    }
  });

  it('rejects bad k, too few groups and mismatched groups', () => {
    expect(() => stratifiedKFold(labels, { k: 1 })).toThrow(OptionError);
    expect(() => stratifiedKFold(labels, { k: 2.5 })).toThrow(OptionError);
    expect(() => stratifiedKFold([0, 1, 0], { k: 4 })).toThrow(DataError);
    expect(() => stratifiedKFold([0, 1, 0, 1], { k: 3, groups: ['a', 'a', 'b', 'b'] })).toThrow(
      /at least 3 groups/,
    );
    expect(() => stratifiedKFold([0, 1], { k: 2, groups: ['a'] })).toThrow(ShapeError);
  });
});
