/// <reference path="./natural-modules.d.ts" />
import { FormatError, OptionError } from '@recurrent/core';
import natRegexp from 'natural/lib/natural/tokenizers/regexp_tokenizer.js';
import NatSentenceTokenizer from 'natural/lib/natural/tokenizers/sentence_tokenizer.js';
import NatTreebank from 'natural/lib/natural/tokenizers/treebank_word_tokenizer.js';
import { checkBosEos, normalizeText, type UnicodeNormalization, withDefaults } from './char-tokenizer.ts';
import { detokenize } from './detokenize.ts';
import type { Tokenizer, TokenizerSpecials } from './tokenizer.ts';
import { Vocab, VocabBuilder, type VocabOptions, type VocabSpec } from './vocab.ts';

/**
 * Which of natural's word splitters to use:
 * - `treebank`: Penn Treebank rules; punctuation and clitics become tokens (`can't` -> `ca`, `n't`).
 *   Its `\w` is ASCII-only, so accented letters are split off as if they were punctuation.
 * - `word`: runs of `[A-Za-zА-Яа-я0-9_]`; everything else (punctuation, other scripts) is dropped.
 * - `wordPunct`: words (Latin-1 letters and `-`), numbers, and single punctuation characters.
 * - `regexp`: `pattern` either matches the gaps between tokens (`gaps: true`) or the tokens.
 */
export type WordSplitter = 'treebank' | 'word' | 'wordPunct' | 'regexp';

/** Options of {@link WordTokenizer}; `train` also takes {@link VocabOptions}. */
export interface WordTokenizerOptions {
  /** Default `'treebank'`. */
  splitter?: WordSplitter;
  /** For `regexp`: the regular expression source. Default `\s+`. */
  pattern?: string;
  /** For `regexp`: its flags (`g` is added when matching tokens). Default `'u'`. */
  flags?: string;
  /** For `regexp`: whether `pattern` matches the gaps (true) or the tokens (false). Default true. */
  gaps?: boolean;
  /** Lower-case before splitting. Default false. */
  lowercase?: boolean;
  /** Unicode normalization before splitting. Default `'NFC'`. */
  normalization?: UnicodeNormalization;
  /** Wrap every sentence (natural's sentence splitter) in bos ... eos. Needs both. Default false. */
  sentenceMarkers?: boolean;
  /** Abbreviations the sentence splitter must not end a sentence at, e.g. `['Mr.', 'Dr.']`. */
  abbreviations?: string[];
  /** Start every encoding with `bos` (ignored with `sentenceMarkers`). Default false. */
  addBos?: boolean;
  /** End every encoding with `eos` (ignored with `sentenceMarkers`). Default false. */
  addEos?: boolean;
}

/** The JSON form of a {@link WordTokenizer}. */
export interface WordTokenizerSpec {
  kind: 'word';
  vocab: VocabSpec;
  options: Required<WordTokenizerOptions>;
}

const DEFAULTS: Required<WordTokenizerOptions> = {
  splitter: 'treebank',
  pattern: '\\s+',
  flags: 'u',
  gaps: true,
  lowercase: false,
  normalization: 'NFC',
  sentenceMarkers: false,
  abbreviations: [],
  addBos: false,
  addEos: false,
};

/**
 * Checks the type of every option, so that a spec read from a (possibly damaged) model file either builds a
 * working tokenizer or fails here with an OptionError, never later inside `encode`.
 */
function checkWordOptions(o: Required<WordTokenizerOptions>): void {
  for (const k of ['gaps', 'lowercase', 'sentenceMarkers', 'addBos', 'addEos'] as const) {
    if (typeof o[k] !== 'boolean')
      throw new OptionError(k, 'a boolean', JSON.stringify(o[k]) ?? String(o[k]));
  }
  for (const k of ['pattern', 'flags'] as const) {
    if (typeof o[k] !== 'string') throw new OptionError(k, 'a string', JSON.stringify(o[k]) ?? String(o[k]));
  }
  const n = o.normalization;
  if (n !== 'none' && n !== 'NFC' && n !== 'NFKC') {
    throw new OptionError('normalization', "'none' | 'NFC' | 'NFKC'", JSON.stringify(n) ?? String(n));
  }
  if (!Array.isArray(o.abbreviations) || !o.abbreviations.every((a) => typeof a === 'string')) {
    throw new OptionError(
      'abbreviations',
      'an array of strings',
      JSON.stringify(o.abbreviations) ?? String(o.abbreviations),
    );
  }
}

/** Builds the word-splitting function for the options. */
function makeSplitter(o: Required<WordTokenizerOptions>): (text: string) => string[] {
  switch (o.splitter) {
    case 'treebank': {
      const t = new NatTreebank();
      return (text) => t.tokenize(text);
    }
    case 'word': {
      const t = new natRegexp.WordTokenizer();
      return (text) => t.tokenize(text) ?? [];
    }
    case 'wordPunct': {
      const t = new natRegexp.WordPunctTokenizer();
      return (text) => (t.tokenize(text) ?? []).filter((w) => w.trim() !== '');
    }
    case 'regexp': {
      const flags = o.gaps || o.flags.includes('g') ? o.flags : `${o.flags}g`;
      let pattern: RegExp;
      try {
        pattern = new RegExp(o.pattern, flags);
      } catch (e) {
        throw new OptionError(
          'pattern',
          'a valid regular expression',
          `${o.pattern} (${(e as Error).message})`,
        );
      }
      const t = new natRegexp.RegexpTokenizer({ pattern, gaps: o.gaps });
      return (text) => (t.tokenize(text) ?? []).filter((w) => w !== '');
    }
    default:
      throw new OptionError('splitter', "'treebank' | 'word' | 'wordPunct' | 'regexp'", String(o.splitter));
  }
}

/**
 * Word-level tokens from natural's tokenizers, with a vocabulary built from a corpus; words outside
 * it become `unk`. `decode` re-joins words with {@link detokenize}, so it returns readable text but
 * not necessarily the original spacing.
 */
export class WordTokenizer implements Tokenizer {
  readonly kind = 'word';
  readonly vocab: Vocab;
  readonly options: Required<WordTokenizerOptions>;
  private readonly split: (text: string) => string[];
  private readonly sentenceSplitter: NatSentenceTokenizer;

  constructor(vocab: Vocab, options: WordTokenizerOptions = {}) {
    this.vocab = vocab;
    this.options = withDefaults(DEFAULTS, options);
    checkWordOptions(this.options);
    this.split = makeSplitter(this.options);
    this.sentenceSplitter = new NatSentenceTokenizer([...this.options.abbreviations]);
    const { sentenceMarkers, addBos, addEos } = this.options;
    checkBosEos(vocab.specials, sentenceMarkers || addBos, sentenceMarkers || addEos);
  }

  /** Builds the vocabulary from the words of `texts`. */
  static train(texts: Iterable<string>, options: WordTokenizerOptions & VocabOptions = {}): WordTokenizer {
    const probe = new WordTokenizer(
      new Vocab(['<pad>', '<unk>', '<s>', '</s>'], { pad: 0, unk: 1, bos: 2, eos: 3 }),
      {
        ...options,
        sentenceMarkers: false,
      },
    );
    const builder = new VocabBuilder();
    for (const text of texts) builder.addAll(probe.tokenize(text));
    return new WordTokenizer(builder.build(options), options);
  }

  static fromJSON(spec: WordTokenizerSpec): WordTokenizer {
    if (spec?.kind !== 'word')
      throw new FormatError('word tokenizer spec kind', "'word'", String(spec?.kind));
    return new WordTokenizer(Vocab.fromJSON(spec.vocab), spec.options ?? {});
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  get specials(): TokenizerSpecials {
    return this.vocab.specials;
  }

  /** The words of `text` (normalized, lower-cased if asked), before they become ids. */
  tokenize(text: string): string[] {
    const o = this.options;
    return this.split(normalizeText(text, o.normalization, o.lowercase));
  }

  /** natural's sentence splitter: `text` cut after `.`, `?`, `!` and `…` (respecting abbreviations). */
  sentences(text: string): string[] {
    return this.sentenceSplitter.tokenize(text).filter((s) => s.trim() !== '');
  }

  encode(text: string): Int32Array {
    const { bos, eos } = this.vocab.specials;
    const ids: number[] = [];
    if (this.options.sentenceMarkers) {
      for (const sentence of this.sentences(text)) {
        ids.push(bos as number);
        for (const w of this.tokenize(sentence)) ids.push(this.vocab.id(w));
        ids.push(eos as number);
      }
    } else {
      if (this.options.addBos) ids.push(bos as number);
      for (const w of this.tokenize(text)) ids.push(this.vocab.id(w));
      if (this.options.addEos) ids.push(eos as number);
    }
    return Int32Array.from(ids);
  }

  /** Ids -> text: special tokens other than `unk` are dropped, `unk` shows as its token (`<unk>`). */
  decode(ids: ArrayLike<number>): string {
    const words: string[] = [];
    const { unk } = this.vocab.specials;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const w = this.vocab.token(id);
      if (id === unk || !this.vocab.isSpecial(id)) words.push(w);
    }
    return detokenize(words);
  }

  toJSON(): WordTokenizerSpec {
    return {
      kind: 'word',
      vocab: this.vocab.toJSON(),
      options: { ...this.options, abbreviations: [...this.options.abbreviations] },
    };
  }
}
