/**
 * chrF (Popović, 2015) and chrF++ (Popović, 2017) exactly as sacreBLEU 2.6.0's `CHRF` class
 * computes them: character n-grams over Unicode code points (whitespace removed unless asked),
 * optional word n-grams with chrF++'s punctuation splitting, the best-scoring reference per segment,
 * and statistics summed over the corpus before the F-beta is taken.
 */
import { DataError, OptionError } from '@recurrent/core';
import { pyLower, pyRemoveWhitespace, pySplit } from './python-text.ts';
import { checkReferenceSets } from './reference-sets.ts';

/** chrF settings; the defaults are sacreBLEU's (chrF++ is `wordOrder: 2`). */
export interface ChrfOptions {
  /** Highest character n-gram order. Default 6. */
  charOrder?: number;
  /** Highest word n-gram order; 0 is chrF, 2 is chrF++. Default 0. */
  wordOrder?: number;
  /** Recall weight of the F-beta. Default 2. */
  beta?: number;
  /** Lowercase hypotheses and references first. Default `false`. */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams. Default `false`. */
  whitespace?: boolean;
  /**
   * Average per-order F-beta with 1e-16 in place of undefined values (chrF++.py / Moses / NLTK
   * style) instead of sacreBLEU's default effective-order averaging. Default `false`.
   */
  epsSmoothing?: boolean;
}

/** A chrF result. */
export interface ChrfScore {
  /** chrF on a 0..100 scale. */
  score: number;
  /**
   * Corpus sums `[hyp, ref, match]` for character orders 1..charOrder, then word orders
   * 1..wordOrder, flattened: length `3 * (charOrder + wordOrder)`.
   */
  stats: number[];
  charOrder: number;
  wordOrder: number;
  beta: number;
}

interface ResolvedChrfOptions {
  charOrder: number;
  wordOrder: number;
  beta: number;
  lowercase: boolean;
  whitespace: boolean;
  epsSmoothing: boolean;
}

function resolveOptions(options: ChrfOptions): ResolvedChrfOptions {
  const o = {
    charOrder: options.charOrder ?? 6,
    wordOrder: options.wordOrder ?? 0,
    beta: options.beta ?? 2,
    lowercase: options.lowercase ?? false,
    whitespace: options.whitespace ?? false,
    epsSmoothing: options.epsSmoothing ?? false,
  };
  if (!Number.isInteger(o.charOrder) || o.charOrder < 1) {
    throw new OptionError('chrF charOrder', 'an integer >= 1', String(o.charOrder));
  }
  if (!Number.isInteger(o.wordOrder) || o.wordOrder < 0) {
    throw new OptionError('chrF wordOrder', 'an integer >= 0', String(o.wordOrder));
  }
  if (!Number.isFinite(o.beta) || o.beta <= 0) {
    throw new OptionError('chrF beta', 'a finite number > 0', String(o.beta));
  }
  return o;
}

/** Python's `string.punctuation`, which chrF++ splits off word ends. */
const ASCII_PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/**
 * chrF++'s primitive tokenization: whitespace split, then one punctuation character split off the
 * end of a longer token or, failing that, off its start (so `(hi)` -> `(hi` `)`).
 */
function chrfWords(sentence: string): string[] {
  const out: string[] = [];
  for (const w of pySplit(sentence)) {
    const cps = Array.from(w);
    const last = cps[cps.length - 1]!;
    if (cps.length === 1) {
      out.push(w);
    } else if (ASCII_PUNCTUATION.has(last)) {
      out.push(cps.slice(0, -1).join(''), last);
    } else if (ASCII_PUNCTUATION.has(cps[0]!)) {
      out.push(cps[0]!, cps.slice(1).join(''));
    } else {
      out.push(w);
    }
  }
  return out;
}

type Counter = Map<string, number>;

function count(keys: Iterable<string>): Counter {
  const c: Counter = new Map();
  for (const k of keys) c.set(k, (c.get(k) ?? 0) + 1);
  return c;
}

function* windows(items: readonly string[], n: number, sep: string): Generator<string> {
  for (let i = 0; i + n <= items.length; i++) yield items.slice(i, i + n).join(sep);
}

/** One counter per order: characters 1..charOrder, then words 1..wordOrder. */
function allNgrams(sentence: string, o: ResolvedChrfOptions): Counter[] {
  const chars = Array.from(o.whitespace ? sentence : pyRemoveWhitespace(sentence));
  const out: Counter[] = [];
  for (let n = 1; n <= o.charOrder; n++) out.push(count(windows(chars, n, '')));
  if (o.wordOrder > 0) {
    const words = chrfWords(sentence);
    for (let n = 1; n <= o.wordOrder; n++) out.push(count(windows(words, n, ' ')));
  }
  return out;
}

function sumValues(c: Counter): number {
  let s = 0;
  for (const v of c.values()) s += v;
  return s;
}

/** `[hyp, ref, match]` of one order; the hypothesis count is 0 when the reference has no n-grams. */
function matchStats(hyp: Counter, ref: Counter): [number, number, number] {
  let match = 0;
  for (const [k, c] of hyp) {
    const r = ref.get(k);
    if (r !== undefined) match += Math.min(c, r);
  }
  return [ref.size > 0 ? sumValues(hyp) : 0, sumValues(ref), match];
}

/** sacreBLEU's `CHRF._compute_f_score` over flattened `[hyp, ref, match]` statistics. */
function fScore(stats: readonly number[], o: ResolvedChrfOptions): number {
  const eps = 1e-16;
  const order = o.charOrder + o.wordOrder;
  const factor = o.beta ** 2;
  let score = 0;
  let effectiveOrder = 0;
  let avgPrec = 0;
  let avgRec = 0;
  for (let i = 0; i < order; i++) {
    const nHyp = stats[3 * i]!;
    const nRef = stats[3 * i + 1]!;
    const nMatch = stats[3 * i + 2]!;
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder++;
    }
  }
  if (o.epsSmoothing) return (100 * score) / order;
  if (effectiveOrder === 0) {
    avgPrec = 0;
    avgRec = 0;
  } else {
    avgPrec /= effectiveOrder;
    avgRec /= effectiveOrder;
  }
  if (avgPrec + avgRec === 0) return 0;
  let f = (1 + factor) * avgPrec * avgRec;
  f /= factor * avgPrec + avgRec;
  return 100 * f;
}

/** Statistics of one segment against the reference with the best sentence chrF (first on a tie). */
function segmentStats(hyp: string, refs: readonly string[], o: ResolvedChrfOptions): number[] {
  const prep = (s: string): string => (o.lowercase ? pyLower(s) : s);
  const hypNgrams = allNgrams(prep(hyp), o);
  let best: number[] = [];
  let bestF = -1;
  for (const ref of refs) {
    const refNgrams = allNgrams(prep(ref), o);
    const stats: number[] = [];
    hypNgrams.forEach((h, i) => {
      stats.push(...matchStats(h, refNgrams[i]!));
    });
    const f = fScore(stats, o);
    if (f > bestF) {
      bestF = f;
      best = stats;
    }
  }
  return best;
}

/**
 * Corpus-level chrF / chrF++ of `hypotheses` against one or more reference sets.
 *
 * @param hypotheses one line per segment, `[N]`.
 * @param references sacreBLEU's layout: reference sets, each `[N]` (`references[k][i]` is the k-th
 *   reference of segment i).
 * @throws DataError when there are no reference sets or a set's length differs from `hypotheses`.
 */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: ChrfOptions = {},
): ChrfScore {
  const o = resolveOptions(options);
  checkReferenceSets(hypotheses, references, 'corpusChrf');
  const sums = new Array<number>(3 * (o.charOrder + o.wordOrder)).fill(0);
  for (let i = 0; i < hypotheses.length; i++) {
    const stats = segmentStats(
      hypotheses[i]!,
      references.map((set) => set[i]!),
      o,
    );
    for (let j = 0; j < sums.length; j++) sums[j]! += stats[j]!;
  }
  return {
    score: fScore(sums, o),
    stats: sums,
    charOrder: o.charOrder,
    wordOrder: o.wordOrder,
    beta: o.beta,
  };
}

/** Sentence-level chrF / chrF++ of one hypothesis against its references (at least one). */
export function sentenceChrf(
  hypothesis: string,
  references: readonly string[],
  options: ChrfOptions = {},
): ChrfScore {
  if (references.length === 0) {
    throw new DataError('sentenceChrf references', 'at least one reference', 'none');
  }
  return corpusChrf(
    [hypothesis],
    references.map((r) => [r]),
    options,
  );
}
