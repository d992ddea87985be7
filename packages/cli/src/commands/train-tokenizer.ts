import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { DataError } from '@recurrent/core';
import { type SubwordModelType, trainTokenizer, writeModelProto } from '@recurrent/tokenizers';
import { type Command, InvalidArgumentError, Option } from 'commander';

/** Parsed flags of `recurrent train-tokenizer`. */
export interface TrainTokenizerFlags {
  /** Text file, one sentence per line. */
  input: string;
  /** Where to write the `.model` file. */
  output: string;
  /** Vocabulary size, special pieces included. */
  vocabSize: number;
  /** `unigram` or `bpe`. */
  modelType: SubwordModelType;
  /** Alphabet coverage, in [0.98, 1]. */
  characterCoverage?: number;
  /** Pieces kept whole, e.g. `<sep>`. */
  userDefinedSymbols?: string[];
  /** Add the 256 byte pieces. */
  byteFallback?: boolean;
}

/** Where a command writes its one-line summary (stderr: stdout carries only results). */
export interface CommandLog {
  stderr: (s: string) => void;
}

/**
 * Writes `bytes` to `path` atomically: to a temporary file beside it, then a rename, so a crash or a full
 * disk never leaves a half-written model where the old one was.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new DataError(`output file ${path}`, 'a writable path', (e as Error).message);
  }
}

/** The action of `recurrent train-tokenizer`: trains on `flags.input` and writes `flags.output`. */
export async function trainTokenizerAction(flags: TrainTokenizerFlags, log: CommandLog): Promise<void> {
  let text: string;
  try {
    text = await readFile(flags.input, 'utf8');
  } catch (e) {
    throw new DataError(`input file ${flags.input}`, 'a readable text file', (e as Error).message);
  }
  const t0 = performance.now();
  const spec = trainTokenizer(text.split(/\r?\n/), {
    vocabSize: flags.vocabSize,
    modelType: flags.modelType,
    ...(flags.characterCoverage !== undefined ? { characterCoverage: flags.characterCoverage } : {}),
    ...(flags.userDefinedSymbols !== undefined ? { userDefinedSymbols: flags.userDefinedSymbols } : {}),
    ...(flags.byteFallback !== undefined ? { byteFallback: flags.byteFallback } : {}),
  });
  await writeFileAtomic(flags.output, writeModelProto(spec));
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  log.stderr(`wrote ${flags.output}: ${flags.modelType}, ${spec.pieces.length} pieces, ${seconds} s\n`);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Adds `train-tokenizer` to the program. */
export function register(program: Command): void {
  program
    .command('train-tokenizer')
    .description('Train a SentencePiece unigram or BPE model on a text file (one sentence per line).')
    .requiredOption('--input <file>', 'training text, one sentence per line')
    .requiredOption('--output <file>', 'where to write the .model file')
    .addOption(new Option('--vocab-size <n>', 'vocabulary size').argParser(positiveInt).default(8000))
    .addOption(
      new Option('--model-type <type>', 'subword algorithm').choices(['unigram', 'bpe']).default('unigram'),
    )
    .addOption(new Option('--character-coverage <f>', 'alphabet coverage in [0.98, 1]').argParser(fraction))
    .option('--user-defined-symbols <list>', 'comma-separated pieces kept whole', (v: string) =>
      v.split(',').filter((s) => s !== ''),
    )
    .option('--byte-fallback', 'add <0x00>..<0xFF> pieces for unknown characters')
    .action(async (opts: TrainTokenizerFlags) => {
      await trainTokenizerAction(opts, { stderr: (s) => process.stderr.write(s) });
    });
}
