import { DataError, OptionError } from '@recurrent/core';
import {
  corpusBleu,
  corpusChrf,
  sentenceBleu,
  sentenceChrf,
  tokenize13a,
  tokenizeIntl,
} from '@recurrent/seq2seq';
import { describe, expect, it } from 'vitest';

// The sacreBLEU behaviour itself is pinned by bleu-fixtures.test.ts; these cover the API's edges.
describe('BLEU / chrF API', () => {
  it('tokenizes like mteval 13a and v14 international (examples from the fixtures README)', () => {
    expect(tokenize13a('It costs 3.5-inch, 1,000 state-of-the-art items in 2023.')).toBe(
      'It costs 3.5 - inch , 1,000 state-of-the-art items in 2023 .',
    );
    expect(tokenize13a('« quoted » … —')).toBe('« quoted » … —');
    expect(tokenizeIntl('« quoted » 9.99$')).toBe('« quoted » 9.99 $');
  });

  it('rejects bad options and layouts with typed errors', () => {
    expect(() => corpusBleu(['a'], [['a']], { maxNgramOrder: 0 })).toThrow(OptionError);
    expect(() => corpusBleu(['a'], [['a']], { smoothValue: -1 })).toThrow(OptionError);
    expect(() => corpusBleu(['a'], [['a']], { tokenize: 'zh' as never })).toThrow(OptionError);
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(DataError);
    expect(() => corpusBleu(['a'], [])).toThrow(DataError);
    expect(() => sentenceBleu('a', [])).toThrow(DataError);
    expect(() => corpusChrf(['a'], [['a']], { beta: 0 })).toThrow(OptionError);
    expect(() => sentenceChrf('a', [])).toThrow(DataError);
  });

  it('gives sentence scores equal to one-segment corpus scores', () => {
    const hyp = 'the quick brown fox jumps over a lazy dog';
    const refs = ['the quick brown fox jumped over the lazy dog', 'a fast brown fox leaps over a lazy dog'];
    const opts = { useEffectiveOrder: true };
    expect(sentenceBleu(hyp, refs, opts).score).toBe(
      corpusBleu(
        [hyp],
        refs.map((r) => [r]),
        opts,
      ).score,
    );
    expect(sentenceChrf(hyp, refs).score).toBe(
      corpusChrf(
        [hyp],
        refs.map((r) => [r]),
      ).score,
    );
  });
});
