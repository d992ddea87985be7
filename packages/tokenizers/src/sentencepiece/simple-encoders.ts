import { oneCharLen, SPACE_SYMBOL } from './bytes.ts';
import type { EncodedPiece, PieceTable } from './piece-table.ts';

/** char_model.cc: one piece per character (user-defined symbols whole). */
export function encodeChars(table: PieceTable, s: Uint8Array): EncodedPiece[] {
  const out: EncodedPiece[] = [];
  for (let pos = 0; pos < s.length; ) {
    const matched = table.userDefined?.longestPrefix(s, pos, s.length) ?? 0;
    const n = matched > 0 ? matched : Math.min(oneCharLen(s[pos] as number), s.length - pos);
    out.push({ begin: pos, end: pos + n, id: table.idOfBytes(s, pos, pos + n) });
    pos += n;
  }
  return out;
}

const isSpaceSymbolAt = (s: Uint8Array, pos: number, n: number): boolean =>
  n === 3 && s[pos] === SPACE_SYMBOL[0] && s[pos + 1] === SPACE_SYMBOL[1] && s[pos + 2] === SPACE_SYMBOL[2];

/**
 * word_model.cc: one piece per whitespace-delimited word, each word starting at a `▁`
 * (model_interface.cc `SplitIntoWords` with its defaults).
 */
export function encodeWords(table: PieceTable, s: Uint8Array): EncodedPiece[] {
  const out: EncodedPiece[] = [];
  for (let pos = 0; pos < s.length; ) {
    const n = Math.min(oneCharLen(s[pos] as number), s.length - pos);
    const isWs = isSpaceSymbolAt(s, pos, n);
    // With allow_whitespace_only_pieces off, every ▁ starts a new word.
    if (pos === 0 || isWs) out.push({ begin: pos, end: pos, id: 0 });
    (out[out.length - 1] as EncodedPiece).end = pos + n;
    pos += n;
  }
  for (const p of out) p.id = table.idOfBytes(s, p.begin, p.end);
  return out;
}
