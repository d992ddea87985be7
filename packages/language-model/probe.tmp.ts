import { Adam, initBackend, kernels, Rng, Tape } from '@recurrent/core';
import { LanguageModel } from './src/language-model.ts';

const backend = process.argv[2] ?? 'js';
await initBackend({ backend: backend as 'js' });
const H = Number(process.argv[3] ?? 256),
  B = Number(process.argv[4] ?? 32),
  T = 64,
  V = 85;
const rng = new Rng(1);
const m = new LanguageModel({ vocabSize: V, hiddenSize: H, embeddingDim: 64 }, { rng });
const opt = new Adam(m.parameters(), { lr: 2e-3 });
const inputs = Int32Array.from({ length: B * T }, () => rng.int(V));
const targets = Int32Array.from({ length: B * T }, () => rng.int(V));
const out: string[] = [];
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  opt.zeroGrad();
  const tape = new Tape();
  const { loss } = m.loss(tape, { inputs, targets, batch: B, steps: T });
  const t1 = performance.now();
  tape.backward(loss);
  const t2 = performance.now();
  opt.step();
  const t3 = performance.now();
  out.push(
    `f${(t1 - t0).toFixed(0)}/b${(t2 - t1).toFixed(0)}/o${(t3 - t2).toFixed(0)}=${((B * T) / ((t3 - t0) / 1000)).toFixed(0)}`,
  );
}
console.log(kernels().name, H, B, out.join(' '));
process.exit(0);
