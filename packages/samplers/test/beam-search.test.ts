import { OptionError } from '@recurrent/core';
import { bannedNgramTokens, beamSearch, generateAll, selectBatch } from '@recurrent/samplers';
import { describe, expect, it } from 'vitest';
import { enumerate, markovModel, randomMarkov } from './markov.ts';

const EOS = 0;

function lp(len: number, alpha: number): number {
  return ((5 + len) / 6) ** alpha;
}

/** The top-n of every possible output by brute force, ranked like the search ranks them. */
function bruteForce(
  m: ReturnType<typeof randomMarkov>,
  prompt: number[],
  maxLength: number,
  alpha: number,
  n: number,
): { tokens: number[]; score: number }[] {
  return enumerate(m, prompt, EOS, maxLength)
    .map((s) => ({ tokens: s.tokens, score: s.logProb / lp(s.tokens.length, alpha) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, n);
}

/** Logits from probabilities, for hand-made tables. */
function row(...p: number[]): Float32Array {
  return Float32Array.from(p, Math.log);
}

describe('beamSearch', () => {
  it('finds the best sequence where greedy does not (hand-made model)', async () => {
    // Tokens: 0 = EOS, 1 = A, 2 = B; prompt [1]. After the start, A is likelier than B, but every
    // continuation of A is uncertain while B is almost surely followed by EOS.
    const u = row(1 / 3, 1 / 3, 1 / 3);
    // table[prev + 1][cur]: prev = start / EOS / A / B; cur = EOS / A / B.
    const table = [
      [u, row(0.1, 0.5, 0.4), u], // prev = start
      [u, u, u], // prev = EOS (never continued)
      [u, row(0.3, 0.35, 0.35), row(0.9, 0.05, 0.05)], // prev = A
      [u, row(0.3, 0.35, 0.35), row(0.9, 0.05, 0.05)], // prev = B
    ];
    const m = markovModel(table);
    const best = bruteForce(m, [1], 4, 0, 1)[0]!;
    expect(best.tokens).toEqual([2, EOS]); // B EOS: 0.4 * 0.9 = 0.36
    const greedyOut = await generateAll(m, [1], { temperature: 0, eosId: EOS, maxTokens: 4 });
    expect(Array.from(greedyOut.tokens)).not.toEqual([2]);
    const [h] = beamSearch(m, [1], { beamSize: 2, eosId: EOS, maxLength: 4 });
    expect(Array.from(h!.tokens)).toEqual(best.tokens);
    expect(h!.logProb).toBeCloseTo(Math.log(0.36), 6);
    expect(h!.finished).toBe(true);
  });

  it('returns the exact n-best list when the beam covers every path (random models, with length penalty)', () => {
    for (const [seed, alpha] of [
      [1, 0],
      [2, 0.7],
      [3, 1.5],
    ] as const) {
      const m = randomMarkov(4, seed, 1.5);
      const maxLength = 5;
      const want = bruteForce(m, [1, 2], maxLength, alpha, 6);
      // 3 non-EOS tokens: at most 3^4 = 81 live paths, so a beam of 81 prunes nothing.
      const got = beamSearch(m, [1, 2], {
        beamSize: 81,
        nBest: 6,
        eosId: EOS,
        maxLength,
        lengthPenalty: alpha,
      });
      expect(got.map((h) => Array.from(h.tokens))).toEqual(want.map((w) => w.tokens));
      got.forEach((h, i) => {
        expect(h.score).toBeCloseTo(want[i]!.score, 5);
        expect(h.finished).toBe(h.tokens[h.tokens.length - 1] === EOS);
      });
      // Beams run as one batch per step.
      expect(Math.max(...m.batches)).toBeGreaterThan(1);
    }
  });

  it('with beam 1 equals greedy decoding', async () => {
    for (let seed = 10; seed < 30; seed++) {
      const m = randomMarkov(6, seed);
      const g = await generateAll(m, [3], { temperature: 0, eosId: EOS, maxTokens: 12 });
      const [h] = beamSearch(markovModel(m.table, false), [3], { beamSize: 1, eosId: EOS, maxLength: 12 });
      const expected = g.reason === 'eos' ? [...g.tokens, EOS] : Array.from(g.tokens);
      expect(Array.from(h!.tokens), `seed ${seed}`).toEqual(expected);
    }
  });

  it('honours minLength, maxLength and no-repeat n-grams', () => {
    const m = randomMarkov(5, 42);
    for (const h of beamSearch(m, [1], { beamSize: 4, nBest: 4, eosId: EOS, minLength: 3, maxLength: 8 })) {
      const eosAt = Array.from(h.tokens).indexOf(EOS);
      expect(eosAt === -1 || eosAt >= 3).toBe(true);
      expect(h.tokens.length).toBeLessThanOrEqual(8);
    }
    // A model that loves repeating "1 2": no bigram may occur twice in prompt + output.
    const loop = Float32Array.of(-5, 3, 3, -1, -1);
    const table = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => loop));
    const rep = markovModel(table);
    for (const h of beamSearch(rep, [1, 2], {
      beamSize: 3,
      nBest: 3,
      eosId: EOS,
      maxLength: 10,
      noRepeatNgramSize: 2,
    })) {
      const seq = [1, 2, ...h.tokens];
      const bigrams = seq.slice(1).map((t, i) => `${seq[i]},${t}`);
      expect(new Set(bigrams).size).toBe(bigrams.length);
    }
  });

  it('validates options and needs selectState to reorder beams', () => {
    const m = randomMarkov(4, 1);
    expect(() => beamSearch(m, [1], { beamSize: 0 })).toThrow(OptionError);
    expect(() => beamSearch(m, [1], { beamSize: 2, nBest: 3 })).toThrow(OptionError);
    expect(() => beamSearch(m, [1], { minLength: 5, maxLength: 5 })).toThrow(OptionError);
    expect(() => beamSearch(m, [], {})).toThrow(OptionError);
    expect(() => beamSearch(markovModel(m.table, false), [1], { beamSize: 2, eosId: EOS })).toThrow(
      /selectState/,
    );
  });
});

describe('selectBatch and bannedNgramTokens', () => {
  it('gathers rows along an axis', () => {
    // [L=2, B=3, H=2]
    const data = Float32Array.from({ length: 12 }, (_, i) => i);
    const r = selectBatch(data, [2, 3, 2], 1, Int32Array.of(2, 2, 0));
    expect(r.shape).toEqual([2, 3, 2]);
    expect(Array.from(r.data)).toEqual([4, 5, 4, 5, 0, 1, 10, 11, 10, 11, 6, 7]);
  });

  it('bans the tokens that would repeat an n-gram', () => {
    expect([...bannedNgramTokens([1, 2, 3, 1, 2], 3)]).toEqual([3]);
    expect([...bannedNgramTokens([1, 2, 1, 4, 1], 2)].sort()).toEqual([2, 4]);
    expect([...bannedNgramTokens([5, 6], 1)].sort()).toEqual([5, 6]);
    expect(bannedNgramTokens([1, 2], 0).size).toBe(0);
  });
});
