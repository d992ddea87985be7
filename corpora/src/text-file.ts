import { basename } from 'node:path';
import { OptionError } from '@recurrent/core';
import { type Corpus, makeCorpus } from './corpus.ts';
import { readTextFile } from './read-text-file.ts';

/** How {@link loadTextFile} cuts a file into items. */
export interface TextFileOptions {
  /**
   * `'none'`: one item, the whole text (for a character language model). `'lines'`: one item per
   * non-blank line. `'paragraphs'`: one per block separated by blank lines. Default `'none'`.
   */
  unit?: 'none' | 'lines' | 'paragraphs';
}

/**
 * A plain UTF-8 text file. Items group by themselves (identical lines or paragraphs stay together).
 *
 * @throws DataError for an empty file, FormatError for a binary one (both name the file).
 */
export function loadTextFile(path: string, options: TextFileOptions = {}): Corpus<string> {
  const { text, path: abs } = readTextFile(path);
  const unit = options.unit ?? 'none';
  let items: string[];
  if (unit === 'none') items = [text];
  else if (unit === 'lines') items = text.split('\n').filter((l) => l.trim().length > 0);
  else if (unit === 'paragraphs')
    items = text
      .split(/\n[ \t]*\n/)
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
  else throw new OptionError('loadTextFile unit', "'none' | 'lines' | 'paragraphs'", JSON.stringify(unit));
  return makeCorpus({ name: basename(abs), source: abs, items, groupKey: (s) => s });
}
