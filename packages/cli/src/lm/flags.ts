/**
 * Flag parsers and output plumbing shared by the language-model commands. Parsers throw commander's
 * InvalidArgumentError, so a bad value is a usage error (exit 2) with commander's one-line message.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { CliIo } from '../run-cli.ts';

/** `--flag <n>`: an integer >= `min`. */
export function intFlag(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** `--flag <x>`: a finite number in `[min, max]` (`maxOpen` excludes the upper end). */
export function numberFlag(
  min: number,
  max = Number.POSITIVE_INFINITY,
  maxOpen = false,
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const inRange = n >= min && (maxOpen ? n < max : n <= max);
    if (value.trim() === '' || !Number.isFinite(n) || !inRange) {
      const range =
        max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in [${min}, ${max}${maxOpen ? ')' : ']'}`;
      throw new InvalidArgumentError(`expected a number ${range}, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** `--minutes <m>`: a number > 0. */
export function positiveNumberFlag(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a number > 0, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Where an action writes: the program's configured output (the CLI's {@link CliIo}, captured by tests),
 * falling back to the process streams.
 */
export function commandIo(cmd: Command): CliIo {
  const out = cmd.configureOutput();
  return {
    stdout: out.writeOut ?? ((s) => process.stdout.write(s)),
    stderr: out.writeErr ?? ((s) => process.stderr.write(s)),
  };
}
