// The public surface of @recurrent/language-model.
export * from './config.ts';
export * from './language-model.ts';
export * from './step-model.ts';
export * from './evaluate.ts';
export * from './model-file.ts';
export * from './train-language-model.ts';
export * from './pytorch-names.ts';
