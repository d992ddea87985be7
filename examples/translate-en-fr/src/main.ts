/**
 * English -> French translation. Test data: the Tatoeba pairs in /work/shared/corpora (or --tatoeba),
 * 10% of the English sentences held out (all their translations with them). Training data: the rest of
 * Tatoeba plus the short sentences of fr-corpus + nlp-corpus (machine translations of English text),
 * with any pair whose English sentence is held out removed. Subwords: a SentencePiece BPE model per
 * language, trained here on the training side only.
 *
 *   pnpm --filter @recurrent/example-translate-en-fr start -- --minutes 40 --out en-fr.safetensors
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initBackend, StepLR } from '@recurrent/core';
import { loadEnFrPairs, loadTatoebaPairs, normalizeSentence, splitCorpus } from '@recurrent/corpora';
import {
  attentionHeatmapSvg,
  evaluateSeq2Seq,
  type GroupedPair,
  groupPairs,
  hypothesisHeatmap,
  loadSeq2Seq,
  Seq2Seq,
  toExamples,
  trainSeq2Seq,
  translate,
} from '@recurrent/seq2seq';
import { SentencePieceTokenizer, trainTokenizer } from '@recurrent/tokenizers';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '40' },
    out: { type: 'string', default: 'en-fr.safetensors' },
    tatoeba: { type: 'string', default: '/work/shared/corpora/tatoeba-eng-fra-train.tsv' },
    seed: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '64' },
    vocab: { type: 'string', default: '1500' },
    hidden: { type: 'string', default: '96' },
    'decoder-hidden': { type: 'string', default: '160' },
    embedding: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.003' },
    'max-words': { type: 'string', default: '10' },
    'tatoeba-repeat': { type: 'string', default: '3' },
    'valid-every': { type: 'string', default: '200' },
    'max-steps': { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    'lr-decay-every': { type: 'string' },
    'test-limit': { type: 'string' },
    heatmap: { type: 'string', default: 'attention-en-fr.svg' },
  },
});
const seed = Number(args.seed);
await initBackend({ backend: args.backend as 'auto' });

const tatoeba = loadTatoebaPairs(args.tatoeba);
const splits = splitCorpus(tatoeba, { seed: 0, valid: 0.03, test: 0.1 });
const heldOut = new Set([...splits.test, ...splits.valid].map((p) => normalizeSentence(p.source)));
const maxWords = Number(args['max-words']);
const extra = loadEnFrPairs().items.filter(
  (p) => p.source.split(/\s+/).length <= maxWords && !heldOut.has(normalizeSentence(p.source)),
);
const tatoebaTrain = groupPairs(splits.train.map((p) => [p.source, p.target] as const));
const train: GroupedPair[] = [
  ...Array.from({ length: Number(args['tatoeba-repeat']) }, () => tatoebaTrain).flat(),
  ...groupPairs(extra.map((p) => [p.source, p.target] as const)),
];
const valid = groupPairs(splits.valid.map((p) => [p.source, p.target] as const));
const allTest = groupPairs(splits.test.map((p) => [p.source, p.target] as const));
const test = args['test-limit'] === undefined ? allTest : allTest.slice(0, Number(args['test-limit']));
console.log(
  `tatoeba: train ${splits.train.length} pairs, valid ${valid.length} sentences, test ${test.length} sentences (${splits.test.length} pairs); extra pairs ${extra.length}`,
);

const bpe = (lines: string[]) =>
  SentencePieceTokenizer.fromSpec(
    trainTokenizer(lines, { vocabSize: Number(args.vocab), modelType: 'bpe', padId: 3 }),
  );
const sourceTokenizer = bpe(train.map((g) => g.source));
const targetTokenizer = bpe(train.flatMap((g) => g.targets));
const model = new Seq2Seq({
  sourceTokenizer,
  targetTokenizer,
  seed,
  config: {
    cell: 'lstm',
    sourceEmbedding: Number(args.embedding),
    targetEmbedding: Number(args.embedding),
    encoderHidden: Number(args.hidden),
    decoderHidden: Number(args['decoder-hidden']),
    attention: 'general',
    dropout: 0.2,
  },
});
const trainExamples = toExamples(model, train, 40);
const validSubset = valid.slice(0, 150);
console.log(
  `training pairs ${trainExamples.length}; parameters ${[...model.parameters()].reduce((n, [, p]) => n + p.size, 0)}`,
);

const t0 = performance.now();
const result = await trainSeq2Seq(model, {
  train: trainExamples,
  valid: toExamples(model, valid),
  batchSize: Number(args['batch-size']),
  lr: Number(args.lr),
  ...(args['lr-decay-every'] !== undefined && {
    schedule: new StepLR({ stepSize: Number(args['lr-decay-every']), gamma: 0.3 }),
  }),
  labelSmoothing: 0.1,
  maxMillis: Number(args.minutes) * 60_000,
  ...(args['max-steps'] !== undefined && { maxSteps: Number(args['max-steps']) }),
  validEvery: Number(args['valid-every']),
  evaluate: () => ({ valid_bleu: evaluateSeq2Seq(model, validSubset, { maxLengthRatio: 2 }).bleu }),
  metric: { name: 'valid_bleu', minimize: false },
  modelPath: args.out,
  info: { task: 'translation', data: `${tatoeba.source} (90%) + fr-corpus/nlp-corpus ≤ ${maxWords} words` },
  checkpoint: { path: `${args.out}.ckpt`, every: 200, resume: true },
  seed,
  events: {
    step: (e) => {
      if (e.step % 25 === 0) {
        console.log(
          `step ${e.step} epoch ${e.epoch} loss ${e.loss.toFixed(3)} tok/s ${e.tokensPerSec.toFixed(0)} ${(e.elapsedMs / 60000).toFixed(1)} min`,
        );
      }
    },
    validate: (e) => console.log(`validate step ${e.step}: ${JSON.stringify(e.metrics)}`),
  },
});
console.log(
  `trained ${result.steps} steps in ${((performance.now() - t0) / 60000).toFixed(1)} min (${result.stoppedBy})`,
);

const best = loadSeq2Seq(args.out).model;
const report: Record<string, unknown> = { model: args.out, steps: result.steps, testSentences: test.length };
for (const beam of [1, 5]) {
  const t = performance.now();
  const s = evaluateSeq2Seq(best, test, {
    beamSize: beam,
    lengthPenalty: beam > 1 ? 0.6 : 0,
    maxLengthRatio: 2,
  });
  report[beam === 1 ? 'greedy' : 'beam5'] = {
    bleu: s.bleu,
    chrf: s.chrf,
    seconds: (performance.now() - t) / 1000,
  };
  console.log(`test beam ${beam}: BLEU ${s.bleu.toFixed(2)}  chrF ${s.chrf.toFixed(2)}`);
  if (beam === 1) {
    for (let i = 0; i < 5; i++)
      console.log(`  ${test[i]!.source}  =>  ${s.hypotheses[i]!.text}   [ref: ${test[i]!.targets[0]}]`);
  }
}
writeFileSync(`${args.out}.results.json`, `${JSON.stringify(report, null, 2)}\n`);

// The attention of one held-out sentence of 5 to 8 words, as a picture (beam 5).
const shown =
  test.find((g) => g.source.split(/\s+/).length >= 5 && g.source.split(/\s+/).length <= 8) ?? test[0]!;
const [hyp] = translate(best, [shown.source], { beamSize: 5, lengthPenalty: 0.6, maxLengthRatio: 2 });
writeFileSync(
  args.heatmap,
  attentionHeatmapSvg(hypothesisHeatmap(best, shown.source, hyp!, `${shown.source} → ${hyp!.text}`)),
);
console.log(`heatmap of "${shown.source}" -> "${hyp!.text}" written to ${args.heatmap}`);
