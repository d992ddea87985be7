/**
 * Skip-gram word vectors pretrained on unlabelled English: the 100,000 sentences of the `nlp-corpus`
 * package (film and product reviews among them), tokenized exactly as the classifier tokenizes. No label
 * is used, and any sentence that also occurs in the evaluation data is left out, so nothing of a test
 * fold reaches the vectors. Trained once per corpus and options, then cached.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type SkipGramOptions, trainSkipGram } from '@recurrent/classifiers';
import { writeFileAtomic } from '@recurrent/core';
import { loadEnFrPairs } from '@recurrent/corpora';
import { Vocab, WordTokenizer } from '@recurrent/tokenizers';

/** Options of {@link pretrainedVectors}. */
export interface PretrainedVectorsOptions {
  /** Texts whose sentences must not be used (the evaluation data). */
  exclude: readonly string[];
  /** Where vectors are cached; null: no cache. */
  cacheDir: string | null;
  /** Skip-gram options (seed included). */
  skipGram: SkipGramOptions;
  /** Told what is happening (one line each). */
  log?: (line: string) => void;
  /** The unlabelled sentences and their checksum (the cache key). Default: nlp-corpus's English side. */
  corpus?: { sentences: readonly string[]; checksum: string };
}

/** nlp-corpus's 100,000 English sentences (the English side of `loadEnFrPairs`). */
function nlpCorpus(): { sentences: string[]; checksum: string } {
  const c = loadEnFrPairs();
  return { sentences: [...new Set(c.items.map((p) => p.source))], checksum: c.checksum };
}

/** The same word splitting as the classifier's default tokenizer (lower-cased treebank words). */
function splitter(): WordTokenizer {
  return new WordTokenizer(new Vocab(['<pad>', '<unk>'], { pad: 0, unk: 1 }), {
    lowercase: true,
    splitter: 'treebank',
  });
}

/** Word -> skip-gram vector, trained on nlp-corpus (or read from the cache). */
export async function pretrainedVectors(
  options: PretrainedVectorsOptions,
): Promise<Map<string, Float32Array>> {
  const corpus = options.corpus ?? nlpCorpus();
  const excluded = new Set(options.exclude.map((t) => t.trim().toLowerCase()));
  const sentences = corpus.sentences.filter((s) => !excluded.has(s.trim().toLowerCase()));
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        corpus: corpus.checksum,
        sentences: sentences.length,
        skipGram: options.skipGram,
        v: 1,
      }),
    )
    .update(
      createHash('sha256')
        .update([...excluded].sort().join('\n'))
        .digest('hex'),
    )
    .digest('hex')
    .slice(0, 16);
  const file = options.cacheDir === null ? null : join(options.cacheDir, `skipgram-${key}.json`);
  if (file !== null) {
    try {
      const cached = JSON.parse(await readFile(file, 'utf8')) as Record<string, number[]>;
      options.log?.(`word vectors: cached ${file}`);
      return new Map(Object.entries(cached).map(([w, v]) => [w, Float32Array.from(v)]));
    } catch {
      // No usable cache: train below.
    }
  }
  const tok = splitter();
  const tokens = sentences.map((s) => tok.tokenize(s));
  const count = tokens.reduce((a, s) => a + s.length, 0);
  options.log?.(`word vectors: skip-gram on ${sentences.length} unlabelled sentences (${count} tokens)`);
  const t0 = performance.now();
  const vectors = trainSkipGram(tokens, options.skipGram);
  options.log?.(`word vectors: ${vectors.size} words in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (file !== null) {
    await mkdir(options.cacheDir!, { recursive: true });
    const json = JSON.stringify(Object.fromEntries([...vectors].map(([w, v]) => [w, Array.from(v)])));
    await writeFileAtomic(file, new TextEncoder().encode(json));
  }
  return vectors;
}
