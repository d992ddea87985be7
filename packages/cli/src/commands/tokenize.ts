import { createInterface } from 'node:readline';
import { SentencePieceTokenizer } from '@recurrent/tokenizers';
import type { Command } from 'commander';

/** Parsed flags of `recurrent tokenize`. */
export interface TokenizeFlags {
  /** The SentencePiece `.model` file. */
  model: string;
  /** Print pieces instead of ids. */
  pieces?: boolean;
}

/** Where `tokenize` reads lines from and writes results to. */
export interface TokenizeIo {
  /** Input lines, without their line breaks. */
  lines: AsyncIterable<string>;
  /** Receives the output text, in order. */
  stdout: (s: string) => void;
}

// Output is flushed in chunks of about this many characters, not per line.
const FLUSH_AT = 1 << 16;

/**
 * The action of `recurrent tokenize`: encodes each input line with the model and writes one output line
 * per input line, the ids (or with `pieces`, the pieces) separated by single spaces. Throws DataError /
 * FormatError when the model cannot be read.
 */
export async function tokenizeAction(flags: TokenizeFlags, io: TokenizeIo): Promise<void> {
  const tokenizer = await SentencePieceTokenizer.fromFile(flags.model);
  let out = '';
  for await (const line of io.lines) {
    out += flags.pieces ? tokenizer.encodeAsPieces(line).join(' ') : tokenizer.encode(line).join(' ');
    out += '\n';
    if (out.length >= FLUSH_AT) {
      io.stdout(out);
      out = '';
    }
  }
  if (out !== '') io.stdout(out);
}

/** Adds `tokenize` to the program. */
export function register(program: Command): void {
  program
    .command('tokenize')
    .description(
      'Encode text lines from stdin with a SentencePiece model: ids (or pieces) per line on stdout.',
    )
    .requiredOption('--model <file>', 'the .model file')
    .option('--pieces', 'print pieces instead of ids')
    .action(async (opts: TokenizeFlags) => {
      const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
      // Take the iterator now: it buffers lines read while the model loads, which a later `for await`
      // would miss (and then wait forever for a close that already happened).
      const it = rl[Symbol.asyncIterator]();
      const lines: AsyncIterable<string> = { [Symbol.asyncIterator]: () => it };
      try {
        await tokenizeAction(opts, { lines, stdout: (s) => process.stdout.write(s) });
      } finally {
        rl.close();
      }
    });
}
