import * as Plot from '@observablehq/plot';
import { plotDocument, svgFile } from './svg-document.ts';

/** One line of a training-curve chart. */
export interface CurveSeries {
  /** Name, e.g. `fold 3`. */
  name: string;
  /** Value at epoch 1, 2, ... */
  values: readonly number[];
}

/** Options of {@link trainingCurveSvg}. */
export interface TrainingCurveSvgOptions {
  /** Chart title (default none). */
  title?: string;
  /** Label of the y axis (default `training loss`). */
  yLabel?: string;
}

/**
 * Training curves as an SVG file, value per epoch. Up to three series are drawn in colour and named at
 * their last point; more (the folds of a cross-validation) are drawn as thin grey lines under their
 * mean in black, so ten nearly equal curves stay readable. (Plot's colour legends need a canvas, which a
 * server has not, so lines are labelled directly.)
 */
export function trainingCurveSvg(
  series: readonly CurveSeries[],
  options: TrainingCurveSvgOptions = {},
): string {
  const points = series.flatMap((s) => s.values.map((value, i) => ({ series: s.name, epoch: i + 1, value })));
  const many = series.length > 3;
  const epochs = Math.max(0, ...series.map((s) => s.values.length));
  const mean = Array.from({ length: epochs }, (_, i) => {
    const vs = series.map((s) => s.values[i]).filter((v): v is number => v !== undefined);
    return {
      series: `mean of ${series.length}`,
      epoch: i + 1,
      value: vs.reduce((a, b) => a + b, 0) / vs.length,
    };
  });
  const labelled = many ? mean : points;
  const chart = Plot.plot({
    document: plotDocument(),
    width: 640,
    height: 360,
    marginRight: 90,
    x: { label: 'epoch', tickFormat: 'd', ticks: Math.min(epochs, 12) },
    y: { label: options.yLabel ?? 'training loss', grid: true, zero: true },
    color: { type: 'categorical', scheme: 'tableau10' },
    marks: many
      ? [
          Plot.line(points, { x: 'epoch', y: 'value', z: 'series', stroke: '#9aa5b1', strokeWidth: 1 }),
          Plot.line(mean, { x: 'epoch', y: 'value', stroke: 'black', strokeWidth: 2.5 }),
          Plot.dot(mean, { x: 'epoch', y: 'value', fill: 'black', r: 3 }),
          Plot.text(
            labelled,
            Plot.selectLast({ x: 'epoch', y: 'value', text: 'series', textAnchor: 'start', dx: 6 }),
          ),
        ]
      : [
          Plot.line(points, { x: 'epoch', y: 'value', stroke: 'series', strokeWidth: 1.5 }),
          Plot.dot(points, { x: 'epoch', y: 'value', fill: 'series', r: 2 }),
          Plot.text(
            labelled,
            Plot.selectLast({
              x: 'epoch',
              y: 'value',
              z: 'series',
              text: 'series',
              fill: 'series',
              textAnchor: 'start',
              dx: 5,
            }),
          ),
        ],
  });
  return svgFile(chart as unknown as Element, options.title);
}
