/** `clip_grad_norm` fixtures: three gradients clipped together; compare the total norm and the clipped grads. */
import { clipGradNorm, Parameter } from '../../src/index.ts';
import type { Comparison, FixtureHandler, FixtureTensor } from './types.ts';

export const run: FixtureHandler = (c) => {
  const nt = c.config.norm_type;
  // JSON cannot hold Infinity, so the max norm arrives as "inf".
  const normType = nt === 'inf' ? Number.POSITIVE_INFINITY : nt;
  if (typeof normType !== 'number')
    throw new Error(`clip_grad_norm fixture: norm_type ${JSON.stringify(nt)}`);
  const grads = c.inputs.grads as FixtureTensor[];
  const outputs = c.outputs as { total_norm: FixtureTensor; clipped: FixtureTensor[] };
  const params = grads.map((g, i) => {
    const p = Parameter.zeros(g.shape);
    p.grad = Float32Array.from(g.data);
    return [`p${i}`, p] as const;
  });
  const total = clipGradNorm(params, { maxNorm: c.config.max_norm as number, normType });
  const out: Comparison[] = [{ name: 'total_norm', actual: [total], expected: outputs.total_norm.data }];
  params.forEach(([name, p], i) => {
    out.push({ name: `clipped ${name}`, actual: p.grad!, expected: outputs.clipped[i]!.data });
  });
  return out;
};
