/**
 * Corpus and sentence BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.6.0's `BLEU` class
 * computes it: the same tokenizers, smoothing methods, multi-reference clipping, closest-reference
 * length and effective-order rules, so scores can be quoted next to sacreBLEU's. The golden cases
 * in `test/fixtures/bleu` pin the behaviour down to 1e-9.
 */
import { DataError, OptionError } from '@recurrent/core';
import { type BleuTokenizerName, bleuTokenizer } from './bleu-tokenizers.ts';
import { pyLower, pyRstrip, pySplit } from './python-text.ts';
import { checkReferenceSets } from './reference-sets.ts';

/** How zero n-gram matches are smoothed (sacreBLEU's `smooth_method`). */
export type BleuSmoothMethod = 'exp' | 'floor' | 'add-k' | 'none';

/** BLEU settings; every field defaults to sacreBLEU's default. */
export interface BleuOptions {
  /** Tokenizer applied to every segment. Default `'13a'`. */
  tokenize?: BleuTokenizerName;
  /** Lowercase hypotheses and references first (full Unicode lowercasing). Default `false`. */
  lowercase?: boolean;
  /** Smoothing of orders with zero matches. Default `'exp'`. */
  smoothMethod?: BleuSmoothMethod;
  /** Smoothing constant: `floor` default 0.1, `add-k` default 1; unused by `exp` and `none`. */
  smoothValue?: number;
  /**
   * Average only over the orders before the first order with no hypothesis n-grams at all, instead
   * of scoring 0. Default `false` for {@link corpusBleu} and `true` for {@link sentenceBleu}, as
   * sacreBLEU's `corpus_bleu` / `sentence_bleu` do.
   */
  useEffectiveOrder?: boolean;
  /** Highest n-gram order. Default 4. */
  maxNgramOrder?: number;
}

/** A BLEU result with the statistics it came from (sacreBLEU's `BLEUScore` fields). */
export interface BleuScore {
  /** BLEU on a 0..100 scale. */
  score: number;
  /** Clipped n-gram matches for n = 1..maxNgramOrder (add-k's addition included, as sacreBLEU reports). */
  counts: number[];
  /** Hypothesis n-grams for n = 1..maxNgramOrder (add-k's addition included). */
  totals: number[];
  /** Per-order precisions in percent (smoothed where smoothing applied). */
  precisions: number[];
  /** Brevity penalty in [0, 1]. */
  bp: number;
  /** Hypothesis length in tokens, summed over segments. */
  sysLen: number;
  /** Effective reference length (closest reference per segment), summed over segments. */
  refLen: number;
}

/** sacreBLEU's default smoothing constants. */
const SMOOTH_DEFAULTS: Record<BleuSmoothMethod, number | undefined> = {
  exp: undefined,
  floor: 0.1,
  'add-k': 1,
  none: undefined,
};

interface ResolvedBleuOptions {
  tokenize: (line: string) => string;
  lowercase: boolean;
  smoothMethod: BleuSmoothMethod;
  smoothValue: number;
  useEffectiveOrder: boolean;
  maxNgramOrder: number;
}

function resolveOptions(options: BleuOptions, effectiveOrderDefault: boolean): ResolvedBleuOptions {
  const tokenize = options.tokenize ?? '13a';
  if (tokenize !== '13a' && tokenize !== 'intl' && tokenize !== 'none') {
    throw new OptionError('BLEU tokenize', `one of '13a', 'intl', 'none'`, JSON.stringify(tokenize));
  }
  const smoothMethod = options.smoothMethod ?? 'exp';
  if (!(smoothMethod in SMOOTH_DEFAULTS)) {
    throw new OptionError(
      'BLEU smoothMethod',
      `one of 'exp', 'floor', 'add-k', 'none'`,
      JSON.stringify(smoothMethod),
    );
  }
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[smoothMethod] ?? 0;
  if (!Number.isFinite(smoothValue) || smoothValue < 0) {
    throw new OptionError('BLEU smoothValue', 'a finite number >= 0', String(smoothValue));
  }
  const maxNgramOrder = options.maxNgramOrder ?? 4;
  if (!Number.isInteger(maxNgramOrder) || maxNgramOrder < 1) {
    throw new OptionError('BLEU maxNgramOrder', 'an integer >= 1', String(maxNgramOrder));
  }
  return {
    tokenize: bleuTokenizer(tokenize),
    lowercase: options.lowercase ?? false,
    smoothMethod,
    smoothValue,
    useEffectiveOrder: options.useEffectiveOrder ?? effectiveOrderDefault,
    maxNgramOrder,
  };
}

/** sacreBLEU's segment preprocessing: lowercase, strip trailing whitespace, tokenize, split. */
function segmentTokens(line: string, o: ResolvedBleuOptions): string[] {
  const s = o.lowercase ? pyLower(line) : line;
  return pySplit(o.tokenize(pyRstrip(s)));
}

/**
 * Counts of every n-gram, n = 1..maxOrder, keyed by the tokens joined with a space. Tokens come
 * from a whitespace split, so they never contain a space and the key is unambiguous.
 */
function ngramCounts(tokens: readonly string[], maxOrder: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** The reference length closest to the hypothesis length; the shorter one on a tie. */
function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let best = -1;
  let bestDiff = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (bestDiff === -1 || diff < bestDiff) {
      bestDiff = diff;
      best = len;
    } else if (diff === bestDiff && len < best) {
      best = len;
    }
  }
  return best;
}

/** Sufficient statistics of one or more segments: `[sysLen, refLen, correct..., total...]`. */
function segmentStats(hyp: string, refs: readonly string[], o: ResolvedBleuOptions): number[] {
  const order = o.maxNgramOrder;
  const refLens: number[] = [];
  let refNgrams: Map<string, number> | undefined;
  for (const ref of refs) {
    const tokens = segmentTokens(ref, o);
    refLens.push(tokens.length);
    const counts = ngramCounts(tokens, order);
    if (refNgrams === undefined) {
      refNgrams = counts;
    } else {
      // Clip by the maximum count of an n-gram over the references.
      for (const [k, c] of counts) refNgrams.set(k, Math.max(refNgrams.get(k) ?? 0, c));
    }
  }
  const hypTokens = segmentTokens(hyp, o);
  const stats = new Array<number>(2 + 2 * order).fill(0);
  stats[0] = hypTokens.length;
  stats[1] = closestRefLen(hypTokens.length, refLens);
  for (const [k, c] of ngramCounts(hypTokens, order)) {
    // The order is one more than the number of separators in the key.
    let n = 0;
    for (let i = 0; i < k.length; i++) if (k.charCodeAt(i) === 32) n++;
    stats[2 + order + n]! += c;
    const r = refNgrams?.get(k);
    if (r !== undefined) stats[2 + n]! += Math.min(c, r);
  }
  return stats;
}

/** sacreBLEU's `my_log`: log, with 0 mapped to a huge negative number instead of -Infinity. */
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/** sacreBLEU's `BLEU.compute_bleu` over summed statistics. */
function scoreFromStats(stats: readonly number[], o: ResolvedBleuOptions): BleuScore {
  const order = o.maxNgramOrder;
  const sysLen = stats[0]!;
  const refLen = stats[1]!;
  const counts = stats.slice(2, 2 + order);
  const totals = stats.slice(2 + order, 2 + 2 * order);
  let bp = 1;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0;
  const precisions = new Array<number>(order).fill(0);
  if (!counts.some((c) => c !== 0)) {
    return { score: 0, counts, totals, precisions, bp, sysLen, refLen };
  }
  let smoothMteval = 1;
  let effOrder = order;
  for (let n = 1; n <= order; n++) {
    if (o.smoothMethod === 'add-k' && n > 1) {
      counts[n - 1]! += o.smoothValue;
      totals[n - 1]! += o.smoothValue;
    }
    if (totals[n - 1] === 0) break;
    if (o.useEffectiveOrder) effOrder = n;
    if (counts[n - 1] === 0) {
      if (o.smoothMethod === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * totals[n - 1]!);
      } else if (o.smoothMethod === 'floor') {
        precisions[n - 1] = (100 * o.smoothValue) / totals[n - 1]!;
      }
    } else {
      precisions[n - 1] = (100 * counts[n - 1]!) / totals[n - 1]!;
    }
  }
  // Summed left to right from 0, as Python's sum() does, so the last bits agree too.
  let logSum = 0;
  for (let i = 0; i < effOrder; i++) logSum += myLog(precisions[i]!);
  const score = bp * Math.exp(logSum / effOrder);
  return { score, counts, totals, precisions, bp, sysLen, refLen };
}

/**
 * Corpus-level BLEU of `hypotheses` against one or more reference sets.
 *
 * @param hypotheses one detokenized line per segment, `[N]`.
 * @param references sacreBLEU's layout: a list of reference *sets*, each `[N]`; `references[k][i]`
 *   is the k-th reference of segment i. Pass `[refs]` for a single reference per segment.
 * @throws DataError when there are no reference sets or a set's length differs from `hypotheses`.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuScore {
  const o = resolveOptions(options, false);
  checkReferenceSets(hypotheses, references, 'corpusBleu');
  const sums = new Array<number>(2 + 2 * o.maxNgramOrder).fill(0);
  for (let i = 0; i < hypotheses.length; i++) {
    const refs = references.map((set) => set[i]!);
    const stats = segmentStats(hypotheses[i]!, refs, o);
    for (let j = 0; j < sums.length; j++) sums[j]! += stats[j]!;
  }
  return scoreFromStats(sums, o);
}

/**
 * Sentence-level BLEU of one hypothesis against its references (the corpus score of a one-segment
 * corpus). `useEffectiveOrder` defaults to `true` here, sacreBLEU's recommended sentence setting.
 *
 * @param references the references of this one hypothesis (at least one).
 */
export function sentenceBleu(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
): BleuScore {
  const o = resolveOptions(options, true);
  if (references.length === 0) {
    throw new DataError('sentenceBleu references', 'at least one reference', 'none');
  }
  return scoreFromStats(segmentStats(hypothesis, references, o), o);
}
