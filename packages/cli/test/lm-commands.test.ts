import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveLanguageModel, trainLanguageModel } from '@recurrent/language-model';
import { CharTokenizer } from '@recurrent/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands, runCli } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-cli-lm-'));
const modelPath = join(dir, 'tiny.safetensors');
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

/** A failure as the user sees it: one line on stderr, no stack trace, nothing on stdout. */
function expectOneLineError(
  r: { code: number; stdout: string; stderr: string },
  code: number,
  pattern: RegExp,
): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.trimEnd().split('\n');
  // commander adds its "(run with --help for usage)" hint after a usage error.
  expect(lines.length).toBeLessThanOrEqual(code === 2 ? 2 : 1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  const text = 'Call me Ishmael. Some years ago, never mind how long precisely, I went to sea.\n';
  const tokenizer = CharTokenizer.train([text]);
  // A few steps, so that generation spells characters rather than special tokens.
  const { model } = await trainLanguageModel({
    text: text.repeat(4),
    tokenizer,
    model: { hiddenSize: 16, embeddingDim: 8 },
    batchSize: 2,
    seqLen: 32,
    lr: 0.02,
    maxSteps: 40,
  });
  await saveLanguageModel(modelPath, { model, tokenizer });
});

describe('recurrent generate', () => {
  it('gives the same text for the same seed, and other text for another seed', async () => {
    const a = await cli(
      'generate',
      '--model',
      modelPath,
      '--prompt',
      'Call',
      '--seed',
      '5',
      '--max-tokens',
      '60',
    );
    const b = await cli(
      'generate',
      '--model',
      modelPath,
      '--prompt',
      'Call',
      '--seed',
      '5',
      '--max-tokens',
      '60',
    );
    const c = await cli(
      'generate',
      '--model',
      modelPath,
      '--prompt',
      'Call',
      '--seed',
      '6',
      '--max-tokens',
      '60',
    );
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    expect(a.stdout.startsWith('Call')).toBe(true);
    expect(a.stdout.length).toBeGreaterThan(40);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('rejects a prompt with a character outside the vocabulary', async () => {
    const r = await cli('generate', '--model', modelPath, '--prompt', 'Call Ж');
    expectOneLineError(
      r,
      1,
      /^recurrent: prompt character "Ж" at position 5: expected a character in the model's vocabulary/,
    );
  });

  it('rejects a corrupt model file', async () => {
    const good = readFileSync(modelPath);
    const truncated = join(dir, 'truncated.safetensors');
    writeFileSync(truncated, good.subarray(0, good.length - 100));
    expectOneLineError(
      await cli('generate', '--model', truncated),
      1,
      /^recurrent: .*truncated\.safetensors.*expected/,
    );
    const garbage = join(dir, 'garbage.safetensors');
    writeFileSync(garbage, Buffer.from('this is not a model file at all'));
    expectOneLineError(await cli('inspect', garbage), 1, /^recurrent: .*garbage\.safetensors.*expected/);
    expectOneLineError(
      await cli('generate', '--model', join(dir, 'absent.safetensors')),
      1,
      /absent\.safetensors: expected a readable file/,
    );
  });

  it('rejects bad flag values and unknown flags as usage errors', async () => {
    expectOneLineError(
      await cli('generate', '--model', modelPath, '--top-p', '2'),
      2,
      /--top-p.*expected a number in \[0, 1\]/,
    );
    expectOneLineError(await cli('generate', '--model', modelPath, '--bogus'), 2, /unknown option '--bogus'/);
  });
});

describe('recurrent train-lm', () => {
  it('rejects a missing, empty or binary corpus and unknown flags', async () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const binary = join(dir, 'binary.txt');
    writeFileSync(binary, Buffer.from([0x43, 0x61, 0x6c, 0x6c, 0x00, 0x01, 0x02]));
    expectOneLineError(
      await cli('train-lm', '--corpus', join(dir, 'absent.txt'), '--steps', '1'),
      1,
      /absent\.txt: expected a readable file/,
    );
    expectOneLineError(
      await cli('train-lm', '--corpus', empty, '--steps', '1'),
      1,
      /empty\.txt: expected a non-empty text file, got an empty file/,
    );
    expectOneLineError(
      await cli('train-lm', '--corpus', binary, '--steps', '1'),
      1,
      /binary\.txt: expected UTF-8 text, got binary data/,
    );
    expectOneLineError(
      await cli('train-lm', '--corpus', 'moby-dick', '--learning-rate', '1'),
      2,
      /unknown option '--learning-rate'/,
    );
    expectOneLineError(
      await cli('train-lm', '--corpus', 'moby-dick', '--resume'),
      2,
      /--resume needs --checkpoint-dir/,
    );
  });

  it('trains, saves a model that evaluate-lm and inspect read, and prints only the summary on stdout', async () => {
    const corpus = join(dir, 'corpus.txt');
    writeFileSync(corpus, 'the whale and the sea and the ship. '.repeat(80));
    const out = join(dir, 'trained.safetensors');
    const r = await cli(
      'train-lm',
      '--corpus',
      corpus,
      '--steps',
      '30',
      '--hidden',
      '16',
      '--embedding',
      '8',
      '--batch',
      '4',
      '--seq-len',
      '16',
      '--out',
      out,
      '--valid-every',
      '15',
      '--json',
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ model: out, steps: 30, stoppedBy: 'steps', tokenizer: 'char' });
    expect(summary.valid.bitsPerChar).toBeGreaterThan(0);
    expect(readFileSync(summary.curve, 'utf8')).toMatch(/^<svg/);
    const ev = await cli('evaluate-lm', '--model', out, '--text', corpus, '--json');
    expect(ev.code).toBe(0);
    const metrics = JSON.parse(ev.stdout);
    expect(metrics.characters).toBe(36 * 80);
    expect(metrics.bitsPerChar).toBeCloseTo(metrics.nats / Math.LN2 / metrics.characters, 10);
    const info = await cli('inspect', out, '--json');
    expect(JSON.parse(info.stdout)).toMatchObject({
      format: 'recurrent-language-model/1',
      metadata: { config: { hiddenSize: 16 } },
    });
  });
});

describe('the recurrent binary', () => {
  it('exits non-zero with one line and no stack trace for a corrupt model file', () => {
    const garbage = join(dir, 'garbage2.safetensors');
    writeFileSync(garbage, Buffer.alloc(64, 0xff));
    const r = spawnSync(process.execPath, [bin, 'generate', '--model', garbage], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^recurrent: .*garbage2\.safetensors/);
  });

  it('prints help for every language-model command', async () => {
    for (const c of ['train-lm', 'generate', 'evaluate-lm', 'inspect']) {
      const r = await cli(c, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: recurrent ${c}`));
    }
  });
});
