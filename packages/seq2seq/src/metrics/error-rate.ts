/**
 * Token error rates: the Levenshtein distance between hypothesis and reference token sequences,
 * divided by the reference length. Word error rate (WER) uses whitespace-separated words; phoneme
 * error rate (PER, for grapheme-to-phoneme models) uses phoneme symbols. Corpus rates are total
 * edits over total reference tokens, not a mean of per-segment rates, so long segments weigh more.
 */
import { DataError } from '@recurrent/core';

/** Edit counts of one alignment (or their sums over a corpus). */
export interface EditCounts {
  /** substitutions + deletions + insertions: the Levenshtein distance. */
  edits: number;
  substitutions: number;
  /** Reference tokens missing from the hypothesis. */
  deletions: number;
  /** Hypothesis tokens absent from the reference. */
  insertions: number;
  /** Number of reference tokens (the denominator). */
  referenceLength: number;
}

/** An error rate with the counts it came from. */
export interface ErrorRate extends EditCounts {
  /** edits / referenceLength (can exceed 1 when the hypothesis is much longer). */
  rate: number;
}

/**
 * Levenshtein alignment of `hypothesis` against `reference` with unit costs, compared with `===`.
 * Among minimal alignments the one with the most matches (fewest substitutions) is counted, as
 * sclite does; with the edit total fixed that also fixes the deletions and insertions, so the split
 * is unique. O(|hyp| * |ref|) time, O(|ref|) memory.
 */
export function alignTokens<T>(hypothesis: ArrayLike<T>, reference: ArrayLike<T>): EditCounts {
  const m = reference.length;
  // Each cell holds [cost, subs, dels, ins] for hypothesis prefix i against reference prefix j.
  let prev: [number, number, number, number][] = [];
  for (let j = 0; j <= m; j++) prev.push([j, 0, j, 0]);
  for (let i = 1; i <= hypothesis.length; i++) {
    const cur: [number, number, number, number][] = [[i, 0, 0, i]];
    const h = hypothesis[i - 1];
    for (let j = 1; j <= m; j++) {
      const diag = prev[j - 1]!;
      const same = h === reference[j - 1];
      const sub: [number, number, number, number] = [
        diag[0] + (same ? 0 : 1),
        diag[1] + (same ? 0 : 1),
        diag[2],
        diag[3],
      ];
      const left = cur[j - 1]!; // reference token j unmatched: a deletion
      const del: [number, number, number, number] = [left[0] + 1, left[1], left[2] + 1, left[3]];
      const up = prev[j]!; // hypothesis token i unmatched: an insertion
      const ins: [number, number, number, number] = [up[0] + 1, up[1], up[2], up[3] + 1];
      // Lexicographic (edits, substitutions) is additive along a path, so the per-cell choice is
      // globally optimal.
      let best = sub;
      if (del[0] < best[0] || (del[0] === best[0] && del[1] < best[1])) best = del;
      if (ins[0] < best[0] || (ins[0] === best[0] && ins[1] < best[1])) best = ins;
      cur.push(best);
    }
    prev = cur;
  }
  const [edits, substitutions, deletions, insertions] = prev[m]!;
  return { edits, substitutions, deletions, insertions, referenceLength: m };
}

/** Levenshtein distance between two token sequences (unit costs, `===` equality). */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  return alignTokens(a, b).edits;
}

/**
 * Corpus error rate over token sequences: total edits / total reference tokens. Use it directly
 * for phoneme error rate with `string[]` phoneme sequences, or with token-id arrays.
 *
 * @param hypotheses `[N]` token sequences.
 * @param references `[N]` token sequences.
 * @throws DataError when the lengths differ or the references hold no tokens at all (rate undefined).
 */
export function errorRate<T>(
  hypotheses: readonly ArrayLike<T>[],
  references: readonly ArrayLike<T>[],
): ErrorRate {
  if (hypotheses.length !== references.length) {
    throw new DataError(
      'errorRate references',
      `${hypotheses.length} (one per hypothesis)`,
      `${references.length}`,
    );
  }
  const sum: EditCounts = { edits: 0, substitutions: 0, deletions: 0, insertions: 0, referenceLength: 0 };
  for (let i = 0; i < hypotheses.length; i++) {
    const c = alignTokens(hypotheses[i]!, references[i]!);
    sum.edits += c.edits;
    sum.substitutions += c.substitutions;
    sum.deletions += c.deletions;
    sum.insertions += c.insertions;
    sum.referenceLength += c.referenceLength;
  }
  if (sum.referenceLength === 0) {
    throw new DataError('errorRate references', 'at least one reference token', '0 tokens');
  }
  return { ...sum, rate: sum.edits / sum.referenceLength };
}

/** Options of {@link wordErrorRate}. */
export interface WordErrorRateOptions {
  /** Compare lowercased words. Default `false`. */
  lowercase?: boolean;
}

/**
 * Corpus word error rate: lines are split on whitespace into words, then {@link errorRate}.
 *
 * @param hypotheses `[N]` lines.
 * @param references `[N]` lines.
 */
export function wordErrorRate(
  hypotheses: readonly string[],
  references: readonly string[],
  options: WordErrorRateOptions = {},
): ErrorRate {
  const words = (s: string): string[] => {
    const t = options.lowercase ? s.toLowerCase() : s;
    return t.split(/\s+/u).filter((w) => w.length > 0);
  };
  return errorRate(hypotheses.map(words), references.map(words));
}

/**
 * Corpus phoneme error rate over phoneme sequences (e.g. CMUdict `['HH', 'AH0', 'L', 'OW1']`);
 * a string is split on whitespace into phonemes.
 */
export function phonemeErrorRate(
  hypotheses: readonly (string | readonly string[])[],
  references: readonly (string | readonly string[])[],
): ErrorRate {
  const phones = (s: string | readonly string[]): readonly string[] =>
    typeof s === 'string' ? s.split(/\s+/u).filter((p) => p.length > 0) : s;
  return errorRate(hypotheses.map(phones), references.map(phones));
}
