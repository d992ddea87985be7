// The public surface of @recurrent/tokenizers, one line per file (biome keeps them sorted): the
// Tokenizer interface and vocabularies, char and word tokenizers, the SentencePiece `.model` codec and
// spm-exact runtime, and the BPE/unigram trainer that writes SentencePiece models.
export * from './char-tokenizer.ts';
export * from './detokenize.ts';
export * from './sentencepiece/model-proto.ts';
export { type NormalizerOptions, SentencePieceNormalizer } from './sentencepiece/normalizer.ts';
export { byteToPiece, pieceToByte } from './sentencepiece/piece-table.ts';
export { SentencePieceProcessor } from './sentencepiece/processor.ts';
export * from './sentencepiece-tokenizer.ts';
export type * from './tokenizer.ts';
export * from './tokenizer-from-json.ts';
export { NMT_NFKC_CHARSMAP_SHA256, nmtNfkcCharsmap } from './trainer/nmt-nfkc-charsmap.ts';
export * from './trainer/train-options.ts';
export { trainTokenizer } from './trainer/train-tokenizer.ts';
export * from './vocab.ts';
export * from './word-tokenizer.ts';
