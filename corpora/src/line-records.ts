import { FormatError, OptionError } from '@recurrent/core';
import { excerpt, type SkippedEntry } from './corpus.ts';

/** What a line-based loader does with a malformed line. */
export type OnMalformed = 'reject' | 'skip';

/**
 * Parses each non-blank line of `text` with `parse`, which returns a record or a reason string.
 * With `'reject'` the first malformed lines (up to 5, with line numbers) go into one FormatError
 * naming `file`; with `'skip'` they are returned in `skipped`.
 */
export function parseLines<T>(
  text: string,
  file: string,
  expected: string,
  onMalformed: OnMalformed,
  parse: (line: string) => T | string,
): { records: T[]; skipped: SkippedEntry[] } {
  if (onMalformed !== 'reject' && onMalformed !== 'skip') {
    throw new OptionError('onMalformed', "'reject' or 'skip'", JSON.stringify(onMalformed));
  }
  const records: T[] = [];
  const skipped: SkippedEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const r = parse(line);
    if (typeof r === 'string') skipped.push({ line: i + 1, reason: r, excerpt: excerpt(line) });
    else records.push(r);
  });
  if (onMalformed === 'reject' && skipped.length > 0) {
    const shown = skipped
      .slice(0, 5)
      .map((s) => `line ${s.line}: ${s.reason} (${JSON.stringify(s.excerpt)})`)
      .join('; ');
    const more = skipped.length > 5 ? `; and ${skipped.length - 5} more` : '';
    throw new FormatError(
      `file ${file}`,
      `lines of the form ${expected}`,
      `${skipped.length} malformed: ${shown}${more}`,
    );
  }
  return { records, skipped };
}

/** Splits `line` on tabs; a reason string when it does not have exactly `n` non-empty fields. */
export function tabFields(line: string, n: number, names: readonly string[]): string[] | string {
  const fields = line.split('\t');
  if (fields.length !== n) return `expected ${n} tab-separated fields, got ${fields.length}`;
  const trimmed = fields.map((f) => f.trim());
  const empty = trimmed.findIndex((f) => f.length === 0);
  if (empty >= 0) return `empty ${names[empty]}`;
  return trimmed;
}
