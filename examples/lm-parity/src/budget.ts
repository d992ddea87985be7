/**
 * The PyTorch reference for `recurrent train-lm --corpus moby-dick --minutes N`: the same kind of model
 * (recurrent's initial weights, its tokenizer's ids, its held-out chapters and evaluation) trained by
 * PyTorch for N minutes of wall clock, then scored on the validation and test chapters. It answers "how
 * far does this machine get in N minutes at PyTorch's speed", which is what a bits/char target within a
 * time budget depends on. Run: `pnpm --filter @recurrent/example-lm-parity budget -- --minutes 20
 * [--hidden 256] [--batch 32] [--lr 0.003] [--threads 1]`.
 *
 * Needs /usr/bin/python3 with PyTorch (Debian: `apt-get install python3-torch libopenblas0-pthread`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeSafetensors, Rng } from '@recurrent/core';
import { LanguageModel, type LanguageModelConfig, prepareEvaluation } from '@recurrent/language-model';
import { CharTokenizer } from '@recurrent/tokenizers';
import { mobyDickCorpus } from 'recurrent';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    minutes: { type: 'string', default: '20' },
    hidden: { type: 'string', default: '256' },
    embedding: { type: 'string', default: '64' },
    layers: { type: 'string', default: '1' },
    cell: { type: 'string', default: 'lstm' },
    batch: { type: 'string', default: '32' },
    'seq-len': { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.003' },
    seed: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});

const corpus = mobyDickCorpus();
const tokenizer = CharTokenizer.train([corpus.train]);
const config: LanguageModelConfig = {
  vocabSize: tokenizer.vocabSize,
  cell: values.cell as 'lstm' | 'gru',
  hiddenSize: Number(values.hidden),
  embeddingDim: Number(values.embedding),
  numLayers: Number(values.layers),
};
const run = {
  minutes: Number(values.minutes),
  batchSize: Number(values.batch),
  seqLen: Number(values['seq-len']),
  lr: Number(values.lr),
  clipNorm: 1,
  seed: Number(values.seed),
  threads: Number(values.threads),
};
const dir = mkdtempSync(join(tmpdir(), 'lm-budget-'));
const init = new LanguageModel(config, { rng: new Rng(run.seed) });
writeFileSync(join(dir, 'init.safetensors'), encodeSafetensors(init.parameters()));
writeFileSync(join(dir, 'train.i32'), tokenizer.encode(corpus.train));
const valid = prepareEvaluation(tokenizer, corpus.valid!);
const test = prepareEvaluation(tokenizer, corpus.test!);
writeFileSync(join(dir, 'valid.i32'), valid.ids);
writeFileSync(join(dir, 'test.i32'), test.ids);
writeFileSync(
  join(dir, 'run.json'),
  JSON.stringify({
    ...run,
    config: init.config,
    validCharacters: valid.characters,
    testCharacters: test.characters,
  }),
);
console.error(
  `lm-budget: PyTorch ${config.cell} ${config.numLayers}x${config.hiddenSize}, B ${run.batchSize} T ${run.seqLen}, lr ${run.lr} (cosine over the budget), ${run.minutes} min, OpenBLAS ${run.threads} thread(s)`,
);
const py = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'budget.py'), dir, String(run.minutes)], {
  encoding: 'utf8',
  env: { ...process.env, OPENBLAS_NUM_THREADS: String(run.threads) },
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 64 << 20,
});
if (py.status !== 0) {
  console.error(`budget.py failed (exit ${py.status})`);
  process.exit(1);
}
const torch = JSON.parse(py.stdout) as {
  steps: number;
  trainSeconds: number;
  characters: number;
  valid: { bitsPerChar: number };
  test: { bitsPerChar: number };
};
const result = { config: init.config, run, pytorch: torch };
console.error(
  `pytorch: ${torch.steps} steps (${(torch.characters / 1e6).toFixed(1)} M characters) in ${torch.trainSeconds.toFixed(0)} s: valid ${torch.valid.bitsPerChar.toFixed(3)}, test ${torch.test.bitsPerChar.toFixed(3)} bits/char`,
);
if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result));
