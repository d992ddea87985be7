import { FormatError, OptionError } from '@recurrent/core';
import type { Tokenizer, TokenizerSpecials } from './tokenizer.ts';
import { Vocab, VocabBuilder, type VocabOptions, type VocabSpec } from './vocab.ts';

/** Unicode normalization applied to text before it is split. */
export type UnicodeNormalization = 'none' | 'NFC' | 'NFKC';

/** Options of {@link CharTokenizer}; `train` also takes {@link VocabOptions}. */
export interface CharTokenizerOptions {
  /** Normalization before splitting. Default `'NFC'`, so composed and decomposed accents agree. */
  normalization?: UnicodeNormalization;
  /** Lower-case the text (locale-independent) before splitting. Default false. */
  lowercase?: boolean;
  /** Start every encoding with `bos` (the vocabulary must have one). Default false. */
  addBos?: boolean;
  /** End every encoding with `eos` (the vocabulary must have one). Default false. */
  addEos?: boolean;
  /** What `decode` writes for the `unk` id. Default U+FFFD. */
  unknownText?: string;
}

/** The JSON form of a {@link CharTokenizer}. */
export interface CharTokenizerSpec {
  kind: 'char';
  vocab: VocabSpec;
  normalization: UnicodeNormalization;
  lowercase: boolean;
  addBos: boolean;
  addEos: boolean;
  unknownText: string;
}

const DEFAULTS: Required<CharTokenizerOptions> = {
  normalization: 'NFC',
  lowercase: false,
  addBos: false,
  addEos: false,
  unknownText: '\ufffd',
};

/** Applies the tokenizer-level normalization (shared with the word tokenizer). */
export function normalizeText(text: string, normalization: UnicodeNormalization, lowercase: boolean): string {
  const t = normalization === 'none' ? text : text.normalize(normalization);
  return lowercase ? t.toLowerCase() : t;
}

/** Resolves addBos/addEos against a vocabulary's specials; throws OptionError when one is missing. */
export function checkBosEos(specials: TokenizerSpecials, addBos: boolean, addEos: boolean): void {
  if (addBos && specials.bos === undefined)
    throw new OptionError('addBos', 'a vocabulary with a bos token', 'none');
  if (addEos && specials.eos === undefined)
    throw new OptionError('addEos', 'a vocabulary with an eos token', 'none');
}

/**
 * One token per Unicode code point (an emoji with a skin tone is two code points, so two tokens).
 * Characters outside the vocabulary become `unk`.
 */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly vocab: Vocab;
  readonly options: Required<CharTokenizerOptions>;

  constructor(vocab: Vocab, options: CharTokenizerOptions = {}) {
    this.vocab = vocab;
    this.options = withDefaults(DEFAULTS, options);
    const n = this.options.normalization;
    if (n !== 'none' && n !== 'NFC' && n !== 'NFKC') {
      throw new OptionError('normalization', "'none' | 'NFC' | 'NFKC'", String(n));
    }
    // A spec from a damaged model file must fail here, not later inside encode or decode.
    for (const k of ['lowercase', 'addBos', 'addEos'] as const) {
      const v = this.options[k];
      if (typeof v !== 'boolean') throw new OptionError(k, 'a boolean', JSON.stringify(v) ?? String(v));
    }
    if (typeof this.options.unknownText !== 'string') {
      throw new OptionError(
        'unknownText',
        'a string',
        JSON.stringify(this.options.unknownText) ?? String(this.options.unknownText),
      );
    }
    checkBosEos(vocab.specials, this.options.addBos, this.options.addEos);
  }

  /** Builds the vocabulary from the characters of `texts` (after normalization). */
  static train(texts: Iterable<string>, options: CharTokenizerOptions & VocabOptions = {}): CharTokenizer {
    const opts = withDefaults(DEFAULTS, options);
    const builder = new VocabBuilder();
    for (const text of texts) {
      for (const ch of normalizeText(text, opts.normalization, opts.lowercase)) builder.add(ch);
    }
    return new CharTokenizer(builder.build(options), options);
  }

  static fromJSON(spec: CharTokenizerSpec): CharTokenizer {
    if (spec?.kind !== 'char')
      throw new FormatError('char tokenizer spec kind', "'char'", String(spec?.kind));
    const { vocab, kind: _kind, ...options } = spec;
    return new CharTokenizer(Vocab.fromJSON(vocab), options);
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  get specials(): TokenizerSpecials {
    return this.vocab.specials;
  }

  /** The text as this tokenizer sees it: normalized and, if asked, lower-cased. */
  normalize(text: string): string {
    return normalizeText(text, this.options.normalization, this.options.lowercase);
  }

  encode(text: string): Int32Array {
    const ids: number[] = [];
    const { bos, eos } = this.vocab.specials;
    if (this.options.addBos) ids.push(bos as number);
    for (const ch of this.normalize(text)) ids.push(this.vocab.id(ch));
    if (this.options.addEos) ids.push(eos as number);
    return Int32Array.from(ids);
  }

  decode(ids: ArrayLike<number>): string {
    const { unk } = this.vocab.specials;
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const token = this.vocab.token(id);
      if (id === unk) out += this.options.unknownText;
      else if (!this.vocab.isSpecial(id)) out += token;
    }
    return out;
  }

  toJSON(): CharTokenizerSpec {
    return { kind: 'char', vocab: this.vocab.toJSON(), ...this.options };
  }
}

/**
 * `defaults` overridden by the options the caller set: keys not in `defaults` are ignored, and an
 * option set to `undefined` keeps the default.
 */
export function withDefaults<T extends object>(defaults: T, options: Partial<T>): T {
  const out = { ...defaults };
  for (const k of Object.keys(defaults) as Array<keyof T>) {
    const v = options[k];
    if (v !== undefined) out[k] = v as T[keyof T];
  }
  return out;
}
