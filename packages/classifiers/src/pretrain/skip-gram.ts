/**
 * Word vectors from unlabelled text by skip-gram with negative sampling (word2vec: Mikolov et al. 2013),
 * for starting a classifier's embeddings from what the words' contexts say about them: `excellent`
 * near `superb`, a review's vocabulary near other reviews'.
 *
 * The reference algorithm (word2vec.c): a vocabulary of words seen at least `minCount` times; frequent
 * words subsampled (kept with probability (√(f/t) + 1)·t/f); for each word a window of random size
 * 1..`window` on each side; for each (word, context) pair one logistic step pulling the pair together
 * and pushing `negatives` words drawn from the unigram distribution^0.75 apart; the learning rate falls
 * linearly to 1e-4 of its start. All randomness comes from one seeded {@link Rng}.
 */
import { DataError, OptionError, Rng } from '@recurrent/core';

/** Options of {@link trainSkipGram}; every field has a default. */
export interface SkipGramOptions {
  /** Vector width. Default 64. */
  dim?: number;
  /** Largest context window on each side. Default 5. */
  window?: number;
  /** Negative samples per pair. Default 5. */
  negatives?: number;
  /** Passes over the text. Default 3. */
  epochs?: number;
  /** Words seen fewer times get no vector. Default 3. */
  minCount?: number;
  /** Subsampling threshold t. Default 1e-4. */
  sample?: number;
  /** Starting learning rate. Default 0.025. */
  lr?: number;
  /** Seed. Default 0. */
  seed?: number;
}

const TABLE_SIZE = 1 << 22;

function sigmoid(x: number): number {
  return x > 8 ? 1 : x < -8 ? 0 : 1 / (1 + Math.exp(-x));
}

/**
 * Trains vectors on `sentences` (each an array of tokens) and returns word -> vector (`dim` numbers)
 * for every word seen at least `minCount` times.
 * @throws DataError when no word reaches `minCount`; OptionError for invalid options.
 */
export function trainSkipGram(
  sentences: readonly (readonly string[])[],
  options: SkipGramOptions = {},
): Map<string, Float32Array> {
  const dim = options.dim ?? 64;
  const window = options.window ?? 5;
  const negatives = options.negatives ?? 5;
  const epochs = options.epochs ?? 3;
  const minCount = options.minCount ?? 3;
  const sample = options.sample ?? 1e-4;
  const lr0 = options.lr ?? 0.025;
  for (const [name, v] of [
    ['dim', dim],
    ['window', window],
    ['epochs', epochs],
    ['minCount', minCount],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new OptionError(`skip-gram ${name}`, 'an integer >= 1', String(v));
  }
  if (!Number.isInteger(negatives) || negatives < 0)
    throw new OptionError('skip-gram negatives', 'an integer >= 0', String(negatives));
  if (!(lr0 > 0)) throw new OptionError('skip-gram lr', 'a number > 0', String(lr0));
  const rng = new Rng(options.seed ?? 0);

  // Vocabulary: count, then keep frequent words, most frequent first (ties by code point, for determinism).
  const counts = new Map<string, number>();
  for (const s of sentences) for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts]
    .filter(([, c]) => c >= minCount)
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
    .map(([w]) => w);
  if (words.length === 0)
    throw new DataError('skip-gram text', `a word seen at least ${minCount} times`, 'none');
  const id = new Map(words.map((w, i) => [w, i]));
  const freq = Float64Array.from(words, (w) => counts.get(w)!);
  const total = freq.reduce((a, b) => a + b, 0);
  const corpus = sentences.map((s) => {
    const ids: number[] = [];
    for (const w of s) {
      const i = id.get(w);
      if (i !== undefined) ids.push(i);
    }
    return Int32Array.from(ids);
  });
  const keep = Float64Array.from(freq, (c) => {
    const f = c / total;
    return sample > 0 ? Math.min(1, (Math.sqrt(f / sample) + 1) * (sample / f)) : 1;
  });
  // Unigram^0.75 table: a uniform index into it draws a negative.
  const table = new Int32Array(TABLE_SIZE);
  const pow = Float64Array.from(freq, (c) => c ** 0.75);
  const powSum = pow.reduce((a, b) => a + b, 0);
  for (let i = 0, w = 0, acc = pow[0]! / powSum; i < TABLE_SIZE; i++) {
    table[i] = w;
    if (i / TABLE_SIZE > acc && w < words.length - 1) acc += pow[++w]! / powSum;
  }

  const v = words.length;
  // Float64 arithmetic: no float32 conversion on every load and store of the inner loops.
  const input = new Float64Array(v * dim);
  const output = new Float64Array(v * dim); // word2vec starts the output vectors at 0
  for (let i = 0; i < input.length; i++) input[i] = (rng.uniform() - 0.5) / dim;
  const grad = new Float64Array(dim);
  const planned = epochs * corpus.reduce((a, s) => a + s.length, 0);
  let done = 0;
  const sentence = new Int32Array(corpus.reduce((m, s) => Math.max(m, s.length), 0));
  const tableShift = 32 - Math.log2(TABLE_SIZE);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const s of corpus) {
      let n = 0;
      for (const w of s) if (keep[w]! >= 1 || rng.uniform() < keep[w]!) sentence[n++] = w;
      done += s.length;
      const lr = Math.max(lr0 * 1e-4, lr0 * (1 - done / (planned + 1)));
      for (let i = 0; i < n; i++) {
        const center = sentence[i]!;
        const b = 1 + rng.int(window);
        const hi = Math.min(n - 1, i + b);
        for (let j = Math.max(0, i - b); j <= hi; j++) {
          if (j === i) continue;
          const inRow = sentence[j]! * dim; // word2vec updates the context word's input vector
          grad.fill(0);
          for (let k = 0; k <= negatives; k++) {
            // The positive pair first, then negatives: the top bits of one draw index the table.
            const target = k === 0 ? center : table[rng.nextU32() >>> tableShift]!;
            if (k > 0 && target === center) continue;
            const outRow = target * dim;
            let dot = 0;
            for (let d = 0; d < dim; d++) dot += input[inRow + d]! * output[outRow + d]!;
            const g = ((k === 0 ? 1 : 0) - sigmoid(dot)) * lr;
            for (let d = 0; d < dim; d++) {
              const o = output[outRow + d]!;
              grad[d]! += g * o;
              output[outRow + d] = o + g * input[inRow + d]!;
            }
          }
          for (let d = 0; d < dim; d++) input[inRow + d]! += grad[d]!;
        }
      }
    }
  }
  const out = new Map<string, Float32Array>();
  words.forEach((w, i) => {
    out.set(w, Float32Array.from(input.subarray(i * dim, (i + 1) * dim)));
  });
  return out;
}

/**
 * Rescales vectors so their components have standard deviation `std` overall (one factor for all), so
 * they can share an embedding table with N(0, std²) random rows without dwarfing or drowning them.
 */
export function standardizeVectors(
  vectors: ReadonlyMap<string, Float32Array>,
  std = 1,
): Map<string, Float32Array> {
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (const vec of vectors.values()) {
    for (const x of vec) {
      sum += x;
      sq += x * x;
      n++;
    }
  }
  const mean = n === 0 ? 0 : sum / n;
  const sd = n === 0 ? 1 : Math.sqrt(Math.max(sq / n - mean * mean, 1e-12));
  const out = new Map<string, Float32Array>();
  for (const [w, vec] of vectors)
    out.set(
      w,
      vec.map((x) => (x * std) / sd),
    );
  return out;
}

/**
 * Joins per-word vectors side by side: each word of any map gets `[a | b | ...]`, zeros where a map
 * lacks it (e.g. a sentiment lexicon's polarities next to skip-gram vectors).
 */
export function concatVectors(
  ...maps: readonly ReadonlyMap<string, ArrayLike<number>>[]
): Map<string, Float32Array> {
  const widths = maps.map((m) => {
    for (const v of m.values()) return v.length;
    return 0;
  });
  const total = widths.reduce((a, b) => a + b, 0);
  const out = new Map<string, Float32Array>();
  let offset = 0;
  maps.forEach((m, k) => {
    for (const [w, v] of m) {
      let row = out.get(w);
      if (row === undefined) {
        row = new Float32Array(total);
        out.set(w, row);
      }
      row.set(v, offset);
    }
    offset += widths[k]!;
  });
  return out;
}
