import { Rng } from '@recurrent/core';

/**
 * A seeded generator of multilingual test lines: accented Latin (composed and decomposed), Greek,
 * Cyrillic, CJK ideographs, kana (full- and half-width), Hangul, Arabic, Devanagari, Thai, emoji
 * (with ZWJ sequences, skin tones, flags, keycaps), NFKC-sensitive compatibility characters (full-width
 * Latin, ligatures, circled and super-script digits, math letters) and unusual whitespace.
 *
 * It exists so the SentencePiece conformance tests exercise every branch of the nmt_nfkc charsmap and
 * of unknown-character handling, not only English. The same generator (different seed) made the text
 * the fixture models were trained on.
 */
export function mixedLines(seed: number, count: number, englishLines: readonly string[]): string[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const range = (lo: number, hi: number): string => String.fromCodePoint(lo + rng.int(hi - lo + 1));
  const repeat = (n: number, f: () => string): string => Array.from({ length: n }, f).join('');

  const accented = [
    'café',
    'naïve',
    'über',
    'Straße',
    'niño',
    'façade',
    'résumé',
    'Ångström',
    'Việt Nam',
    'Łódź',
    'smörgåsbord',
    'crème brûlée',
    'São Paulo',
    'déjà vu',
    'Zürich',
    'jalapeño',
    'Ελληνικά',
    'Αθήνα',
    'русский язык',
    'Москва',
    'Çağrı',
    'İstanbul',
    'Dvořák',
    'Ærøskøbing',
  ];
  const emoji = [
    '😀',
    '🐳',
    '🐋',
    '⚓',
    '🌊',
    '❤️',
    '👍🏽',
    '👨‍👩‍👧',
    '🇫🇷',
    '🇯🇵',
    '1️⃣',
    '🏳️‍🌈',
    '🧜‍♀️',
    '✨',
    '🙏🏿',
    '⛵',
    '🦑',
  ];
  const compat = [
    'ＡＢＣ',
    'ｆｕｌｌｗｉｄｔｈ',
    '１２３',
    'ﬁsh',
    'ﬂag',
    'x²',
    '½',
    '①②',
    'Ⅻ',
    '㍿',
    '𝐀𝐁',
    'ｶﾀｶﾅ',
    'ﾊﾟﾋﾟ',
    '…',
    '™',
    '№',
    '㎏',
    'ℌ',
    '\u00a0',
    '\u3000',
    '\u200b',
    '\ufeff',
    'é',
    'ñ',
    'Å',
    '\u1100\u1161',
  ];
  const scripts: Array<() => string> = [
    () => repeat(1 + rng.int(6), () => range(0x4e00, 0x9fa5)), // CJK ideographs
    () => repeat(1 + rng.int(6), () => range(0x3041, 0x3096)), // hiragana
    () => repeat(1 + rng.int(5), () => range(0x30a1, 0x30fa)), // katakana
    () => repeat(1 + rng.int(4), () => range(0xac00, 0xd7a3)), // Hangul syllables
    () => repeat(2 + rng.int(5), () => range(0x0627, 0x064a)), // Arabic letters
    () => repeat(2 + rng.int(5), () => range(0x0915, 0x0939)), // Devanagari consonants
    () => repeat(2 + rng.int(5), () => range(0x0e01, 0x0e2e)), // Thai
    () => repeat(1 + rng.int(3), () => range(0x1f300, 0x1f5ff)), // pictographs
    () => repeat(1 + rng.int(2), () => range(0x20000, 0x2a6d6)), // CJK extension B (rare, 4-byte)
    () => pick(accented),
    () => pick(accented).normalize('NFD'),
    () => pick(emoji),
    () => pick(compat),
  ];
  const spaces = [' ', ' ', ' ', ' ', '  ', '\t', '\u00a0', '\u3000', ' \u200b '];

  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [];
    const style = rng.int(4);
    if (style === 0 && englishLines.length > 0) {
      // An English line with foreign words spliced in.
      const words = pick(englishLines).split(' ');
      for (const w of words) {
        parts.push(rng.uniform() < 0.15 ? pick(scripts)() : w);
      }
    } else {
      const n = 1 + rng.int(12);
      for (let k = 0; k < n; k++) {
        parts.push(
          rng.uniform() < 0.3 && englishLines.length > 0
            ? pick(pick(englishLines).split(' '))
            : pick(scripts)(),
        );
      }
    }
    let line = '';
    for (const p of parts) line += (line === '' ? '' : pick(spaces)) + p;
    if (rng.uniform() < 0.1) line = `  ${line}`;
    if (rng.uniform() < 0.1) line = `${line}   `;
    // spm_encode reads one sentence per line; keep line breaks out of the text.
    lines.push(line.replace(/[\r\n]/g, ' '));
  }
  return lines;
}
