import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SentencePieceTokenizer,
  type TrainTokenizerOptions,
  trainTokenizer,
  writeModelProto,
} from '@recurrent/tokenizers';
import spjs from 'sentencepiece-js';
import { afterAll, describe, expect, it } from 'vitest';
import { mixedLines } from './support/mixed-corpus.ts';
import { mobyDickLines } from './support/moby-dick.ts';
import { spmEncodeIds, spmEncodePieces } from './support/spm-cli.ts';

// Models trained by OUR trainer must load in Debian's spm_encode (0.1.97) and in sentencepiece-js, and all
// three encoders (with ours) must give identical ids on text none of them was trained on.

const moby = mobyDickLines();
const mobyTrain = moby.slice(0, 4000);
// Seed 1 trains, seed 2 tests: unseen multilingual text, with accents, CJK, emoji and odd whitespace.
const mixedTrain = [...moby.slice(0, 1500), ...mixedLines(1, 1500, moby)];
const heldOut = [...moby.slice(6000, 6800), ...mixedLines(2, 1200, moby)];

const work = mkdtempSync(join(tmpdir(), 'trainer-spm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cases: Array<[string, string[], Partial<TrainTokenizerOptions>]> = [
  ['unigram', mobyTrain, { modelType: 'unigram', vocabSize: 1000 }],
  ['bpe', mobyTrain, { modelType: 'bpe', vocabSize: 1000 }],
  [
    'unigram, multilingual, byte fallback, user symbols',
    mixedTrain,
    {
      modelType: 'unigram',
      vocabSize: 1500,
      byteFallback: true,
      characterCoverage: 0.98,
      userDefinedSymbols: ['<sep>', '🐳', 'whale'],
    },
  ],
  [
    'bpe, multilingual, byte fallback, split digits',
    mixedTrain,
    { modelType: 'bpe', vocabSize: 1500, byteFallback: true, characterCoverage: 0.98, splitDigits: true },
  ],
];

describe.each(cases)('a %s model from trainTokenizer', (name, lines, options) => {
  const bytes = writeModelProto(trainTokenizer(lines, options));
  const path = join(work, `${name.replace(/[^a-z]+/g, '-')}.model`);
  writeFileSync(path, bytes);
  const ours = SentencePieceTokenizer.fromBytes(bytes);

  it('encodes held-out text to the same ids in spm_encode, sentencepiece-js and our encoder', async () => {
    const spm = spmEncodeIds(path, heldOut); // throws if spm_encode cannot load the model
    expect(spm.length).toBe(heldOut.length);
    const js = new spjs.SentencePieceProcessor();
    await js.load(path);
    const bad: string[] = [];
    heldOut.forEach((line, i) => {
      const ref = (spm[i] ?? []).join(' ');
      const a = Array.from(ours.encode(line)).join(' ');
      const b = js.encodeIds(line).join(' ');
      if (a !== ref || b !== ref) bad.push(`${JSON.stringify(line)}\n  spm ${ref}\n  ours ${a}\n  js ${b}`);
    });
    expect(bad.slice(0, 3)).toEqual([]);
    // The text must exercise the model: most lines need several pieces, some need unknown or byte pieces.
    expect(spm.filter((ids) => ids.length > 5).length).toBeGreaterThan(heldOut.length / 2);
  });

  it("gives spm_encode's pieces", () => {
    const sample = heldOut.filter((_, i) => i % 4 === 0);
    expect(sample.map((l) => ours.encodeAsPieces(l).join(' '))).toEqual(spmEncodePieces(path, sample));
  });
});

/** Trains spm_train with the same settings and returns the model bytes. */
function spmTrain(lines: readonly string[], modelType: string, vocabSize: number): Uint8Array {
  const input = join(work, `spm-input-${modelType}.txt`);
  writeFileSync(input, `${lines.join('\n')}\n`);
  const prefix = join(work, `spm-${modelType}`);
  execFileSync('spm_train', [
    `--input=${input}`,
    `--model_prefix=${prefix}`,
    `--vocab_size=${vocabSize}`,
    `--model_type=${modelType}`,
    '--num_threads=2',
    '--minloglevel=2',
  ]);
  return new Uint8Array(readFileSync(`${prefix}.model`));
}

function tokensPerChar(tok: SentencePieceTokenizer, lines: readonly string[]): number {
  let tokens = 0;
  let chars = 0;
  for (const line of lines) {
    tokens += tok.encode(line).length;
    chars += [...line].length;
  }
  return tokens / chars;
}

describe.each(['unigram', 'bpe'] as const)('%s quality against spm_train', (modelType) => {
  it('segments held-out Moby-Dick within 2% of the tokens of an spm_train model with the same settings', () => {
    const test = moby.slice(6000, 7000);
    const ours = SentencePieceTokenizer.fromSpec(trainTokenizer(mobyTrain, { modelType, vocabSize: 1000 }));
    const spm = SentencePieceTokenizer.fromBytes(spmTrain(mobyTrain, modelType, 1000));
    const ratio = tokensPerChar(ours, test) / tokensPerChar(spm, test);
    expect(ratio).toBeGreaterThan(0.98);
    expect(ratio).toBeLessThan(1.02);
  });
});
