/**
 * The attention heatmap of one decoded sentence as a standalone SVG: source tokens along the top
 * (x), output tokens down the side (y), one cell per (output, source) pair shaded by its attention
 * weight. Drawn with Observable Plot's `cell` mark on linkedom's DOM, so no browser is needed.
 */
import * as Plot from '@observablehq/plot';
import { OptionError } from '@recurrent/core';
import { parseHTML } from 'linkedom';
import type { Hypothesis } from './decode.ts';
import type { Seq2Seq } from './model.ts';

/** What {@link attentionHeatmapSvg} draws. */
export interface AttentionHeatmap {
  /** Source token labels `[S]`. */
  sourceTokens: readonly string[];
  /** Output token labels `[T]`. */
  outputTokens: readonly string[];
  /** Weights `[T][S]`: row t is the attention when output token t was chosen. */
  weights: readonly ArrayLike<number>[];
  /** Title above the plot. */
  title?: string;
}

/** Renders the heatmap as an SVG document (a string starting with `<svg`). @throws OptionError on mismatched sizes. */
export function attentionHeatmapSvg(h: AttentionHeatmap): string {
  const S = h.sourceTokens.length;
  const T = h.outputTokens.length;
  if (h.weights.length !== T || h.weights.some((row) => row.length !== S)) {
    throw new OptionError(
      'attentionHeatmapSvg weights',
      `${T} rows of ${S} weights`,
      `${h.weights.length} rows`,
    );
  }
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const cells: { s: number; t: number; w: number }[] = [];
  h.weights.forEach((row, t) => {
    for (let s = 0; s < S; s++) cells.push({ s, t, w: row[s]! });
  });
  // Positions, not labels, are the axis domains: a token that occurs twice must keep two columns.
  const xs = Array.from({ length: S }, (_, i) => i);
  const ys = Array.from({ length: T }, (_, i) => i);
  const cell = 30;
  const plot = Plot.plot({
    document: document as unknown as Document,
    // Wide enough for the title too (Plot clips anything outside the SVG).
    width: Math.max(140 + cell * S, 40 + 8 * (h.title?.length ?? 0)),
    height: 110 + cell * T + (h.title ? 24 : 0),
    marginLeft: 110,
    marginTop: 90 + (h.title ? 24 : 0),
    marginBottom: 10,
    marginRight: 20,
    style: { background: 'white', fontSize: '12px' },
    x: {
      domain: xs,
      axis: 'top',
      label: null,
      tickFormat: (i: number) => h.sourceTokens[i],
      tickRotate: -50,
    },
    y: { domain: ys, label: null, tickFormat: (i: number) => h.outputTokens[i] },
    color: { type: 'linear', domain: [0, 1], scheme: 'blues' },
    marks: [
      Plot.cell(cells, { x: 's', y: 't', fill: 'w', inset: 0.5 }),
      Plot.text(
        cells.filter((c) => c.w >= 0.3),
        {
          x: 's',
          y: 't',
          text: (c: { w: number }) => c.w.toFixed(1),
          fill: 'white',
          fontSize: 9,
        },
      ),
      ...(h.title
        ? [
            Plot.text([h.title], {
              frameAnchor: 'top-left',
              dy: -(90 + 12),
              dx: -100,
              fontSize: 14,
              fontWeight: 'bold',
            }),
          ]
        : []),
    ],
  });
  return (plot as unknown as Element).outerHTML;
}

/** Label of one token id (its decoded text; spaces made visible as nothing, empty as the raw id). */
function tokenLabel(decodeOne: (id: number) => string, id: number): string {
  const text = decodeOne(id).trim();
  return text === '' ? `#${id}` : text;
}

/**
 * The heatmap of a hypothesis decoded by `model` from `source`: the labels come from the model's
 * tokenizers (EOS shown as `</s>`).
 */
export function hypothesisHeatmap(
  model: Seq2Seq,
  source: string,
  hyp: Hypothesis,
  title?: string,
): AttentionHeatmap {
  const src = model.encodeSource(source);
  const sourceTokens = Array.from(src, (id) => tokenLabel((i) => model.sourceTokenizer.decode([i]), id));
  const outputTokens = Array.from(hyp.tokens, (id) =>
    id === model.eos ? '</s>' : tokenLabel((i) => model.targetTokenizer.decode([i]), id),
  );
  return { sourceTokens, outputTokens, weights: hyp.attention, ...(title !== undefined && { title }) };
}
