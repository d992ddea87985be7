export {};
export { type BleuTokenizerName, tokenize13a, tokenizeIntl, tokenizeNone } from './metrics/bleu-tokenizers.ts';
export { type BleuOptions, type BleuScore, type BleuSmoothMethod, corpusBleu, sentenceBleu } from './metrics/bleu.ts';
export { type ChrfOptions, type ChrfScore, corpusChrf, sentenceChrf } from './metrics/chrf.ts';
export * from './metrics/error-rate.ts';
