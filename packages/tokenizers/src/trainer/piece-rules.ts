import {
  SCRIPT_HAN,
  SCRIPT_HIRAGANA,
  SCRIPT_INHERITED,
  SCRIPT_KATAKANA,
  scriptOf,
} from './unicode-script.ts';

/** U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space. */
export const WS_CHAR = 0x2581;
/** U+2585, which the trainer substitutes for characters outside the alphabet (spm's kUNKChar). */
export const UNK_CHAR = 0x2585;
/** Tab: where user-defined and special symbols were cut out of the training text (spm's kUPPBoundaryChar). */
export const BOUNDARY_CHAR = 0x09;

/** Which pieces the trainer may create (spm's TrainerSpec flags that IsValidSentencePiece reads). */
export interface PieceRules {
  /** Longest piece in code points. */
  maxPieceLength: number;
  /** Digits become single-character pieces. */
  splitDigits: boolean;
}

function isDecimal(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0xff10 && c <= 0xff19);
}

/**
 * Whether code points `text[start..end)` may form one piece, the rules of spm's
 * `TrainerInterface::IsValidSentencePiece` with its defaults (split by whitespace with `▁` as a prefix,
 * split by Unicode script and by number): `▁` only first, no `<unk>` stand-in, NUL, tab or space, at most
 * `maxPieceLength` long, one script (Hiragana/Katakana count as Han, combining marks take the script before).
 */
export function isValidPiece(
  text: ArrayLike<number>,
  start: number,
  end: number,
  rules: PieceRules,
): boolean {
  const len = end - start;
  if (len <= 0 || len > rules.maxPieceLength) return false;
  let prev = -1;
  for (let i = start; i < end; i++) {
    const c = text[i]!;
    if (c === UNK_CHAR || c === 0 || c === BOUNDARY_CHAR || c === 0x20) return false;
    if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
    if (c === WS_CHAR) {
      if (i > start) return false;
      continue;
    }
    let s = scriptOf(c);
    if (s === SCRIPT_HIRAGANA || s === SCRIPT_KATAKANA || c === 0x30fc) s = SCRIPT_HAN;
    else if (s === SCRIPT_INHERITED) s = prev;
    if (rules.splitDigits && isDecimal(c) && len > 1) return false;
    if (s !== -1 && prev !== -1 && prev !== s) return false;
    prev = s;
  }
  return true;
}
