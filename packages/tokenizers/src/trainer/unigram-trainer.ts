import { isValidPiece, type PieceRules, WS_CHAR } from './piece-rules.ts';
import { PieceTrie } from './piece-trie.ts';
import type { TrainProgress } from './train-options.ts';
import {
  type CharCount,
  compareCodePoints,
  countWords,
  type TrainingCorpus,
  type WordCounts,
} from './training-corpus.ts';

/** A learned piece and its score (log probability for unigram, minus merge rank for BPE). */
export interface ScoredPiece {
  piece: string;
  score: number;
}

/** Settings of {@link trainUnigram}. */
export interface UnigramTrainOptions {
  /** Whole vocabulary size, meta pieces included (EM stops near 1.1x this, as spm). */
  vocabSize: number;
  /** How many ids the meta pieces take; the rest are learned pieces. */
  metaCount: number;
  /** Which substrings may become pieces. */
  rules: PieceRules;
  /** Most seed substrings to start from. */
  seedSize: number;
  /** Fraction of pieces each pruning round keeps. */
  shrinkingFactor: number;
  /** EM iterations per round. */
  numSubIterations: number;
  /** Progress callback. */
  onProgress?: ((event: TrainProgress) => void) | undefined;
}

// spm gives an unknown character the lowest piece score minus this.
const UNK_PENALTY = 10;
// M step drops pieces expected less often than this (spm's kExpectedFrequencyThreshold).
const EXPECTED_FREQUENCY_THRESHOLD = 0.5;
// Required characters missing from the model get the lowest score plus multiples of this (rarest highest:
// spm's quirk, kept so scores match).
const MIN_SCORE_PENALTY_DELTA = 0.0001;

/** Digamma function psi(x) for x > 0: recurrence up to 7, then the asymptotic series (as spm). */
export function digamma(x: number): number {
  let result = 0;
  for (; x < 7; ++x) result -= 1 / x;
  x -= 1 / 2;
  const xx = 1 / x;
  const xx2 = xx * xx;
  const xx4 = xx2 * xx2;
  result +=
    Math.log(x) + (1 / 24) * xx2 - (7 / 960) * xx4 + (31 / 8064) * xx4 * xx2 - (127 / 30720) * xx4 * xx4;
  return result;
}

/** The seed vocabulary: every character, then the most frequent repeated substrings. */
interface Seeds {
  /** Code points of each seed piece. */
  cps: Int32Array[];
  /** Log probability of each, from character coverage (count x length). */
  scores: Float64Array;
}

/**
 * Seed pieces as spm's `MakeSeedSentencePieces`: all characters, then every substring that could be a piece
 * and is an internal node of the suffix tree of the text (it occurs with at least two different next
 * characters, the end of a word counting as `▁` or as the sentence end), ranked by count x length; the top
 * `seedSize` are kept. spm finds these nodes with a suffix array over the whole text; since a valid piece never
 * spans a `▁`, counting the substrings of each distinct word in a trie, weighted by the word's count, finds the
 * same set in a fraction of the time.
 */
export function makeSeedPieces(
  words: WordCounts,
  requiredChars: readonly CharCount[],
  rules: PieceRules,
  seedSize: number,
): Seeds {
  const trie = new PieceTrie();
  // Per trie node: occurrences, the first next character seen (-2: none yet), whether a second one was seen,
  // and where the substring first occurred.
  let count = new Float64Array(1024);
  let firstNext = new Int32Array(1024).fill(-2);
  let branching = new Uint8Array(1024);
  let depth = new Int32Array(1024);
  let word = new Int32Array(1024);
  let offset = new Int32Array(1024);
  const ensure = (size: number): void => {
    if (size <= count.length) return;
    const cap = Math.max(size, count.length * 2);
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, fill: number): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.fill(fill);
      b.set(a);
      return b;
    };
    count = grow(count, 0);
    firstNext = grow(firstNext, -2);
    branching = grow(branching, 0);
    depth = grow(depth, 0);
    word = grow(word, 0);
    offset = grow(offset, 0);
  };
  const follow = (node: number, next: number): void => {
    if (firstNext[node] === -2) firstNext[node] = next;
    else if (firstNext[node] !== next) branching[node] = 1;
  };

  for (let w = 0; w < words.words.length; w++) {
    const cps = words.words[w]!;
    const freq = words.freqs[w]!;
    const finals = words.finals[w]!;
    for (let i = 0; i < cps.length; i++) {
      let node = 0;
      const stop = Math.min(cps.length, i + rules.maxPieceLength);
      for (let j = i; j < stop; j++) {
        // Validity only gets lost by extending a piece, so the first invalid one ends the scan.
        if (!isValidPiece(cps, i, j + 1, rules)) break;
        const child = trie.childOrCreate(node, cps[j]!);
        if (child >= count.length) ensure(child + 1);
        if (depth[child] === 0) {
          depth[child] = j + 1 - i;
          word[child] = w;
          offset[child] = i;
        }
        count[child]! += freq;
        if (j + 1 < cps.length) follow(child, cps[j + 1]!);
        else {
          if (freq > finals) follow(child, WS_CHAR);
          if (finals > 0) follow(child, 0);
        }
        node = child;
      }
    }
  }

  const candidates: number[] = [];
  for (let node = 1; node < trie.size; node++) {
    if (depth[node]! >= 2 && branching[node] === 1) candidates.push(node);
  }
  candidates.sort((a, b) => count[b]! * depth[b]! - count[a]! * depth[a]! || a - b);
  if (candidates.length > seedSize) candidates.length = seedSize;

  const cps: Int32Array[] = [];
  const raw: number[] = [];
  for (const { cp, count: n } of requiredChars) {
    cps.push(Int32Array.of(cp));
    raw.push(n);
  }
  for (const node of candidates) {
    cps.push(words.words[word[node]!]!.subarray(offset[node]!, offset[node]! + depth[node]!));
    raw.push(count[node]! * depth[node]!);
  }
  let sum = 0;
  for (const r of raw) sum += r;
  const logSum = Math.log(sum);
  return { cps, scores: Float64Array.from(raw, (r) => Math.log(r) - logSum) };
}

/**
 * The lattice of every word: each edge is a seed piece occurring at a position. Pieces are only ever removed
 * during training, so the lattice is built once and edges of dead pieces are compacted away after each M
 * step and pruning round. A one-character edge always exists at every position; when its piece is dead
 * or missing it stands for `<unk>`, exactly where spm's lattice adds an unknown node.
 */
class WordLattices {
  wordOffset: Int32Array;
  start: Int32Array;
  length: Int32Array;
  piece: Int32Array;

  constructor(
    readonly words: WordCounts,
    trie: PieceTrie,
    maxPieceLength: number,
    /** Receives the first (word, start) where each piece occurs. */
    onFirstOccurrence: (piece: number, word: number, start: number) => void,
  ) {
    const start: number[] = [];
    const length: number[] = [];
    const piece: number[] = [];
    const wordOffset = new Int32Array(words.words.length + 1);
    words.words.forEach((w, wi) => {
      wordOffset[wi] = start.length;
      for (let i = 0; i < w.length; i++) {
        let hasSingle = false;
        trie.forEachPrefix(w, i, w.length, maxPieceLength, (len, id) => {
          if (len === 1) hasSingle = true;
          else if (!hasSingle) {
            start.push(i);
            length.push(1);
            piece.push(-1);
            hasSingle = true;
          }
          start.push(i);
          length.push(len);
          piece.push(id);
          onFirstOccurrence(id, wi, i);
        });
        if (!hasSingle) {
          start.push(i);
          length.push(1);
          piece.push(-1);
        }
      }
    });
    wordOffset[words.words.length] = start.length;
    this.wordOffset = wordOffset;
    this.start = Int32Array.from(start);
    this.length = Int32Array.from(length);
    this.piece = Int32Array.from(piece);
  }

  /** Drops edges of dead multi-character pieces; one-character edges of dead pieces become `<unk>`. */
  compact(alive: Uint8Array): void {
    let k = 0;
    const { start, length, piece, wordOffset } = this;
    for (let w = 0; w < wordOffset.length - 1; w++) {
      const from = wordOffset[w]!;
      const to = wordOffset[w + 1]!;
      wordOffset[w] = k;
      for (let e = from; e < to; e++) {
        const p = piece[e]!;
        const live = p >= 0 && alive[p] === 1;
        if (!live && length[e]! > 1) continue;
        start[k] = start[e]!;
        length[k] = length[e]!;
        piece[k] = live ? p : -1;
        k++;
      }
    }
    wordOffset[wordOffset.length - 1] = k;
    this.start = start.subarray(0, k);
    this.length = length.subarray(0, k);
    this.piece = piece.subarray(0, k);
  }
}

/**
 * Trains a unigram language model over subwords (Kudo 2018) the way spm's `unigram_model_trainer.cc` does:
 * seed pieces (see {@link makeSeedPieces}), EM with forward-backward expected counts and the Bayesian
 * (digamma) M step, pruning by the loss in likelihood each piece's removal would cause (keeping
 * `shrinkingFactor` of them per round) until 1.1 x `vocabSize` remain, then the best
 * `vocabSize - metaCount` pieces plus every required character. Returns pieces in spm's final order
 * (score descending, then code points).
 */
export function trainUnigram(corpus: TrainingCorpus, options: UnigramTrainOptions): ScoredPiece[] {
  const { rules } = options;
  const progress = options.onProgress ?? (() => {});
  progress({ stage: 'seed', size: 0, target: options.seedSize });
  const words = countWords(corpus.sentences);
  const seeds = makeSeedPieces(words, corpus.requiredChars, rules, options.seedSize);
  const pieceCount = seeds.cps.length;
  const score = seeds.scores;
  const alive = new Uint8Array(pieceCount).fill(1);
  let aliveCount = pieceCount;
  progress({ stage: 'seed', size: pieceCount, target: options.seedSize });

  const trie = new PieceTrie();
  seeds.cps.forEach((cps, id) => {
    trie.insert(cps, 0, cps.length, id);
  });
  const occWord = new Int32Array(pieceCount).fill(-1);
  const occStart = new Int32Array(pieceCount);
  const lattices = new WordLattices(words, trie, rules.maxPieceLength, (p, w, s) => {
    if (occWord[p] === -1) {
      occWord[p] = w;
      occStart[p] = s;
    }
  });
  let maxWordLength = 0;
  for (const w of words.words) maxWordLength = Math.max(maxWordLength, w.length);

  // Scratch buffers over the positions of one word.
  const alpha = new Float64Array(maxWordLength + 1);
  const beta = new Float64Array(maxWordLength + 1);
  const accM = new Float64Array(maxWordLength + 1);
  const accS = new Float64Array(maxWordLength + 1);
  const backEdge = new Int32Array(maxWordLength + 1);

  // Score of every edge under the current model: its piece's, or the unknown score for a lone character.
  let edgeScore = new Float64Array(0);
  let unkScore = 0;
  const refresh = (): void => {
    lattices.compact(alive);
    let minScore = Number.POSITIVE_INFINITY;
    for (let p = 0; p < pieceCount; p++) if (alive[p] === 1 && score[p]! < minScore) minScore = score[p]!;
    unkScore = minScore - UNK_PENALTY;
    const { piece } = lattices;
    edgeScore = new Float64Array(piece.length);
    for (let e = 0; e < piece.length; e++) {
      const p = piece[e]!;
      edgeScore[e] = p >= 0 ? score[p]! : unkScore;
    }
  };
  refresh();

  /**
   * Adds word `w`'s expected piece counts (times its frequency) to `expected`, in log space; returns the
   * word's log-likelihood.
   */
  const forwardBackwardLog = (w: number, expected: Float64Array): number => {
    const { wordOffset, start, length, piece } = lattices;
    const len = words.words[w]!.length;
    const freq = words.freqs[w]!;
    const from = wordOffset[w]!;
    const to = wordOffset[w + 1]!;
    // Forward, pushing along edges in start order; (accM, accS) is a running log-sum-exp per end position.
    for (let p = 1; p <= len; p++) {
      accM[p] = Number.NEGATIVE_INFINITY;
      accS[p] = 0;
    }
    alpha[0] = 0;
    let cur = 0;
    for (let e = from; e < to; e++) {
      const s = start[e]!;
      if (s !== cur) {
        cur = s;
        alpha[s] = accM[s]! + Math.log(accS[s]!);
      }
      const x = alpha[s]! + edgeScore[e]!;
      const end = s + length[e]!;
      const m = accM[end]!;
      if (x > m) {
        accS[end] = accS[end]! * Math.exp(m - x) + 1;
        accM[end] = x;
      } else {
        accS[end]! += Math.exp(x - m);
      }
    }
    const z = accM[len]! + Math.log(accS[len]!);
    // Backward: walking edges in reverse finishes each start position in turn.
    beta[len] = 0;
    let m = Number.NEGATIVE_INFINITY;
    let acc = 0;
    cur = start[to - 1]!;
    for (let e = to - 1; e >= from; e--) {
      const s = start[e]!;
      if (s !== cur) {
        beta[cur] = m + Math.log(acc);
        cur = s;
        m = Number.NEGATIVE_INFINITY;
        acc = 0;
      }
      const x = edgeScore[e]! + beta[s + length[e]!]!;
      if (x > m) {
        acc = acc * Math.exp(m - x) + 1;
        m = x;
      } else {
        acc += Math.exp(x - m);
      }
    }
    beta[cur] = m + Math.log(acc);
    for (let e = from; e < to; e++) {
      const p = piece[e]!;
      if (p < 0) continue;
      const s = start[e]!;
      expected[p]! += freq * Math.exp(alpha[s]! + edgeScore[e]! + beta[s + length[e]!]! - z);
    }
    return z;
  };

  // The E step runs in linear space, which needs no exp or log per edge. To keep products of probabilities
  // far from underflow, each piece's probability is multiplied by exp(charShift) per character: that
  // scales every segmentation of a word alike, so expectations are unchanged. charShift follows the mean
  // log-likelihood per character; a word whose total still leaves a safe range is redone in log space.
  let charShift = 0;
  const pieceLength = Int32Array.from(seeds.cps, (c) => c.length);
  const weight = new Float64Array(pieceCount);

  /** Forward-backward over every word; returns expected piece counts. */
  const eStep = (): Float64Array => {
    const expected = new Float64Array(pieceCount);
    const { wordOffset, start, length, piece } = lattices;
    for (let p = 0; p < pieceCount; p++) {
      if (alive[p] === 1) weight[p] = Math.exp(score[p]! + charShift * pieceLength[p]!);
    }
    const unkWeight = Math.exp(unkScore + charShift);
    let logLikelihood = 0;
    let chars = 0;
    for (let w = 0; w < words.words.length; w++) {
      const len = words.words[w]!.length;
      const freq = words.freqs[w]!;
      const from = wordOffset[w]!;
      const to = wordOffset[w + 1]!;
      alpha.fill(0, 1, len + 1);
      alpha[0] = 1;
      for (let e = from; e < to; e++) {
        const p = piece[e]!;
        const s = start[e]!;
        alpha[s + length[e]!]! += alpha[s]! * (p >= 0 ? weight[p]! : unkWeight);
      }
      const z = alpha[len]!;
      if (!(z > 1e-200 && z < 1e200)) {
        logLikelihood += freq * forwardBackwardLog(w, expected);
        chars += freq * len;
        continue;
      }
      beta.fill(0, 0, len);
      beta[len] = 1;
      for (let e = to - 1; e >= from; e--) {
        const p = piece[e]!;
        const s = start[e]!;
        beta[s]! += (p >= 0 ? weight[p]! : unkWeight) * beta[s + length[e]!]!;
      }
      const scale = freq / z;
      for (let e = from; e < to; e++) {
        const p = piece[e]!;
        if (p < 0) continue;
        const s = start[e]!;
        expected[p]! += scale * alpha[s]! * weight[p]! * beta[s + length[e]!]!;
      }
      logLikelihood += freq * (Math.log(z) - charShift * len);
      chars += freq * len;
    }
    charShift = -logLikelihood / chars;
    return expected;
  };

  /** Bayesian M step: drop rarely expected pieces, score the rest by digamma. */
  const mStep = (expected: Float64Array): void => {
    let sum = 0;
    for (let p = 0; p < pieceCount; p++) {
      if (alive[p] !== 1) continue;
      if (expected[p]! < EXPECTED_FREQUENCY_THRESHOLD) {
        alive[p] = 0;
        aliveCount--;
      } else {
        sum += expected[p]!;
      }
    }
    const logSum = digamma(sum);
    for (let p = 0; p < pieceCount; p++) if (alive[p] === 1) score[p] = digamma(expected[p]!) - logSum;
    refresh();
  };

  /**
   * Best path over edges of word `w` between positions `from` and `to`, skipping edge `excluded`.
   * Fills `backEdge` and returns the path's score.
   */
  const viterbi = (w: number, from: number, to: number, excluded: number): number => {
    const { wordOffset, start, length } = lattices;
    alpha.fill(Number.NEGATIVE_INFINITY, from, to + 1);
    alpha[from] = 0;
    // First edge starting at `from` (edges of a word are sorted by start).
    let lo = wordOffset[w]!;
    let hi = wordOffset[w + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (start[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    const last = wordOffset[w + 1]!;
    for (let e = lo; e < last; e++) {
      const s = start[e]!;
      if (s >= to) break;
      const end = s + length[e]!;
      if (end > to || e === excluded) continue;
      // Ties keep the earlier edge, as spm's Viterbi keeps the first best node.
      const x = alpha[s]! + edgeScore[e]!;
      if (x > alpha[end]!) {
        alpha[end] = x;
        backEdge[end] = e;
      }
    }
    return alpha[to]!;
  };

  const prune = (): void => {
    const { start, length, piece, wordOffset } = lattices;
    // How each piece would be segmented without it (spm: second best of NBest(2) on the piece itself).
    const alternatives = new Map<number, number[]>();
    const removable = new Uint8Array(pieceCount);
    for (let p = 0; p < pieceCount; p++) {
      if (alive[p] !== 1) continue;
      const len = seeds.cps[p]!.length;
      if (len === 1 || occWord[p]! < 0) continue; // only one segmentation: always kept
      const w = occWord[p]!;
      const s = occStart[p]!;
      let self = -1;
      for (let e = wordOffset[w]!; e < wordOffset[w + 1]!; e++) {
        if (start[e] === s && length[e] === len && piece[e] === p) {
          self = e;
          break;
        }
      }
      const split = viterbi(w, s, s + len, self);
      if (split > score[p]!) {
        removable[p] = 1; // its own best segmentation already splits it
        continue;
      }
      const path: number[] = [];
      for (let pos = s + len; pos > s; ) {
        const e = backEdge[pos]!;
        path.push(piece[e]!);
        pos = start[e]!;
      }
      alternatives.set(p, path);
    }

    // Viterbi counts over the corpus.
    const freq = new Float64Array(pieceCount);
    let vsum = 0;
    for (let w = 0; w < words.words.length; w++) {
      const len = words.words[w]!.length;
      const f = words.freqs[w]!;
      vsum += f;
      viterbi(w, 0, len, -1);
      for (let pos = len; pos > 0; ) {
        const e = backEdge[pos]!;
        const p = piece[e]!;
        if (p >= 0) freq[p]! += f;
        pos = start[e]!;
      }
    }
    let sum = 0;
    for (let p = 0; p < pieceCount; p++) sum += freq[p]!;
    const logSum = Math.log(sum);

    const kept: number[] = [];
    const candidates: number[] = [];
    const loss = new Float64Array(pieceCount);
    for (let p = 0; p < pieceCount; p++) {
      if (alive[p] !== 1) continue;
      if (freq[p] === 0 || removable[p] === 1) continue; // unused, or split anyway: safe to drop
      const alt = alternatives.get(p);
      if (alt === undefined) {
        kept.push(p);
        continue;
      }
      // Assume every occurrence of p is replaced by its alternative segmentation and compare likelihoods.
      const fi = freq[p]!;
      const logProbPiece = Math.log(fi) - logSum;
      const logSumAlt = Math.log(sum + fi * (alt.length - 1));
      let logProbAlt = 0;
      for (const q of alt) logProbAlt += Math.log((q >= 0 ? freq[q]! : 0) + fi) - logSumAlt;
      loss[p] = (fi / vsum) * (logProbPiece - logProbAlt);
      candidates.push(p);
    }
    candidates.sort((a, b) => loss[b]! - loss[a]! || a - b);
    const desired = Math.trunc(options.vocabSize * 1.1);
    const prunedSize = Math.max(desired, Math.trunc(options.shrinkingFactor * aliveCount));
    for (const p of candidates) {
      if (kept.length >= prunedSize) break;
      kept.push(p);
    }
    alive.fill(0);
    for (const p of kept) alive[p] = 1;
    aliveCount = kept.length;
    refresh();
  };

  const desired = Math.trunc(options.vocabSize * 1.1);
  for (;;) {
    for (let iter = 0; iter < options.numSubIterations; iter++) {
      mStep(eStep());
      progress({ stage: 'em', size: aliveCount, target: desired });
    }
    if (aliveCount <= desired) break;
    prune();
    progress({ stage: 'prune', size: aliveCount, target: desired });
  }

  return finalizePieces(seeds.cps, score, alive, corpus, options.vocabSize - options.metaCount);
}

/** spm's `FinalizeSentencePieces`: required characters first (scored if missing), then the best pieces. */
function finalizePieces(
  cps: readonly Int32Array[],
  score: Float64Array,
  alive: Uint8Array,
  corpus: TrainingCorpus,
  size: number,
): ScoredPiece[] {
  const aliveScores = new Map<string, number>();
  let minScore = Number.POSITIVE_INFINITY;
  const living: ScoredPiece[] = [];
  for (let p = 0; p < cps.length; p++) {
    if (alive[p] !== 1) continue;
    const piece = String.fromCodePoint(...cps[p]!);
    const s = Math.fround(score[p]!);
    aliveScores.set(piece, s);
    living.push({ piece, score: s });
    if (s < minScore) minScore = s;
  }
  const final = new Map<string, number>();
  let penalty = 0;
  for (const { cp } of corpus.requiredChars) {
    const piece = String.fromCodePoint(cp);
    const s = aliveScores.get(piece);
    if (s !== undefined) {
      final.set(piece, s);
    } else {
      final.set(piece, Math.fround(minScore + penalty));
      penalty += MIN_SCORE_PENALTY_DELTA;
    }
  }
  living.sort(byScoreThenPiece);
  for (const { piece, score: s } of living) {
    if (final.has(piece)) continue;
    if (final.size >= size) break;
    final.set(piece, s);
  }
  return [...final].map(([piece, s]) => ({ piece, score: s })).sort(byScoreThenPiece);
}

/** spm's `Sorted`: score descending, then piece in byte order. */
export function byScoreThenPiece(a: ScoredPiece, b: ScoredPiece): number {
  return b.score - a.score || compareCodePoints(a.piece, b.piece);
}
