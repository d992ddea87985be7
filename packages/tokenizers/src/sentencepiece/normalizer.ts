import { FormatError } from '@recurrent/core';
import type { ByteTrie } from './byte-trie.ts';
import { ByteBuffer, REPLACEMENT_CHAR, SPACE_SYMBOL, utf8Decode, utf8Encode, validCharLen } from './bytes.ts';
import { DoubleArray } from './double-array.ts';
import { type NormalizerSpec, type ResolvedNormalizerSpec, resolveNormalizerSpec } from './model-proto.ts';

/** Builder::kMaxTrieResultsSize: spm never keeps more than 32 prefix matches per position. */
const MAX_TRIE_RESULTS = 32;
const SPACE = 0x20;

/** Options of {@link SentencePieceNormalizer} that come from outside the `NormalizerSpec`. */
export interface NormalizerOptions {
  /** `TrainerSpec.treat_whitespace_as_suffix`: the dummy space goes at the end instead of the start. */
  treatWhitespaceAsSuffix?: boolean;
  /** User-defined symbols, matched first and copied verbatim (never normalized). */
  userDefinedSymbols?: ByteTrie;
}

/**
 * SentencePiece's text normalizer (normalizer.cc), byte for byte.
 *
 * Left to right it takes the longest rule of the precompiled charsmap that matches (a darts-clone
 * trie whose values point into a table of NUL-terminated replacements, e.g. nmt_nfkc's NFKC plus
 * whitespace/control-character folding) or else one UTF-8 character (a malformed byte becomes U+FFFD);
 * user-defined symbols are matched before the charsmap and pass through unchanged. Around that it
 * drops leading, trailing and repeated spaces (`remove_extra_whitespaces`), adds one space in front
 * (`add_dummy_prefix`) and writes spaces as `▁` (`escape_whitespaces`).
 */
export class SentencePieceNormalizer {
  readonly spec: ResolvedNormalizerSpec;
  private readonly trie: DoubleArray | null = null;
  private readonly table: Uint8Array = new Uint8Array(0);
  private readonly suffix: boolean;
  private readonly matcher: ByteTrie | undefined;

  constructor(spec: NormalizerSpec | undefined, options: NormalizerOptions = {}) {
    this.spec = resolveNormalizerSpec(spec);
    this.suffix = options.treatWhitespaceAsSuffix ?? false;
    this.matcher = options.userDefinedSymbols;
    const blob = this.spec.precompiledCharsmap;
    if (blob !== undefined && blob.length > 0) {
      // <u32 little-endian trie size><trie units><replacement strings>
      if (blob.length <= 4) {
        throw new FormatError(
          'SentencePiece precompiled_charsmap',
          'more than 4 bytes',
          `${blob.length} bytes`,
        );
      }
      const trieSize = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, true);
      if (trieSize >= blob.length) {
        throw new FormatError(
          'SentencePiece precompiled_charsmap trie size',
          `less than the blob size ${blob.length}`,
          String(trieSize),
        );
      }
      // spm reads the trie size after the 4-byte header without rechecking; the trie may therefore
      // run into the replacement table, but never past the blob.
      const trieBytes = Math.min(trieSize, blob.length - 4);
      this.trie = new DoubleArray(blob, 4, trieBytes);
      this.table = blob.subarray(4 + trieBytes);
    }
  }

  // Result of normalizePrefix, kept in fields so the per-character loop allocates nothing:
  // the replacement is `prefixSrc[prefixStart, prefixEnd)` and it consumes `prefixConsumed` input bytes.
  private prefixSrc: Uint8Array = REPLACEMENT_CHAR;
  private prefixStart = 0;
  private prefixEnd = 0;
  private prefixConsumed = 0;

  private setPrefix(src: Uint8Array, start: number, end: number, consumed: number): void {
    this.prefixSrc = src;
    this.prefixStart = start;
    this.prefixEnd = end;
    this.prefixConsumed = consumed;
  }

  /** Normalizes the prefix of `s[pos, end)` (normalizer.cc `NormalizePrefix`). */
  private normalizePrefix(s: Uint8Array, pos: number, end: number): void {
    if (this.matcher !== undefined) {
      const n = this.matcher.longestPrefix(s, pos, end);
      if (n > 0) {
        this.setPrefix(s, pos, pos + n, n);
        return;
      }
    }
    const trie = this.trie;
    if (trie?.longestMatch(s, pos, end, MAX_TRIE_RESULTS)) {
      const value = trie.matchValue;
      if (value >= this.table.length) {
        throw new FormatError(
          'SentencePiece precompiled_charsmap replacement offset',
          `below ${this.table.length}`,
          String(value),
        );
      }
      // The replacement runs to the next NUL (the C++ string's terminator at worst).
      let stop = this.table.indexOf(0, value);
      if (stop < 0) stop = this.table.length;
      this.setPrefix(this.table, value, stop, trie.matchLength);
      return;
    }
    const n = validCharLen(s, pos, end);
    if (n === 0) this.setPrefix(REPLACEMENT_CHAR, 0, 3, 1);
    else this.setPrefix(s, pos, pos + n, n);
  }

  /** Normalizes UTF-8 bytes; the result is UTF-8 with `▁` for spaces when `escapeWhitespaces`. */
  normalizeBytes(input: Uint8Array): Uint8Array {
    const end = input.length;
    const { removeExtraWhitespaces, escapeWhitespaces, addDummyPrefix } = this.spec;
    let pos = 0;
    if (end === 0) return new Uint8Array(0);

    if (removeExtraWhitespaces) {
      while (pos < end) {
        this.normalizePrefix(input, pos, end);
        if (!(this.prefixEnd - this.prefixStart === 1 && this.prefixSrc[this.prefixStart] === SPACE)) break;
        pos += this.prefixConsumed;
      }
    }
    if (pos === end) return new Uint8Array(0);

    const out = new ByteBuffer(end * 3);
    const addWs = (): void => {
      if (escapeWhitespaces) out.append(SPACE_SYMBOL);
      else out.push(SPACE);
    };
    if (!this.suffix && addDummyPrefix) addWs();

    let isPrevSpace = removeExtraWhitespaces;
    while (pos < end) {
      this.normalizePrefix(input, pos, end);
      const src = this.prefixSrc;
      const b = this.prefixEnd;
      const consumed = this.prefixConsumed;
      let a = this.prefixStart;
      while (isPrevSpace && a < b && src[a] === SPACE) a++;
      if (a < b) {
        for (let i = a; i < b; i++) {
          const c = src[i] as number;
          if (escapeWhitespaces && c === SPACE) out.append(SPACE_SYMBOL);
          else out.push(c);
        }
        isPrevSpace = src[b - 1] === SPACE;
      }
      pos += consumed;
      if (!removeExtraWhitespaces) isPrevSpace = false;
    }

    if (removeExtraWhitespaces) {
      const space = escapeWhitespaces ? SPACE_SYMBOL : new Uint8Array([SPACE]);
      while (out.endsWith(space)) out.length -= space.length;
    }
    if (this.suffix && addDummyPrefix) addWs();
    return out.bytes.slice(0, out.length);
  }

  /** Normalizes a string (see {@link normalizeBytes}). */
  normalize(text: string): string {
    return utf8Decode(this.normalizeBytes(utf8Encode(text)));
  }
}
