// Tokens written flush against the previous token.
const ATTACH_LEFT = new Set([
  '.',
  ',',
  ';',
  ':',
  '!',
  '?',
  '%',
  ')',
  ']',
  '}',
  '...',
  '…',
  '”',
  '’',
  "n't",
  "N'T",
  "'s",
  "'S",
  "'m",
  "'M",
  "'d",
  "'D",
  "'ll",
  "'LL",
  "'re",
  "'RE",
  "'ve",
  "'VE",
]);
// Tokens the next token is written flush against.
const ATTACH_RIGHT = new Set(['(', '[', '{', '$', '#', '“', '‘', '¿', '¡']);

/**
 * Joins word tokens back into text, undoing the spacing a word tokenizer introduced: no space before
 * closing punctuation and clitics (`n't`, `'s`), none after opening brackets, and straight quotes
 * (`"`, `'`) treated as opening and closing in turn. The inverse of Treebank-style tokenization for
 * ordinary English; spacing the tokenizer discarded (e.g. two spaces) cannot come back.
 */
export function detokenize(tokens: readonly string[]): string {
  let out = '';
  let glueNext = true; // no space before the first token
  const open = { '"': false, "'": false };
  for (const token of tokens) {
    if (token === '') continue;
    let attachLeft = ATTACH_LEFT.has(token);
    let attachRight = ATTACH_RIGHT.has(token);
    if (token === '"' || token === "'") {
      attachLeft = open[token];
      attachRight = !open[token];
      open[token] = !open[token];
    }
    out += glueNext || attachLeft ? token : ` ${token}`;
    glueNext = attachRight;
  }
  return out;
}
