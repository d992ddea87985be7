/**
 * Fixture kind `cross_entropy`: our fused {@link crossEntropy} on the case's logits and targets with
 * its ignore_index and label_smoothing; compares the loss and the gradient of the logits (seeded with
 * `d_loss` when the case gives one, else 1, as `loss.backward()`).
 */
import { crossEntropy, Tape, Tensor } from '../../src/index.ts';
import type { Comparison, FixtureCase, FixtureHandler, FixtureTensor } from './types.ts';

export const run: FixtureHandler = (c: FixtureCase): Comparison[] => {
  const cfg = c.config as { ignore_index: number; label_smoothing: number };
  const inputs = c.inputs as Record<string, FixtureTensor | undefined>;
  const l = inputs.logits;
  const t = inputs.targets;
  if (!l || !t) throw new Error('cross_entropy fixture: needs inputs logits and targets');
  const logits = Tensor.from(l.data, l.shape, true);
  const tape = new Tape();
  const loss = crossEntropy(tape, logits, Int32Array.from(t.data), {
    ignoreIndex: cfg.ignore_index,
    labelSmoothing: cfg.label_smoothing,
  });
  const seed = inputs.d_loss;
  tape.backward(loss, seed ? Float32Array.from(seed.data) : undefined);
  const outs = c.outputs as Record<string, FixtureTensor>;
  const grads = c.grads as Record<string, FixtureTensor>;
  return [
    { name: 'loss', actual: loss.data, expected: outs.loss!.data },
    {
      name: 'grad logits',
      actual: logits.grad ?? new Float32Array(logits.size),
      expected: grads.logits!.data,
    },
  ];
};
