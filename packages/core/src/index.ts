// The public surface of @recurrent/core. Each module adds its exports here (one line per file).
export * from './errors.ts';
export * from './rng.ts';
export * from './tensor.ts';
export * from './tape.ts';
export * from './memory.ts';
export * from './module.ts';
export type * from './kernels/types.ts';
export * from './kernels/backend.ts';
