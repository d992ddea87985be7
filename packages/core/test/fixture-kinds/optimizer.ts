/**
 * `optimizer` fixtures: one [3, 4] parameter, a few steps with given gradients; compare the parameter after
 * each step with PyTorch's. `config` holds PyTorch's keyword names; absent ones take PyTorch's defaults,
 * which are also ours.
 */
import { Adagrad, Adam, AdamW, type Optimizer, Parameter, RMSprop, SGD } from '../../src/index.ts';
import type { Comparison, FixtureCase, FixtureHandler, FixtureTensor } from './types.ts';

/** PyTorch keyword -> our option name, per value type. */
const NUMBERS: Record<string, string> = {
  lr: 'lr',
  momentum: 'momentum',
  dampening: 'dampening',
  weight_decay: 'weightDecay',
  beta1: 'beta1',
  beta2: 'beta2',
  eps: 'eps',
  lr_decay: 'lrDecay',
  initial_accumulator_value: 'initialAccumulatorValue',
  alpha: 'alpha',
};
const BOOLEANS: Record<string, string> = { nesterov: 'nesterov', amsgrad: 'amsgrad', centered: 'centered' };

function options(c: FixtureCase): Record<string, number | boolean> {
  const o: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(c.config)) {
    if (k === 'algorithm' || k === 'note') continue;
    const name = typeof v === 'number' ? NUMBERS[k] : typeof v === 'boolean' ? BOOLEANS[k] : undefined;
    if (name === undefined)
      throw new Error(`optimizer fixture: unexpected config.${k} = ${JSON.stringify(v)}`);
    o[name] = v as number | boolean;
  }
  return o;
}

function make(c: FixtureCase, p: Parameter): Optimizer {
  const params = [['param', p] as const];
  const o = options(c);
  switch (c.config.algorithm) {
    case 'sgd':
    case 'sgd_nesterov':
      return new SGD(params, o);
    case 'adam':
      return new Adam(params, o);
    case 'adamw':
      return new AdamW(params, o);
    case 'adagrad':
      return new Adagrad(params, o);
    case 'rmsprop':
      return new RMSprop(params, o);
    default:
      throw new Error(`optimizer fixture: unknown algorithm ${String(c.config.algorithm)}`);
  }
}

export const run: FixtureHandler = (c) => {
  const init = c.inputs.param as FixtureTensor;
  const grads = c.inputs.grads_per_step as FixtureTensor[];
  const after = (c.outputs as { param_after_each_step: FixtureTensor[] }).param_after_each_step;
  const p = new Parameter(Float32Array.from(init.data), init.shape);
  const opt = make(c, p);
  const out: Comparison[] = [];
  grads.forEach((g, k) => {
    p.grad = Float32Array.from(g.data);
    opt.step();
    out.push({ name: `param after step ${k + 1}`, actual: p.data.slice(), expected: after[k]!.data });
  });
  return out;
};
