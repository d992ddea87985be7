/**
 * Child process for the kill-and-resume test: trains a small LM with a checkpoint every 5 steps and
 * prints `ckpt <step>` after each one. A short sleep per step keeps the run slow enough to be killed
 * mid-way. Args: checkpoint path.
 */
import { initBackend } from '@recurrent/core';
import { trainLanguageModel } from '../../src/index.ts';
import { KILL_RUN } from './kill-run.ts';

const path = process.argv[2]!;
// The same kernels as the test process (RECURRENT_BACKEND), or the weights could not match bit for bit.
await initBackend();
const pause = new Int32Array(new SharedArrayBuffer(4));
await trainLanguageModel({
  ...KILL_RUN,
  checkpoint: { path, every: 5, resume: true },
  events: {
    step: () => void Atomics.wait(pause, 0, 0, 15),
    checkpoint: (e) => process.stdout.write(`ckpt ${e.step}\n`),
  },
});
process.stdout.write('done\n');
