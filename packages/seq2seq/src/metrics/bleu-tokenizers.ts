/**
 * The segment tokenizers of sacreBLEU 2.6.0 that BLEU can use: `13a` (the mteval-v13a rules, the
 * WMT default), `intl` (mteval-v14 international: Unicode punctuation and symbols) and `none`.
 * Each maps one line to a string of space-separated tokens, exactly as sacreBLEU's do.
 */
import { pySplit } from './python-text.ts';

/** Name of a BLEU tokenizer, as sacreBLEU's `tokenize=` spells it. */
export type BleuTokenizerName = '13a' | 'intl' | 'none';

// mteval-v13a: ASCII punctuation and symbols except - ' . , (the class includes the space itself).
const RE_13A_SYMBOLS = /([{-~[-` -&(-+:-@/])/gu;
const RE_13A_PERIOD_COMMA_AFTER = /([^0-9])([.,])/gu;
const RE_13A_PERIOD_COMMA_BEFORE = /([.,])([^0-9])/gu;
const RE_13A_DASH_AFTER_DIGIT = /([0-9])(-)/gu;

/**
 * sacreBLEU's `Tokenizer13a`: drop `<skipped>`, join `-\n` hyphenations, unescape four HTML
 * entities, pad with spaces, split off punctuation (keeping `3.5`, `1,000` and `It's` whole), then
 * collapse whitespace.
 */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) {
    s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  s = ` ${s} `;
  s = s.replace(RE_13A_SYMBOLS, ' $1 ');
  s = s.replace(RE_13A_PERIOD_COMMA_AFTER, '$1 $2 ');
  s = s.replace(RE_13A_PERIOD_COMMA_BEFORE, ' $1 $2');
  s = s.replace(RE_13A_DASH_AFTER_DIGIT, '$1 $2 ');
  return pySplit(s).join(' ');
}

// mteval-v14 international (sacreBLEU's TokenizerV14International, which uses the `regex` module's
// Unicode property classes; JS's \p{..} with the `u` flag is the same thing).
const RE_INTL_PUNCT_AFTER_NON_DIGIT = /(\P{N})(\p{P})/gu;
const RE_INTL_PUNCT_BEFORE_NON_DIGIT = /(\p{P})(\P{N})/gu;
const RE_INTL_SYMBOL = /(\p{S})/gu;

/**
 * sacreBLEU's `TokenizerV14International`: split Unicode punctuation off unless it sits between
 * digits, split off every Unicode symbol, collapse whitespace. No entity unescaping, no `<skipped>`.
 */
export function tokenizeIntl(line: string): string {
  let s = line.replace(RE_INTL_PUNCT_AFTER_NON_DIGIT, '$1 $2 ');
  s = s.replace(RE_INTL_PUNCT_BEFORE_NON_DIGIT, ' $1 $2');
  s = s.replace(RE_INTL_SYMBOL, ' $1 ');
  return pySplit(s).join(' ');
}

/** sacreBLEU's `none` tokenizer: the line unchanged (BLEU still splits it on whitespace). */
export function tokenizeNone(line: string): string {
  return line;
}

/** The tokenizer function for a name. */
export function bleuTokenizer(name: BleuTokenizerName): (line: string) => string {
  switch (name) {
    case '13a':
      return tokenize13a;
    case 'intl':
      return tokenizeIntl;
    case 'none':
      return tokenizeNone;
  }
}
