import { createHash } from 'node:crypto';
import { DataError, OptionError } from '@recurrent/core';
import {
  NMT_NFKC_CHARSMAP_SHA256,
  nmtNfkcCharsmap,
  readModelProto,
  SentencePieceTokenizer,
  trainTokenizer,
  writeModelProto,
} from '@recurrent/tokenizers';
import { describe, expect, it } from 'vitest';
import { isValidPiece, type PieceRules, UNK_CHAR, WS_CHAR } from '../src/trainer/piece-rules.ts';
import { countWords, loadTrainingCorpus, toCodePoints } from '../src/trainer/training-corpus.ts';
import { digamma, makeSeedPieces } from '../src/trainer/unigram-trainer.ts';
import { fixtureModelBytes } from './support/fixtures.ts';
import { mobyDickLines } from './support/moby-dick.ts';

const moby = mobyDickLines();
const train = moby.slice(0, 2000);
// Large byte arrays compare much faster as Buffers than through toEqual's element-wise walk.
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && Buffer.from(a).equals(b);
const rules: PieceRules = { maxPieceLength: 16, splitDigits: false };
const valid = (s: string, r: PieceRules = rules): boolean => {
  const cps = toCodePoints(s);
  return isValidPiece(cps, 0, cps.length, r);
};
const simpleNormalize = (line: string): string => `▁${line.trim().split(/\s+/).join('▁')}`;

describe('piece rules (spm IsValidSentencePiece)', () => {
  it('allows ▁ only as the first character', () => {
    expect(valid('▁the')).toBe(true);
    expect(valid('▁')).toBe(true);
    expect(valid('the▁')).toBe(false);
    expect(valid('th▁e')).toBe(false);
    expect(valid('▁▁')).toBe(false);
  });

  it('keeps one Unicode script per piece, with kana counted as Han and marks inheriting', () => {
    expect(valid('whale')).toBe(true);
    expect(valid('...')).toBe(true); // Common
    expect(valid('e.')).toBe(false); // Latin then Common
    expect(valid('a1')).toBe(false);
    expect(valid('abα')).toBe(false);
    expect(valid('日本語ひらがなカタカナー')).toBe(true);
    expect(valid('e\u0301t\u0301')).toBe(true); // combining acute takes the script before it
    expect(valid('Москва')).toBe(true);
  });

  it('rejects the unknown stand-in, NUL, tab, space and over-long pieces', () => {
    expect(valid(`a${String.fromCodePoint(UNK_CHAR)}`)).toBe(false);
    expect(valid('a\u0000')).toBe(false);
    expect(valid('a\tb')).toBe(false);
    expect(valid('a b')).toBe(false);
    expect(valid('abcdefghijklmnop')).toBe(true);
    expect(valid('abcdefghijklmnopq')).toBe(false);
    expect(valid('abc', { maxPieceLength: 2, splitDigits: false })).toBe(false);
  });

  it('splits digits only when asked', () => {
    expect(valid('1999')).toBe(true);
    expect(valid('1999', { maxPieceLength: 16, splitDigits: true })).toBe(false);
    expect(valid('7', { maxPieceLength: 16, splitDigits: true })).toBe(true);
  });
});

describe('digamma', () => {
  it('matches tabulated values', () => {
    // psi(1) = -gamma, psi(1/2) = -gamma - 2 ln 2, psi(10) = H_9 - gamma.
    const gamma = 0.5772156649015329;
    // spm's asymptotic series is good to about 1e-10.
    expect(digamma(1)).toBeCloseTo(-gamma, 9);
    expect(digamma(0.5)).toBeCloseTo(-gamma - 2 * Math.log(2), 9);
    let h9 = 0;
    for (let k = 1; k <= 9; k++) h9 += 1 / k;
    expect(digamma(10)).toBeCloseTo(h9 - gamma, 9);
    expect(digamma(1e6)).toBeCloseTo(Math.log(1e6) - 1 / 2e6, 9);
  });
});

describe('corpus loading', () => {
  it('picks the alphabet by coverage and replaces rarer characters with U+2585', () => {
    const lines = ['aaaa bbb', 'aa cc', 'q'];
    // 17 characters: a 6, ▁ 5, b 3, c 2, q 1. With c the coverage is 16/17 >= 0.9, so q is left out.
    const corpus = loadTrainingCorpus(lines, {
      normalize: simpleNormalize,
      metaPieces: [],
      maxSentenceLength: 4192,
      characterCoverage: 0.9,
    });
    expect(corpus.requiredChars.map((c) => String.fromCodePoint(c.cp))).toEqual(['a', '▁', 'b', 'c']);
    expect(corpus.sentences[2]).toBe(`▁${String.fromCodePoint(UNK_CHAR)}`);
  });

  it('cuts meta pieces out of the text and skips over-long lines', () => {
    const corpus = loadTrainingCorpus(['a<s>b', 'x'.repeat(50)], {
      normalize: simpleNormalize,
      metaPieces: ['<s>'],
      maxSentenceLength: 20,
      characterCoverage: 1,
    });
    expect(corpus.sentences).toEqual([`▁a${String.fromCodePoint(UNK_CHAR)}b`]);
    expect(corpus.skippedTooLong).toBe(1);
  });

  it('counts words split before each ▁, with sentence-final counts', () => {
    const counts = countWords(['▁a▁b▁a', '▁b', 'c▁a']);
    const byWord = new Map(
      counts.words.map((w, i) => [String.fromCodePoint(...w), [counts.freqs[i], counts.finals[i]]]),
    );
    expect(byWord.get('▁a')).toEqual([3, 2]);
    expect(byWord.get('▁b')).toEqual([2, 1]);
    expect(byWord.get('c')).toEqual([1, 0]);
    expect(counts.words.length).toBe(3);
  });
});

describe('seed pieces', () => {
  it('are exactly the valid internal nodes of the suffix tree of the text, scored count x length', () => {
    const corpus = loadTrainingCorpus(moby.slice(0, 60), {
      normalize: simpleNormalize,
      metaPieces: [],
      maxSentenceLength: 4192,
      characterCoverage: 1,
    });
    // Brute force over the text as spm builds it: sentences each followed by a NUL boundary. A substring is
    // an internal node when it is followed by at least two different characters.
    const text = toCodePoints(corpus.sentences.map((s) => `${s}\u0000`).join(''));
    const next = new Map<string, Set<number>>();
    const count = new Map<string, number>();
    for (let i = 0; i < text.length; i++) {
      for (let len = 2; len <= 16 && i + len < text.length; len++) {
        if (text.subarray(i, i + len).includes(0)) break;
        if (!isValidPiece(text, i, i + len, rules)) continue;
        const key = String.fromCodePoint(...text.subarray(i, i + len));
        count.set(key, (count.get(key) ?? 0) + 1);
        const set = next.get(key) ?? new Set<number>();
        set.add(text[i + len]!);
        next.set(key, set);
      }
    }
    const expected = new Map<string, number>();
    for (const [key, set] of next) if (set.size >= 2) expected.set(key, count.get(key)! * [...key].length);

    const seeds = makeSeedPieces(countWords(corpus.sentences), corpus.requiredChars, rules, 1_000_000);
    const chars = corpus.requiredChars.length;
    expect(seeds.cps.slice(0, chars).map((c) => c[0])).toEqual(corpus.requiredChars.map((c) => c.cp));
    const got = new Map<string, number>();
    let sum = 0;
    for (const c of corpus.requiredChars) sum += c.count;
    for (const v of expected.values()) sum += v;
    seeds.cps.slice(chars).forEach((c, i) => {
      got.set(String.fromCodePoint(...c), Math.round(Math.exp(seeds.scores[chars + i]!) * sum));
    });
    expect(expected.size).toBeGreaterThan(100);
    expect(got).toEqual(expected);
  });

  it('keeps the top seedSize by score', () => {
    const corpus = loadTrainingCorpus(moby.slice(0, 60), {
      normalize: simpleNormalize,
      metaPieces: [],
      maxSentenceLength: 4192,
      characterCoverage: 1,
    });
    const all = makeSeedPieces(countWords(corpus.sentences), corpus.requiredChars, rules, 1_000_000);
    const top = makeSeedPieces(countWords(corpus.sentences), corpus.requiredChars, rules, 10);
    const chars = corpus.requiredChars.length;
    expect(top.cps.length).toBe(chars + 10);
    const str = (c: Int32Array): string => String.fromCodePoint(...c);
    expect(top.cps.slice(chars).map(str)).toEqual(all.cps.slice(chars, chars + 10).map(str));
  });
});

describe.each(['unigram', 'bpe'] as const)('trainTokenizer %s', (modelType) => {
  const spec = trainTokenizer(train, { modelType, vocabSize: 600 });
  const normal = spec.pieces.slice(3);

  it('fills the vocabulary: specials at 0..2, then unique valid pieces', () => {
    expect(spec.pieces.length).toBe(600);
    expect(spec.pieces.slice(0, 3)).toEqual([
      { piece: '<unk>', score: 0, type: 'UNKNOWN' },
      { piece: '<s>', score: 0, type: 'CONTROL' },
      { piece: '</s>', score: 0, type: 'CONTROL' },
    ]);
    expect(new Set(spec.pieces.map((p) => p.piece)).size).toBe(600);
    for (const p of normal) {
      expect(p.type).toBe('NORMAL');
      expect(valid(p.piece)).toBe(true);
    }
    expect(spec.trainerSpec?.modelType).toBe(modelType === 'bpe' ? 'BPE' : 'UNIGRAM');
    expect(spec.trainerSpec?.vocabSize).toBe(600);
  });

  it('contains every character of the text that character coverage keeps', () => {
    const tok = SentencePieceTokenizer.fromSpec(spec);
    const chars = new Map<string, number>();
    let total = 0;
    for (const line of train) {
      for (const ch of tok.normalize(line)) {
        chars.set(ch, (chars.get(ch) ?? 0) + 1);
        total++;
      }
    }
    const pieces = new Set(spec.pieces.map((p) => p.piece));
    // Characters making up at least 0.05% of the text are always inside 0.9995 coverage.
    for (const [ch, n] of chars) if (n / total >= 0.0005) expect(pieces.has(ch)).toBe(true);
  });

  it('segments held-out text into fewer pieces than characters and round-trips it', () => {
    const tok = SentencePieceTokenizer.fromSpec(spec);
    const heldOut = moby.slice(5000, 5200);
    let pieces = 0;
    let chars = 0;
    let known = 0;
    for (const line of heldOut) {
      const ids = tok.encode(line);
      pieces += ids.length;
      chars += [...line].length;
      if (ids.includes(0)) continue; // a character outside the alphabet decodes as ' ⁇ '
      known++;
      expect(tok.decode(ids)).toBe(line.trim().replace(/\s+/g, ' '));
    }
    expect(known).toBeGreaterThan(150);
    expect(pieces / chars).toBeLessThan(0.5); // a 600-piece vocabulary still halves the length
  });

  it('is deterministic: the same text and options give the same bytes', () => {
    const again = trainTokenizer(train, { modelType, vocabSize: 600 });
    expect(sameBytes(writeModelProto(again), writeModelProto(spec))).toBe(true);
  });

  it('writes a model that reads back unchanged, with the nmt_nfkc charsmap', () => {
    const back = readModelProto(writeModelProto(spec));
    expect(back.pieces).toEqual(spec.pieces);
    expect(back.normalizerSpec?.name).toBe('nmt_nfkc');
    expect(sameBytes(back.normalizerSpec?.precompiledCharsmap, nmtNfkcCharsmap())).toBe(true);
  });
});

describe('trainTokenizer scores', () => {
  it('unigram: log probabilities in descending order', () => {
    const spec = trainTokenizer(train, { modelType: 'unigram', vocabSize: 400 });
    const scores = spec.pieces.slice(3).map((p) => p.score);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]!);
    expect(Math.max(...scores)).toBeLessThan(0);
  });

  it('bpe: merge order, each merged piece made of two earlier pieces, characters last', () => {
    const spec = trainTokenizer(train, { modelType: 'bpe', vocabSize: 400 });
    const normal = spec.pieces.slice(3);
    expect(normal.map((p) => p.score)).toEqual(normal.map((_, i) => -i));
    const rank = new Map(normal.map((p, i) => [p.piece, i]));
    const firstChar = normal.findIndex((p) => [...p.piece].length === 1);
    expect(normal.slice(firstChar).every((p) => [...p.piece].length === 1)).toBe(true);
    normal.slice(0, firstChar).forEach((p, i) => {
      const cps = [...p.piece];
      const splits = cps.slice(1).map((_, k) => [cps.slice(0, k + 1).join(''), cps.slice(k + 1).join('')]);
      const earlier = (s: string): boolean =>
        [...s].length === 1 ? rank.has(s) : rank.has(s) && (rank.get(s) as number) < i;
      expect(splits.some(([a, b]) => earlier(a!) && earlier(b!))).toBe(true);
    });
  });
});

describe('trainTokenizer options', () => {
  it('places user-defined symbols and byte pieces after the specials and never learns across them', () => {
    const lines = train.map((l, i) => (i % 3 === 0 ? `${l} <sep> whale` : l));
    const spec = trainTokenizer(lines, {
      vocabSize: 700,
      userDefinedSymbols: ['<sep>', 'whale'],
      byteFallback: true,
    });
    expect(spec.pieces[3]).toEqual({ piece: '<sep>', score: 0, type: 'USER_DEFINED' });
    expect(spec.pieces[4]).toEqual({ piece: 'whale', score: 0, type: 'USER_DEFINED' });
    expect(spec.pieces[5]).toEqual({ piece: '<0x00>', score: 0, type: 'BYTE' });
    expect(spec.pieces[260]).toEqual({ piece: '<0xFF>', score: 0, type: 'BYTE' });
    expect(spec.pieces.filter((p) => p.type === 'BYTE').length).toBe(256);
    for (const p of spec.pieces.slice(261)) expect(p.piece).not.toContain('<sep');
    const tok = SentencePieceTokenizer.fromSpec(spec);
    // An emoji never seen in training falls back to its four UTF-8 bytes.
    expect(tok.encodeAsPieces('🐳')).toEqual(['▁', '<0xF0>', '<0x9F>', '<0x90>', '<0xB3>']);
    expect(tok.encodeAsPieces('a <sep> b')).toContain('<sep>');
  });

  it('honours special ids and identity normalisation', () => {
    const spec = trainTokenizer(train.slice(0, 800), {
      vocabSize: 300,
      unkId: 1,
      bosId: 0,
      eosId: -1,
      padId: 2,
      normalization: 'identity',
    });
    expect(spec.pieces.slice(0, 3).map((p) => p.piece)).toEqual(['<s>', '<unk>', '<pad>']);
    expect(spec.pieces.some((p) => p.piece === '</s>')).toBe(false);
    expect(spec.normalizerSpec?.name).toBe('identity');
    expect(spec.normalizerSpec?.precompiledCharsmap?.length).toBe(0);
    expect(spec.trainerSpec?.eosId).toBe(-1);
  });

  it('makes a smaller model when the corpus is too small and hardVocabLimit is off', () => {
    const lines = ['the cat sat on the mat', 'the dog sat on the log'];
    expect(() => trainTokenizer(lines, { vocabSize: 200 })).toThrow(/vocabSize: expected at most \d+/);
    const spec = trainTokenizer(lines, { vocabSize: 200, hardVocabLimit: false });
    expect(spec.pieces.length).toBeLessThan(200);
    expect(spec.pieces.length).toBeGreaterThan(12);
    expect(spec.trainerSpec?.vocabSize).toBe(spec.pieces.length);
  });
});

describe('trainTokenizer errors', () => {
  it('rejects an empty corpus with DataError', () => {
    expect(() => trainTokenizer([], { vocabSize: 100 })).toThrow(DataError);
    expect(() => trainTokenizer(['', '   \t '], { vocabSize: 100 })).toThrow(/corpus: expected at least one/);
  });

  it('rejects a vocabulary too small for the alphabet with OptionError naming the minimum', () => {
    const err = (() => {
      try {
        trainTokenizer(train, { vocabSize: 20 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(OptionError);
    expect((err as Error).message).toMatch(/vocabSize: expected at least \d+ .*got 20/);
  });

  it('rejects bad options with OptionError', () => {
    expect(() => trainTokenizer(train, { modelType: 'wordpiece' as 'bpe' })).toThrow(OptionError);
    expect(() => trainTokenizer(train, { modelType: 'wordpiece' as 'bpe' })).toThrow(/modelType/);
    expect(() => trainTokenizer(train, { vocabSize: 0 })).toThrow(OptionError);
    expect(() => trainTokenizer(train, { vocabSize: 1.5 })).toThrow(OptionError);
    expect(() => trainTokenizer(train, { characterCoverage: 0.5 })).toThrow(/characterCoverage/);
    expect(() => trainTokenizer(train, { userDefinedSymbols: ['<s>'] })).toThrow(OptionError);
    expect(() => trainTokenizer(train, { userDefinedSymbols: ['a b'] })).toThrow(OptionError);
    expect(() => trainTokenizer(train, { bosId: 0 })).toThrow(/distinct ids/);
    expect(() => trainTokenizer(train, { normalization: 'nfc' as 'identity' })).toThrow(OptionError);
  });

  it('rejects non-string lines with DataError', () => {
    expect(() => trainTokenizer([42 as unknown as string], { vocabSize: 100 })).toThrow(DataError);
  });
});

describe('the vendored nmt_nfkc charsmap', () => {
  it("is byte-identical to the one in spm_train's models", () => {
    const charsmap = nmtNfkcCharsmap();
    expect(createHash('sha256').update(charsmap).digest('hex')).toBe(NMT_NFKC_CHARSMAP_SHA256);
    const spm = readModelProto(fixtureModelBytes('moby-unigram'));
    expect(spm.normalizerSpec?.name).toBe('nmt_nfkc');
    expect(sameBytes(spm.normalizerSpec?.precompiledCharsmap, charsmap)).toBe(true);
  });

  it('is a fresh copy each call', () => {
    const a = nmtNfkcCharsmap();
    a[0] = (a[0]! + 1) & 255;
    expect(nmtNfkcCharsmap()[0]).not.toBe(a[0]);
  });
});

// Keep the ▁ constant honest: the trainer and the normaliser must agree on the space symbol.
describe('constants', () => {
  it('uses U+2581 for spaces', () => {
    expect(String.fromCodePoint(WS_CHAR)).toBe('▁');
  });
});
