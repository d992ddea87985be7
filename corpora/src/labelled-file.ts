import { basename } from 'node:path';
import { DataError } from '@recurrent/core';
import { type Corpus, makeCorpus } from './corpus.ts';
import { type OnMalformed, parseLines, tabFields } from './line-records.ts';
import { readTextFile } from './read-text-file.ts';

/** A text with a class label. */
export interface LabelledText {
  label: string;
  text: string;
}

/** Options of {@link loadLabelledFile}. */
export interface LabelledFileOptions {
  /** Reject the file on a malformed line (default), or skip such lines and report them. */
  onMalformed?: OnMalformed;
}

/** Parses `label \t text` lines (see {@link loadLabelledFile}); `file` names the source in errors. */
export function parseLabelled(text: string, file: string, options: LabelledFileOptions = {}) {
  return parseLines(
    text,
    file,
    '"label<TAB>text"',
    options.onMalformed ?? 'reject',
    (line): LabelledText | string => {
      const f = tabFields(line, 2, ['label', 'text']);
      return typeof f === 'string' ? f : { label: f[0]!, text: f[1]! };
    },
  );
}

/**
 * A classification file: one `label \t text` per line, UTF-8; blank lines ignored, fields trimmed.
 * A line without exactly one tab, or with an empty field, is malformed: by default the file is
 * rejected with a FormatError listing line numbers; `onMalformed: 'skip'` drops such lines and lists
 * them in `skipped`. Items group by lowercased text, so duplicates stay in one split.
 *
 * @throws DataError for an empty file, FormatError for a binary one or malformed lines.
 */
export function loadLabelledFile(path: string, options: LabelledFileOptions = {}): Corpus<LabelledText> {
  const { text, path: abs } = readTextFile(path);
  const { records, skipped } = parseLabelled(text, abs, options);
  if (records.length === 0) throw new DataError(`file ${abs}`, 'at least one labelled line', 'none');
  return makeCorpus({
    name: basename(abs),
    source: abs,
    items: records,
    skipped,
    groupKey: (r) => r.text.toLowerCase(),
  });
}
