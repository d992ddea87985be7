import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs Debian's SentencePiece command-line tools (package `sentencepiece`, 0.1.97), the reference
// implementation the TypeScript runtime is checked against. One sentence per line in and out.

function run(tool: string, args: string[], input: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'spm-'));
  try {
    const file = join(dir, 'input.txt');
    writeFileSync(file, input);
    const out = execFileSync(tool, [...args, `--input=${file}`], { maxBuffer: 1 << 30 }).toString('utf8');
    const lines = out.split('\n');
    lines.pop(); // the text ends with a newline
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `spm_encode --output_format=id`: the ids of each line. */
export function spmEncodeIds(model: string, lines: readonly string[]): number[][] {
  return run('spm_encode', [`--model=${model}`, '--output_format=id'], `${lines.join('\n')}\n`).map((l) =>
    l === '' ? [] : l.split(' ').map(Number),
  );
}

/** `spm_encode --output_format=piece`: the pieces of each line, space-separated. */
export function spmEncodePieces(model: string, lines: readonly string[]): string[] {
  return run('spm_encode', [`--model=${model}`, '--output_format=piece'], `${lines.join('\n')}\n`);
}

/** `spm_decode --input_format=id`: the text of each id sequence. */
export function spmDecodeIds(model: string, ids: readonly (readonly number[])[]): string[] {
  return run(
    'spm_decode',
    [`--model=${model}`, '--input_format=id'],
    `${ids.map((l) => l.join(' ')).join('\n')}\n`,
  );
}

/** `spm_normalize --use_internal_normalization`: each line as the model's normalizer leaves it (`▁` for spaces). */
export function spmNormalize(model: string, lines: readonly string[]): string[] {
  return run('spm_normalize', [`--model=${model}`, '--use_internal_normalization'], `${lines.join('\n')}\n`);
}
