import { DataError } from '@recurrent/core';
import { alignTokens, editDistance, errorRate, phonemeErrorRate, wordErrorRate } from '@recurrent/seq2seq';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** The textbook Wagner-Fischer table, written independently of the implementation under test. */
function reference(a: readonly string[], b: readonly string[]): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([]);
    for (let j = 0; j <= b.length; j++) {
      if (i === 0) d[i]!.push(j);
      else if (j === 0) d[i]!.push(i);
      else {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i]!.push(Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost));
      }
    }
  }
  return d[a.length]![b.length]!;
}

describe('editDistance', () => {
  it('gives the classic distances', () => {
    expect(editDistance([...'kitten'], [...'sitting'])).toBe(3);
    expect(editDistance([...'flaw'], [...'lawn'])).toBe(2);
    expect(editDistance([], [...'abc'])).toBe(3);
    expect(editDistance([...'abc'], [])).toBe(3);
    expect(editDistance([...'same'], [...'same'])).toBe(0);
  });

  it('matches the textbook table and splits edits consistently (property)', () => {
    const seq = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 12 });
    fc.assert(
      fc.property(seq, seq, (h, r) => {
        const c = alignTokens(h, r);
        expect(c.edits).toBe(reference(h, r));
        expect(c.substitutions + c.deletions + c.insertions).toBe(c.edits);
        // Every reference token is matched, substituted or deleted; likewise for the hypothesis.
        expect(r.length - c.deletions - c.substitutions).toBe(h.length - c.insertions - c.substitutions);
        expect(c.referenceLength).toBe(r.length);
        expect(c.deletions - c.insertions).toBe(r.length - h.length);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('counts the alignment with the most matches among the minimal ones', () => {
    // bcd vs abc: a shift is 2 edits (delete a, insert d), cheaper than 3 substitutions.
    const c = alignTokens([...'bcd'], [...'abc']);
    expect(c).toEqual({ edits: 2, substitutions: 0, deletions: 1, insertions: 1, referenceLength: 3 });
    // 3 edits either as sit/sat + delete 'the' + insert 'today' (4 matches) or as 3 substitutions (3 matches).
    const t = alignTokens(
      ['the', 'cat', 'sit', 'on', 'mat', 'today'],
      ['the', 'cat', 'sat', 'on', 'the', 'mat'],
    );
    expect(t).toEqual({ edits: 3, substitutions: 1, deletions: 1, insertions: 1, referenceLength: 6 });
  });

  it('compares tokens by identity, so works on token ids', () => {
    expect(editDistance(Int32Array.from([1, 2, 3]), Int32Array.from([1, 3]))).toBe(1);
  });
});

describe('wordErrorRate', () => {
  it('counts substitutions, deletions and insertions over reference words', () => {
    // ref: the cat sat on the mat (6); hyp: the cat sit on mat today -> sub sat/sit, del the, ins today.
    const r = wordErrorRate(['the cat sit on mat today'], ['the cat sat on the mat']);
    expect(r.edits).toBe(3);
    expect(r.substitutions).toBe(1);
    expect(r.deletions).toBe(1);
    expect(r.insertions).toBe(1);
    expect(r.referenceLength).toBe(6);
    expect(r.rate).toBeCloseTo(0.5, 12);
  });

  it('is total edits over total reference words, not a mean of segment rates', () => {
    // Segment rates 1/1 and 0/9 average to 0.5; the corpus rate is 1/10.
    const r = wordErrorRate(['x', 'a b c d e f g h i'], ['y', 'a b c d e f g h i']);
    expect(r.rate).toBeCloseTo(0.1, 12);
  });

  it('can exceed 1 and honours lowercase', () => {
    expect(wordErrorRate(['a b c'], ['d']).rate).toBe(3);
    expect(wordErrorRate(['Hello World'], ['hello world']).edits).toBe(2);
    expect(wordErrorRate(['Hello World'], ['hello world'], { lowercase: true }).edits).toBe(0);
  });

  it('rejects mismatched lengths and empty references', () => {
    expect(() => wordErrorRate(['a'], ['a', 'b'])).toThrow(DataError);
    expect(() => wordErrorRate(['a'], ['   '])).toThrow(DataError);
  });
});

describe('phonemeErrorRate', () => {
  it('aligns phoneme sequences given as strings or arrays', () => {
    // CMUdict READ: R EH1 D vs R IY1 D.
    const r = phonemeErrorRate(['R EH1 D', ['HH', 'AH0', 'L', 'OW1']], [['R', 'IY1', 'D'], 'HH AH0 L OW1']);
    expect(r.edits).toBe(1);
    expect(r.referenceLength).toBe(7);
    expect(r.rate).toBeCloseTo(1 / 7, 12);
    expect(errorRate([['R', 'EH1', 'D']], [['R', 'IY1', 'D']]).substitutions).toBe(1);
  });
});
