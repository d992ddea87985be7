import { FormatError, Rng } from '@recurrent/core';
import {
  readModelProto,
  type SentencePieceModelSpec,
  SentencePieceNormalizer,
  SentencePieceTokenizer,
  writeModelProto,
} from '@recurrent/tokenizers';
import { describe, expect, it } from 'vitest';
import { fixtureModelBytes } from './support/fixtures.ts';

// Hostile input: a model file that is truncated, corrupted or not a model at all must end in a
// FormatError (or, if the damage happens to leave a valid model, in a working tokenizer); never in
// another exception, a crash or a hang.

const SAMPLE = 'Call me Ishmael. Ｆｕｌｌ ﬁsh café naïve 鯨 🐳 <sep> whale 😀 ①';

/** A small but complete model: every meta piece (256 bytes too) and the first normal pieces, no charsmap. */
function smallModel(name: string, normalPieces: number): Uint8Array {
  const spec = readModelProto(fixtureModelBytes(name));
  let kept = 0;
  const pieces = spec.pieces.filter((p) => p.type !== 'NORMAL' || kept++ < normalPieces);
  const { precompiledCharsmap: _, ...normalizerSpec } = spec.normalizerSpec ?? {};
  const small: SentencePieceModelSpec = { ...spec, pieces, normalizerSpec };
  return writeModelProto(small);
}

/** Runs a possibly broken model; returns 'ok', 'format' (FormatError) or rethrows anything else. */
function exercise(bytes: Uint8Array, rng: Rng): 'ok' | 'format' {
  try {
    const tok = SentencePieceTokenizer.fromBytes(bytes);
    const ids = tok.encode(SAMPLE);
    tok.decode(ids);
    tok.encodeAsPieces(SAMPLE);
    const random = Array.from({ length: 20 }, () => rng.int(tok.vocabSize));
    tok.decode(random);
    if (rng.int(10) === 0) tokenizerRoundTrip(tok);
    return 'ok';
  } catch (e) {
    if (e instanceof FormatError) return 'format';
    throw e;
  }
}

function tokenizerRoundTrip(tok: SentencePieceTokenizer): void {
  const again = SentencePieceTokenizer.fromJSON(tok.toJSON());
  expect(Array.from(again.encode(SAMPLE))).toEqual(Array.from(tok.encode(SAMPLE)));
}

/** Applies one to four random edits: bit flips, byte overwrites, deletions, insertions, truncation, 0xff runs. */
function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  let b = Array.from(src);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(Math.max(1, b.length));
    switch (rng.int(6)) {
      case 0:
        b[at] = ((b[at] ?? 0) ^ (1 << rng.int(8))) & 255;
        break;
      case 1:
        b[at] = rng.int(256);
        break;
      case 2:
        b.splice(at, 1 + rng.int(16));
        break;
      case 3:
        b.splice(at, 0, ...Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)));
        break;
      case 4:
        b = b.slice(0, at);
        break;
      case 5:
        b.splice(at, 0, ...Array.from({ length: 1 + rng.int(10) }, () => 0xff));
        break;
    }
  }
  return Uint8Array.from(b);
}

describe('hostile SentencePiece models', () => {
  const unigram = smallModel('mixed-unigram-bytes', 120);
  const bpe = smallModel('mixed-bpe-bytes', 120);

  it('the small fuzzing models are themselves valid', () => {
    const rng = new Rng(1);
    expect(exercise(unigram, rng)).toBe('ok');
    expect(exercise(bpe, rng)).toBe('ok');
  });

  it('every truncation of a model is a FormatError or a working model', () => {
    const rng = new Rng(2);
    let format = 0;
    let cuts = 0;
    for (let n = 0; n < unigram.length; n += 1 + rng.int(9)) {
      cuts++;
      if (exercise(unigram.subarray(0, n), rng) === 'format') format++;
    }
    // Most cuts land inside a field; a cut at a field boundary can leave a (smaller) valid model.
    expect(cuts).toBeGreaterThan(1_000);
    expect(format).toBeGreaterThan(cuts / 2);
  });

  it('3,000 seeded mutations end in FormatError or a working model, never another error', () => {
    const rng = new Rng(3);
    const outcomes = { ok: 0, format: 0 };
    for (let i = 0; i < 3_000; i++) {
      const mutated = mutate(i % 2 === 0 ? unigram : bpe, rng);
      outcomes[exercise(mutated, rng)]++;
    }
    expect(outcomes.format).toBeGreaterThan(500);
    expect(outcomes.ok).toBeGreaterThan(100);
  });

  it('a corrupted precompiled charsmap is a FormatError at load or normalization, never out-of-bounds', () => {
    const spec = readModelProto(fixtureModelBytes('moby-unigram'));
    const charsmap = spec.normalizerSpec?.precompiledCharsmap as Uint8Array;
    const trieSize = new DataView(charsmap.buffer, charsmap.byteOffset, 4).getUint32(0, true);
    const rng = new Rng(4);
    const text = `${SAMPLE} ÀÁÂ ｶﾀｶﾅ ㍿ x² ½`;
    const outcomes = { ok: 0, format: 0 };
    for (let i = 0; i < 600; i++) {
      const blob = charsmap.slice();
      for (let k = 0; k < 1 + rng.int(40); k++) {
        // Hit the size header, the trie units reached from the root, and the replacement table.
        const at =
          k === 0 && rng.int(8) === 0
            ? rng.int(4)
            : rng.int(4) === 0
              ? 4 + rng.int(4096)
              : rng.int(blob.length);
        blob[at] = rng.int(256);
      }
      try {
        new SentencePieceNormalizer({ ...spec.normalizerSpec, precompiledCharsmap: blob }).normalize(text);
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        outcomes.format++;
      }
    }
    expect(trieSize).toBeLessThan(charsmap.length);
    expect(outcomes.format).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  });

  it('rejects models spm would refuse to load', () => {
    const spec = readModelProto(unigram);
    const variants: Array<[string, SentencePieceModelSpec]> = [
      ['no unknown piece', { ...spec, pieces: spec.pieces.filter((p) => p.type !== 'UNKNOWN') }],
      [
        'two unknown pieces',
        { ...spec, pieces: [...spec.pieces, { piece: '<unk2>', score: 0, type: 'UNKNOWN' }] },
      ],
      [
        'a duplicate piece',
        { ...spec, pieces: [...spec.pieces, { ...(spec.pieces.at(-1) as (typeof spec.pieces)[0]) }] },
      ],
      ['a missing byte piece', { ...spec, pieces: spec.pieces.filter((p) => p.piece !== '<0x41>') }],
      [
        'byte pieces without byte_fallback',
        { ...spec, trainerSpec: { ...spec.trainerSpec, byteFallback: false } },
      ],
      [
        'a misspelled byte piece',
        { ...spec, pieces: spec.pieces.map((p) => (p.piece === '<0x41>' ? { ...p, piece: '<0x4g>' } : p)) },
      ],
    ];
    for (const [what, v] of variants) {
      expect(() => SentencePieceTokenizer.fromSpec(v), what).toThrow(FormatError);
    }
  });

  it('rejects ids outside the vocabulary when decoding', () => {
    const tok = SentencePieceTokenizer.fromBytes(unigram);
    expect(() => tok.decode([0, tok.vocabSize])).toThrow(
      /ids\[1\]: expected an integer in \[0, \d+\), got \d+/,
    );
    expect(() => tok.decode([-1])).toThrow();
    expect(() => tok.decode([1.5])).toThrow();
  });
});
