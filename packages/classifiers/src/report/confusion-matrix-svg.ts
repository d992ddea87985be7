import * as Plot from '@observablehq/plot';
import { plotDocument, svgFile } from './svg-document.ts';

/** Options of {@link confusionMatrixSvg}. */
export interface ConfusionMatrixSvgOptions {
  /** Chart title (default none). */
  title?: string;
}

/**
 * A confusion-matrix heatmap as an SVG file: one cell per (true, predicted) pair, rows true and columns
 * predicted, shaded by the share of the true class's examples (so rows of different sizes compare) and
 * labelled with the count and that share.
 *
 * @param matrix `[C][C]` counts, rows true (see `confusionMatrix`).
 * @param labels class names by id.
 */
export function confusionMatrixSvg(
  matrix: readonly (readonly number[])[],
  labels: readonly string[],
  options: ConfusionMatrixSvgOptions = {},
): string {
  const cells = matrix.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((n, p) => ({
      actual: labels[t]!,
      predicted: labels[p]!,
      n,
      share: total === 0 ? 0 : n / total,
    }));
  });
  const size = Math.max(440, 90 * labels.length + 120);
  const chart = Plot.plot({
    document: plotDocument(),
    width: size,
    height: size - 40,
    marginLeft: 110,
    marginTop: 40,
    padding: 0.04,
    x: { label: 'predicted', axis: 'top', domain: [...labels] },
    y: { label: 'actual', domain: [...labels] },
    // A fixed domain: the same share gets the same shade in every chart of a report.
    color: { type: 'linear', scheme: 'blues', domain: [0, 1] },
    marks: [
      Plot.cell(cells, { x: 'predicted', y: 'actual', fill: 'share', inset: 0.5 }),
      Plot.text(cells, {
        x: 'predicted',
        y: 'actual',
        text: (d: (typeof cells)[number]) => `${d.n}\n${(100 * d.share).toFixed(1)}%`,
        fill: (d: (typeof cells)[number]) => (d.share > 0.55 ? 'white' : 'black'),
        fontSize: 13,
      }),
    ],
  });
  return svgFile(chart as unknown as Element, options.title);
}
