import { join } from 'node:path';
import { FormatError, OptionError } from '@recurrent/core';
import { type Corpus, excerpt, makeCorpus, type SkippedEntry } from './corpus.ts';
import { packageInfo, readPackageJson } from './package-data.ts';

const PACKAGE = 'sentiment';

/** Where a labelled sentence comes from. */
export type SentimentSource = 'amazon' | 'imdb' | 'yelp';

/** A sentence with its sentiment. */
export interface LabelledSentence {
  text: string;
  /** 1 positive, 0 negative. */
  label: 0 | 1;
  source: SentimentSource;
}

/** Options of {@link loadSentimentSentences}. */
export interface SentimentOptions {
  /** Which of the three sites to load. Default all three, in the order amazon, imdb, yelp. */
  sources?: readonly SentimentSource[];
}

const ALL_SOURCES: readonly SentimentSource[] = ['amazon', 'imdb', 'yelp'];

/**
 * The UCI "Sentiment Labelled Sentences" set (Kotzias et al., 2015) as the `sentiment` package
 * ships it in `test/fixtures/{amazon,imdb,yelp}.json`: 1,000 sentences per site, 500 positive and
 * 500 negative. Each file is a JSON array of `{ text, class }` ending with one empty
 * `{ text: "", class: null }` entry, which is dropped. Texts are trimmed (the IMDb ones carry
 * trailing spaces). Items group by lowercased text, so a sentence repeated across sites never
 * straddles splits.
 *
 * @throws FormatError naming the file and entry when an entry is not `{ text, class: 0 | 1 }`.
 */
export function loadSentimentSentences(options: SentimentOptions = {}): Corpus<LabelledSentence> {
  const info = packageInfo(PACKAGE);
  const sources = options.sources ?? ALL_SOURCES;
  for (const s of sources) {
    if (!ALL_SOURCES.includes(s))
      throw new OptionError('loadSentimentSentences sources', ALL_SOURCES.join(' | '), String(s));
  }
  const items: LabelledSentence[] = [];
  const skipped: SkippedEntry[] = [];
  for (const source of sources) {
    const file = join(info.root, 'test', 'fixtures', `${source}.json`);
    const raw = readPackageJson(file);
    if (!Array.isArray(raw)) throw new FormatError(`file ${file}`, 'a JSON array', typeof raw);
    raw.forEach((entry: { text?: unknown; class?: unknown }, i) => {
      const last = i === raw.length - 1;
      if (last && entry?.text === '' && entry.class === null) return; // the known empty terminator
      if (typeof entry?.text !== 'string' || (entry.class !== 0 && entry.class !== 1)) {
        throw new FormatError(
          `file ${file} entry ${i + 1}`,
          '{ text: string, class: 0 | 1 }',
          excerpt(JSON.stringify(entry)),
        );
      }
      const text = entry.text.trim();
      if (text.length === 0) {
        skipped.push({ line: i + 1, reason: `${source}: empty text`, excerpt: '' });
        return;
      }
      items.push({ text, label: entry.class, source });
    });
  }
  return makeCorpus({
    name: 'sentiment-sentences',
    source: info.source,
    items,
    skipped,
    groupKey: (s) => s.text.toLowerCase(),
  });
}
