import { writeFileSync } from 'node:fs';
import { loadEnFrPairs, loadSentimentSentences } from '@recurrent/corpora';
import { trainSkipGram } from '@recurrent/classifiers';
import { Vocab, WordTokenizer } from '@recurrent/tokenizers';

const uci = new Set(loadSentimentSentences().items.map((s) => s.text.toLowerCase()));
const t0 = performance.now();
const en = [...new Set(loadEnFrPairs().items.map((p) => p.source))].filter((s) => !uci.has(s.toLowerCase()));
const tok = new WordTokenizer(new Vocab(['<pad>', '<unk>'], { pad: 0, unk: 1 }), { lowercase: true, splitter: 'treebank' });
const sents = en.map((s) => tok.tokenize(s));
console.log('sentences', sents.length, 'tokens', sents.reduce((a, s) => a + s.length, 0), 'load+tok s', ((performance.now() - t0) / 1000).toFixed(1));
const t1 = performance.now();
const vecs = trainSkipGram(sents, { dim: 64, epochs: Number(process.argv[2] ?? 3) });
console.log('vocab', vecs.size, 'train s', ((performance.now() - t1) / 1000).toFixed(1));
writeFileSync('/tmp/w2v.json', JSON.stringify(Object.fromEntries([...vecs].map(([w, v]) => [w, Array.from(v, (x) => Number(x.toFixed(5)))]))));
// Nearest neighbours sanity check.
const norm = (v: Float32Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
for (const q of ['great', 'terrible', 'phone', 'movie', 'delicious']) {
  const qv = vecs.get(q);
  if (!qv) continue;
  const sims = [...vecs].map(([w, v]) => [w, v.reduce((a, x, i) => a + x * qv[i]!, 0) / (norm(v) * norm(qv))] as const).sort((a, b) => b[1] - a[1]);
  console.log(q, sims.slice(1, 8).map(([w]) => w).join(' '));
}
