/**
 * What `pnpm bench profile` runs: our LSTM/GRU training steps and inference passes (or, with `--cell
 * sample`, batch-1 char-LM sampling, 100 characters a step) on one backend, with
 * V8's sampling profiler (node:inspector) on only around the measured steps (after warm-up), so module
 * loading and compilation stay out of the picture. Writes the `.cpuprofile` JSON to `--out`.
 * Arguments: `--backend js|wasm|wasm-threads --cell lstm|gru|sample --steps N --out FILE`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { GRU, initBackend, LSTM, mse, Rng, SGD, Tape, Tensor } from '@recurrent/core';
import { LanguageModel, languageModelStepper } from '@recurrent/language-model';
import { sampleCategorical } from '@recurrent/samplers';
import { recurrentConfig as c, sampleConfig } from '../plan.ts';
import { fillPattern } from './child-server.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    cell: { type: 'string', default: 'lstm' },
    steps: { type: 'string', default: '30' },
    out: { type: 'string', default: 'profile.cpuprofile' },
  },
});
const backend = values.backend as 'js' | 'wasm' | 'wasm-threads';
await initBackend({ backend, threads: backend === 'wasm-threads' ? 2 : 1 });
const steps = Number(values.steps);
const rng = new Rng(7);
const noGrad = Tape.noGrad();

/** The timed work: `first` and `second` run `steps` times each between profiler start and stop. */
let first: () => void;
let second: () => void;
let labels: [string, string, number];
if (values.cell === 'sample') {
  // Batch-1 char LM, as the sampling section: the language model's stepper, one draw; 100 chars a step.
  const model = new LanguageModel(
    { vocabSize: sampleConfig.vocab, embeddingDim: sampleConfig.embed, hiddenSize: sampleConfig.hidden },
    { rng },
  );
  model.train(false);
  const stepper = languageModelStepper(model);
  let state = stepper.initialState(1);
  const ids = new Int32Array(1);
  first = () => {
    for (let i = 0; i < 100; i++) {
      const r = stepper.step(ids, state);
      state = r.state;
      ids[0] = sampleCategorical(r.logits, rng);
    }
  };
  second = first;
  labels = ['sample', 'sample', 100];
} else {
  const opts = { inputSize: c.input, hiddenSize: c.hidden, rng };
  const layer = values.cell === 'gru' ? new GRU(opts) : new LSTM(opts);
  const opt = new SGD([...layer.parameters()], { lr: 0.01 });
  const x = Tensor.zeros([c.batch, c.seq, c.input]);
  const target = Tensor.zeros([c.batch, c.seq, c.hidden]);
  fillPattern(x.data, 1);
  fillPattern(target.data, 2);
  first = () => {
    const tape = new Tape();
    const { output } = layer.forward(tape, x); // [B, T, H]
    const loss = mse(tape, output, target);
    opt.zeroGrad();
    tape.backward(loss);
    opt.step();
  };
  second = () => layer.forward(noGrad, x);
  labels = ['train', 'infer', 1];
}
for (let s = 0; s < 2; s++) {
  first();
  second();
}

const inspector = new Session();
inspector.connect();
await inspector.post('Profiler.enable');
await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
await inspector.post('Profiler.start');
const t0 = performance.now();
for (let s = 0; s < steps; s++) first();
const t1 = performance.now();
for (let s = 0; s < steps; s++) second();
const t2 = performance.now();
const { profile } = await inspector.post('Profiler.stop');
writeFileSync(values.out, JSON.stringify(profile));
inspector.disconnect();
const per = (ms: number) =>
  labels[2] === 1
    ? `${(ms / steps).toFixed(1)} ms/batch`
    : `${((ms * 1000) / (steps * labels[2])).toFixed(1)} µs/char`;
process.stderr.write(
  `profile target: ${backend} ${values.cell}: ${labels[0]} ${per(t1 - t0)}, ${labels[1]} ${per(t2 - t1)}\n`,
);
