/**
 * Whole-layer gradient checks of RNN (tanh, relu), LSTM and GRU against central differences, per kernel
 * backend: every element of x, h0, c0 and every parameter, for stacked, bidirectional, variable-length,
 * bias-free and dropout configurations. The layers run in float32; the checker sums L in float64 and
 * perturbs by ±1e-3 (relative): L's float32 noise (≈1e-7 of its few dozen O(1) terms) over 2e-3 is
 * ~1e-5, far below the 1e-3 + 1e-2·|g| tolerance, the O(eps²) truncation error is ~1e-6, and a step
 * that small rarely straddles a relu kink (1e-2 does, in the relu no-bias case).
 */
import { describe, expect, it } from 'vitest';
import {
  GRU,
  gradcheck,
  LSTM,
  type RecurrentLayer,
  type RecurrentOptions,
  RNN,
  Rng,
  type Tape,
  Tensor,
} from '../src/index.ts';
import { testBackends, withKernels } from './backends.ts';

type Kind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

function make(kind: Kind, options: RecurrentOptions): RecurrentLayer {
  if (kind === 'lstm') return new LSTM(options);
  if (kind === 'gru') return new GRU(options);
  return new RNN({ ...options, nonlinearity: kind === 'rnn_relu' ? 'relu' : 'tanh' });
}

function random(rng: Rng, shape: number[], scale: number): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.range(-scale, scale);
  return t;
}

interface Case {
  name: string;
  layers: number;
  bidirectional: boolean;
  bias?: boolean;
  dropout?: number;
  lengths?: number[];
  withState: boolean;
}

const B = 3;
const T = 4;
const I = 3;
const H = 4;

const cases: Case[] = [
  { name: '1 layer, given state', layers: 1, bidirectional: false, withState: true },
  {
    name: '2 layers bidirectional, unsorted lengths',
    layers: 2,
    bidirectional: true,
    lengths: [2, 4, 1],
    withState: true,
  },
  {
    name: '2 layers, no bias, zero state, dropout 0.3',
    layers: 2,
    bidirectional: false,
    bias: false,
    dropout: 0.3,
    withState: false,
  },
];

const backends = await testBackends();

describe.each(backends.map((k) => [k.name, k] as const))('recurrent layer gradients: %s', (_name, k) => {
  for (const kind of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'] as const) {
    for (const c of cases) {
      it(`${kind}: ${c.name}`, () => {
        withKernels(k, () => {
          const rng = new Rng(kind.length * 100 + c.layers * 10 + (c.lengths ? 1 : 0));
          const layer = make(kind, {
            inputSize: I,
            hiddenSize: H,
            numLayers: c.layers,
            bidirectional: c.bidirectional,
            bias: c.bias ?? true,
            dropout: c.dropout ?? 0,
            rng,
          });
          const data = new Rng(5);
          // Bigger weights than the default init so every gate is exercised away from its linear region.
          for (const [, p] of layer.parameters())
            for (let i = 0; i < p.size; i++) p.data[i] = data.range(-0.7, 0.7);
          const S = c.layers * (c.bidirectional ? 2 : 1);
          const x = random(data, [B, T, I], 1);
          const h0 = random(data, [S, B, H], 0.8);
          const c0 = random(data, [S, B, H], 0.8);
          const lstm = kind === 'lstm';
          const lengths = c.lengths ? Int32Array.from(c.lengths) : undefined;
          const masks = rng.getState();
          const f = (tape: Tape): Tensor[] => {
            rng.setState(masks); // the same dropout masks in every evaluation
            const r = layer.forward(tape, x, {
              ...(lengths ? { lengths } : {}),
              ...(c.withState ? { state: lstm ? { h: h0, c: c0 } : { h: h0 } } : {}),
            });
            return r.state.c ? [r.output, r.state.h, r.state.c] : [r.output, r.state.h];
          };
          const params = [...layer.parameters()].map(([, p]) => p);
          const inputs = [x, ...(c.withState ? (lstm ? [h0, c0] : [h0]) : []), ...params];
          const res = gradcheck(f, inputs, { eps: 1e-3, atol: 1e-3, rtol: 1e-2 });
          expect(res.ok, res.message).toBe(true);
          // The check is not vacuous: gradients flowed into every input.
          for (const r of res.inputs) expect(r.analytic.some((v) => v !== 0)).toBe(true);
        });
      });
    }
  }
});
