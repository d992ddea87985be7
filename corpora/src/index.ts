// The public surface of @recurrent/corpora: typed loaders for npm-shipped corpora and user files,
// deterministic splits, checksums.

export * from './cmudict.ts';
export { type Corpus, checksumItems, type SkippedEntry } from './corpus.ts';
export * from './email.ts';
export * from './en-fr-pairs.ts';
export * from './labelled-file.ts';
export type { OnMalformed } from './line-records.ts';
export * from './moby-dick.ts';
export * from './pair-file.ts';
export * from './read-text-file.ts';
export * from './sentence-pair.ts';
export * from './sentiment-sentences.ts';
export * from './sotu.ts';
export * from './spam-assassin.ts';
export * from './split.ts';
export * from './text-file.ts';
