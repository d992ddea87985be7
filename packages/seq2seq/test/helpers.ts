import { Rng } from '@recurrent/core';
import { CharTokenizer } from '@recurrent/tokenizers';
import { Seq2Seq, type Seq2SeqConfig, type Seq2SeqExample } from '../src/index.ts';

/** Random strings over `a..h` of length 3..`maxLen`, paired with their reversal. */
export function reversalPairs(n: number, seed: number, maxLen = 6): [string, string][] {
  const rng = new Rng(seed);
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const len = 3 + rng.int(maxLen - 2);
    let s = '';
    for (let j = 0; j < len; j++) s += 'abcdefgh'[rng.int(8)];
    out.push([s, [...s].reverse().join('')]);
  }
  return out;
}

/** A tiny model over the `a..h` alphabet. */
export function tinyModel(config: Partial<Seq2SeqConfig> = {}, seed = 1): Seq2Seq {
  const tok = CharTokenizer.train(['abcdefgh']);
  return new Seq2Seq({
    sourceTokenizer: tok,
    targetTokenizer: tok,
    seed,
    config: {
      sourceEmbedding: 16,
      targetEmbedding: 16,
      encoderHidden: 32,
      decoderHidden: 64,
      dropout: 0,
      ...config,
    },
  });
}

export function examples(model: Seq2Seq, pairs: [string, string][]): Seq2SeqExample[] {
  return pairs.map(([s, t]) => ({ source: model.encodeSource(s), target: model.encodeTarget(t) }));
}
