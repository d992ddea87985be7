// The public surface of @recurrent/classifiers: recurrent sequence classifiers and classification metrics.

export * from './baselines/afinn-baseline.ts';
export * from './baselines/apparatus-logistic-regression.ts';
export * from './baselines/compare-systems.ts';
export * from './baselines/natural-classifier-baselines.ts';
export * from './baselines/recurrent-system.ts';
export type * from './baselines/text-classification-system.ts';
export * from './classifier-file.ts';
export * from './lexicon/sentiment-lexicon.ts';
export * from './metrics/classification-report.ts';
export * from './metrics/confusion-matrix.ts';
export * from './metrics/roc-auc.ts';
export * from './metrics/stratified-k-fold.ts';
export * from './model/attention-pooling.ts';
export * from './model/classifier-config.ts';
export * from './model/classifier-parameter-shapes.ts';
export * from './model/lazy-adam.ts';
export * from './model/ngram-logistic.ts';
export * from './model/sequence-classifier.ts';
export * from './model/time-pooling.ts';
export * from './model/weighted-cross-entropy.ts';
export * from './pretrain/skip-gram.ts';
export * from './report/comparison-table.ts';
export * from './report/confusion-matrix-svg.ts';
export * from './report/training-curve-svg.ts';
export * from './report/write-comparison-report.ts';
export * from './text-classifier.ts';
export * from './train-text-classifier.ts';
