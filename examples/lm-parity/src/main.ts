/**
 * Parity with PyTorch: trains one character LSTM language model on Moby-Dick (the held-out chapters of
 * `recurrent train-lm --corpus moby-dick`) twice, with recurrent and with PyTorch, from the same initial
 * weights on the same batches for the same number of steps (Adam, gradient clipping, truncated BPTT with
 * the state carried), then compares validation bits per character. Run: `pnpm --filter
 * @recurrent/example-lm-parity start [--steps N] [--hidden H] [--cell lstm|gru]`.
 *
 * Needs /usr/bin/python3 with PyTorch (Debian: `apt-get install python3-torch`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeSafetensors, initBackend, Rng } from '@recurrent/core';
import {
  LanguageModel,
  type LanguageModelConfig,
  prepareEvaluation,
  trainLanguageModel,
} from '@recurrent/language-model';
import { CharTokenizer } from '@recurrent/tokenizers';
import { mobyDickCorpus } from 'recurrent';

const { values } = parseArgs({
  // `pnpm start -- --steps 10` passes the `--` through.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    steps: { type: 'string', default: '1000' },
    hidden: { type: 'string', default: '256' },
    embedding: { type: 'string', default: '64' },
    cell: { type: 'string', default: 'lstm' },
    batch: { type: 'string', default: '32' },
    'seq-len': { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});

const kernels = await initBackend();
const corpus = mobyDickCorpus();
const tokenizer = CharTokenizer.train([corpus.train]);
const config: LanguageModelConfig = {
  vocabSize: tokenizer.vocabSize,
  cell: values.cell as 'lstm' | 'gru',
  hiddenSize: Number(values.hidden),
  embeddingDim: Number(values.embedding),
  numLayers: 1,
};
const run = {
  steps: Number(values.steps),
  batchSize: Number(values.batch),
  seqLen: Number(values['seq-len']),
  lr: Number(values.lr),
  clipNorm: 1,
  seed: Number(values.seed),
};

// The data and initial weights PyTorch starts from: trainLanguageModel builds its model from Rng(seed)
// the same way, so this copy holds exactly its initial weights.
const dir = mkdtempSync(join(tmpdir(), 'lm-parity-'));
const init = new LanguageModel(config, { rng: new Rng(run.seed) });
writeFileSync(join(dir, 'init.safetensors'), encodeSafetensors(init.parameters()));
const valid = prepareEvaluation(tokenizer, corpus.valid!);
writeFileSync(join(dir, 'train.i32'), tokenizer.encode(corpus.train));
writeFileSync(join(dir, 'valid.i32'), valid.ids);
writeFileSync(
  join(dir, 'run.json'),
  JSON.stringify({ ...run, config: init.config, validCharacters: valid.characters }),
);

console.error(
  `lm-parity: ${values.cell} 1x${values.hidden}, ${run.steps} steps of ${run.batchSize}x${run.seqLen}, ${kernels.name} kernels`,
);
let t0 = performance.now();
const ours = await trainLanguageModel({
  text: corpus.train,
  validText: corpus.valid!,
  tokenizer,
  model: config,
  seed: run.seed,
  batchSize: run.batchSize,
  seqLen: run.seqLen,
  lr: run.lr,
  clipNorm: run.clipNorm,
  maxSteps: run.steps,
  validEvery: run.steps + 1,
});
const oursSeconds = (performance.now() - t0) / 1000;
console.error(`recurrent: ${ours.valid!.bitsPerChar.toFixed(4)} bits/char (${oursSeconds.toFixed(0)} s)`);

t0 = performance.now();
const py = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'parity.py'), dir], {
  encoding: 'utf8',
  env: { ...process.env, OPENBLAS_NUM_THREADS: '2' },
  maxBuffer: 64 << 20,
});
if (py.status !== 0) throw new Error(`parity.py failed (${py.status}): ${py.stderr}`);
const torch = JSON.parse(py.stdout) as {
  valid: { bitsPerChar: number };
  trainSeconds: number;
  losses: number[];
};
const rel = (ours.valid!.bitsPerChar - torch.valid.bitsPerChar) / torch.valid.bitsPerChar;
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const result = {
  config: init.config,
  run,
  kernels: kernels.name,
  recurrent: {
    validBitsPerChar: ours.valid!.bitsPerChar,
    trainSeconds: oursSeconds,
    last50Loss: mean(ours.result.losses.slice(-50)),
  },
  pytorch: {
    validBitsPerChar: torch.valid.bitsPerChar,
    trainSeconds: torch.trainSeconds,
    last50Loss: mean(torch.losses.slice(-50)),
  },
  relativeDifference: rel,
  firstLosses: { recurrent: ours.result.losses.slice(0, 3), pytorch: torch.losses.slice(0, 3) },
};
console.error(
  `pytorch:   ${torch.valid.bitsPerChar.toFixed(4)} bits/char (${torch.trainSeconds.toFixed(0)} s)`,
);
console.error(`difference: ${(rel * 100).toFixed(2)}% (target: within 2%)`);
if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result));
