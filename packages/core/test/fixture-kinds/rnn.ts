/**
 * Fixture kind `rnn`: builds the RNN/LSTM/GRU of the case's `mode` and sizes, loads the reference
 * parameters by name, runs it batch-first on `x` from `h0`/`c0` (with `lengths` when given), backpropagates
 * L = Σ y·d_y + Σ h_n·d_h_n (+ Σ c_n·d_c_n) and compares y, h_n, c_n and every reference gradient, once per
 * kernel backend in `test/backends.ts`.
 */
import { GRU, LSTM, type RecurrentLayer, RNN, Rng, stateDict, Tape, Tensor } from '../../src/index.ts';
import { testBackends, withKernels } from '../backends.ts';
import type { Comparison, FixtureCase, FixtureHandler, FixtureTensor } from './types.ts';

interface RnnConfig {
  mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  num_layers: number;
  bidirectional: boolean;
  input_size: number;
  hidden_size: number;
  lengths: number[] | null;
}

function input(c: FixtureCase, name: string): FixtureTensor {
  const t = c.inputs[name] as FixtureTensor | undefined;
  if (!t) throw new Error(`rnn fixture: missing input ${name}`);
  return t;
}

function build(cfg: RnnConfig): RecurrentLayer {
  const options = {
    inputSize: cfg.input_size,
    hiddenSize: cfg.hidden_size,
    numLayers: cfg.num_layers,
    bidirectional: cfg.bidirectional,
    rng: new Rng(0),
  };
  switch (cfg.mode) {
    case 'RNN_TANH':
      return new RNN({ ...options, nonlinearity: 'tanh' });
    case 'RNN_RELU':
      return new RNN({ ...options, nonlinearity: 'relu' });
    case 'LSTM':
      return new LSTM(options);
    case 'GRU':
      return new GRU(options);
  }
}

function runOnce(c: FixtureCase, prefix: string): Comparison[] {
  const cfg = c.config as unknown as RnnConfig;
  const layer = build(cfg);
  const params = stateDict(layer);
  const refParams = c.params as Record<string, FixtureTensor>;
  if (params.size !== Object.keys(refParams).length) {
    throw new Error(`rnn fixture: ours has [${[...params.keys()]}], reference [${Object.keys(refParams)}]`);
  }
  for (const [name, ref] of Object.entries(refParams)) {
    const p = params.get(name);
    if (!p) throw new Error(`rnn fixture: no parameter named ${name}`);
    if (p.shape.join() !== ref.shape.join())
      throw new Error(`rnn fixture: ${name} shape ${p.shape} vs ${ref.shape}`);
    p.data.set(ref.data);
  }
  const lstm = cfg.mode === 'LSTM';
  const fx = input(c, 'x');
  const fh = input(c, 'h0');
  const x = Tensor.from(fx.data, fx.shape, true);
  const h0 = Tensor.from(fh.data, fh.shape, true);
  const c0 = lstm ? Tensor.from(input(c, 'c0').data, input(c, 'c0').shape, true) : null;
  const tape = new Tape();
  const { output, state } = layer.forward(tape, x, {
    state: c0 ? { h: h0, c: c0 } : { h: h0 },
    ...(cfg.lengths ? { lengths: Int32Array.from(cfg.lengths) } : {}),
  });
  state.h.ensureGrad().set(input(c, 'd_h_n').data);
  if (lstm) state.c!.ensureGrad().set(input(c, 'd_c_n').data);
  tape.backward(output, Float32Array.from(input(c, 'd_y').data));

  const outs = c.outputs as Record<string, FixtureTensor>;
  const cmp: Comparison[] = [
    { name: `${prefix}y`, actual: output.data, expected: outs.y!.data },
    { name: `${prefix}h_n`, actual: state.h.data, expected: outs.h_n!.data },
  ];
  if (lstm) cmp.push({ name: `${prefix}c_n`, actual: state.c!.data, expected: outs.c_n!.data });
  const ours: Record<string, Tensor> = { x, h0, ...(c0 ? { c0 } : {}), ...Object.fromEntries(params) };
  for (const [name, ref] of Object.entries(c.grads as Record<string, FixtureTensor>)) {
    const t = ours[name];
    if (!t) throw new Error(`rnn fixture: no tensor for gradient ${name}`);
    cmp.push({
      name: `${prefix}grad ${name}`,
      actual: t.grad ?? new Float32Array(t.size),
      expected: ref.data,
    });
  }
  return cmp;
}

export const run: FixtureHandler = async (c: FixtureCase): Promise<Comparison[]> =>
  (await testBackends()).flatMap((k) => withKernels(k, () => runOnce(c, `[${k.name}] `)));
