// Types for the natural submodules this package imports. It imports them one by one, never
// natural's index, because the index also loads database clients and dotenv, which prints to stdout.

declare module 'natural/lib/natural/tokenizers/treebank_word_tokenizer.js' {
  /** Penn Treebank word tokenizer: splits contractions (`can't` -> `ca n't`) and punctuation. */
  export default class TreebankWordTokenizer {
    tokenize(text: string): string[];
  }
}

declare module 'natural/lib/natural/tokenizers/regexp_tokenizer.js' {
  export class RegexpTokenizer {
    constructor(options?: { pattern?: RegExp; gaps?: boolean });
    tokenize(text: string): string[] | null;
  }
  /** Splits on anything but `[A-Za-zА-Яа-я0-9_]`, dropping punctuation. */
  export class WordTokenizer extends RegexpTokenizer {}
  /** Words, numbers and single punctuation marks. */
  export class WordPunctTokenizer extends RegexpTokenizer {}
  const _default: {
    RegexpTokenizer: typeof RegexpTokenizer;
    WordTokenizer: typeof WordTokenizer;
    WordPunctTokenizer: typeof WordPunctTokenizer;
  };
  export default _default;
}

declare module 'natural/lib/natural/tokenizers/sentence_tokenizer.js' {
  /** Splits text into sentences, leaving the given abbreviations (e.g. `Mr.`) inside sentences. */
  export default class SentenceTokenizer {
    constructor(abbreviations?: string[], trimSentences?: boolean);
    tokenize(text: string): string[];
  }
}
