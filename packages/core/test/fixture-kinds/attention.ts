/**
 * Fixture kind `attention`: builds an {@link Attention} with the case's score and sizes, loads the
 * reference parameters by name, runs it on the case's query/keys/lengths, backpropagates
 * L = Σ context·d_context + Σ weights·d_weights, and compares outputs and every reference gradient.
 */
import { Attention, type AttentionScore, Rng, stateDict, Tape, Tensor } from '../../src/index.ts';
import type { Comparison, FixtureCase, FixtureHandler, FixtureTensor } from './types.ts';

function tensorOf(c: FixtureCase, name: string): FixtureTensor {
  const t = c.inputs[name] as FixtureTensor | undefined;
  if (!t) throw new Error(`attention fixture: missing input ${name}`);
  return t;
}

export const run: FixtureHandler = (c: FixtureCase): Comparison[] => {
  const cfg = c.config as {
    score: AttentionScore;
    query_size: number;
    key_size: number;
    attn_size: number;
    lengths?: number[];
  };
  const attn = new Attention({
    score: cfg.score,
    querySize: cfg.query_size,
    keySize: cfg.key_size,
    attnSize: cfg.attn_size,
    rng: new Rng(0),
  });
  const params = stateDict(attn);
  const refParams = c.params as Record<string, FixtureTensor>;
  if (params.size !== Object.keys(refParams).length) {
    throw new Error(
      `attention fixture: ours has [${[...params.keys()]}], reference [${Object.keys(refParams)}]`,
    );
  }
  for (const [name, ref] of Object.entries(refParams)) {
    const p = params.get(name);
    if (!p) throw new Error(`attention fixture: no parameter named ${name}`);
    if (p.shape.join() !== ref.shape.join())
      throw new Error(`attention fixture: ${name} shape ${p.shape} vs ${ref.shape}`);
    p.data.set(ref.data);
  }
  const q = tensorOf(c, 'query');
  const k = tensorOf(c, 'keys');
  const query = Tensor.from(q.data, q.shape, true);
  const keys = Tensor.from(k.data, k.shape, true);
  const tape = new Tape();
  const { context, weights } = attn.forward(
    tape,
    query,
    keys,
    cfg.lengths ? { lengths: Int32Array.from(cfg.lengths) } : {},
  );
  weights.ensureGrad().set(tensorOf(c, 'd_weights').data);
  tape.backward(context, Float32Array.from(tensorOf(c, 'd_context').data));

  const outs = c.outputs as Record<string, FixtureTensor>;
  const grads = c.grads as Record<string, FixtureTensor>;
  const ours: Record<string, Tensor> = { query, keys, ...Object.fromEntries(params) };
  const cmp: Comparison[] = [
    { name: 'context', actual: context.data, expected: outs.context!.data },
    { name: 'weights', actual: weights.data, expected: outs.weights!.data },
  ];
  for (const [name, ref] of Object.entries(grads)) {
    const t = ours[name];
    if (!t) throw new Error(`attention fixture: no tensor for gradient ${name}`);
    cmp.push({ name: `grad ${name}`, actual: t.grad ?? new Float32Array(t.size), expected: ref.data });
  }
  return cmp;
};
