import { DataError, FormatError, OptionError } from '@recurrent/core';
import { compareCodePoints, Vocab, VocabBuilder } from '@recurrent/tokenizers';
import { describe, expect, it } from 'vitest';

describe('VocabBuilder', () => {
  it('puts specials first, then tokens by count, ties in code-point order', () => {
    const v = new VocabBuilder().addAll(['b', 'a', 'c', 'a', 'b', 'd', 'a', '😀', 'é']).build();
    expect(v.tokens).toEqual(['<pad>', '<unk>', '<s>', '</s>', 'a', 'b', 'c', 'd', 'é', '😀']);
    expect(v.specials).toEqual({ pad: 0, unk: 1, bos: 2, eos: 3 });
  });

  it('does not depend on insertion order', () => {
    const words = 'the cat sat on the mat and the dog sat too'.split(' ');
    const a = new VocabBuilder().addAll(words).build();
    const b = new VocabBuilder().addAll([...words].reverse()).build();
    expect(a.tokens).toEqual(b.tokens);
  });

  it('applies minFrequency and maxSize (specials included)', () => {
    const b = new VocabBuilder().add('x', 5).add('y', 3).add('z', 1).add('w', 3);
    expect(b.build({ minFrequency: 2 }).tokens.slice(4)).toEqual(['x', 'w', 'y']);
    expect(b.build({ maxSize: 6 }).tokens).toEqual(['<pad>', '<unk>', '<s>', '</s>', 'x', 'w']);
    expect(() => b.build({ maxSize: 3 })).toThrow(OptionError);
  });

  it('takes custom specials; a corpus token equal to a special keeps the special id', () => {
    const v = new VocabBuilder()
      .addAll(['[PAD]', 'a', 'a'])
      .build({ specials: { pad: '[PAD]', unk: '[UNK]' } });
    expect(v.tokens).toEqual(['[PAD]', '[UNK]', 'a']);
    expect(v.specials).toEqual({ pad: 0, unk: 1 });
    expect(v.id('[PAD]')).toBe(0);
    expect(() => new VocabBuilder().build({ specials: { pad: 'x', unk: 'x' } })).toThrow(OptionError);
  });
});

describe('Vocab', () => {
  const v = new VocabBuilder().addAll(['a', 'b']).build();

  it('maps unknown tokens to unk and rejects bad ids', () => {
    expect(v.id('a')).toBe(4);
    expect(v.id('zzz')).toBe(v.specials.unk);
    expect(v.has('zzz')).toBe(false);
    expect(v.token(5)).toBe('b');
    expect(() => v.token(6)).toThrow(DataError);
    expect(() => v.token(-1)).toThrow(DataError);
  });

  it('round-trips through JSON and validates what it reads', () => {
    const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
    expect(back.tokens).toEqual(v.tokens);
    expect(back.specials).toEqual(v.specials);
    expect(() => Vocab.fromJSON({ tokens: ['a', 'a'], specials: { pad: 0, unk: 1 } })).toThrow(FormatError);
    expect(() => Vocab.fromJSON({ tokens: ['a'], specials: { pad: 0, unk: 3 } })).toThrow(FormatError);
    expect(() => Vocab.fromJSON({ tokens: ['a'] } as never)).toThrow(FormatError);
  });
});

describe('compareCodePoints', () => {
  it('orders by code point, not UTF-16 unit', () => {
    // U+FF5E (one unit, 0xFF5E) sorts before U+1F600 (surrogates 0xD83D...) by code point.
    expect(compareCodePoints('\uff5e', '😀')).toBeLessThan(0);
    expect('\uff5e' < '😀').toBe(false); // what plain string comparison would say
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'a')).toBe(0);
  });
});
