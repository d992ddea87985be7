/** A translation pair. */
export interface SentencePair {
  /** Source-language sentence (English in every corpus here). */
  source: string;
  /** Target-language sentence (French in every corpus here). */
  target: string;
}

/** How pairs group for splitting. */
export type PairGrouping = 'source' | 'connected';

/** Whitespace- and case-normalised form of a sentence, the identity used for grouping. */
export function normalizeSentence(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * A group key per pair. `'source'`: pairs with the same (normalised) source sentence group
 * together, so one English sentence's translations never straddle splits. `'connected'`: also
 * joins pairs that share a target sentence, transitively (union-find), so neither side leaks.
 */
export function pairGroupKeys(
  pairs: readonly SentencePair[],
  grouping: PairGrouping,
): Map<SentencePair, string> {
  const keys = new Map<SentencePair, string>();
  if (grouping === 'source') {
    for (const p of pairs) keys.set(p, normalizeSentence(p.source));
    return keys;
  }
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    // Path compression keeps later look-ups short.
    let y = x;
    while (parent.get(y) !== r) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  const node = (side: 's' | 't', text: string): string => {
    const k = `${side}:${normalizeSentence(text)}`;
    if (!parent.has(k)) parent.set(k, k);
    return k;
  };
  for (const p of pairs) {
    const a = find(node('s', p.source));
    const b = find(node('t', p.target));
    if (a !== b) parent.set(b, a);
  }
  for (const p of pairs) keys.set(p, find(`s:${normalizeSentence(p.source)}`).slice(2));
  return keys;
}
