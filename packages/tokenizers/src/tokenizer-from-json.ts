import { FormatError } from '@recurrent/core';
import { CharTokenizer } from './char-tokenizer.ts';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer.ts';
import type { Tokenizer, TokenizerSpec } from './tokenizer.ts';
import { WordTokenizer } from './word-tokenizer.ts';

/**
 * Rebuilds any tokenizer from its `toJSON()` spec (as stored in a model file). Throws FormatError
 * for an unknown `kind` or a malformed spec.
 */
export function tokenizerFromJSON(spec: TokenizerSpec): Tokenizer {
  const kind = (spec as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'char':
      return CharTokenizer.fromJSON(spec as Extract<TokenizerSpec, { kind: 'char' }>);
    case 'word':
      return WordTokenizer.fromJSON(spec as Extract<TokenizerSpec, { kind: 'word' }>);
    case 'sentencepiece':
      return SentencePieceTokenizer.fromJSON(spec as Extract<TokenizerSpec, { kind: 'sentencepiece' }>);
    default:
      throw new FormatError(
        'tokenizer spec kind',
        "'char' | 'word' | 'sentencepiece'",
        JSON.stringify(kind) ?? 'undefined',
      );
  }
}
