import { loadSentimentSentences } from '@recurrent/corpora';
import { AfinnBaseline, compareSystems, NaturalBayesBaseline, NaturalLogisticBaseline, stratifiedKFold } from '@recurrent/classifiers';

const corpus = loadSentimentSentences();
const texts = corpus.items.map((s) => s.text);
const labels = Int32Array.from(corpus.items, (s) => s.label);
const folds = stratifiedKFold(labels, { k: 10, seed: 0, groups: corpus.items.map(corpus.groupKey) });
const res = await compareSystems({
  texts, labels, labelNames: ['negative', 'positive'],
  systems: [new AfinnBaseline(), new NaturalBayesBaseline(), new NaturalLogisticBaseline()],
  folds,
  onProgress: (e) => e.phase === 'done' && console.log(e.system, e.fold, e.accuracy?.toFixed(4), e.seconds?.toFixed(1)),
});
for (const r of res) console.log(r.name, r.accuracy, r.macroF1, r.rocAuc, r.seconds.toFixed(1));
