import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTextClassifier } from '@recurrent/classifiers';
import { Rng } from '@recurrent/core';
import { afterAll, describe, expect, it } from 'vitest';
import { commands, runCli } from '../src/index.ts';
import { pretrainedVectors } from '../src/sentiment/pretrained-vectors.ts';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-cli-sentiment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(import.meta.dirname, '..', 'bin', 'recurrent.mjs');

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, commands, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

const GOOD = ['great', 'loved', 'wonderful', 'excellent', 'tasty'];
const BAD = ['awful', 'hated', 'terrible', 'boring', 'bland'];
const FILLER = ['the', 'food', 'film', 'was', 'really', 'and', 'service', 'plot', 'this'];

/** `label \t text` lines with label names that are not 0/1 (any names must work). */
function tsv(n: number, seed: number): string {
  const rng = new Rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const good = i % 2 === 0;
    const words = Array.from({ length: 3 + rng.int(4) }, () => FILLER[rng.int(FILLER.length)]!);
    const pool = good ? GOOD : BAD;
    words.splice(rng.int(words.length), 0, pool[rng.int(pool.length)]!);
    lines.push(`${good ? 'thumbs-up' : 'thumbs-down'}\t${words.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

const trainPath = join(dir, 'train.tsv');
const testPath = join(dir, 'test.tsv');
writeFileSync(trainPath, tsv(80, 1));
writeFileSync(testPath, tsv(30, 2));
const tiny = [
  '--epochs',
  '3',
  '--embedding',
  '12',
  '--hidden',
  '8',
  '--lr',
  '0.01',
  '--no-lexicon',
  '--no-pretrain',
  '--ensemble',
  '2',
];

describe('recurrent evaluate-sentiment', () => {
  it('compares our classifier with the baselines on --train/--test and prints one JSON line', async () => {
    const r = await cli(
      'evaluate-sentiment',
      '--train',
      trainPath,
      '--test',
      testPath,
      '--baselines',
      'afinn,bayes',
      ...tiny,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    expect(j.accuracy).toBeGreaterThanOrEqual(0);
    expect(j.accuracy).toBeLessThanOrEqual(1);
    expect(typeof j.macro_f1).toBe('number');
    expect(Object.keys(j.f1).sort()).toEqual(['thumbs-down', 'thumbs-up']);
    expect(Object.keys(j.baselines)).toEqual(['natural AFINN SentimentAnalyzer', 'natural BayesClassifier']);
    expect(j.evaluation).toMatch(/train file \(80\) -> test file \(30\)/);
    // Progress goes to stderr, never stdout.
    expect(r.stderr).toMatch(/fold 1\/1 {2}natural BayesClassifier: accuracy/);
  });

  it('prints one table and writes a report folder with k-fold cross-validation', async () => {
    const report = join(dir, 'report');
    const r = await cli(
      'evaluate-sentiment',
      '--train',
      trainPath,
      '--folds',
      '3',
      '--baselines',
      'bayes',
      ...tiny,
      '--report',
      report,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stratified 3-fold cross-validation/);
    expect(r.stdout.match(/^system\s+accuracy %/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^recurrent biGRU x2 \(max pooling\) \+ NB n-grams\s+\d+\.\d\d ± \d+\.\d\d/m);
    expect(r.stdout).toMatch(/vs best baseline \(natural BayesClassifier\): [+-]\d+\.\d\d accuracy points/);
    for (const f of [
      'report.md',
      'results.json',
      'training-curve.svg',
      'confusion-natural-bayesclassifier.svg',
    ]) {
      expect(existsSync(join(report, f)), f).toBe(true);
    }
    expect(readFileSync(join(report, 'report.md'), 'utf8')).toMatch(/## Accuracy per fold/);
  });

  it('skips malformed lines with a warning naming each line, or rejects them with --strict', async () => {
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, `${tsv(40, 3)}no tab on this line\nthumbs-up\t\n${tsv(10, 4)}`);
    const r = await cli(
      'evaluate-sentiment',
      '--train',
      bad,
      '--folds',
      '2',
      '--baselines',
      'none',
      ...tiny,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/bad\.tsv line 41 skipped: expected 2 tab-separated fields, got 1/);
    expect(r.stderr).toMatch(/bad\.tsv line 42 skipped: empty text/);
    const strict = await cli('evaluate-sentiment', '--train', bad, '--folds', '2', ...tiny, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(/line 41/);
    expect(strict.stderr).toMatch(/line 42/);
    expect(strict.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a single-class training file with a clear data error', async () => {
    const one = join(dir, 'one.tsv');
    writeFileSync(one, 'good\tnice film\ngood\tgreat food\ngood\tlovely\n');
    const r = await cli('evaluate-sentiment', '--train', one, '--folds', '2', ...tiny);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/at least two labels/);
    expect(r.stderr).toMatch(/only "good"/);
  });

  it('treats contradictory flags as usage errors', async () => {
    const r = await cli('evaluate-sentiment', '--train', trainPath, '--test', testPath, '--folds', '3');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/leave out --folds/);
    expect((await cli('evaluate-sentiment', '--folds', '1')).code).toBe(2);
    expect((await cli('evaluate-sentiment', '--baselines', 'svm')).code).toBe(2);
    const w = await cli('evaluate-sentiment', '--ngram-weight', '1.5');
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--ngram-weight/);
    expect((await cli('evaluate-sentiment', '--ensemble', '0')).code).toBe(2);
    expect((await cli('evaluate-sentiment', '--test', testPath)).code).toBe(1);
  });
});

describe('recurrent classify', () => {
  const model = join(dir, 'model.safetensors');

  it('saves a model from evaluate-sentiment and labels lines with probabilities', async () => {
    const r = await cli(
      'evaluate-sentiment',
      '--train',
      trainPath,
      '--test',
      testPath,
      '--baselines',
      'none',
      ...tiny,
      '--save-model',
      model,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(model)).toBe(true);
    // The saved classifier is the evaluated one: both recurrent models and the n-gram model.
    const { classifier: saved } = await loadTextClassifier(model);
    expect(saved.models).toHaveLength(2);
    expect(saved.ngrams).not.toBeNull();
    expect(saved.ngramWeight).toBe(0.5);
    const input = join(dir, 'input.txt');
    writeFileSync(input, 'the food was wonderful\n\nawful and boring plot\n');
    const c = await cli('classify', '--model', model, '--input', input);
    expect(c.code, c.stderr).toBe(0);
    const lines = c.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const [label, probs] = line.split('\t');
      expect(['thumbs-up', 'thumbs-down']).toContain(label);
      const ps = probs!.split(' ').map((p) => Number(p.split('=')[1]));
      expect(ps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    }
    expect(lines[0]!.endsWith('\tthe food was wonderful')).toBe(true);
    const j = await cli('classify', '--model', model, '--input', input, '--json');
    expect(JSON.parse(j.stdout.split('\n')[2]!)).toMatchObject({ text: 'awful and boring plot' });
  });

  it('reads stdin when run as a program', () => {
    const p = spawnSync(process.execPath, [bin, 'classify', '--model', model], {
      input: 'great film\nterrible film\n',
      encoding: 'utf8',
    });
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('reports a missing or foreign model file in one line', async () => {
    const missing = await cli('classify', '--model', join(dir, 'missing.safetensors'));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a model at all');
    const foreign = await cli('classify', '--model', junk);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/junk\.safetensors/);
  });
});

describe('pretrained word vectors', () => {
  it('trains on the unlabelled sentences minus the evaluation texts, then reads the cache', async () => {
    const sentences: string[] = Array.from({ length: 60 }, (_, i) =>
      i % 2 ? 'the food was great and tasty' : 'the plot was boring and awful',
    );
    sentences.push('a sentence from the test set');
    const cacheDir = join(dir, 'cache');
    const logs: string[] = [];
    const options = {
      exclude: ['A sentence from the test set'],
      cacheDir,
      skipGram: { dim: 8, epochs: 1, minCount: 1, seed: 1 },
      corpus: { sentences, checksum: 'test' },
      log: (l: string) => logs.push(l),
    };
    const first = await pretrainedVectors(options);
    expect(first.has('food')).toBe(true);
    // The excluded sentence's own words never reach the vectors.
    expect(first.has('sentence')).toBe(false);
    expect(logs.join('\n')).toMatch(/skip-gram on 60 unlabelled sentences/);
    const second = await pretrainedVectors(options);
    expect(logs.at(-1)).toMatch(/cached/);
    expect(Array.from(second.get('food')!)).toEqual(Array.from(first.get('food')!));
  });
});
