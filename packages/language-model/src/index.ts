// The public surface of @recurrent/language-model.
export * from './config.ts';
export * from './evaluate.ts';
export * from './language-model.ts';
export * from './model-file.ts';
export * from './parameter-shapes.ts';
export * from './pytorch-names.ts';
export * from './step-model.ts';
export * from './train-language-model.ts';
