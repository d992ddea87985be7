/**
 * The labelled texts `evaluate-sentiment` runs on: the UCI labelled sentences, the SpamAssassin corpus
 * (headers stripped), or the user's `label \t text` files.
 */
import { DataError, OptionError } from '@recurrent/core';
import {
  type Corpus,
  type LabelledText,
  loadLabelledFile,
  loadSentimentSentences,
  loadSpamAssassin,
  type SkippedEntry,
} from '@recurrent/corpora';

/** Labelled texts with class ids, ready for splitting. */
export interface EvaluationData {
  /** Short name for reports, e.g. `uci-sentences`. */
  name: string;
  /** One line saying where the data came from (package@version or path, item count, checksum). */
  source: string;
  texts: string[];
  labels: Int32Array;
  /** Class names by id. */
  labelNames: string[];
  /** Per text, the key that must not straddle folds (duplicates stay together). */
  groups: string[];
  /**
   * With `--test FILE`: how many of the texts (the first ones) are the training file's; the rest are the
   * test file's.
   */
  trainCount?: number;
}

/** Built-in datasets. */
export type DatasetName = 'uci' | 'spam';

/** What to load. */
export interface EvaluationDataOptions {
  dataset?: DatasetName;
  /** A `label \t text` training file (replaces `dataset`). */
  train?: string;
  /** A `label \t text` test file (needs `train`). */
  test?: string;
  /** Reject a file with malformed lines instead of skipping and reporting them. */
  strict?: boolean;
  /** Told about every skipped malformed line (file, line number, reason). */
  onSkipped?: (file: string, entry: SkippedEntry) => void;
}

function describeCorpus(c: Pick<Corpus<unknown>, 'source' | 'items' | 'checksum'>): string {
  return `${c.source}: ${c.items.length} texts, sha256 ${c.checksum.slice(0, 12)}`;
}

/** Loads the texts (see {@link EvaluationDataOptions}). */
export function loadEvaluationData(options: EvaluationDataOptions): EvaluationData {
  if (options.test !== undefined && options.train === undefined) {
    throw new OptionError('--test', 'a --train file as well', 'only --test');
  }
  if (options.train !== undefined) return fromFiles(options.train, options.test, options);
  const dataset = options.dataset ?? 'uci';
  if (dataset === 'uci') {
    const c = loadSentimentSentences();
    return {
      name: 'uci-sentences',
      source: describeCorpus(c),
      texts: c.items.map((s) => s.text),
      labels: Int32Array.from(c.items, (s) => s.label),
      labelNames: ['negative', 'positive'],
      groups: c.items.map(c.groupKey),
    };
  }
  if (dataset === 'spam') {
    const c = loadSpamAssassin({ stripHeaders: true });
    return {
      name: 'spam-assassin',
      source: `${describeCorpus(c)} (headers stripped)`,
      texts: c.items.map((m) => m.text),
      labels: Int32Array.from(c.items, (m) => (m.label === 'spam' ? 1 : 0)),
      labelNames: ['ham', 'spam'],
      groups: c.items.map(c.groupKey),
    };
  }
  throw new OptionError('--dataset', 'uci or spam', JSON.stringify(dataset));
}

function loadFile(path: string, options: EvaluationDataOptions): Corpus<LabelledText> {
  const c = loadLabelledFile(path, { onMalformed: options.strict ? 'reject' : 'skip' });
  for (const s of c.skipped) options.onSkipped?.(c.source, s);
  return c;
}

function fromFiles(
  trainPath: string,
  testPath: string | undefined,
  options: EvaluationDataOptions,
): EvaluationData {
  const train = loadFile(trainPath, options);
  const test = testPath === undefined ? null : loadFile(testPath, options);
  const trainNames = new Set(train.items.map((r) => r.label));
  if (trainNames.size < 2) {
    throw new DataError(
      `training file ${train.source}`,
      'at least two labels',
      `only ${[...trainNames].map((l) => JSON.stringify(l)).join(', ')}`,
    );
  }
  // Code-point order, so class ids do not depend on line order.
  const labelNames = [...trainNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const items = [...train.items, ...(test?.items ?? [])];
  items.forEach((r, i) => {
    if (!trainNames.has(r.label)) {
      const where = i < train.items.length ? train.source : test!.source;
      throw new DataError(
        `label in ${where}`,
        `one of the training labels ${labelNames.map((l) => JSON.stringify(l)).join(', ')}`,
        JSON.stringify(r.label),
      );
    }
  });
  return {
    name: test === null ? train.name : `${train.name} -> ${test.name}`,
    source:
      test === null ? describeCorpus(train) : `train ${describeCorpus(train)}; test ${describeCorpus(test)}`,
    texts: items.map((r) => r.text),
    labels: Int32Array.from(items, (r) => labelNames.indexOf(r.label)),
    labelNames,
    groups: items.map((r) => r.text.toLowerCase()),
    ...(test !== null && { trainCount: train.items.length }),
  };
}
