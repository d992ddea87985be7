/**
 * Small models for the demo page, trained in seconds on data that ships with npm packages:
 * - a character LSTM language model on the first chapters of Moby-Dick;
 * - a character translator with attention from written dates to ISO dates ("5 march 2021" ->
 *   "2021-03-05"), the classic task whose attention heatmap shows the source being read out of order.
 */
import { Rng } from '@recurrent/core';
import { loadMobyDick } from '@recurrent/corpora';
import { encodeLanguageModel, trainLanguageModel } from '@recurrent/language-model';
import { encodeSeq2Seq, Seq2Seq, trainSeq2Seq } from '@recurrent/seq2seq';
import { CharTokenizer } from '@recurrent/tokenizers';

/** Options of the demo-model builders. */
export interface DemoModelOptions {
  /** Training steps (deterministic); give this or `millis`. */
  steps?: number;
  /** Training time budget in ms. */
  millis?: number;
  /** Seed of weights and batch order (default 1). */
  seed?: number;
  /** Hidden size of the recurrent layers (default 128 for the language model, 64 for the translator's decoder). */
  hiddenSize?: number;
}

function limits(o: DemoModelOptions): { maxSteps: number } | { maxMillis: number } {
  if (o.steps !== undefined) return { maxSteps: o.steps };
  return { maxMillis: o.millis ?? 60_000 };
}

/** A character language model of Moby-Dick, as model-file bytes. */
export async function makeDemoLanguageModel(options: DemoModelOptions): Promise<Uint8Array> {
  const chapters = loadMobyDick().items.slice(0, 4);
  const text = chapters.map((c) => c.text).join('\n\n');
  // A book is one stream of text with no sentence markers, so no bos/eos (an untrained eos would end samples).
  const tokenizer = CharTokenizer.train([text], { specials: { pad: '<pad>', unk: '<unk>' } });
  const { model } = await trainLanguageModel({
    text,
    tokenizer,
    model: { cell: 'lstm', embeddingDim: 32, hiddenSize: options.hiddenSize ?? 128 },
    seed: options.seed ?? 1,
    batchSize: 16,
    seqLen: 48,
    lr: 4e-3,
    ...limits(options),
  });
  return encodeLanguageModel({
    model,
    tokenizer,
    metadata: { training: JSON.stringify({ corpus: 'moby-dick chapters 1-4' }) },
  });
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** A written date and its ISO form, in one of a few styles. */
export function randomDate(rng: Rng): { source: string; target: string } {
  const y = 1950 + rng.int(90);
  const m = rng.int(12);
  const d = 1 + rng.int(28);
  const month = MONTHS[m]!;
  const styles = [
    `${d} ${month} ${y}`,
    `${month} ${d}, ${y}`,
    `${d} ${month.slice(0, 3)} ${y}`,
    `${month.slice(0, 3)} ${d} ${y}`,
  ];
  const iso = `${y}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return { source: styles[rng.int(styles.length)]!, target: iso };
}

/** A date translator (written dates -> ISO), as model-file bytes. */
export async function makeDemoTranslator(options: DemoModelOptions): Promise<Uint8Array> {
  const rng = new Rng(options.seed ?? 1);
  const pairs = Array.from({ length: 4000 }, () => randomDate(rng));
  const sourceTokenizer = CharTokenizer.train(pairs.map((p) => p.source).concat(MONTHS.join(' ')));
  const targetTokenizer = CharTokenizer.train(['0123456789-']);
  const model = new Seq2Seq({
    config: {
      cell: 'gru',
      sourceEmbedding: 16,
      targetEmbedding: 16,
      encoderHidden: 32,
      decoderHidden: options.hiddenSize ?? 64,
      dropout: 0,
    },
    sourceTokenizer,
    targetTokenizer,
    seed: options.seed ?? 1,
  });
  const train = pairs.map((p) => ({
    source: model.encodeSource(p.source),
    target: targetTokenizer.encode(p.target),
  }));
  await trainSeq2Seq(model, {
    train,
    batchSize: 32,
    lr: 5e-3,
    labelSmoothing: 0,
    ...limits(options),
    seed: options.seed ?? 1,
  });
  return encodeSeq2Seq(model, { task: 'written dates -> ISO 8601', pairs: train.length });
}
