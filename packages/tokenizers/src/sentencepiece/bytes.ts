// Byte-level helpers shared by the SentencePiece normalizer, encoders and decoder. SentencePiece works
// on UTF-8 bytes, not on UTF-16 code units, so everything here does too.

/** UTF-8 of U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space `▁`. */
export const SPACE_SYMBOL = new Uint8Array([0xe2, 0x96, 0x81]);
/** UTF-8 of U+FFFD REPLACEMENT CHARACTER. */
export const REPLACEMENT_CHAR = new Uint8Array([0xef, 0xbf, 0xbd]);

export const utf8Encode = (s: string): Uint8Array => encoder.encode(s);
export const utf8Decode = (b: Uint8Array): string => decoder.decode(b);
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Length of the UTF-8 sequence led by byte `b`, from the lead byte alone (spm's `OneCharLen`). */
export function oneCharLen(b: number): number {
  return b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
}

const isTrail = (b: number | undefined): boolean => b !== undefined && (b & 0xc0) === 0x80;
const isValidCodepoint = (c: number): boolean => c < 0xd800 || (c >= 0xe000 && c <= 0x10ffff);

/**
 * Length of the valid UTF-8 character at `s[pos]` (within `end`), or 0 when it is malformed; the
 * literal U+FFFD counts as valid. Mirrors spm's `IsValidDecodeUTF8` (which rejects overlong forms,
 * surrogates and code points above U+10FFFF).
 */
export function validCharLen(s: Uint8Array, pos: number, end: number): number {
  const len = end - pos;
  const b0 = s[pos] as number;
  if (b0 < 0x80) return 1;
  const b1 = s[pos + 1];
  const b2 = s[pos + 2];
  const b3 = s[pos + 3];
  if (len >= 2 && (b0 & 0xe0) === 0xc0) {
    const cp = ((b0 & 0x1f) << 6) | ((b1 as number) & 0x3f);
    return isTrail(b1) && cp >= 0x80 && isValidCodepoint(cp) ? 2 : 0;
  }
  if (len >= 3 && (b0 & 0xf0) === 0xe0) {
    const cp = ((b0 & 0x0f) << 12) | (((b1 as number) & 0x3f) << 6) | ((b2 as number) & 0x3f);
    return isTrail(b1) && isTrail(b2) && cp >= 0x800 && isValidCodepoint(cp) ? 3 : 0;
  }
  if (len >= 4 && (b0 & 0xf8) === 0xf0) {
    const cp =
      ((b0 & 0x07) << 18) |
      (((b1 as number) & 0x3f) << 12) |
      (((b2 as number) & 0x3f) << 6) |
      ((b3 as number) & 0x3f);
    return isTrail(b1) && isTrail(b2) && isTrail(b3) && cp >= 0x10000 && isValidCodepoint(cp) ? 4 : 0;
  }
  return 0;
}

/** A byte string as a JS string of code units 0..255, usable as a Map key. */
export function byteKey(s: Uint8Array, start: number, end: number): string {
  let k = '';
  for (let i = start; i < end; i++) k += String.fromCharCode(s[i] as number);
  return k;
}

/** A growable byte buffer. */
export class ByteBuffer {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = 64) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }

  private grow(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  push(b: number): void {
    this.grow(1);
    this.bytes[this.length++] = b;
  }

  append(src: Uint8Array, start = 0, end = src.length): void {
    this.grow(end - start);
    this.bytes.set(src.subarray(start, end), this.length);
    this.length += end - start;
  }

  endsWith(suffix: Uint8Array): boolean {
    if (this.length < suffix.length) return false;
    for (let i = 0; i < suffix.length; i++) {
      if (this.bytes[this.length - suffix.length + i] !== suffix[i]) return false;
    }
    return true;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
