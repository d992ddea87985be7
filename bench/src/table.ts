/**
 * Plain-text formatting of results: GitHub markdown tables that also read well in a terminal.
 */

/** A column: header text and alignment. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** A markdown table with padded columns; cells are escaped for `|` and newlines. */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const head = columns.map((c) => esc(c.header));
  const body = rows.map((r) => columns.map((_, i) => esc(r[i] ?? '')));
  const widths = columns.map((_, i) => Math.max(3, head[i]!.length, ...body.map((r) => r[i]!.length)));
  const pad = (s: string, i: number) =>
    columns[i]!.align === 'right' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!);
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${columns.map((c, i) => (c.align === 'right' ? `${'-'.repeat(widths[i]! - 1)}:` : '-'.repeat(widths[i]!))).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/**
 * A number for a table: three significant digits below 1,000, thousands separators above
 * (`0.0123`, `4.56`, `78.9`, `12,345`); `—` for NaN/undefined.
 */
export function fmtNum(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(a)));
  return x.toFixed(Math.min(digits, 4));
}

/** A ratio like `1.23×`; `—` when unknown. */
export function fmtRatio(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '—' : `${fmtNum(x)}×`;
}

/** Bytes as MiB with one decimal (`123.4 MiB`); `—` when unknown. */
export function fmtMiB(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? '—' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
