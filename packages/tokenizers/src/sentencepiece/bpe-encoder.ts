import { byteKey, oneCharLen } from './bytes.ts';
import type { EncodedPiece, PieceTable } from './piece-table.ts';

/** A candidate merge of the adjacent symbols `left` and `right` into a piece of `size` bytes. */
interface SymbolPair {
  left: number;
  right: number;
  score: number;
  size: number;
  /** Trie node of the merged piece. */
  node: number;
}

/** True when `a` should be merged before `b`: higher score first, then the leftmost. */
const before = (a: SymbolPair, b: SymbolPair): boolean =>
  a.score > b.score || (a.score === b.score && a.left < b.left);

/** A binary max-heap ordered by {@link before} (std::priority_queue with spm's comparator). */
class Agenda {
  private readonly heap: SymbolPair[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(p: SymbolPair): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as SymbolPair, h[parent] as SymbolPair)) break;
      [h[i], h[parent]] = [h[parent] as SymbolPair, h[i] as SymbolPair];
      i = parent;
    }
  }

  pop(): SymbolPair {
    const h = this.heap;
    const top = h[0] as SymbolPair;
    const last = h.pop() as SymbolPair;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && before(h[l] as SymbolPair, h[best] as SymbolPair)) best = l;
        if (r < h.length && before(h[r] as SymbolPair, h[best] as SymbolPair)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best] as SymbolPair, h[i] as SymbolPair];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Byte-pair encoding as spm applies a BPE model (bpe_model.cc `SampleEncode` with no dropout): split
 * the normalized text into characters (user-defined symbols whole, and frozen), then repeatedly merge
 * the adjacent pair whose concatenation is the highest-scoring piece (leftmost on ties) until no pair
 * is a piece. Merges that produce an UNUSED piece are undone at the end by splitting it back into the
 * two symbols it was made from. Symbols that are not pieces get the unknown id.
 *
 * Which pair is taken depends only on (score, left); two queue entries equal on both describe the same
 * merge (stale entries are skipped by the size check), so the heap's internal order cannot change the
 * result. Each symbol remembers its trie node, so testing a pair walks only the right symbol's bytes.
 */
export class BpeEncoder {
  constructor(private readonly table: PieceTable) {}

  encode(s: Uint8Array): EncodedPiece[] {
    const size = s.length;
    if (size === 0) return [];
    const { table } = this;
    const trie = table.trie;

    const start: number[] = [];
    const len: number[] = [];
    const prev: number[] = [];
    const next: number[] = [];
    const freeze: boolean[] = [];
    // Trie node reached by the symbol's bytes, or -1 when no piece starts with them.
    const node: number[] = [];
    for (let pos = 0; pos < size; ) {
      const matched = table.userDefined?.longestPrefix(s, pos, size) ?? 0;
      const mblen = matched > 0 ? matched : Math.min(oneCharLen(s[pos] as number), size - pos);
      const index = start.length;
      start.push(pos);
      len.push(mblen);
      freeze.push(matched > 0);
      let t = 0;
      for (let i = pos; i < pos + mblen && t >= 0; i++) t = trie.child(t, s[i] as number);
      node.push(t);
      prev.push(index - 1);
      pos += mblen;
      next.push(pos < size ? index + 1 : -1);
    }

    const agenda = new Agenda();
    // Merged piece -> the two symbols it came from, only for UNUSED pieces (to undo those merges).
    const revMerge = new Map<string, [string, string]>();
    const maybeAdd = (left: number, right: number): void => {
      if (left === -1 || right === -1 || freeze[left] || freeze[right]) return;
      let t = node[left] as number;
      const b = start[right] as number;
      const rightEnd = b + (len[right] as number);
      for (let i = b; i < rightEnd && t >= 0; i++) t = trie.child(t, s[i] as number);
      if (t < 0) return;
      const id = trie.value(t);
      if (id < 0) return;
      const a = start[left] as number;
      const n = (len[left] as number) + (len[right] as number);
      agenda.push({ left, right, score: table.scores[id] as number, size: n, node: t });
      if (table.types[id] === table.UNUSED) {
        revMerge.set(byteKey(s, a, a + n), [
          byteKey(s, a, a + (len[left] as number)),
          byteKey(s, b, rightEnd),
        ]);
      }
    };
    for (let i = 1; i < start.length; i++) maybeAdd(i - 1, i);

    while (agenda.size > 0) {
      const top = agenda.pop();
      const l = top.left;
      const r = top.right;
      // Stale: one side was merged away, or grew since this pair was queued.
      if (len[l] === 0 || len[r] === 0 || (len[l] as number) + (len[r] as number) !== top.size) continue;
      len[l] = top.size;
      node[l] = top.node;
      next[l] = next[r] as number;
      if ((next[r] as number) >= 0) prev[next[r] as number] = l;
      len[r] = 0;
      maybeAdd(prev[l] as number, l);
      maybeAdd(l, next[l] as number);
    }

    const out: EncodedPiece[] = [];
    const resegment = (key: string, begin: number): number => {
      const bytes = Uint8Array.from(key, (c) => c.charCodeAt(0));
      const id = table.idOfBytes(bytes, 0, bytes.length);
      const split = table.types[id] === table.UNUSED ? revMerge.get(key) : undefined;
      if (split === undefined) {
        out.push({ begin, end: begin + key.length, id });
        return begin + key.length;
      }
      return resegment(split[1], resegment(split[0], begin));
    };
    for (let index = 0; index !== -1; index = next[index] as number) {
      const a = start[index] as number;
      const end = a + (len[index] as number);
      const id = table.idOfBytes(s, a, end);
      if (revMerge.size > 0 && table.types[id] === table.UNUSED) resegment(byteKey(s, a, end), a);
      else out.push({ begin: a, end, id });
    }
    return out;
  }
}
