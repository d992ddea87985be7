/**
 * The training-curve picture: training loss (smoothed, in bits per token) and validation bits per
 * character against the step, as a standalone SVG. Drawn by Observable Plot on linkedom's DOM, so no
 * browser is needed.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

const SERIES = ['train (bits/token)', 'valid (bits/char)'] as const;
const COLORS = ['#4269d0', '#ff725c'] as const;

/** What {@link renderTrainingCurve} draws. */
export interface TrainingCurve {
  /** Training loss of every step (nats per token), index i = step i + 1. */
  losses: readonly number[];
  /** Validation metrics by step (`bitsPerChar` is drawn when present). */
  validations: readonly { step: number; metrics: Record<string, number> }[];
  /** Title above the plot. */
  title?: string;
}

/** Renders the curve as an SVG document (a string starting with `<svg`). */
export function renderTrainingCurve(curve: TrainingCurve): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const points: { step: number; value: number; series: string }[] = [];
  // A running mean over ~1% of the run keeps the line readable without hiding the trend.
  const window = Math.max(1, Math.round(curve.losses.length / 100));
  let acc = 0;
  curve.losses.forEach((l, i) => {
    acc += l;
    if (i >= window) acc -= curve.losses[i - window]!;
    const n = Math.min(i + 1, window);
    if ((i + 1) % window === 0 || i === curve.losses.length - 1) {
      points.push({ step: i + 1, value: acc / n / Math.LN2, series: SERIES[0] });
    }
  });
  for (const v of curve.validations) {
    const b = v.metrics.bitsPerChar;
    if (b !== undefined && Number.isFinite(b)) points.push({ step: v.step, value: b, series: SERIES[1] });
  }
  const valid = points.filter((p) => p.series.startsWith('valid'));
  const plot = Plot.plot({
    document: document as unknown as Document,
    width: 720,
    height: 400,
    marginLeft: 56,
    marginRight: 24,
    marginTop: curve.title ? 40 : 20,
    style: { background: 'white', fontSize: '12px' },
    x: { label: 'step', grid: true },
    y: { label: 'bits', grid: true, zero: false },
    color: { domain: SERIES, range: COLORS },
    marks: [
      Plot.line(points, { x: 'step', y: 'value', stroke: 'series' }),
      Plot.dot(valid, { x: 'step', y: 'value', fill: 'series', r: 3 }),
      // A legend drawn as text marks: Plot's own legends are HTML, which a standalone SVG cannot hold.
      ...SERIES.map((name, i) =>
        Plot.text([name], {
          frameAnchor: 'top-right',
          dx: -8,
          dy: 8 + 16 * i,
          fill: COLORS[i]!,
          fontSize: 12,
        }),
      ),
      ...(curve.title
        ? [Plot.text([curve.title], { frameAnchor: 'top', dy: -28, fontSize: 14, fontWeight: 'bold' })]
        : []),
    ],
  });
  const main = plot as unknown as Element;
  return main.outerHTML;
}
