// Tokenizer interface, vocabularies, char/word tokenizers.
export type * from './tokenizer.ts';
export * from './vocab.ts';
export * from './char-tokenizer.ts';
export * from './word-tokenizer.ts';
export * from './detokenize.ts';
export * from './tokenizer-from-json.ts';
// SentencePiece: the .model codec, the spm-exact runtime, and the Tokenizer over it.
export * from './sentencepiece/model-proto.ts';
export { SentencePieceNormalizer, type NormalizerOptions } from './sentencepiece/normalizer.ts';
export { SentencePieceProcessor } from './sentencepiece/processor.ts';
export { byteToPiece, pieceToByte } from './sentencepiece/piece-table.ts';
export * from './sentencepiece-tokenizer.ts';
// Trainer (BPE / unigram) that writes SentencePiece models.
export * from './trainer/train-options.ts';
export { trainTokenizer } from './trainer/train-tokenizer.ts';
export { NMT_NFKC_CHARSMAP_SHA256, nmtNfkcCharsmap } from './trainer/nmt-nfkc-charsmap.ts';
