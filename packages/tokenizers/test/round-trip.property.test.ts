import { CharTokenizer, SentencePieceTokenizer, type UnicodeNormalization } from '@recurrent/tokenizers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureModelBytes } from './support/fixtures.ts';

// decode(encode(x)) gives back x as the tokenizer normalizes it, for arbitrary Unicode.

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }), // any code point, combining marks and controls included
  fc.string({ unit: 'grapheme', maxLength: 30 }), // emoji sequences, scripts
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
);

describe('CharTokenizer round trip', () => {
  it.each(['none', 'NFC', 'NFKC'] as UnicodeNormalization[])(
    'normalization %s: decode(encode(x)) = normalize(x)',
    (n) => {
      fc.assert(
        fc.property(anyText, fc.boolean(), (x, lowercase) => {
          const tok = CharTokenizer.train([x], { normalization: n, lowercase });
          expect(tok.decode(tok.encode(x))).toBe(tok.normalize(x));
        }),
        { numRuns: 300, seed: 42 },
      );
    },
  );

  it('characters outside the vocabulary come back as U+FFFD', () => {
    const tok = CharTokenizer.train(['abcdefghijklmnopqrstuvwxyz ']);
    fc.assert(
      fc.property(anyText, (x) => {
        const expected = [...tok.normalize(x)].map((c) => (tok.vocab.has(c) ? c : '\ufffd')).join('');
        expect(tok.decode(tok.encode(x))).toBe(expected);
      }),
      { numRuns: 300, seed: 43 },
    );
  });
});

describe('SentencePiece with byte fallback round trip', () => {
  it.each(['mixed-unigram-bytes', 'mixed-bpe-bytes'])(
    '%s: decode(encode(x)) = the normalized x with spaces restored',
    (name) => {
      const tok = SentencePieceTokenizer.fromBytes(fixtureModelBytes(name));
      // U+2581 is SentencePiece's own space mark; a literal one in the input decodes as a space.
      const text = anyText.map((x) => x.replaceAll('\u2581', ''));
      fc.assert(
        fc.property(text, (x) => {
          const ids = tok.encode(x);
          // Byte fallback: nothing is unknown, every character survives.
          expect(Array.from(ids)).not.toContain(tok.specials.unk);
          const expected = tok.normalize(x).replaceAll('\u2581', ' ').replace(/^ /, '');
          expect(tok.decode(ids)).toBe(expected);
        }),
        { numRuns: 400, seed: 44 },
      );
    },
  );
});
