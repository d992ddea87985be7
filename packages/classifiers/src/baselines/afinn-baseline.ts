/// <reference path="./natural-modules.d.ts" />
import { DataError } from '@recurrent/core';
import SentimentAnalyzer from 'natural/lib/natural/sentiment/SentimentAnalyzer.js';
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import AggressiveTokenizer from 'natural/lib/natural/tokenizers/aggressive_tokenizer.js';
import type { FittedSystem, TextClassificationSystem, TrainingSplit } from './text-classification-system.ts';

/**
 * natural's lexicon `SentimentAnalyzer` (English, AFINN-165, Porter stemmer, as natural's README sets it
 * up) over natural's `AggressiveTokenizer` words. Its score is the mean word polarity, a negation word
 * flipping the sign of the words after it.
 *
 * A lexicon has no notion of the task's label names, so `fit` learns only the two numbers needed to turn
 * the score into a class: which class is the positive one (the one whose training texts score higher on
 * average) and the threshold that classifies the training texts best (the one nearest 0 on a tie). With
 * the UCI sentences that recovers "score > 0 is positive" or slightly better, so the baseline is not
 * handicapped by an arbitrary cut. Binary tasks only.
 */
export class AfinnBaseline implements TextClassificationSystem {
  readonly name = 'natural AFINN SentimentAnalyzer';
  readonly description =
    "natural SentimentAnalyzer('English', PorterStemmer, 'afinn') on AggressiveTokenizer words; class orientation and threshold fitted on the training split";
  private readonly analyzer = new SentimentAnalyzer('English', PorterStemmer, 'afinn');
  private readonly tokenizer = new AggressiveTokenizer();

  supports(numClasses: number): boolean {
    return numClasses === 2;
  }

  /** The analyzer's score of a text (0 for a text without words). */
  score(text: string): number {
    const words = this.tokenizer.tokenize(text);
    return words.length === 0 ? 0 : this.analyzer.getSentiment(words);
  }

  async fit(split: TrainingSplit): Promise<FittedSystem> {
    if (split.labelNames.length !== 2) {
      throw new DataError(
        'AFINN baseline classes',
        '2 (a sentiment lexicon is binary)',
        String(split.labelNames.length),
      );
    }
    const s = split.texts.map((t) => this.score(t));
    const mean = [0, 0];
    const count = [0, 0];
    split.labels.forEach((y, i) => {
      mean[y]! += s[i]!;
      count[y]!++;
    });
    // The class whose texts score higher is the lexicon's "positive" side.
    const positive = mean[1]! / Math.max(1, count[1]!) >= mean[0]! / Math.max(1, count[0]!) ? 1 : 0;
    const threshold = bestThreshold(
      s,
      Array.from(split.labels, (y) => (y === positive ? 1 : 0)),
    );
    return {
      predict: (texts) => {
        const margins = texts.map((t) => this.score(t) - threshold);
        // "score > threshold is positive"; σ(margin) ranks texts as the margin does (for ROC-AUC).
        const ids = Int32Array.from(margins, (m) => (m > 0 ? positive : 1 - positive));
        const scores = margins.map((m) => {
          const row = new Float64Array(2);
          row[positive] = 1 / (1 + Math.exp(-m));
          row[1 - positive] = 1 - row[positive]!;
          return row;
        });
        return { ids, scores };
      },
    };
  }
}

/**
 * The threshold t maximising training accuracy of "score > t means positive", among the midpoints of
 * consecutive distinct scores (and 0); the candidate nearest 0 wins a tie.
 */
function bestThreshold(scores: readonly number[], positive: readonly number[]): number {
  const distinct = [...new Set(scores)].sort((a, b) => a - b);
  const candidates = [0];
  for (let i = 0; i + 1 < distinct.length; i++) candidates.push((distinct[i]! + distinct[i + 1]!) / 2);
  let best = 0;
  let bestCorrect = -1;
  for (const t of candidates) {
    let correct = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i]! > t === (positive[i] === 1)) correct++;
    if (correct > bestCorrect || (correct === bestCorrect && Math.abs(t) < Math.abs(best))) {
      best = t;
      bestCorrect = correct;
    }
  }
  return best;
}
