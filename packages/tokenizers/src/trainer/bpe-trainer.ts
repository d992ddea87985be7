import { isValidPiece, type PieceRules, UNK_CHAR } from './piece-rules.ts';
import type { TrainProgress } from './train-options.ts';
import { compareCodePoints, countWords, type TrainingCorpus } from './training-corpus.ts';
import type { ScoredPiece } from './unigram-trainer.ts';

/** Settings of {@link trainBpe}. */
export interface BpeTrainOptions {
  /** Whole vocabulary size, meta pieces included. */
  vocabSize: number;
  /** How many ids the meta pieces take. */
  metaCount: number;
  /** Which merges may become pieces. */
  rules: PieceRules;
  /** Progress callback. */
  onProgress?: ((event: TrainProgress) => void) | undefined;
}

/** A candidate merge: two adjacent symbols, how often they are adjacent, and where. */
interface Pair {
  left: number;
  right: number;
  /** Concatenated piece. */
  piece: string;
  /** Its length in code points. */
  length: number;
  /** Sum of word counts over current occurrences. */
  count: number;
  /** Positions of the left symbol; may hold stale entries, checked when merging. */
  positions: number[];
}

interface HeapEntry {
  count: number;
  pair: Pair;
}

// Better merge first: more frequent, then shorter, then smaller in byte order (spm's tie-break).
function better(a: HeapEntry, b: HeapEntry): boolean {
  if (a.count !== b.count) return a.count > b.count;
  if (a.pair.length !== b.pair.length) return a.pair.length < b.pair.length;
  return compareCodePoints(a.pair.piece, b.pair.piece) < 0;
}

class MergeHeap {
  private readonly items: HeapEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  push(entry: HeapEntry): void {
    const a = this.items;
    a.push(entry);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!better(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): HeapEntry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < a.length && better(a[l]!, a[best]!)) best = l;
        if (r < a.length && better(a[r]!, a[best]!)) best = r;
        if (best === i) break;
        [a[i], a[best]] = [a[best]!, a[i]!];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Trains byte-pair-encoding merges the way spm's `bpe_model_trainer.cc` does: words (split before each
 * `▁`) start as characters; the most frequent adjacent pair that forms a valid piece is merged, repeatedly,
 * ties going to the shorter and then the byte-wise smaller piece; a merge whose piece already exists (made
 * from a different pair) is skipped. Pieces are scored by merge order (0, -1, -2, …) and the required
 * characters follow the merges. Unlike spm, which rescans only a cached top 5% of pairs, the best pair is
 * found exactly with a heap.
 */
export function trainBpe(corpus: TrainingCorpus, options: BpeTrainOptions): ScoredPiece[] {
  const progress = options.onProgress ?? (() => {});
  const { words, freqs } = countWords(corpus.sentences);
  let total = 0;
  for (const w of words) total += w.length;

  // Symbols: their code points and string; characters first.
  const symCps: Int32Array[] = [];
  const symStr: string[] = [];
  const symByString = new Map<string, number>();
  const charSymbol = (cp: number): number => {
    const s = String.fromCodePoint(cp);
    let id = symByString.get(s);
    if (id === undefined) {
      id = symCps.length;
      symCps.push(Int32Array.of(cp));
      symStr.push(s);
      symByString.set(s, id);
    }
    return id;
  };

  // Every word laid end to end as a doubly linked list of symbols.
  const sym = new Int32Array(total);
  const next = new Int32Array(total);
  const prev = new Int32Array(total);
  const weight = new Float64Array(total);
  let o = 0;
  words.forEach((w, wi) => {
    for (let i = 0; i < w.length; i++) {
      sym[o + i] = charSymbol(w[i]!);
      prev[o + i] = i === 0 ? -1 : o + i - 1;
      next[o + i] = i === w.length - 1 ? -1 : o + i + 1;
      weight[o + i] = freqs[wi]!;
    }
    o += w.length;
  });

  const pairs = new Map<number, Pair | null>(); // null: the pair can never be a piece
  const heap = new MergeHeap();
  const SHIFT = 2 ** 26;
  const pairFor = (left: number, right: number): Pair | null => {
    const key = left * SHIFT + right;
    let pair = pairs.get(key);
    if (pair === undefined) {
      const l = symCps[left]!;
      const r = symCps[right]!;
      let cps: Int32Array | null = null;
      if (!(l.length === 1 && l[0] === UNK_CHAR) && !(r.length === 1 && r[0] === UNK_CHAR)) {
        cps = new Int32Array(l.length + r.length);
        cps.set(l);
        cps.set(r, l.length);
        if (!isValidPiece(cps, 0, cps.length, options.rules)) cps = null;
      }
      pair =
        cps === null
          ? null
          : {
              left,
              right,
              piece: symStr[left]! + symStr[right]!,
              length: cps.length,
              count: 0,
              positions: [],
            };
      pairs.set(key, pair);
    }
    return pair;
  };
  const touched = new Set<Pair>();
  const add = (pos: number, f: number): void => {
    const pair = pairFor(sym[pos]!, sym[next[pos]!]!);
    if (pair === null) return;
    pair.count += f;
    pair.positions.push(pos);
    touched.add(pair);
  };
  const remove = (pos: number, f: number): void => {
    const pair = pairs.get(sym[pos]! * SHIFT + sym[next[pos]!]!);
    if (pair == null) return;
    pair.count -= f;
    touched.add(pair);
  };
  const flush = (): void => {
    for (const pair of touched) if (pair.count > 0) heap.push({ count: pair.count, pair });
    touched.clear();
  };

  for (let i = 0; i < total; i++) if (next[i] !== -1) add(i, weight[i]!);
  flush();

  const target = options.vocabSize - options.metaCount - corpus.requiredChars.length;
  const pieces: ScoredPiece[] = [];
  progress({ stage: 'merge', size: 0, target });
  while (pieces.length < target) {
    const entry = heap.pop();
    if (entry === undefined) break; // nothing left to merge
    const { pair } = entry;
    const key = pair.left * SHIFT + pair.right;
    if (entry.count !== pair.count || pairs.get(key) !== pair) continue; // stale
    pairs.delete(key);
    if (symByString.has(pair.piece)) continue; // same piece from another pair: spm drops it

    const merged = symCps.length;
    const cps = new Int32Array(pair.length);
    cps.set(symCps[pair.left]!);
    cps.set(symCps[pair.right]!, symCps[pair.left]!.length);
    symCps.push(cps);
    symStr.push(pair.piece);
    symByString.set(pair.piece, merged);
    pieces.push({ piece: pair.piece, score: -pieces.length });

    // Left to right, so that in "aaa" the first "aa" wins and the overlapping one is found stale.
    const positions = Int32Array.from(pair.positions).sort();
    let last = -1;
    for (const pos of positions) {
      if (pos === last) continue;
      last = pos;
      const q = next[pos]!;
      if (sym[pos] !== pair.left || q === -1 || sym[q] !== pair.right) continue;
      const f = weight[pos]!;
      const before = prev[pos]!;
      const after = next[q]!;
      if (before !== -1) remove(before, f);
      if (after !== -1) remove(q, f);
      sym[pos] = merged;
      sym[q] = -1;
      next[pos] = after;
      if (after !== -1) prev[after] = pos;
      if (before !== -1) add(before, f);
      if (after !== -1) add(pos, f);
    }
    touched.delete(pair);
    flush();
    if (pieces.length % 100 === 0) progress({ stage: 'merge', size: pieces.length, target });
  }

  for (const { cp } of corpus.requiredChars) {
    pieces.push({ piece: String.fromCodePoint(cp), score: -pieces.length });
  }
  return pieces;
}
