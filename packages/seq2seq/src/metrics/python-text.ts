/**
 * The few Python `str` operations that sacreBLEU relies on, reproduced exactly, because JavaScript's
 * versions differ at the edges: `\s` in a JS regex includes U+FEFF but not U+001C..U+001F or U+0085,
 * while Python's `str.split()` / `str.rstrip()` use the opposite choices. A metric that splits on
 * the wrong set counts different tokens and drifts from sacreBLEU's golden values.
 */

/** The characters Python's `str.isspace()` accepts (bidi classes WS, B, S and category Zs). */
const PY_WHITESPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'u');
const PY_WS_TRAILING = new RegExp(`[${PY_WHITESPACE}]+$`, 'u');
const PY_WS_ALL = new RegExp(`[${PY_WHITESPACE}]+`, 'gu');

/** Python's `s.split()`: split on runs of Unicode whitespace, dropping empty pieces. */
export function pySplit(s: string): string[] {
  const parts = s.split(PY_WS_RUN);
  // A leading or trailing run leaves one empty piece at that end; interior runs never do.
  return parts.filter((p) => p.length > 0);
}

/** Python's `s.rstrip()`: remove trailing Unicode whitespace. */
export function pyRstrip(s: string): string {
  return s.replace(PY_WS_TRAILING, '');
}

/** Python's `''.join(s.split())`: delete every whitespace character. */
export function pyRemoveWhitespace(s: string): string {
  return s.replace(PY_WS_ALL, '');
}

/**
 * Python's `s.lower()`. JavaScript's `toLowerCase()` applies the same full Unicode case mapping
 * (locale-independent, `İ` -> `i̇`, context-sensitive final sigma), so it is used as is.
 */
export function pyLower(s: string): string {
  return s.toLowerCase();
}
