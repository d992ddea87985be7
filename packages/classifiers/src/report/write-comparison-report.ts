/**
 * Writes a comparison run to a folder: `report.md` (the table, per-class scores, per-fold accuracies,
 * what each system is), one confusion-matrix heatmap per system, the training curves of the systems
 * trained by epochs, and `results.json` with every number.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SystemResult } from '../baselines/compare-systems.ts';
import { comparisonTable } from './comparison-table.ts';
import { confusionMatrixSvg } from './confusion-matrix-svg.ts';
import { trainingCurveSvg } from './training-curve-svg.ts';

/** What the report describes. */
export interface ComparisonReport {
  /** Heading, e.g. `Sentiment: UCI labelled sentences, 10-fold cross-validation`. */
  title: string;
  /** Lines describing the data and the splits (corpus, checksum, fold sizes, seed). */
  setup: readonly string[];
  /** Class names by id. */
  labelNames: readonly string[];
  results: readonly SystemResult[];
  /** Free notes appended at the end (e.g. the command line). */
  notes?: readonly string[];
}

/** A file-name-safe form of a system name: `natural BayesClassifier` -> `natural-bayesclassifier`. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Writes the report into `dir` (created if needed); returns the paths written. */
export async function writeComparisonReport(dir: string, report: ComparisonReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, content: string): Promise<void> => {
    const path = join(dir, name);
    await writeFile(path, content);
    written.push(path);
  };
  const md: string[] = [
    `# ${report.title}`,
    '',
    ...report.setup.map((l) => `- ${l}`),
    '',
    comparisonTable(report.results, { format: 'markdown' }),
    '',
  ];
  md.push(
    'Accuracy and macro F1: mean ± sample standard deviation over the folds; ROC-AUC likewise (binary tasks).',
    '',
  );

  const ran = report.results.filter((r) => r.skipped === undefined && r.pooled !== null);
  md.push('## Per-class scores (all test predictions pooled)', '');
  for (const r of ran) {
    md.push(
      `### ${r.name}`,
      '',
      '| class | precision | recall | F1 | support |',
      '|---|---:|---:|---:|---:|',
    );
    for (const c of r.pooled!.perClass) {
      md.push(
        `| ${c.label} | ${c.precision.toFixed(4)} | ${c.recall.toFixed(4)} | ${c.f1.toFixed(4)} | ${c.support} |`,
      );
    }
    const { macro, micro } = r.pooled!;
    md.push(
      `| *macro* | ${macro.precision.toFixed(4)} | ${macro.recall.toFixed(4)} | ${macro.f1.toFixed(4)} | |`,
    );
    md.push(
      `| *micro* | ${micro.precision.toFixed(4)} | ${micro.recall.toFixed(4)} | ${micro.f1.toFixed(4)} | |`,
      '',
    );
    const svg = `confusion-${slug(r.name)}.svg`;
    await put(
      svg,
      confusionMatrixSvg(r.pooled!.confusion, report.labelNames, {
        title: `${r.name}: confusion matrix (pooled over folds)`,
      }),
    );
    md.push(`![confusion matrix of ${r.name}](${svg})`, '');
  }

  if (ran.length > 0 && ran[0]!.folds.length > 1) {
    md.push('## Accuracy per fold (%)', '');
    const k = ran[0]!.folds.length;
    md.push(
      `| system | ${Array.from({ length: k }, (_, i) => i + 1).join(' | ')} |`,
      `|---|${'---:|'.repeat(k)}`,
    );
    for (const r of ran)
      md.push(`| ${r.name} | ${r.folds.map((f) => (100 * f.accuracy).toFixed(1)).join(' | ')} |`);
    md.push('');
  }

  const curves = ran.filter((r) => r.folds.some((f) => f.epochLosses !== undefined));
  if (curves.length > 0) {
    md.push('## Training curves', '');
    for (const r of curves) {
      const name = curves.length === 1 ? 'training-curve.svg' : `training-curve-${slug(r.name)}.svg`;
      const series = r.folds.map((f, i) => ({
        name: r.folds.length > 1 ? `fold ${i + 1}` : 'train',
        values: f.epochLosses ?? [],
      }));
      await put(name, trainingCurveSvg(series, { title: `${r.name}: mean training loss per epoch` }));
      md.push(`![training curve of ${r.name}](${name})`, '');
    }
  }

  md.push('## Systems', '');
  for (const r of report.results) md.push(`- **${r.name}**: ${r.description}`);
  md.push('');
  if (report.notes !== undefined && report.notes.length > 0)
    md.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  await put('report.md', md.join('\n'));
  await put(
    'results.json',
    `${JSON.stringify({ title: report.title, setup: report.setup, labelNames: report.labelNames, results: report.results }, null, 2)}\n`,
  );
  return written;
}
