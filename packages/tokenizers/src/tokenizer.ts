import type { CharTokenizerSpec } from './char-tokenizer.ts';
import type { SentencePieceTokenizerSpec } from './sentencepiece-tokenizer.ts';
import type { WordTokenizerSpec } from './word-tokenizer.ts';

/**
 * Ids of the special tokens. `pad` and `unk` always exist (a batcher pads with `pad`; text the
 * vocabulary cannot spell maps to `unk`); `bos`/`eos` exist when the vocabulary has them.
 */
export interface TokenizerSpecials {
  pad: number;
  unk: number;
  bos?: number;
  eos?: number;
}

/** Everything needed to rebuild a tokenizer; plain JSON, stored in a model file's header. */
export type TokenizerSpec = CharTokenizerSpec | WordTokenizerSpec | SentencePieceTokenizerSpec;

/**
 * Turns text into token ids and back. Ids are `0 .. vocabSize - 1`.
 *
 * `decode(encode(text))` gives back the tokenizer's normalized form of `text` (exactly, for char and
 * byte-fallback SentencePiece tokenizers; word tokenizers re-space punctuation), with special tokens
 * other than `unk` rendered as nothing.
 */
export interface Tokenizer {
  /** Which implementation this is; the `kind` of its {@link TokenizerSpec}. */
  readonly kind: TokenizerSpec['kind'];
  /** Number of ids; the size of an embedding table for this tokenizer. */
  readonly vocabSize: number;
  readonly specials: TokenizerSpecials;
  /** Text -> ids `[T]`. */
  encode(text: string): Int32Array;
  /** Ids -> text. Throws DataError for an id outside `[0, vocabSize)`. */
  decode(ids: ArrayLike<number>): string;
  /** A JSON-serializable spec that {@link tokenizerFromJSON} turns back into an equal tokenizer. */
  toJSON(): TokenizerSpec;
}
