import { basename } from 'node:path';
import { DataError } from '@recurrent/core';
import { type Corpus, makeCorpus } from './corpus.ts';
import { type OnMalformed, parseLines, tabFields } from './line-records.ts';
import { readTextFile } from './read-text-file.ts';
import { normalizeSentence, type PairGrouping, pairGroupKeys, type SentencePair } from './sentence-pair.ts';

/** Options of {@link loadPairFile} and {@link loadTatoebaPairs}. */
export interface PairFileOptions {
  /** Reject the file on a malformed line (default), or skip such lines and report them. */
  onMalformed?: OnMalformed;
  /** Grouping for splits (see {@link pairGroupKeys}). Default `'source'`. */
  groupBy?: PairGrouping;
}

/** Parses `source \t target` lines (see {@link loadPairFile}); `file` names the source in errors. */
export function parsePairs(text: string, file: string, options: PairFileOptions = {}) {
  return parseLines(
    text,
    file,
    '"source<TAB>target"',
    options.onMalformed ?? 'reject',
    (line): SentencePair | string => {
      const f = tabFields(line, 2, ['source', 'target']);
      return typeof f === 'string' ? f : { source: f[0]!, target: f[1]! };
    },
  );
}

/**
 * A parallel corpus file: one `source \t target` pair per line, UTF-8, no header; blank lines
 * ignored, fields trimmed. Malformed lines (not exactly one tab, or an empty side) reject the file
 * with their line numbers, or with `onMalformed: 'skip'` are dropped and listed in `skipped`.
 * Items group by source sentence (or connected component, `groupBy: 'connected'`).
 *
 * @throws DataError for an empty file, FormatError for a binary one or malformed lines.
 */
export function loadPairFile(path: string, options: PairFileOptions = {}): Corpus<SentencePair> {
  const { text, path: abs } = readTextFile(path);
  const { records, skipped } = parsePairs(text, abs, options);
  if (records.length === 0) throw new DataError(`file ${abs}`, 'at least one sentence pair', 'none');
  const keys = pairGroupKeys(records, options.groupBy ?? 'source');
  return makeCorpus({
    name: basename(abs),
    source: abs,
    items: records,
    skipped,
    groupKey: (p) => keys.get(p) ?? normalizeSentence(p.source),
  });
}

/**
 * A Tatoeba pair file in the format of `tatoeba-eng-fra-train.tsv` (Tatoeba Translation Challenge,
 * Tiedemann 2020): `english \t french` per line, UTF-8, no header. Tatoeba often has several
 * translations of one sentence, so splits must group them: by English sentence by default, or
 * `groupBy: 'connected'` to also keep pairs sharing a French sentence together.
 */
export function loadTatoebaPairs(path: string, options: PairFileOptions = {}): Corpus<SentencePair> {
  return loadPairFile(path, options);
}
