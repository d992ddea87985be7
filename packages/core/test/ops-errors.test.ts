/** Wrong shapes and bad options throw the typed errors, naming what was expected and what arrived. */
import { describe, expect, it } from 'vitest';
import {
  Attention,
  add,
  concat,
  crossEntropy,
  DataError,
  Dropout,
  Embedding,
  gatherRows,
  Linear,
  lengthMask,
  maskedFill,
  matmul,
  mse,
  OptionError,
  Rng,
  reshape,
  ShapeError,
  slice,
  softmax,
  sum,
  Tape,
  Tensor,
  transpose,
} from '../src/index.ts';

const t = Tape.noGrad();
const z = (...shape: number[]) => Tensor.zeros(shape);

/** Asserts `fn` throws an instance of `cls` whose message contains every fragment. */
function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, ...fragments: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeInstanceOf(cls);
  const msg = (err as Error).message;
  for (const f of fragments) expect(msg).toContain(f);
  expect(msg).toMatch(/expected .*, got /);
}

describe('shape errors', () => {
  it('matmul inner-dimension mismatch names both shapes and the expected size', () => {
    throwsWith(() => matmul(t, z(2, 3), z(4, 5)), ShapeError, '[2, 3]', '[4, 5]', '= 3', 'got 4');
    throwsWith(() => matmul(t, z(2, 3), z(5, 4), { transposeB: true }), ShapeError, 'transposed', 'got 4');
    throwsWith(() => matmul(t, z(2, 2, 3), z(3, 3, 4)), ShapeError, 'batch', '[2]', 'got [3]');
    throwsWith(() => matmul(t, z(3), z(3, 4)), ShapeError, 'rank >= 2', '[3]');
  });

  it('broadcast, reshape, concat, transpose, maskedFill', () => {
    throwsWith(() => add(t, z(2, 3), z(4)), ShapeError, '[2, 3]', '[4]');
    throwsWith(() => reshape(t, z(2, 3), [4, 2]), ShapeError, '6 elements', '[4, 2]');
    throwsWith(() => reshape(t, z(2, 3), [-1, -1]), ShapeError, '6 elements');
    throwsWith(() => concat(t, [z(2, 3), z(3, 3)], 1), ShapeError, 'input 1', '[2, *]', '[3, 3]');
    throwsWith(() => transpose(t, z(3)), ShapeError, 'rank >= 2');
    throwsWith(() => maskedFill(t, z(2, 2), [1, 0], 0), ShapeError, '4 entries', 'got 2');
    throwsWith(() => softmax(t, Tensor.zeros([])), ShapeError, 'rank >= 1');
  });

  it('Linear input width', () => {
    const lin = new Linear({ inFeatures: 4, outFeatures: 2, rng: new Rng(1) });
    throwsWith(() => lin.forward(t, z(3, 5)), ShapeError, 'Linear', '[..., 4]', '[3, 5]');
  });

  it('Attention query and keys', () => {
    const attn = new Attention({ score: 'general', querySize: 3, keySize: 4, rng: new Rng(1) });
    throwsWith(() => attn.forward(t, z(2, 3), z(2, 5, 3)), ShapeError, 'keys', '[B, S, 4]', '[2, 5, 3]');
    throwsWith(() => attn.forward(t, z(2, 4), z(2, 5, 4)), ShapeError, 'query', '[2, 3]', '[2, 4]');
    throwsWith(
      () => attn.forward(t, z(2, 3), z(2, 5, 4), { lengths: [5] }),
      ShapeError,
      'lengths',
      '2 entries',
    );
  });

  it('mse and crossEntropy shapes', () => {
    throwsWith(() => mse(t, z(2, 3), z(3, 2)), ShapeError, '[2, 3]', '[3, 2]');
    throwsWith(() => crossEntropy(t, z(4, 3), [0, 1]), ShapeError, '4 targets', 'got 2');
  });
});

describe('option and data errors', () => {
  it('axis and slice bounds', () => {
    throwsWith(() => sum(t, z(2, 3), { axis: 2 }), OptionError, 'axis', '[-2, 1]', 'got 2');
    throwsWith(() => slice(t, z(2, 3), 1, 2, 4), OptionError, '<= 3', 'start 2, end 4');
    throwsWith(() => concat(t, [], 0), OptionError, 'at least one');
  });

  it('Embedding ids out of range, bad sizes and paddingIdx', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 2, rng: new Rng(1) });
    throwsWith(() => emb.forward(t, [1, 5, 2]), DataError, 'position 1', '[0, 5)', 'got 5');
    throwsWith(() => emb.forward(t, [-1]), DataError, 'position 0', 'got -1');
    throwsWith(() => emb.forward(t, [1, 2, 3], [2, 2]), ShapeError, '3 elements', '[2, 2]');
    throwsWith(
      () => new Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: 5, rng: new Rng(1) }),
      OptionError,
      'paddingIdx',
      'got 5',
    );
    throwsWith(
      () => new Embedding({ numEmbeddings: 0, embeddingDim: 2, rng: new Rng(1) }),
      OptionError,
      'numEmbeddings',
    );
    throwsWith(() => gatherRows(t, z(3, 2), [0], { paddingIdx: 3 }), OptionError, 'paddingIdx', '[0, 3)');
  });

  it('Dropout p outside [0, 1)', () => {
    for (const p of [-0.1, 1, 1.5, Number.NaN]) {
      throwsWith(() => new Dropout({ p, rng: new Rng(1) }), OptionError, 'p', '[0, 1)', `got ${p}`);
    }
  });

  it('Linear sizes', () => {
    throwsWith(
      () => new Linear({ inFeatures: 0, outFeatures: 2, rng: new Rng(1) }),
      OptionError,
      'inFeatures',
      'got 0',
    );
    throwsWith(
      () => new Linear({ inFeatures: 2, outFeatures: 1.5, rng: new Rng(1) }),
      OptionError,
      'outFeatures',
    );
  });

  it('crossEntropy targets, ignoreIndex, labelSmoothing', () => {
    throwsWith(() => crossEntropy(t, z(3, 4), [0, 4, 1]), DataError, 'position 1', '[0, 4)', 'got 4');
    throwsWith(() => crossEntropy(t, z(3, 4), [0, -1, 1]), DataError, 'ignoreIndex -100', 'got -1');
    throwsWith(
      () => crossEntropy(t, z(2, 4), [0, 1], { ignoreIndex: 0.5 }),
      OptionError,
      'ignoreIndex',
      'got 0.5',
    );
    throwsWith(
      () => crossEntropy(t, z(2, 4), [0, 1], { labelSmoothing: 1.5 }),
      OptionError,
      'labelSmoothing',
      '[0, 1]',
    );
  });

  it('Attention score, sizes, rng and lengths', () => {
    const rng = new Rng(1);
    throwsWith(
      () => new Attention({ score: 'cosine' as never, querySize: 2, keySize: 2, rng }),
      OptionError,
      'score',
    );
    throwsWith(
      () => new Attention({ score: 'dot', querySize: 2, keySize: 3 }),
      OptionError,
      'querySize 2',
      'got 3',
    );
    throwsWith(() => new Attention({ score: 'additive', querySize: 2, keySize: 2 }), OptionError, 'rng');
    const attn = new Attention({ score: 'dot', querySize: 2, keySize: 2 });
    throwsWith(
      () => attn.forward(t, z(2, 2), z(2, 3, 2), { lengths: [3, 0] }),
      DataError,
      'lengths[1]',
      '[1, 3]',
      'got 0',
    );
    throwsWith(() => lengthMask([4], 3), DataError, 'lengths[0]', '[0, 3]');
  });
});
