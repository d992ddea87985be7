export * from './bridge.ts';
export * from './config.ts';
export * from './decode.ts';
export * from './decoder.ts';
export * from './encoder.ts';
export * from './evaluate.ts';
export * from './heatmap.ts';
export {
  type BleuOptions,
  type BleuScore,
  type BleuSmoothMethod,
  corpusBleu,
  sentenceBleu,
} from './metrics/bleu.ts';
export {
  type BleuTokenizerName,
  tokenize13a,
  tokenizeIntl,
  tokenizeNone,
} from './metrics/bleu-tokenizers.ts';
export { type ChrfOptions, type ChrfScore, corpusChrf, sentenceChrf } from './metrics/chrf.ts';
export * from './metrics/error-rate.ts';
export * from './model.ts';
export * from './model-file.ts';
export * from './parameter-shapes.ts';
export * from './step-model.ts';
export * from './train.ts';
