// The public surface of @recurrent/samplers: pure functions of logits + a seeded Rng, beam search,
// and the generation loop over any StepModel.

export * from './beam-search.ts';
export * from './categorical.ts';
export * from './generate.ts';
export * from './greedy.ts';
export * from './no-repeat-ngram.ts';
export * from './options.ts';
export * from './repetition-penalty.ts';
export * from './sample.ts';
export * from './select-batch.ts';
export type * from './step-model.ts';
export * from './temperature.ts';
export * from './top-k.ts';
export * from './top-p.ts';
