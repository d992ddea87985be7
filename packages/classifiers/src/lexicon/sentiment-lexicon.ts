/// <reference path="../baselines/natural-modules.d.ts" />
import SentimentAnalyzer from 'natural/lib/natural/sentiment/SentimentAnalyzer.js';

/** The English polarity lexicons natural ships, in the column order of {@link sentimentLexicon}. */
export const SENTIMENT_LEXICONS = ['afinn', 'senticon', 'pattern'] as const;

const SINGLE_WORD = /^[\p{L}\p{N}'-]+$/u;

/** Options of {@link sentimentLexicon}. */
export interface SentimentLexiconOptions {
  /**
   * Keep only words whose strongest polarity (over the three lexicons, AFINN scaled to −1..1) is at
   * least this in magnitude. Default 0: every word with a non-zero polarity (about 22,000). At 0.3 about
   * 12,000 remain; a smaller vocabulary makes every training step cheaper.
   */
  minMagnitude?: number;
}

/**
 * Prior polarity of English words from the three lexicons natural ships (through its SentimentAnalyzer):
 * AFINN-165 (3,382 words, integers −5..5, divided by 5), ML-SentiCon (24,839 words, −1..1) and Pattern
 * (1,528 words, −1..1). Each word maps to `[afinn, senticon, pattern]`, 0 where a lexicon lacks it; keys
 * are lower-case, unstemmed single words. Use as `wordVectors` of `trainTextClassifier` so that sentiment words never
 * seen in the training texts still start with a meaningful embedding.
 */
export function sentimentLexicon(options: SentimentLexiconOptions = {}): Map<string, Float32Array> {
  const minMagnitude = options.minMagnitude ?? 0;
  const out = new Map<string, Float32Array>();
  SENTIMENT_LEXICONS.forEach((type, col) => {
    const vocabulary = new SentimentAnalyzer('English', null, type).vocabulary;
    const scale = type === 'afinn' ? 1 / 5 : 1;
    for (const word of Object.keys(vocabulary)) {
      const v = Number(vocabulary[word]);
      const key = word.toLowerCase();
      // Multi-word entries (`a_lot`, `fed up`) can never be one word token.
      if (!Number.isFinite(v) || v === 0 || !SINGLE_WORD.test(key)) continue;
      let row = out.get(key);
      if (row === undefined) {
        row = new Float32Array(SENTIMENT_LEXICONS.length);
        out.set(key, row);
      }
      row[col] = v * scale;
    }
  });
  if (minMagnitude > 0) {
    for (const [word, row] of out) if (!row.some((v) => Math.abs(v) >= minMagnitude)) out.delete(word);
  }
  return out;
}
