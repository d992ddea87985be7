import { type TrainTextClassifierOptions, trainTextClassifier } from '../train-text-classifier.ts';
import type { FittedSystem, TextClassificationSystem, TrainingSplit } from './text-classification-system.ts';

/** Our recurrent classifier as a comparison system: {@link trainTextClassifier} with fixed options. */
export class RecurrentSystem implements TextClassificationSystem {
  readonly name: string;
  readonly description: string;
  private readonly options: TrainTextClassifierOptions;

  /**
   * @param options training options for every fold (`labels` and `seed` are set per fold).
   * @param naming the table name (default `recurrent <cell> (<pooling> pooling)`, with `xK` after the
   *   cell for an ensemble of K and `+ NB n-grams` after it with an n-gram model) and the report's
   *   description (default: the options as JSON, word vectors summarised by their count).
   */
  constructor(
    options: TrainTextClassifierOptions = {},
    naming: { name?: string; description?: string } = {},
  ) {
    this.options = options;
    const m = options.model ?? {};
    const cell = `${m.bidirectional === false ? '' : 'bi'}${(m.cell ?? 'lstm').toUpperCase()}`;
    const k = options.ensemble ?? 1;
    const ngrams = options.ngrams !== undefined && options.ngrams !== false;
    this.name =
      naming.name ??
      `recurrent ${cell}${k > 1 ? ` x${k}` : ''} (${m.pooling ?? 'max'} pooling)${ngrams ? ' + NB n-grams' : ''}`;
    const { events: _e, signal: _s, tokenizer: _t, wordVectors, ...plain } = options;
    const shown =
      wordVectors === undefined ? plain : { ...plain, wordVectors: `${wordVectors.vectors.size} words` };
    this.description =
      naming.description ?? `@recurrent/classifiers trainTextClassifier ${JSON.stringify(shown)}`;
  }

  supports(): boolean {
    return true;
  }

  async fit(split: TrainingSplit, seed: number): Promise<FittedSystem> {
    const examples = split.texts.map((text, i) => ({ text, label: split.labelNames[split.labels[i]!]! }));
    const { classifier, epochLosses } = await trainTextClassifier(examples, {
      ...this.options,
      labels: split.labelNames,
      seed: (this.options.seed ?? 0) + seed,
    });
    return {
      epochLosses,
      predict: (texts) => {
        const preds = classifier.predict(texts);
        return {
          ids: Int32Array.from(preds, (p) => p.id),
          scores: preds.map((p) => Float64Array.from(p.probabilities)),
        };
      },
    };
  }
}
