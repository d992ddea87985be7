import { loadCmudict, loadEnFrPairs, splitCorpus } from '@recurrent/corpora';
import { describe, expect, it } from 'vitest';

describe('CMUdict', () => {
  const dict = loadCmudict();

  it('keeps the variants of a word together, main pronunciation first', () => {
    const byWord = new Map(dict.items.map((p) => [p.word, p.variants]));
    expect(byWord.get('READ')).toEqual([
      ['R', 'EH1', 'D'],
      ['R', 'IY1', 'D'],
    ]);
    expect(byWord.get('A')).toEqual([['AH0'], ['EY1']]);
    expect(dict.items.some((p) => p.word.includes('('))).toBe(false);
    expect(dict.items.length).toBeGreaterThan(120000);
    // The package's one mangled headword is reported, not loaded.
    expect(dict.skipped).toHaveLength(1);
    expect(dict.skipped[0]!.excerpt).toContain('\ufffd');
  });

  it('splits by word, and can drop stress and non-words', () => {
    const s = splitCorpus(dict, { seed: 1, valid: 0.05, test: 0.05 });
    const train = new Set(s.train.map((p) => p.word));
    expect(s.test.some((p) => train.has(p.word))).toBe(false);
    const bare = loadCmudict({ stress: false, alphabeticOnly: true });
    const read = bare.items.find((p) => p.word === 'READ')!;
    expect(read.variants).toEqual([
      ['R', 'EH', 'D'],
      ['R', 'IY', 'D'],
    ]);
    expect(bare.items.every((p) => /^[A-Z']+$/.test(p.word))).toBe(true);
    expect(bare.checksum).not.toBe(dict.checksum);
  });
});

describe('nlp-corpus + fr-corpus English-French pairs', () => {
  const pairs = loadEnFrPairs();

  it('pairs the sentences by document position, confirmed by the shipped MD5 hashes', () => {
    expect(pairs.items).toHaveLength(100000);
    expect(pairs.items[0]).toEqual({
      source: 'Creakiness and atmosphere this film has, but so unfortunately does the print I just viewed.',
      target:
        "Le craquement et l'atmosphère de ce film, mais malheureusement aussi le tirage que je viens de voir.",
      verified: true,
    });
    const verified = pairs.items.filter((p) => p.verified).length;
    expect(verified / pairs.items.length).toBeGreaterThan(0.98);
    expect(pairs.source).toMatch(/^nlp-corpus@.* \+ fr-corpus@/);
  });

  it('splits by English sentence', () => {
    const s = splitCorpus(pairs, { seed: 3, valid: 0.01, test: 0.01 });
    const train = new Set(s.train.map((p) => p.source.toLowerCase()));
    expect(s.test.filter((p) => train.has(p.source.toLowerCase()))).toEqual([]);
    expect(s.test.length).toBeGreaterThan(900);
  });
});
