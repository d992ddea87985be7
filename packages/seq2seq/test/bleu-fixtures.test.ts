/**
 * Runs every sacreBLEU 2.6.0 golden case (one test per JSON file) against our BLEU / chrF / chrF++.
 * `BLEU_FIXTURES=<dir> pnpm test:bleu` points the same suite at another directory in that format.
 * Integers (n-gram counts, lengths, chrF statistics) are compared exactly, floats to 1e-9 as the
 * fixtures' README asks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BleuOptions,
  type BleuSmoothMethod,
  type BleuTokenizerName,
  type ChrfOptions,
  corpusBleu,
  corpusChrf,
  sentenceBleu,
  sentenceChrf,
} from '@recurrent/seq2seq';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = resolve(process.env.BLEU_FIXTURES ?? join(here, 'fixtures', 'bleu'));
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

const TOLERANCE = 1e-9;

interface BleuCase {
  kind: 'bleu';
  config: {
    level: 'corpus' | 'sentence';
    tokenize: BleuTokenizerName;
    lowercase: boolean;
    smooth_method: BleuSmoothMethod;
    smooth_value: number | null;
    use_effective_order: boolean;
    max_ngram_order: number;
  };
  inputs: { hypotheses: string[]; references: string[][] };
  outputs: {
    score: number;
    counts: number[];
    totals: number[];
    precisions: number[];
    bp: number;
    sys_len: number;
    ref_len: number;
  };
}

interface ChrfCase {
  kind: 'chrf';
  config: {
    level: 'corpus' | 'sentence';
    char_order: number;
    word_order: number;
    beta: number;
    lowercase: boolean;
    whitespace: boolean;
    eps_smoothing: boolean;
  };
  inputs: { hypotheses: string[]; references: string[][] };
  outputs: { score: number };
  debug?: { stats?: number[] };
}

function closeTo(actual: number, expected: number, what: string): void {
  if (!(Math.abs(actual - expected) <= TOLERANCE)) {
    throw new Error(`${what} = ${actual}, reference ${expected} (|diff| ${Math.abs(actual - expected)})`);
  }
}

function closeAll(actual: readonly number[], expected: readonly number[], what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  expected.forEach((e, i) => {
    closeTo(actual[i]!, e, `${what}[${i}]`);
  });
}

/** Integers exactly; add-k makes counts fractional when its constant is, so those go through closeTo. */
function exactOrClose(actual: readonly number[], expected: readonly number[], what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  expected.forEach((e, i) => {
    if (Number.isInteger(e)) expect(actual[i], `${what}[${i}]`).toBe(e);
    else closeTo(actual[i]!, e, `${what}[${i}]`);
  });
}

function runBleu(c: BleuCase, file: string): void {
  const cfg = c.config;
  const options: BleuOptions = {
    tokenize: cfg.tokenize,
    lowercase: cfg.lowercase,
    smoothMethod: cfg.smooth_method,
    useEffectiveOrder: cfg.use_effective_order,
    maxNgramOrder: cfg.max_ngram_order,
    ...(cfg.smooth_value === null ? {} : { smoothValue: cfg.smooth_value }),
  };
  const { hypotheses, references } = c.inputs;
  let got: ReturnType<typeof corpusBleu>;
  if (cfg.level === 'sentence') {
    expect(hypotheses.length, `${file}: a sentence case has one hypothesis`).toBe(1);
    got = sentenceBleu(
      hypotheses[0]!,
      references.map((set) => set[0]!),
      options,
    );
  } else {
    got = corpusBleu(hypotheses, references, options);
  }
  const want = c.outputs;
  expect(got.sysLen, `${file}: sys_len`).toBe(want.sys_len);
  expect(got.refLen, `${file}: ref_len`).toBe(want.ref_len);
  exactOrClose(got.counts, want.counts, `${file}: counts`);
  exactOrClose(got.totals, want.totals, `${file}: totals`);
  closeAll(got.precisions, want.precisions, `${file}: precisions`);
  closeTo(got.bp, want.bp, `${file}: bp`);
  closeTo(got.score, want.score, `${file}: score`);
}

function runChrf(c: ChrfCase, file: string): void {
  const cfg = c.config;
  const options: ChrfOptions = {
    charOrder: cfg.char_order,
    wordOrder: cfg.word_order,
    beta: cfg.beta,
    lowercase: cfg.lowercase,
    whitespace: cfg.whitespace,
    epsSmoothing: cfg.eps_smoothing,
  };
  const { hypotheses, references } = c.inputs;
  const got =
    cfg.level === 'sentence'
      ? sentenceChrf(
          hypotheses[0]!,
          references.map((set) => set[0]!),
          options,
        )
      : corpusChrf(hypotheses, references, options);
  if (c.debug?.stats !== undefined) expect(got.stats, `${file}: stats`).toEqual(c.debug.stats);
  closeTo(got.score, c.outputs.score, `${file}: score`);
}

describe(`sacreBLEU fixtures in ${dir}`, () => {
  it('the directory holds fixture files', () => {
    expect(files.length, `no *.json fixture files in ${dir}`).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, () => {
      const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as BleuCase | ChrfCase | { kind: unknown };
      if (c.kind === 'bleu') runBleu(c as BleuCase, file);
      else if (c.kind === 'chrf') runChrf(c as ChrfCase, file);
      else
        throw new Error(`${file}: unknown fixture kind ${JSON.stringify(c.kind)}: expected "bleu" or "chrf"`);
    });
  }
});
