import { DataError, OptionError, Rng } from '@recurrent/core';
import type { Corpus } from './corpus.ts';

/** Which split each group goes to; fractions are of groups, not items. */
export interface SplitOptions {
  /** Seed of the shuffle of the groups. Default 0. */
  seed?: number;
  /** Fraction of groups held out for validation, in [0, 1). Default 0.1. */
  valid?: number;
  /** Fraction of groups held out for testing, in [0, 1). Default 0.1. */
  test?: number;
  /**
   * Groups to hold out by name instead (e.g. Moby-Dick chapters `{ test: ['133', '134', '135'] }`);
   * when given, the fractions are ignored and every other group is training data.
   */
  heldOut?: { valid?: readonly string[]; test?: readonly string[] };
}

/** The three splits; items keep their corpus order inside each. */
export interface Splits<T> {
  train: T[];
  valid: T[];
  test: T[];
}

function groupCount(fraction: number, groups: number): number {
  return fraction > 0 ? Math.max(1, Math.round(fraction * groups)) : 0;
}

/**
 * Deterministic train/valid/test split of a corpus by its {@link Corpus.groupKey}: all items that
 * share a key (a word's pronunciations, an English sentence's translations, a chapter) land in the
 * same split, so nothing leaks between them. The distinct keys, in first-appearance order, are
 * shuffled by an {@link Rng} seeded with `seed`; the first go to test, the next to valid, the rest
 * to train. Same corpus, same seed: same splits.
 *
 * @throws OptionError for fractions outside [0, 1) or unknown held-out keys; DataError when there
 *   are too few groups to leave any training data.
 */
export function splitCorpus<T>(
  corpus: Pick<Corpus<T>, 'items' | 'groupKey'> & { name?: string },
  options: SplitOptions = {},
): Splits<T> {
  const seed = options.seed ?? 0;
  const validFraction = options.valid ?? 0.1;
  const testFraction = options.test ?? 0.1;
  for (const [name, f] of [
    ['valid', validFraction],
    ['test', testFraction],
  ] as const) {
    if (!(f >= 0 && f < 1)) throw new OptionError(`splitCorpus ${name}`, 'a fraction in [0, 1)', String(f));
  }
  const keys = corpus.items.map(corpus.groupKey);
  const groups = [...new Set(keys)];
  const where = new Map<string, keyof Splits<T>>();
  if (options.heldOut !== undefined) {
    const known = new Set(groups);
    for (const split of ['valid', 'test'] as const) {
      for (const k of options.heldOut[split] ?? []) {
        if (!known.has(k))
          throw new OptionError(
            `splitCorpus heldOut.${split}`,
            'keys of groups in the corpus',
            JSON.stringify(k),
          );
        where.set(k, split);
      }
    }
  } else {
    const nTest = groupCount(testFraction, groups.length);
    const nValid = groupCount(validFraction, groups.length);
    if (nTest + nValid >= groups.length) {
      throw new DataError(
        `splitCorpus ${corpus.name ?? 'corpus'}`,
        `more than ${nTest + nValid} groups (to leave training data)`,
        `${groups.length} groups`,
      );
    }
    const order = new Rng(seed).shuffle(groups.slice());
    order.forEach((k, i) => {
      where.set(k, i < nTest ? 'test' : i < nTest + nValid ? 'valid' : 'train');
    });
  }
  const out: Splits<T> = { train: [], valid: [], test: [] };
  corpus.items.forEach((item, i) => {
    out[where.get(keys[i]!) ?? 'train'].push(item);
  });
  return out;
}
