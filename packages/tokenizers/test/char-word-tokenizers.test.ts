import { DataError, FormatError, OptionError } from '@recurrent/core';
import {
  CharTokenizer,
  detokenize,
  SentencePieceTokenizer,
  type Tokenizer,
  tokenizerFromJSON,
  WordTokenizer,
} from '@recurrent/tokenizers';
import { describe, expect, it } from 'vitest';
import { fixtureModelBytes } from './support/fixtures.ts';
import { mobyDickLines } from './support/moby-dick.ts';

const moby = mobyDickLines().slice(0, 3000);

describe('CharTokenizer', () => {
  it('encodes code points, composing accents with NFC by default', () => {
    const tok = CharTokenizer.train(['héllo wörld 😀']);
    const ids = tok.encode('he\u0301llo'); // decomposed é
    expect(ids.length).toBe(5);
    expect(tok.decode(ids)).toBe('héllo');
    expect(tok.encode('😀').length).toBe(1); // one code point, two UTF-16 units
  });

  it('maps unseen characters to unk and decodes them as U+FFFD', () => {
    const tok = CharTokenizer.train(['abc']);
    const ids = tok.encode('abz');
    expect(ids[2]).toBe(tok.specials.unk);
    expect(tok.decode(ids)).toBe('ab\ufffd');
  });

  it('applies NFKC and lowercase when asked', () => {
    const tok = CharTokenizer.train(['ＡＢＣ ﬁ'], { normalization: 'NFKC', lowercase: true });
    expect(tok.vocab.tokens.slice(4).sort()).toEqual([' ', 'a', 'b', 'c', 'f', 'i']);
    expect(tok.decode(tok.encode('Ａﬁ'))).toBe('afi');
  });

  it('adds bos/eos and skips specials when decoding', () => {
    const tok = CharTokenizer.train(['ab'], { addBos: true, addEos: true });
    const ids = Array.from(tok.encode('ab'));
    expect(ids).toEqual([tok.specials.bos, tok.vocab.id('a'), tok.vocab.id('b'), tok.specials.eos]);
    expect(tok.decode([tok.specials.pad, ...ids, tok.specials.pad])).toBe('ab');
    expect(() =>
      CharTokenizer.train(['ab'], { addBos: true, specials: { pad: '<pad>', unk: '<unk>' } }),
    ).toThrow(OptionError);
  });

  it('limits the vocabulary to the most frequent characters', () => {
    const tok = CharTokenizer.train(moby, { maxSize: 30 });
    expect(tok.vocabSize).toBe(30);
    expect(tok.vocab.has('e')).toBe(true); // the most frequent letter survives
    expect(tok.vocab.has('Z')).toBe(false);
    expect(() => tok.decode([30])).toThrow(DataError);
  });
});

describe('WordTokenizer', () => {
  it('splits with the Treebank rules and detokenizes back', () => {
    const text = 'I can\'t say (really) that "Queequeg" was wrong, can you?';
    const tok = WordTokenizer.train([...moby, text]);
    expect(tok.tokenize(text)).toEqual([
      'I',
      'ca',
      "n't",
      'say',
      '(',
      'really',
      ')',
      'that',
      '"',
      'Queequeg',
      '"',
      'was',
      'wrong',
      ',',
      'can',
      'you',
      '?',
    ]);
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('maps out-of-vocabulary words to unk, shown as <unk>', () => {
    const tok = WordTokenizer.train(['the whale'], { lowercase: true });
    expect(tok.decode(tok.encode('The blue whale'))).toBe('the <unk> whale');
  });

  it('supports the word, wordPunct and regexp splitters', () => {
    const texts = ["She said 'hello' to Ishmael."];
    expect(WordTokenizer.train(texts, { splitter: 'word' }).tokenize(texts[0] as string)).toEqual([
      'She',
      'said',
      'hello',
      'to',
      'Ishmael',
    ]);
    expect(WordTokenizer.train(texts, { splitter: 'wordPunct' }).tokenize(texts[0] as string)).toEqual([
      'She',
      'said',
      "'",
      'hello',
      "'",
      'to',
      'Ishmael',
      '.',
    ]);
    const byComma = WordTokenizer.train(['a,b,,c'], { splitter: 'regexp', pattern: ',+' });
    expect(byComma.tokenize('a,b,,c')).toEqual(['a', 'b', 'c']);
    const tokensOnly = WordTokenizer.train(['x1 y22'], { splitter: 'regexp', pattern: '\\d+', gaps: false });
    expect(tokensOnly.tokenize('x1 y22')).toEqual(['1', '22']);
    expect(() => WordTokenizer.train([''], { splitter: 'regexp', pattern: '(' })).toThrow(OptionError);
  });

  it('splits sentences and can wrap each in bos/eos', () => {
    const tok = WordTokenizer.train([...moby, 'Did he?'], { sentenceMarkers: true, abbreviations: ['Mr.'] });
    expect(tok.sentences('Call me Ishmael. Mr. Starbuck came! Did he?')).toEqual([
      'Call me Ishmael.',
      'Mr. Starbuck came!',
      'Did he?',
    ]);
    const ids = Array.from(tok.encode('Call me Ishmael. Did he?'));
    const { bos, eos } = tok.specials;
    expect(ids.filter((id) => id === bos).length).toBe(2);
    expect(ids.filter((id) => id === eos).length).toBe(2);
    expect(ids[0]).toBe(bos);
    expect(ids.at(-1)).toBe(eos);
    expect(tok.decode(ids)).toBe('Call me Ishmael. Did he?');
  });
});

describe('detokenize', () => {
  it('attaches punctuation, clitics and quotes', () => {
    expect(detokenize(['He', 'said', ',', '"', 'it', "'s", 'fine', '"', '.'])).toBe('He said, "it\'s fine".');
    expect(detokenize(['(', 'a', ')', 'costs', '$', '5', '%'])).toBe('(a) costs $5%');
    expect(detokenize([])).toBe('');
  });
});

describe('tokenizerFromJSON', () => {
  const tokenizers: Tokenizer[] = [
    CharTokenizer.train(moby.slice(0, 100), { normalization: 'NFKC', addEos: true }),
    WordTokenizer.train(moby.slice(0, 100), { lowercase: true, splitter: 'wordPunct' }),
    SentencePieceTokenizer.fromBytes(fixtureModelBytes('mixed-unigram-bytes'), { addBos: true }),
  ];

  it.each(tokenizers.map((t) => [t.kind, t] as const))('%s survives JSON', (_kind, tok) => {
    const spec = JSON.parse(JSON.stringify(tok.toJSON()));
    const back = tokenizerFromJSON(spec);
    expect(back.kind).toBe(tok.kind);
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(back.specials).toEqual(tok.specials);
    for (const line of [...moby.slice(100, 130), 'Unseen wörds 😀 here.']) {
      expect(Array.from(back.encode(line))).toEqual(Array.from(tok.encode(line)));
      expect(back.decode(tok.encode(line))).toBe(tok.decode(tok.encode(line)));
    }
  });

  it('rejects unknown kinds and malformed specs with FormatError', () => {
    expect(() => tokenizerFromJSON({ kind: 'bpe' } as never)).toThrow(FormatError);
    expect(() => tokenizerFromJSON(null as never)).toThrow(FormatError);
    expect(() =>
      tokenizerFromJSON({ kind: 'sentencepiece', model: 'not base64!', addBos: false, addEos: false }),
    ).toThrow(FormatError);
    expect(() =>
      tokenizerFromJSON({ kind: 'sentencepiece', model: 'AAAA', addBos: false, addEos: false }),
    ).toThrow(FormatError);
  });
});

describe('SentencePieceTokenizer', () => {
  it('reports specials: the model pad when it has one, else unk', () => {
    const withPad = SentencePieceTokenizer.fromBytes(fixtureModelBytes('mixed-unigram-nfkc-cf'));
    expect(withPad.specials).toEqual({ pad: 3, unk: 0, bos: 1, eos: 2 });
    const noBos = SentencePieceTokenizer.fromBytes(fixtureModelBytes('mixed-bpe-suffix'));
    expect(noBos.specials).toEqual({ pad: 0, unk: 0, eos: 2 });
    expect(() =>
      SentencePieceTokenizer.fromBytes(fixtureModelBytes('mixed-bpe-suffix'), { addBos: true }),
    ).toThrow(OptionError);
  });

  it('adds bos/eos around the spm ids', () => {
    const tok = SentencePieceTokenizer.fromBytes(fixtureModelBytes('moby-unigram'), {
      addBos: true,
      addEos: true,
    });
    const plain = SentencePieceTokenizer.fromBytes(fixtureModelBytes('moby-unigram'));
    const ids = Array.from(tok.encode('Call me Ishmael.'));
    expect(ids).toEqual([1, ...Array.from(plain.encode('Call me Ishmael.')), 2]);
    expect(tok.decode(ids)).toBe('Call me Ishmael.');
  });

  it('loads from a file path and reports a missing file as DataError', async () => {
    const { fixtureModelPath } = await import('./support/fixtures.ts');
    const tok = await SentencePieceTokenizer.fromFile(fixtureModelPath('moby-bpe'));
    expect(tok.vocabSize).toBe(4000);
    await expect(SentencePieceTokenizer.fromFile('/nonexistent/x.model')).rejects.toThrow(DataError);
  });
});
