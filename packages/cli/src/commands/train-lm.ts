import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  evaluateText,
  type LanguageModelConfig,
  type LanguageModelMetrics,
  saveLanguageModel,
  trainLanguageModel,
} from '@recurrent/language-model';
import { type Command, Option } from 'commander';
import { useFastestBackend } from '../lm/backend.ts';
import { commandIo, intFlag, numberFlag, positiveNumberFlag } from '../lm/flags.ts';
import { loadLmCorpus } from '../lm/lm-corpus.ts';
import { chooseTokenizer } from '../lm/tokenizer-choice.ts';
import { UsageError } from '../run-cli.ts';
import { trainProgress } from '../train-progress.ts';
import { renderTrainingCurve } from '../training-curve.ts';

/** Parsed flags of `recurrent train-lm`. */
export interface TrainLmFlags {
  corpus: string;
  valid?: string;
  tokenizer: string;
  minutes?: number;
  steps?: number;
  seed: number;
  out: string;
  checkpointDir?: string;
  checkpointEvery: number;
  resume?: boolean;
  cell: 'lstm' | 'gru';
  hidden: number;
  embedding: number;
  layers: number;
  dropout: number;
  tie?: boolean;
  batch: number;
  seqLen: number;
  lr: number;
  clip: number;
  schedule: 'constant' | 'cosine';
  validEvery: number;
  validChars?: number;
  patience?: number;
  curve?: string | false;
  json?: boolean;
  /** Evaluate on the held-out text (default true; the quickstart turns it off to save time). */
  evaluate?: boolean;
}

/** What `train-lm` prints on stdout (as JSON with `--json`). */
export interface TrainLmSummary {
  model: string;
  steps: number;
  minutes: number;
  stoppedBy: string;
  corpus: string;
  tokenizer: string;
  parameters: number;
  valid: LanguageModelMetrics | null;
  test: LanguageModelMetrics | null;
  curve: string | null;
}

/** Trains, saves the model (and the curve), and returns the summary. */
export async function trainLmAction(flags: TrainLmFlags, log: (s: string) => void): Promise<TrainLmSummary> {
  if (flags.resume && flags.checkpointDir === undefined) {
    throw new UsageError('--resume needs --checkpoint-dir (where the checkpoint to resume from is)');
  }
  if (flags.schedule === 'cosine' && flags.steps === undefined) {
    throw new UsageError('--schedule cosine needs --steps (the length of the annealing)');
  }
  if (flags.tie && flags.embedding !== flags.hidden) {
    throw new UsageError(
      `--tie needs --embedding equal to --hidden (${flags.hidden}), got ${flags.embedding}`,
    );
  }
  const minutes = flags.steps === undefined && flags.minutes === undefined ? 5 : flags.minutes;
  const kernels = await useFastestBackend();
  const loaded = loadLmCorpus(flags.corpus, flags.valid);
  const corpus = flags.evaluate === false ? { ...loaded, valid: null, test: null } : loaded;
  const tokenizer = await chooseTokenizer(flags.tokenizer, corpus.train);
  const model: Omit<LanguageModelConfig, 'vocabSize'> = {
    cell: flags.cell,
    embeddingDim: flags.embedding,
    hiddenSize: flags.hidden,
    numLayers: flags.layers,
    dropout: flags.dropout,
    tieWeights: flags.tie ?? false,
  };
  const recipe = {
    corpus: corpus.checksum,
    tokenizer: tokenizer.toJSON(),
    model,
    seed: flags.seed,
    batch: flags.batch,
    seqLen: flags.seqLen,
    lr: flags.lr,
    clip: flags.clip,
    schedule: flags.schedule,
    ...(flags.schedule === 'cosine' ? { steps: flags.steps } : {}),
  };
  const tag = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
  let checkpoint: { path: string; every: number; resume: boolean; tag: string } | undefined;
  if (flags.checkpointDir !== undefined) {
    await mkdir(flags.checkpointDir, { recursive: true });
    checkpoint = {
      path: join(flags.checkpointDir, 'train-lm.ckpt.safetensors'),
      every: flags.checkpointEvery,
      resume: flags.resume ?? false,
      tag,
    };
  }
  log(
    `train-lm: ${corpus.name} (${corpus.train.length} characters), ${tokenizer.kind} tokenizer (${tokenizer.vocabSize} tokens), ` +
      `${flags.cell} ${flags.layers}x${flags.hidden}, ${kernels.name} kernels${kernels.threads > 1 ? ` x${kernels.threads}` : ''}\n`,
  );
  const progress = trainProgress({ write: log });
  // Ctrl-C stops at the next step boundary; the checkpoint and the model are still written.
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let trained: Awaited<ReturnType<typeof trainLanguageModel>>;
  try {
    trained = await trainLanguageModel({
      text: corpus.train,
      ...(corpus.valid !== null ? { validText: corpus.valid } : {}),
      tokenizer,
      model,
      seed: flags.seed,
      batchSize: flags.batch,
      seqLen: flags.seqLen,
      lr: flags.lr,
      clipNorm: flags.clip,
      schedule: flags.schedule,
      ...(flags.steps !== undefined ? { maxSteps: flags.steps } : {}),
      ...(minutes !== undefined ? { maxMillis: minutes * 60_000 } : {}),
      validEvery: flags.validEvery,
      ...(flags.validChars !== undefined ? { validChars: flags.validChars } : {}),
      ...(flags.patience !== undefined ? { patience: flags.patience } : {}),
      ...(checkpoint ? { checkpoint } : {}),
      events: progress,
      signal: abort.signal,
    });
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
  }
  const { model: lm, result } = trained;
  const test = corpus.test !== null ? evaluateText(lm, tokenizer, corpus.test) : null;
  const summary: TrainLmSummary = {
    model: flags.out,
    steps: result.steps,
    minutes: result.elapsedMs / 60_000,
    stoppedBy: result.stoppedBy,
    corpus: corpus.name,
    tokenizer: tokenizer.kind,
    parameters: [...lm.parameters()].reduce((n, [, p]) => n + p.size, 0),
    valid: trained.valid,
    test,
    curve: null,
  };
  await saveLanguageModel(flags.out, {
    model: lm,
    tokenizer,
    metadata: {
      training: JSON.stringify({
        corpus: corpus.name,
        corpusChecksum: corpus.checksum,
        steps: result.steps,
        minutes: summary.minutes,
        seed: flags.seed,
        batch: flags.batch,
        seqLen: flags.seqLen,
        lr: flags.lr,
        validBitsPerChar: trained.valid?.bitsPerChar ?? null,
        testBitsPerChar: test?.bitsPerChar ?? null,
      }),
    },
  });
  if (flags.curve !== false) {
    const path = flags.curve ?? `${flags.out.replace(/\.safetensors$/, '')}.curve.svg`;
    const svg = renderTrainingCurve({
      losses: result.losses,
      validations: result.validations,
      title: `${flags.cell} ${flags.layers}x${flags.hidden} on ${corpus.name}`,
    });
    await writeFile(path, svg);
    summary.curve = path;
  }
  return summary;
}

function formatSummary(s: TrainLmSummary): string {
  const parts = [`${s.model}: ${s.steps} steps in ${s.minutes.toFixed(1)} min (stopped by ${s.stoppedBy})`];
  if (s.valid) parts.push(`valid ${s.valid.bitsPerChar.toFixed(3)} bits/char`);
  if (s.test) parts.push(`test ${s.test.bitsPerChar.toFixed(3)} bits/char`);
  return `${parts.join(', ')}\n`;
}

/** Adds `train-lm` to the program. */
export function register(program: Command): void {
  program
    .command('train-lm')
    .description(
      'Train a language model (Embedding -> LSTM/GRU -> Linear) and save it as one .safetensors file. ' +
        'Progress goes to stderr; the summary line (or --json) to stdout.',
    )
    .requiredOption(
      '--corpus <file|moby-dick>',
      "training text: a UTF-8 file, or 'moby-dick' (held-out chapters for validation and test)",
    )
    .option('--valid <file>', 'validation text (default: the last 5% of a --corpus file)')
    .option('--tokenizer <char|word|file.model>', "'char', 'word' or a SentencePiece .model file", 'char')
    .addOption(
      new Option(
        '--minutes <m>',
        'stop after this many minutes (default 5 when --steps is not given)',
      ).argParser(positiveNumberFlag),
    )
    .addOption(new Option('--steps <n>', 'stop after this many optimizer steps').argParser(intFlag(1)))
    .addOption(new Option('--seed <n>', 'seed of the weights and dropout').argParser(intFlag(0)).default(0))
    .option('--out <file>', 'where to save the model', 'lm.safetensors')
    .option('--checkpoint-dir <dir>', 'write a checkpoint here every --checkpoint-every steps')
    .addOption(
      new Option('--checkpoint-every <n>', 'steps between checkpoints').argParser(intFlag(1)).default(200),
    )
    .option('--resume', 'continue from the checkpoint in --checkpoint-dir (same flags as the first run)')
    .addOption(new Option('--cell <cell>', 'recurrent cell').choices(['lstm', 'gru']).default('lstm'))
    .addOption(new Option('--hidden <n>', 'hidden size per layer').argParser(intFlag(1)).default(256))
    .addOption(new Option('--embedding <n>', 'embedding width').argParser(intFlag(1)).default(64))
    .addOption(new Option('--layers <n>', 'stacked recurrent layers').argParser(intFlag(1)).default(1))
    .addOption(
      new Option('--dropout <p>', 'dropout probability').argParser(numberFlag(0, 1, true)).default(0),
    )
    .option('--tie', 'tie the embedding and output weights (needs --embedding = --hidden)')
    .addOption(new Option('--batch <n>', 'parallel streams per batch').argParser(intFlag(1)).default(32))
    .addOption(new Option('--seq-len <n>', 'truncated-BPTT length').argParser(intFlag(1)).default(64))
    .addOption(new Option('--lr <x>', 'Adam learning rate').argParser(numberFlag(0)).default(0.002))
    .addOption(new Option('--clip <x>', 'gradient-norm clip').argParser(numberFlag(0)).default(1))
    .addOption(
      new Option('--schedule <s>', 'learning-rate schedule')
        .choices(['constant', 'cosine'])
        .default('constant'),
    )
    .addOption(
      new Option('--valid-every <n>', 'steps between validations').argParser(intFlag(1)).default(200),
    )
    .addOption(
      new Option('--valid-chars <n>', 'validate on at most this many characters during training').argParser(
        intFlag(100),
      ),
    )
    .addOption(
      new Option('--patience <n>', 'stop after this many validations without improvement').argParser(
        intFlag(1),
      ),
    )
    .option('--curve <file>', 'training-curve SVG (default: next to --out)')
    .option('--no-curve', 'do not write the training-curve SVG')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: TrainLmFlags, cmd: Command) => {
      const io = commandIo(cmd);
      const summary = await trainLmAction(flags, io.stderr);
      io.stdout(flags.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    });
}
