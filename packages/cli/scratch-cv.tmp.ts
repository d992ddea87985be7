import { initBackend } from '@recurrent/core';
import { loadSentimentSentences } from '@recurrent/corpora';
import { readFileSync } from 'node:fs';
import { classificationReport, concatVectors, sentimentLexicon, standardizeVectors, stratifiedKFold, trainTextClassifier } from '@recurrent/classifiers';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
await initBackend();
const corpus = loadSentimentSentences();
const items = corpus.items.map((s) => ({ text: s.text, label: s.label === 1 ? 'positive' : 'negative' }));
const labels = items.map((e) => (e.label === 'positive' ? 1 : 0));
const folds = stratifiedKFold(labels, { k: 10, seed: 0, groups: corpus.items.map(corpus.groupKey) });
const nf = Number(args.folds ?? 1);
let wordVectors: Map<string, Float32Array> | null = null;
if (args.lex) {
  const lex = new Map([...sentimentLexicon({ minMagnitude: Number(args.lexmin ?? 0.3) })].map(([w, v]) => [w, v.map((x) => x * Number(args.lex))]));
  wordVectors = lex;
  if (args.w2v) {
    const raw = JSON.parse(readFileSync('/tmp/w2v.json', 'utf8')) as Record<string, number[]>;
    const w2v = standardizeVectors(new Map(Object.entries(raw).map(([w, v]) => [w, Float32Array.from(v)])), Number(args.w2v));
    wordVectors = concatVectors(lex, w2v);
  }
}
const f0 = Number(args.from ?? 0);
const accs: number[] = [];
for (let f = f0; f < f0 + nf; f++) {
  const fold = folds[f]!;
  let train = Array.from(fold.train, (i) => items[i]!);
  let inner: typeof train = [];
  if (args.es) {
    // Every 10th training example (a deterministic 10%) for early stopping.
    inner = train.filter((_, i) => i % 10 === 0);
    train = train.filter((_, i) => i % 10 !== 0);
  }
  const test = Array.from(fold.test, (i) => items[i]!);
  const t0 = performance.now();
  const { classifier, epochLosses } = await trainTextClassifier(train, {
    epochs: Number(args.epochs ?? 8),
    lr: Number(args.lr ?? 2e-3),
    batchSize: Number(args.bs ?? 32),
    seed: f,
    model: {
      cell: (args.cell ?? 'lstm') as 'lstm',
      pooling: (args.pool ?? 'max') as 'max',
      embeddingDim: Number(args.emb ?? 96),
      hiddenSize: Number(args.hid ?? 64),
      dropout: Number(args.drop ?? 0.4),
      embeddingDropout: Number(args.edrop ?? 0.25),
    },
    ...(wordVectors ? { wordVectors: { vectors: wordVectors, scale: 1 } } : {}),
    embeddingStd: Number(args.estd ?? 1),
    averageEpochs: Number(args.swa ?? 3),
    tokenizerOptions: { minFrequency: Number(args.minf ?? 1) },
    ...(args.val ? { validation: { examples: test } } : {}),
    ...(args.es ? { validation: { examples: inner, patience: Number(args.es), restoreBest: true } } : {}),
    events: args.val || args.es ? { validate: (e) => console.log('  val', e.step, JSON.stringify(e.metrics)) } : {},
  });
  const pred = classifier.predict(test.map((e) => e.text)).map((p) => p.id);
  const r = classificationReport(test.map((e) => classifier.labelId(e.label)), pred, { labels: classifier.labels });
  accs.push(r.accuracy);
  console.log(`fold ${f} acc ${r.accuracy.toFixed(4)} f1 ${r.macro.f1.toFixed(4)} time ${((performance.now() - t0) / 1000).toFixed(1)}s losses ${epochLosses.map((l) => l.toFixed(3)).join(' ')}`);
}
console.log('mean acc', accs.reduce((a, b) => a + b, 0) / accs.length);
process.exit(0);
