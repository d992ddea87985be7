/**
 * What `pnpm bench profile` runs: our LSTM/GRU training steps and inference passes on one backend, with
 * V8's sampling profiler (node:inspector) on only around the measured steps (after warm-up), so module
 * loading and compilation stay out of the picture. Writes the `.cpuprofile` JSON to `--out`.
 * Arguments: `--backend js|wasm|wasm-threads --cell lstm|gru --steps N --out FILE`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { GRU, initBackend, LSTM, mse, Rng, SGD, Tape, Tensor } from '@recurrent/core';
import { recurrentConfig as c } from '../plan.ts';
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
const opts = { inputSize: c.input, hiddenSize: c.hidden, rng };
const layer = values.cell === 'gru' ? new GRU(opts) : new LSTM(opts);
const opt = new SGD([...layer.parameters()], { lr: 0.01 });
const x = Tensor.zeros([c.batch, c.seq, c.input]);
const target = Tensor.zeros([c.batch, c.seq, c.hidden]);
fillPattern(x.data, 1);
fillPattern(target.data, 2);

const trainStep = () => {
  const tape = new Tape();
  const { output } = layer.forward(tape, x); // [B, T, H]
  const loss = mse(tape, output, target);
  opt.zeroGrad();
  tape.backward(loss);
  opt.step();
};
const noGrad = Tape.noGrad();
for (let s = 0; s < 2; s++) {
  trainStep();
  layer.forward(noGrad, x);
}

const inspector = new Session();
inspector.connect();
await inspector.post('Profiler.enable');
await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
await inspector.post('Profiler.start');
const t0 = performance.now();
for (let s = 0; s < steps; s++) trainStep();
const t1 = performance.now();
for (let s = 0; s < steps; s++) layer.forward(noGrad, x);
const t2 = performance.now();
const { profile } = await inspector.post('Profiler.stop');
writeFileSync(values.out, JSON.stringify(profile));
inspector.disconnect();
process.stderr.write(
  `profile target: ${backend} ${values.cell}: train ${((t1 - t0) / steps).toFixed(1)} ms/batch, infer ${((t2 - t1) / steps).toFixed(1)} ms/batch\n`,
);
