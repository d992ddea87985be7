import { type DecodeOptions, decode, type Hypothesis } from './decode.ts';
import { corpusBleu } from './metrics/bleu.ts';
import { corpusChrf } from './metrics/chrf.ts';
import { editDistance } from './metrics/error-rate.ts';
import type { Seq2Seq, Seq2SeqExample } from './model.ts';

/** A source with every acceptable target (a word's pronunciation variants, a sentence's translations). */
export interface GroupedPair {
  source: string;
  targets: string[];
}

/** Groups `[source, target]` pairs by source, keeping first-appearance order. */
export function groupPairs(pairs: Iterable<readonly [string, string]>): GroupedPair[] {
  const map = new Map<string, string[]>();
  for (const [s, t] of pairs) {
    const list = map.get(s);
    if (list) {
      if (!list.includes(t)) list.push(t);
    } else map.set(s, [t]);
  }
  return [...map].map(([source, targets]) => ({ source, targets }));
}

/** One training example per (source, target) of `groups`; pairs the tokenizers cannot spell at all are dropped. */
export function toExamples(
  model: Seq2Seq,
  groups: readonly GroupedPair[],
  maxLength = Number.POSITIVE_INFINITY,
): Seq2SeqExample[] {
  const out: Seq2SeqExample[] = [];
  for (const g of groups) {
    const source = model.encodeSource(g.source);
    if (source.length === 0 || source.length > maxLength) continue;
    for (const t of g.targets) {
      const target = model.encodeTarget(t);
      if (target.length <= maxLength) out.push({ source, target });
    }
  }
  return out;
}

/** Scores of {@link evaluateSeq2Seq}. */
export interface Seq2SeqScores {
  /** Corpus BLEU (sacreBLEU 13a, 0..100), one segment per (source, reference) pair. */
  bleu: number;
  /** Corpus chrF (0..100), same segments. */
  chrf: number;
  /**
   * Token error rate (%): edits to the closest reference (fewest edits), summed over sources, over
   * the summed lengths of those references. For G2P with phoneme targets this is the phoneme error rate (PER).
   */
  per: number;
  /** Sources (%) whose output equals none of their references: G2P's word error rate (WER). */
  wer: number;
  /** Number of sources evaluated. */
  sources: number;
  /** The best hypothesis of each source. */
  hypotheses: Hypothesis[];
}

/**
 * Decodes every source of `groups` and scores the outputs against all its targets: BLEU and chrF over
 * (source, reference) pairs, and the exact-match rates of G2P (a word is right if the output matches
 * ANY variant; PER against the closest variant). Tokens for PER are whitespace-separated.
 */
export function evaluateSeq2Seq(
  model: Seq2Seq,
  groups: readonly GroupedPair[],
  options: DecodeOptions = {},
): Seq2SeqScores {
  const sources = groups.map((g) => model.encodeSource(g.source));
  const keep = sources.map((s, i) => (s.length > 0 ? i : -1)).filter((i) => i >= 0);
  const decoded = decode(
    model,
    keep.map((i) => sources[i]!),
    { ...options, nBest: 1 },
  );
  const hyps: Hypothesis[] = groups.map(() => ({
    tokens: new Int32Array(0),
    text: '',
    logProb: 0,
    score: 0,
    finished: false,
    attention: [],
  }));
  keep.forEach((i, k) => {
    hyps[i] = decoded[k]![0]!;
  });
  const flatHyps: string[] = [];
  const flatRefs: string[] = [];
  let edits = 0;
  let refTokens = 0;
  let wrong = 0;
  groups.forEach((g, i) => {
    const h = hyps[i]!.text;
    const ht = h.split(/\s+/).filter(Boolean);
    let bestD = Number.POSITIVE_INFINITY;
    let bestLen = 1;
    for (const t of g.targets) {
      flatHyps.push(h);
      flatRefs.push(t);
      const rt = t.split(/\s+/).filter(Boolean);
      const d = editDistance(ht, rt);
      if (d < bestD) {
        bestD = d;
        bestLen = rt.length;
      }
    }
    edits += bestD;
    refTokens += bestLen;
    if (!g.targets.includes(h)) wrong++;
  });
  return {
    bleu: corpusBleu(flatHyps, [flatRefs]).score,
    chrf: corpusChrf(flatHyps, [flatRefs]).score,
    per: (100 * edits) / Math.max(1, refTokens),
    wer: (100 * wrong) / Math.max(1, groups.length),
    sources: groups.length,
    hypotheses: hyps,
  };
}
