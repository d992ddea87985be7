import { DataError, OptionError } from '@recurrent/core';
import { splitCorpus } from '@recurrent/corpora';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface Row {
  key: string;
  n: number;
}

function corpusOf(keys: string[]) {
  return { items: keys.map((key, n): Row => ({ key, n })), groupKey: (r: Row) => r.key };
}

describe('splitCorpus', () => {
  it('keeps every group in one split, covers every item once, and keeps corpus order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'), {
          minLength: 12,
          maxLength: 60,
        }),
        fc.integer({ min: 0, max: 1000 }),
        (keys, seed) => {
          const c = corpusOf(keys);
          if (new Set(keys).size < 3) return;
          const s = splitCorpus(c, { seed, valid: 0.2, test: 0.2 });
          const all = [...s.train, ...s.valid, ...s.test];
          expect(all.map((r) => r.n).sort((a, b) => a - b)).toEqual(keys.map((_, i) => i));
          for (const part of [s.train, s.valid, s.test]) {
            expect(part.map((r) => r.n)).toEqual([...part.map((r) => r.n)].sort((a, b) => a - b));
          }
          const home = new Map<string, string>();
          for (const [name, part] of Object.entries(s)) {
            for (const r of part as Row[]) {
              expect(home.get(r.key) ?? name, `group ${r.key} straddles splits`).toBe(name);
              home.set(r.key, name);
            }
          }
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });

  it('is deterministic in the seed and sizes splits by groups', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `g${i % 200}`);
    const a = splitCorpus(corpusOf(keys), { seed: 9 });
    const b = splitCorpus(corpusOf(keys), { seed: 9 });
    const c = splitCorpus(corpusOf(keys), { seed: 10 });
    expect(a).toEqual(b);
    expect(a.test).not.toEqual(c.test);
    // 200 groups of 5 items: 20 groups (100 items) each for valid and test.
    expect([a.train.length, a.valid.length, a.test.length]).toEqual([800, 100, 100]);
  });

  it('holds out named groups', () => {
    const c = corpusOf(['1', '2', '3', '3', '4']);
    const s = splitCorpus(c, { heldOut: { test: ['3'], valid: ['1'] } });
    expect(s.test.map((r) => r.n)).toEqual([2, 3]);
    expect(s.valid.map((r) => r.n)).toEqual([0]);
    expect(s.train.map((r) => r.n)).toEqual([1, 4]);
    expect(() => splitCorpus(c, { heldOut: { test: ['99'] } })).toThrow(OptionError);
  });

  it('rejects bad fractions and corpora too small to split', () => {
    const c = corpusOf(['a', 'b', 'c']);
    expect(() => splitCorpus(c, { valid: 1 })).toThrow(OptionError);
    expect(() => splitCorpus(c, { test: -0.1 })).toThrow(OptionError);
    expect(() => splitCorpus(corpusOf(['a', 'a', 'b']), {})).toThrow(DataError);
    expect(splitCorpus(c, { valid: 0, test: 0 }).train).toHaveLength(3);
  });
});
