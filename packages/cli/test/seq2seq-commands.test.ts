import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { translateLines } from '../src/commands/translate.ts';
import { commands, runCli } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-cli-s2s-'));
const pairsPath = join(dir, 'pairs.tsv');
const modelPath = join(dir, 'tiny.safetensors');

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

/** A failure as the user sees it: one line on stderr (plus commander's usage hint), nothing on stdout. */
function expectOneLineError(
  r: { code: number; stdout: string; stderr: string },
  code: number,
  pattern: RegExp,
): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.length).toBeLessThanOrEqual(code === 2 ? 2 : 1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  const words = ['red', 'green', 'blue', 'black', 'white', 'brown', 'grey', 'pink', 'gold', 'silver'];
  const lines: string[] = [];
  for (const a of words) for (const b of words) lines.push(`${a} ${b}\t${b} ${a}`);
  writeFileSync(pairsPath, `${lines.join('\n')}\n`);
  const r = await cli(
    'train-seq2seq',
    '--pairs',
    pairsPath,
    '--steps',
    '3',
    '--hidden',
    '8',
    '--embedding',
    '8',
    '--vocab',
    '40',
    '--batch',
    '16',
    '--out',
    modelPath,
    '--json',
  );
  if (r.code !== 0) throw new Error(`train-seq2seq failed: ${r.stderr}`);
}, 120_000);

describe('seq2seq commands', () => {
  it('train-seq2seq saves one model file and the held-out pairs', () => {
    expect(existsSync(modelPath)).toBe(true);
    const test = readFileSync(`${modelPath}.test.tsv`, 'utf8').trim().split('\n');
    expect(test.length).toBeGreaterThan(0);
    expect(test[0]).toMatch(/^\S+ \S+\t\S+ \S+$/);
  });

  it('translate gives one output line per input line, and an attention heatmap', () => {
    const heatmap = join(dir, 'h.svg');
    const out = translateLines({ model: modelPath, beam: 3, lengthPenalty: 0.6, maxLength: 8, heatmap }, [
      'red blue',
      '',
      'gold pink',
    ]);
    expect(out.length).toBe(3);
    expect(out[1]).toBe('');
    if (existsSync(heatmap)) expect(readFileSync(heatmap, 'utf8').startsWith('<svg')).toBe(true);
  });

  it('evaluate-seq2seq prints BLEU and chrF as JSON', async () => {
    const r = await cli(
      'evaluate-seq2seq',
      '--model',
      modelPath,
      '--pairs',
      `${modelPath}.test.tsv`,
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.bleu).toBeGreaterThanOrEqual(0);
    expect(j.chrf).toBeGreaterThanOrEqual(0);
    expect(j.wer).toBeUndefined();
  });

  it('bad input gives a one-line error', async () => {
    expectOneLineError(
      await cli('translate', '--model', join(dir, 'missing.safetensors')),
      2,
      /--model: no such file/,
    );
    expectOneLineError(
      await cli('translate', '--model', modelPath, '--beam', '0'),
      2,
      /beam.*expected an integer >= 1/,
    );
    expectOneLineError(
      await cli('train-seq2seq', '--pairs', join(dir, 'nope.tsv')),
      2,
      /--pairs: expected a TSV file/,
    );
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a model at all');
    expectOneLineError(
      await cli('evaluate-seq2seq', '--model', junk, '--pairs', pairsPath),
      1,
      /junk\.safetensors/,
    );
    expectOneLineError(await cli('evaluate-seq2seq', '--model', modelPath), 2, /--pairs/);
  });
});
