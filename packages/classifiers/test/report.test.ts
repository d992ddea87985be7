import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classificationReport,
  comparisonTable,
  confusionMatrixSvg,
  type SystemResult,
  trainingCurveSvg,
  writeComparisonReport,
} from '@recurrent/classifiers';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function result(name: string, accs: number[], losses?: number[][]): SystemResult {
  const pooled = classificationReport([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], { labels: ['neg', 'pos'] });
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  return {
    name,
    description: `${name} description`,
    folds: accs.map((accuracy, i) => ({
      accuracy,
      macroF1: accuracy - 0.01,
      rocAuc: 0.9,
      seconds: 1,
      ...(losses !== undefined && { epochLosses: losses[i]! }),
    })),
    accuracy: { mean, std: 0.01 },
    macroF1: { mean: mean - 0.01, std: 0.01 },
    rocAuc: { mean: 0.9, std: 0 },
    pooled,
    seconds: accs.length,
  };
}

describe('comparison report', () => {
  const results = [
    result(
      'recurrent biLSTM',
      [0.9, 0.8],
      [
        [0.7, 0.5, 0.3],
        [0.69, 0.45, 0.35],
      ],
    ),
    result('natural BayesClassifier', [0.8, 0.7]),
    { ...result('lexicon', [0]), skipped: 'does not support 3 classes', folds: [] },
  ];

  it('prints one aligned table with mean ± std', () => {
    const t = comparisonTable(results);
    const lines = t.split('\n');
    expect(lines[0]).toMatch(/^system\s+accuracy %\s+macro F1 %\s+ROC-AUC\s+seconds$/);
    expect(t).toContain('85.00 ± 1.00');
    expect(t).toContain('skipped: does not support 3 classes');
    const md = comparisonTable(results, { format: 'markdown' });
    expect(md.split('\n')[1]).toBe('| --- | ---: | ---: | ---: | ---: |');
  });

  it('renders a confusion-matrix heatmap as a standalone SVG with counts and shares', () => {
    const svg = confusionMatrixSvg(
      [
        [40, 10],
        [5, 45],
      ],
      ['neg', 'pos'],
      { title: 'test' },
    );
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('<rect');
    for (const s of ['40', '80.0%', '45', '90.0%', 'predicted', 'actual']) expect(svg).toContain(s);
  });

  it('renders training curves with one labelled line per series', () => {
    const svg = trainingCurveSvg([
      { name: 'fold 1', values: [0.7, 0.4] },
      { name: 'fold 2', values: [0.6, 0.3] },
    ]);
    expect(svg.match(/<path/g)!.length).toBeGreaterThanOrEqual(2);
    expect(svg).toContain('fold 2');
    expect(svg).toContain('epoch');
  });

  it('writes report.md, the SVGs and results.json', async () => {
    const out = join(dir, 'r');
    await writeComparisonReport(out, {
      title: 'Test run',
      setup: ['2 folds'],
      labelNames: ['neg', 'pos'],
      results,
      notes: ['command: test'],
    });
    expect(readdirSync(out).sort()).toEqual([
      'confusion-natural-bayesclassifier.svg',
      'confusion-recurrent-bilstm.svg',
      'report.md',
      'results.json',
      'training-curve.svg',
    ]);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('# Test run');
    expect(md).toContain('| recurrent biLSTM | 85.00 ± 1.00 |');
    expect(md).toContain(
      '![confusion matrix of natural BayesClassifier](confusion-natural-bayesclassifier.svg)',
    );
    expect(md).toContain('| recurrent biLSTM | 90.0 | 80.0 |');
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.results[0].accuracy.mean).toBeCloseTo(0.85, 12);
  });
});
