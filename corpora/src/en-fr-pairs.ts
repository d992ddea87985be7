import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '@recurrent/core';
import { type Corpus, excerpt, makeCorpus, type SkippedEntry } from './corpus.ts';
import { packageInfo, readPackageJson } from './package-data.ts';
import { normalizeSentence, type PairGrouping, pairGroupKeys, type SentencePair } from './sentence-pair.ts';

/** An English-French pair from nlp-corpus / fr-corpus. */
export interface AlignedPair extends SentencePair {
  /**
   * Whether fr-corpus's MD5 of the English original matches this English sentence. About 99% do;
   * the rest (mostly text with characters beyond Latin-1) are still aligned by position.
   */
  verified: boolean;
}

/** Options of {@link loadEnFrPairs}. */
export interface EnFrPairsOptions {
  /** Keep only hash-verified pairs. Default `false`. */
  verifiedOnly?: boolean;
  /** Grouping for splits (see {@link pairGroupKeys}). Default `'source'`. */
  groupBy?: PairGrouping;
}

function md5(text: string, encoding: 'utf8' | 'latin1'): string {
  return createHash('md5').update(text, encoding).digest('hex');
}

/**
 * English-French sentence pairs from two npm packages: `nlp-corpus` ships 100,000 English sentences
 * in `builds/doc-<i>.json` (arrays of strings) and `fr-corpus` their machine translations (AWS
 * Translate, 2022) in files of the same names, as `[french, md5(english)]`. Sentence j of English
 * document i translates to sentence j of French document i. The MD5 confirms it for ~99% of
 * pairs: it is the hash of the UTF-8 bytes, or, for some texts, of the Latin-1 bytes; the rest
 * have the same position and are kept, marked `verified: false`. Pairs with an empty side are
 * skipped. Items group by English sentence.
 *
 * @throws FormatError when the documents do not line up (different counts) or are malformed.
 */
export function loadEnFrPairs(options: EnFrPairsOptions = {}): Corpus<AlignedPair> {
  const en = packageInfo('nlp-corpus');
  const fr = packageInfo('fr-corpus');
  const items: AlignedPair[] = [];
  const skipped: SkippedEntry[] = [];
  let entry = 0;
  for (let doc = 0; ; doc++) {
    const enFile = join(en.root, 'builds', `doc-${doc}.json`);
    const frFile = join(fr.root, 'builds', `doc-${doc}.json`);
    const haveEn = existsSync(enFile);
    if (haveEn !== existsSync(frFile)) {
      throw new FormatError(
        `nlp-corpus/fr-corpus doc-${doc}.json`,
        'present in both packages',
        haveEn ? 'English only' : 'French only',
      );
    }
    if (!haveEn) {
      if (doc === 0) throw new FormatError(`file ${enFile}`, 'the first English document', 'missing');
      break;
    }
    const english = readPackageJson(enFile);
    const french = readPackageJson(frFile);
    if (!Array.isArray(english) || !Array.isArray(french) || english.length !== french.length) {
      throw new FormatError(
        `doc-${doc}.json`,
        'arrays of equal length in nlp-corpus and fr-corpus',
        `${Array.isArray(english) ? english.length : typeof english} vs ${Array.isArray(french) ? french.length : typeof french}`,
      );
    }
    english.forEach((e: unknown, j) => {
      entry++;
      const f = french[j] as unknown;
      if (
        typeof e !== 'string' ||
        !Array.isArray(f) ||
        typeof f[0] !== 'string' ||
        typeof f[1] !== 'string'
      ) {
        throw new FormatError(
          `doc-${doc}.json entry ${j + 1}`,
          'an English string and [french, md5]',
          excerpt(JSON.stringify([e, f])),
        );
      }
      const source = e.trim();
      const target = f[0].trim();
      if (source.length === 0 || target.length === 0) {
        skipped.push({
          line: entry,
          reason: `doc-${doc} entry ${j + 1}: empty side`,
          excerpt: excerpt(`${source}\t${target}`),
        });
        return;
      }
      const verified = md5(e, 'utf8') === f[1] || md5(e, 'latin1') === f[1];
      if (options.verifiedOnly && !verified) return;
      items.push({ source, target, verified });
    });
  }
  const keys = pairGroupKeys(items, options.groupBy ?? 'source');
  return makeCorpus({
    name: 'en-fr',
    source: `${en.source} + ${fr.source}`,
    items,
    skipped,
    groupKey: (p) => keys.get(p) ?? normalizeSentence(p.source),
  });
}
