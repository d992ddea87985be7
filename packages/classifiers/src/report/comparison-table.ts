import type { SystemResult } from '../baselines/compare-systems.ts';

/** Options of {@link comparisonTable}. */
export interface ComparisonTableOptions {
  /** `text`: space-aligned columns for a terminal; `markdown`: a GitHub table. Default `text`. */
  format?: 'text' | 'markdown';
}

function pct(m: { mean: number; std: number }, folds: number): string {
  if (Number.isNaN(m.mean)) return 'n/a';
  return folds > 1 ? `${(100 * m.mean).toFixed(2)} ± ${(100 * m.std).toFixed(2)}` : (100 * m.mean).toFixed(2);
}

function num(m: { mean: number; std: number } | null, folds: number): string {
  if (m === null || Number.isNaN(m.mean)) return 'n/a';
  return folds > 1 ? `${m.mean.toFixed(4)} ± ${m.std.toFixed(4)}` : m.mean.toFixed(4);
}

/**
 * ONE table comparing systems run on the same splits: accuracy and macro F1 in percent (mean ± sample
 * standard deviation over folds), ROC-AUC (binary tasks), and seconds spent training and testing.
 */
export function comparisonTable(
  results: readonly SystemResult[],
  options: ComparisonTableOptions = {},
): string {
  const head = ['system', 'accuracy %', 'macro F1 %', 'ROC-AUC', 'seconds'];
  const rows = results.map((r) => {
    if (r.skipped !== undefined) return [r.name, `skipped: ${r.skipped}`, '', '', ''];
    const k = r.folds.length;
    return [r.name, pct(r.accuracy, k), pct(r.macroF1, k), num(r.rocAuc, k), r.seconds.toFixed(1)];
  });
  if (options.format === 'markdown') {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
