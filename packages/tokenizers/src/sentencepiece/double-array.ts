import { FormatError } from '@recurrent/core';

/**
 * A read-only darts-clone double-array trie (the `Darts::DoubleArray` SentencePiece stores in a
 * normalizer's `precompiled_charsmap`).
 *
 * Each unit is a little-endian u32: bit 8 says a leaf hangs below, the low 8 bits (plus bit 31) are
 * the label, bits 10..31 the offset to the children (shifted 8 more when bit 9 is set), and a leaf
 * unit's low 31 bits are its value. A child of `node` along byte `b` sits at `node ^ offset ^ b` and
 * must carry label `b`. Every index is checked, so a corrupt array raises a FormatError instead of
 * reading outside the blob (which the C++ would).
 */
export class DoubleArray {
  private readonly units: Uint32Array;

  /** Reads `byteLength / 4` units from `blob[byteOffset, byteOffset + byteLength)`. */
  constructor(blob: Uint8Array, byteOffset: number, byteLength: number) {
    const count = Math.floor(byteLength / 4);
    if (count === 0) {
      throw new FormatError(
        'SentencePiece precompiled_charsmap trie',
        'at least one 4-byte unit',
        `${byteLength} bytes`,
      );
    }
    const view = new DataView(blob.buffer, blob.byteOffset + byteOffset, count * 4);
    this.units = new Uint32Array(count);
    for (let i = 0; i < count; i++) this.units[i] = view.getUint32(i * 4, true);
  }

  private unit(index: number): number {
    const u = this.units[index];
    if (u === undefined) {
      throw new FormatError(
        'SentencePiece precompiled_charsmap trie',
        `a unit index below ${this.units.length}`,
        String(index),
      );
    }
    return u;
  }

  /** Byte length of the match found by the last {@link longestMatch} (0 when none). */
  matchLength = 0;
  /** Value of the match found by the last {@link longestMatch}. */
  matchValue = 0;

  /**
   * darts-clone `commonPrefixSearch` over `key[start, end)`, keeping the longest of the first
   * `maxResults` matches (the C++ callers look no further) in `matchLength` / `matchValue`.
   * Returns whether anything matched.
   */
  longestMatch(key: Uint8Array, start: number, end: number, maxResults: number): boolean {
    let found = 0;
    this.matchLength = 0;
    let nodePos = offsetOf(this.unit(0));
    for (let i = start; i < end; i++) {
      const b = key[i] as number;
      nodePos = (nodePos ^ b) >>> 0;
      const unit = this.unit(nodePos);
      if (labelOf(unit) !== b) break;
      nodePos = (nodePos ^ offsetOf(unit)) >>> 0;
      if (hasLeaf(unit) && found < maxResults) {
        found++;
        this.matchValue = this.unit(nodePos) & 0x7fffffff;
        this.matchLength = i + 1 - start;
      }
    }
    return found > 0;
  }
}

const hasLeaf = (u: number): boolean => ((u >>> 8) & 1) === 1;
// Bit 31 marks leaf units, so a leaf never matches a byte label.
const labelOf = (u: number): number => (u & 0x800000ff) >>> 0;
const offsetOf = (u: number): number => ((u >>> 10) << ((u & (1 << 9)) >>> 6)) >>> 0;
