import { FormatError } from '@recurrent/core';

// Base64 without Node's Buffer or the browser's btoa/atob (neither is in both), for embedding binary
// SentencePiece models in a model file's JSON header.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 (RFC 4648, with `=` padding). */
export function base64Encode(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    chunk +=
      ALPHABET[(n >> 18) & 63]! +
      ALPHABET[(n >> 12) & 63]! +
      (b === undefined ? '=' : ALPHABET[(n >> 6) & 63]!) +
      (c === undefined ? '=' : ALPHABET[n & 63]!);
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Decodes standard base64; throws FormatError (naming `what`) for anything else. */
export function base64Decode(text: string, what = 'base64 data'): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0) {
    throw new FormatError(
      what,
      'base64 text (length a multiple of 4)',
      typeof text === 'string' ? `${text.length} characters` : typeof text,
    );
  }
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const ch = text.charCodeAt(i + k);
      const isPad = ch === 61 && i + k >= text.length - pad;
      const v = isPad ? 0 : ch < 128 ? (LOOKUP[ch] as number) : -1;
      if (v < 0)
        throw new FormatError(what, 'base64 characters A-Z a-z 0-9 + / =', `"${text[i + k]}" at ${i + k}`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
