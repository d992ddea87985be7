import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, FormatError } from '@recurrent/core';
import { loadMobyDick } from '@recurrent/corpora';
import { SentencePieceTokenizer } from '@recurrent/tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import * as tokenize from '../src/commands/tokenize.ts';
import * as trainTokenizer from '../src/commands/train-tokenizer.ts';
import { runCli } from '../src/run-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'cli-tokenizer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A small English training text: the paragraphs of the first ten chapters of Moby-Dick.
const lines = loadMobyDick()
  .items.slice(0, 10)
  .flatMap((c) => c.text.split('\n'))
  .filter((l) => l.trim() !== '');
const input = join(work, 'train.txt');
writeFileSync(input, `${lines.join('\n')}\n`);

async function* from(xs: string[]): AsyncIterable<string> {
  yield* xs;
}

function capture(): {
  out: string[];
  err: string[];
  io: { stdout: (s: string) => void; stderr: (s: string) => void };
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s) } };
}

describe('train-tokenizer', () => {
  it('trains a model, writes it atomically and reports on stderr only', async () => {
    const output = join(work, 'bpe.model');
    const err: string[] = [];
    await trainTokenizer.trainTokenizerAction(
      { input, output, vocabSize: 300, modelType: 'bpe' },
      { stderr: (s) => err.push(s) },
    );
    const tok = SentencePieceTokenizer.fromBytes(new Uint8Array(readFileSync(output)));
    expect(tok.vocabSize).toBe(300);
    expect(tok.model.trainerSpec?.modelType).toBe('BPE');
    expect(err.join('')).toMatch(/^wrote .*bpe\.model: bpe, 300 pieces/);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('passes user symbols, byte fallback and coverage through', async () => {
    const output = join(work, 'unigram.model');
    await trainTokenizer.trainTokenizerAction(
      {
        input,
        output,
        vocabSize: 600,
        modelType: 'unigram',
        characterCoverage: 0.99,
        userDefinedSymbols: ['<sep>'],
        byteFallback: true,
      },
      { stderr: () => {} },
    );
    const tok = SentencePieceTokenizer.fromBytes(new Uint8Array(readFileSync(output)));
    expect(tok.idToPiece(3)).toBe('<sep>');
    expect(tok.idToPiece(4)).toBe('<0x00>');
    expect(tok.model.trainerSpec?.characterCoverage).toBeCloseTo(0.99, 6);
  });

  it('reports an unreadable input or output as DataError and leaves no file behind', async () => {
    await expect(
      trainTokenizer.trainTokenizerAction(
        { input: join(work, 'missing.txt'), output: join(work, 'x.model'), vocabSize: 300, modelType: 'bpe' },
        { stderr: () => {} },
      ),
    ).rejects.toThrow(DataError);
    const output = join(work, 'no-such-dir', 'x.model');
    await expect(
      trainTokenizer.trainTokenizerAction(
        { input, output, vocabSize: 300, modelType: 'bpe' },
        { stderr: () => {} },
      ),
    ).rejects.toThrow(/output file .*no-such-dir/);
    expect(readdirSync(work).some((f) => f.startsWith('x.model'))).toBe(false);
  });

  it('exits 2 with one line on stderr for usage errors, 1 for data errors, with nothing on stdout', async () => {
    const run = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      const c = capture();
      const code = await runCli(argv, [trainTokenizer, tokenize], c.io);
      return { code, out: c.out.join(''), err: c.err.join('') };
    };
    const output = join(work, 'cli.model');
    const badSize = await run([
      'train-tokenizer',
      '--input',
      input,
      '--output',
      output,
      '--vocab-size',
      'lots',
    ]);
    expect(badSize.code).toBe(2);
    expect(badSize.out).toBe('');
    expect(badSize.err).toMatch(/vocab-size/);
    const badType = await run([
      'train-tokenizer',
      '--input',
      input,
      '--output',
      output,
      '--model-type',
      'wordpiece',
    ]);
    expect(badType.code).toBe(2);
    expect(badType.err).toMatch(/model-type/);
    const missing = await run(['train-tokenizer', '--output', output]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--input/);
    const tooSmall = await run([
      'train-tokenizer',
      '--input',
      input,
      '--output',
      output,
      '--vocab-size',
      '10',
    ]);
    expect(tooSmall.code).toBe(1);
    expect(tooSmall.err).toMatch(/^recurrent: .*vocabSize: expected at least \d+.*got 10\n$/);
    expect(tooSmall.out).toBe('');
    const ok = await run(['train-tokenizer', '--input', input, '--output', output, '--vocab-size', '250']);
    expect(ok.code).toBe(0);
    expect(ok.out).toBe('');
    expect(SentencePieceTokenizer.fromBytes(new Uint8Array(readFileSync(output))).vocabSize).toBe(250);
  });
});

describe('tokenize', () => {
  const model = join(work, 'tok.model');

  it('writes the ids of each input line, one line each', async () => {
    await trainTokenizer.trainTokenizerAction(
      { input, output: model, vocabSize: 400, modelType: 'unigram' },
      { stderr: () => {} },
    );
    const tok = SentencePieceTokenizer.fromBytes(new Uint8Array(readFileSync(model)));
    const text = ['Call me Ishmael.', '', 'Some years ago, never mind how long precisely.'];
    const out: string[] = [];
    await tokenize.tokenizeAction({ model }, { lines: from(text), stdout: (s) => out.push(s) });
    const expected = text.map((l) => `${Array.from(tok.encode(l)).join(' ')}\n`).join('');
    expect(out.join('')).toBe(expected);
    expect(out.join('').split('\n')).toHaveLength(text.length + 1);
    expect(out.join('').split('\n')[1]).toBe('');
  });

  it('writes pieces with --pieces', async () => {
    const out: string[] = [];
    await tokenize.tokenizeAction(
      { model, pieces: true },
      { lines: from(['Call me Ishmael.']), stdout: (s) => out.push(s) },
    );
    const text = out.join('');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split(' ').join('').replaceAll('▁', ' ').trim()).toBe('Call me Ishmael.');
    expect(text).toMatch(/^▁/);
  });

  it('rejects a missing or corrupt model with a typed error', async () => {
    await expect(
      tokenize.tokenizeAction({ model: join(work, 'none.model') }, { lines: from(['x']), stdout: () => {} }),
    ).rejects.toThrow(DataError);
    const junk = join(work, 'junk.model');
    writeFileSync(junk, 'this is not a model');
    await expect(
      tokenize.tokenizeAction({ model: junk }, { lines: from(['x']), stdout: () => {} }),
    ).rejects.toThrow(FormatError);
  });
});
