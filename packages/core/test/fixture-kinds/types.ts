/** One tensor in a PyTorch fixture file: flat row-major data plus shape. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** A whole fixture case as stored in `fixtures/torch/*.json` (see that folder's README). */
export interface FixtureCase {
  kind: string;
  config: Record<string, unknown>;
  inputs: Record<string, unknown>;
  params: Record<string, FixtureTensor> | unknown[];
  outputs: Record<string, unknown>;
  grads: Record<string, FixtureTensor> | unknown[];
}

/** A value we computed next to the reference value it must match. */
export interface Comparison {
  name: string;
  actual: ArrayLike<number>;
  expected: ArrayLike<number>;
}

/** Handler for one fixture `kind`: runs our implementation on the case and returns what to compare. */
export type FixtureHandler = (c: FixtureCase) => Comparison[] | Promise<Comparison[]>;
