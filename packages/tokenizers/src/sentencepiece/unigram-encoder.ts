import type { ByteTrie } from './byte-trie.ts';
import { oneCharLen } from './bytes.ts';
import type { EncodedPiece, PieceTable } from './piece-table.ts';

/** unigram_model.cc `kUnkPenalty`: an unknown character costs this much more than the rarest piece. */
const UNK_PENALTY = 10;
/** C++ `FLT_MAX` and `FLT_MIN` (the smallest positive normal float, the odd start value of max_score). */
const FLT_MAX = 3.4028234663852886e38;
const FLT_MIN = 1.1754943508222875e-38;

/**
 * Viterbi segmentation under a unigram language model: the split of the text into pieces whose
 * summed log-probabilities is largest (unigram_model.cc `EncodeOptimized`, the encoder spm_encode runs).
 *
 * Positions are byte offsets. A character no piece starts with becomes an unknown piece scored
 * `min_score - 10`; user-defined symbols score `length * max_score - 0.1` so they always win. The
 * arithmetic follows the C++ types exactly: scores are float32, a candidate path score is computed in
 * double for pieces (the C++ `auto` deduces double there) but in float for the unknown piece, and
 * compared with the stored float32 best; ties keep the earlier-started path.
 */
export class UnigramEncoder {
  private readonly minScore: number;
  private readonly maxScore: number;

  constructor(
    private readonly table: PieceTable,
    private readonly trie: ByteTrie,
  ) {
    let min = FLT_MAX;
    let max = FLT_MIN;
    for (let id = 0; id < table.size; id++) {
      if (table.types[id] !== table.NORMAL) continue;
      const s = table.scores[id] as number;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    this.minScore = min;
    this.maxScore = max;
  }

  encode(s: Uint8Array): EncodedPiece[] {
    const size = s.length;
    if (size === 0) return [];
    const { table, trie } = this;
    const unkScore = Math.fround(this.minScore - UNK_PENALTY);
    const unkId = table.unkId;
    // best path ending at each byte position: its float32 score, start of its last piece, piece id.
    const bestScore = new Float64Array(size + 1);
    const startsAt = new Int32Array(size + 1).fill(-1);
    const ids = new Int32Array(size + 1).fill(-1);

    let start = 0;
    while (start < size) {
      const scoreTillHere = bestScore[start] as number;
      let hasSingleNode = false;
      const mblen = Math.min(oneCharLen(s[start] as number), size - start);
      let node = 0;
      for (let keyPos = start; keyPos < size; ) {
        node = trie.child(node, s[keyPos] as number);
        keyPos++;
        if (node < 0) break;
        const id = trie.value(node);
        if (id < 0) continue;
        const type = table.types[id];
        if (type === table.UNUSED) continue;
        const length = keyPos - start;
        // (length * max_score_ - 0.1) is float*float then minus a double: a double.
        const score =
          type === table.USER_DEFINED
            ? Math.fround(length * this.maxScore) - 0.1
            : (table.scores[id] as number);
        const candidate = score + scoreTillHere;
        if ((startsAt[keyPos] as number) === -1 || candidate > (bestScore[keyPos] as number)) {
          bestScore[keyPos] = Math.fround(candidate);
          startsAt[keyPos] = start;
          ids[keyPos] = id;
        }
        if (!hasSingleNode && length === mblen) hasSingleNode = true;
      }
      if (!hasSingleNode) {
        const target = start + mblen;
        const candidate = Math.fround(unkScore + scoreTillHere);
        if ((startsAt[target] as number) === -1 || candidate > (bestScore[target] as number)) {
          bestScore[target] = candidate;
          startsAt[target] = start;
          ids[target] = unkId;
        }
      }
      start += mblen;
    }

    const out: EncodedPiece[] = [];
    for (let end = size; end > 0; ) {
      const begin = startsAt[end] as number;
      out.push({ begin, end, id: ids[end] as number });
      end = begin;
    }
    return out.reverse();
  }
}
