/**
 * A bag-of-n-grams linear classifier with naive-Bayes-scaled features: NBSVM (Wang & Manning 2012) with
 * the logistic loss, one-vs-rest. It sits beside the recurrent encoder in a {@link TextClassifier}: on
 * short sentiment sentences such a model is about as accurate as the recurrent one and errs on different
 * texts (it sees sub-word pieces and exact phrases; the encoder sees order and word vectors), so the
 * average of their probabilities beats either.
 *
 * Features of a text: the distinct word n-grams of orders 1..`wordNgrams` (natural's treebank words,
 * lower-cased) and the distinct character n-grams of lengths `charNgrams[0]..charNgrams[1]` of the words
 * joined by single spaces, with a space at each end. Each is 0/1. For class c the naive-Bayes log-count
 * ratio `r_c = log((α + Σ_{y=c} x) / ‖α + Σ_{y=c} x‖₁) − log((α + Σ_{y≠c} x) / ‖α + Σ_{y≠c} x‖₁)` scales
 * the features, and a logistic regression on `r_c ∘ x` (mean log loss + `l2`/2 · ‖w‖², bias not
 * penalised) is fitted by full-batch Adam: no randomness at all, so the same texts give the same model.
 * The stored weight of feature f for class c is the product `w_c[f] · r_c[f]`.
 */
import { DataError, OptionError } from '@recurrent/core';
import { Vocab, WordTokenizer } from '@recurrent/tokenizers';
import { SENTIMENT_LEXICONS, sentimentLexicon } from '../lexicon/sentiment-lexicon.ts';

/** Which n-grams are features (saved with the model). */
export interface NgramFeatureConfig {
  /** Word n-grams of orders 1..wordNgrams; 0 for none. Default 2 (words and word pairs). */
  wordNgrams: number;
  /**
   * Character n-grams of these lengths `[min, max]` over the words joined by spaces (spanning word
   * boundaries); null for none. Default [2, 5]: they tie together inflections and misspellings
   * (`disappoint`, `disappointing`, `dissapointed`) that the word features keep apart.
   */
  charNgrams: readonly [number, number] | null;
  /**
   * Sentiment-lexicon features: for each word that natural's AFINN, SentiCon or Pattern lexicon scores,
   * the feature `l:<lexicon>:<polarity bucket>`, prefixed `l:not:` within three words after a negation
   * (`not`, `n't`, `never`, `no`, …). They carry what the lexicons know about words the training texts
   * never show (`superb` in a test sentence, absent from training, still lights `l:afinn:+4`), which word
   * and character n-grams cannot. Default false (files written before this field read as false).
   */
  lexicon?: boolean;
}

/** The defaults of {@link NgramFeatureConfig}. */
export const ngramFeatureDefaults: NgramFeatureConfig = { wordNgrams: 2, charNgrams: [2, 5], lexicon: false };

/** Training options of {@link trainNgramLogistic}; every field has a default. */
export interface NgramLogisticOptions extends Partial<NgramFeatureConfig> {
  /** Naive-Bayes smoothing α (added to every feature count). Default 0.5. */
  alpha?: number;
  /** L2 penalty on the weights, added to the mean log loss as l2/2 · ‖w‖². Default 3e-4. */
  l2?: number;
  /** Full-batch Adam steps. Default 300. */
  iterations?: number;
  /** Adam's learning rate. Default 0.1. */
  lr?: number;
}

/** The parts of an {@link NgramLogistic}. */
export interface NgramLogisticParts {
  config: NgramFeatureConfig;
  /** The feature strings by id: `w:` + space-joined words, or `c:` + characters. */
  features: readonly string[];
  /** Effective weights `[C, F]` (class-major). */
  weight: Float32Array;
  /** Biases `[C]`. */
  bias: Float32Array;
}

/** Checks a feature config (from options or a file); throws an OptionError naming the field. */
export function resolveNgramFeatureConfig(input: Partial<NgramFeatureConfig>): NgramFeatureConfig {
  const c = { ...ngramFeatureDefaults, ...stripUndefined(input) };
  if (!(Number.isInteger(c.wordNgrams) && c.wordNgrams >= 0 && c.wordNgrams <= 8)) {
    throw new OptionError('ngrams wordNgrams', 'an integer in [0, 8]', String(c.wordNgrams));
  }
  const ch = c.charNgrams;
  if (ch !== null) {
    if (
      !Array.isArray(ch) ||
      ch.length !== 2 ||
      !ch.every((k) => Number.isInteger(k)) ||
      !(ch[0]! >= 1 && ch[0]! <= ch[1]! && ch[1]! <= 16)
    ) {
      throw new OptionError(
        'ngrams charNgrams',
        'null or [min, max] with 1 <= min <= max <= 16',
        JSON.stringify(ch) ?? String(ch),
      );
    }
  }
  if (c.wordNgrams === 0 && ch === null) {
    throw new OptionError(
      'ngrams',
      'word or character n-grams (or both)',
      'wordNgrams 0 and charNgrams null',
    );
  }
  if (typeof c.lexicon !== 'boolean') {
    throw new OptionError('ngrams lexicon', 'true or false', JSON.stringify(c.lexicon) ?? String(c.lexicon));
  }
  return { wordNgrams: c.wordNgrams, charNgrams: ch === null ? null : [ch[0]!, ch[1]!], lexicon: c.lexicon };
}

/** The feature strings of a text (distinct, in first-seen order). */
export function ngramFeatures(text: string, config: NgramFeatureConfig, words = wordSplitter()): string[] {
  const w = words.tokenize(text);
  const out = new Set<string>();
  for (let n = 1; n <= config.wordNgrams; n++) {
    for (let i = 0; i + n <= w.length; i++) out.add(`w:${w.slice(i, i + n).join(' ')}`);
  }
  if (config.charNgrams !== null) {
    const s = ` ${w.join(' ')} `;
    const [lo, hi] = config.charNgrams;
    // Code points, so an emoji or accented letter is never cut in half.
    const chars = [...s];
    for (let n = lo; n <= hi; n++) {
      for (let i = 0; i + n <= chars.length; i++) out.add(`c:${chars.slice(i, i + n).join('')}`);
    }
  }
  if (config.lexicon === true) {
    const lex = lexiconBuckets();
    let negatedUntil = -1;
    for (let i = 0; i < w.length; i++) {
      const word = w[i]!;
      if (NEGATIONS.has(word)) {
        negatedUntil = i + 3;
        continue;
      }
      const buckets = lex.get(word);
      if (buckets === undefined) continue;
      const prefix = i <= negatedUntil ? 'l:not:' : 'l:';
      for (const b of buckets) out.add(prefix + b);
    }
  }
  return [...out];
}

/** Words that flip the polarity of the (up to three) words after them. */
const NEGATIONS = new Set([
  'not',
  "n't",
  'no',
  'never',
  'nothing',
  'nobody',
  'none',
  'neither',
  'nor',
  'without',
  'hardly',
  'barely',
]);

let lexiconCache: Map<string, string[]> | null = null;

/**
 * Word -> its lexicon features' suffixes `<lexicon>:<bucket>`: the polarity in [−1, 1] (AFINN's −5..5
 * divided by 5) rounded to quarters, so `great` (AFINN 3) gives `afinn:+2` and `bad` (−3) `afinn:-2`.
 */
function lexiconBuckets(): Map<string, string[]> {
  if (lexiconCache !== null) return lexiconCache;
  const out = new Map<string, string[]>();
  for (const [word, row] of sentimentLexicon()) {
    const b: string[] = [];
    row.forEach((v, k) => {
      const q = Math.round(v * 4);
      if (q !== 0) b.push(`${SENTIMENT_LEXICONS[k]}:${q > 0 ? '+' : ''}${q}`);
    });
    if (b.length > 0) out.set(word, b);
  }
  lexiconCache = out;
  return out;
}

/** Lower-cased treebank words, the classifier's default word splitting. */
function wordSplitter(): WordTokenizer {
  return new WordTokenizer(new Vocab(['<pad>', '<unk>'], { pad: 0, unk: 1 }), {
    lowercase: true,
    splitter: 'treebank',
  });
}

/** A trained NB-weighted one-vs-rest logistic regression over n-gram features. */
export class NgramLogistic {
  readonly config: NgramFeatureConfig;
  readonly features: readonly string[];
  /** `[C, F]`. */
  readonly weight: Float32Array;
  /** `[C]`. */
  readonly bias: Float32Array;
  private readonly index: Map<string, number>;
  private readonly words = wordSplitter();

  constructor(parts: NgramLogisticParts) {
    this.config = resolveNgramFeatureConfig(parts.config);
    const { features, weight, bias } = parts;
    const c = bias.length;
    if (c < 2) throw new OptionError('NgramLogistic bias', 'at least 2 classes', String(c));
    if (weight.length !== c * features.length) {
      throw new OptionError(
        'NgramLogistic weight',
        `${c} x ${features.length} = ${c * features.length} numbers (classes x features)`,
        String(weight.length),
      );
    }
    this.index = new Map(features.map((f, i) => [f, i]));
    if (this.index.size !== features.length) {
      throw new OptionError(
        'NgramLogistic features',
        'distinct strings',
        `${features.length - this.index.size} repeated`,
      );
    }
    this.features = features;
    this.weight = weight;
    this.bias = bias;
  }

  /** Number of classes C. */
  get numClasses(): number {
    return this.bias.length;
  }

  /** The ids of the known features of `text`, ascending. */
  featureIds(text: string): Int32Array {
    const ids: number[] = [];
    for (const f of ngramFeatures(text, this.config, this.words)) {
      const id = this.index.get(f);
      if (id !== undefined) ids.push(id);
    }
    return Int32Array.from(ids).sort();
  }

  /**
   * Class probabilities `[C]` of each text: the one-vs-rest sigmoids normalised to sum to 1 (for two
   * classes the two models mirror each other, so this is the plain logistic probability).
   */
  probabilities(texts: readonly string[]): Float32Array[] {
    const c = this.numClasses;
    const f = this.features.length;
    return texts.map((text) => {
      const ids = this.featureIds(text);
      const s = new Float64Array(c);
      let total = 0;
      for (let k = 0; k < c; k++) {
        let z = this.bias[k]!;
        for (const id of ids) z += this.weight[k * f + id]!;
        s[k] = sigmoid(z);
        total += s[k]!;
      }
      return Float32Array.from(s, (v) => v / total);
    });
  }
}

/**
 * Fits an {@link NgramLogistic} to texts with class ids `labels` in [0, numClasses). Deterministic.
 * @throws DataError for no texts, a label count that differs from the text count, or a label out of range;
 *   OptionError for invalid options.
 */
export function trainNgramLogistic(
  texts: readonly string[],
  labels: ArrayLike<number>,
  numClasses: number,
  options: NgramLogisticOptions = {},
): NgramLogistic {
  const { alpha = 0.5, l2 = 3e-4, iterations = 300, lr = 0.1, ...featureOptions } = options;
  const config = resolveNgramFeatureConfig(featureOptions);
  if (!(Number.isFinite(alpha) && alpha > 0))
    throw new OptionError('ngrams alpha', 'a finite number > 0', String(alpha));
  if (!(Number.isFinite(l2) && l2 >= 0))
    throw new OptionError('ngrams l2', 'a finite number >= 0', String(l2));
  if (!(Number.isInteger(iterations) && iterations >= 1)) {
    throw new OptionError('ngrams iterations', 'an integer >= 1', String(iterations));
  }
  if (!(Number.isFinite(lr) && lr > 0)) throw new OptionError('ngrams lr', 'a finite number > 0', String(lr));
  if (!(Number.isInteger(numClasses) && numClasses >= 2)) {
    throw new OptionError('ngrams numClasses', 'an integer >= 2', String(numClasses));
  }
  const n = texts.length;
  if (n === 0) throw new DataError('n-gram training texts', 'at least one text', 'none');
  if (labels.length !== n)
    throw new DataError('n-gram training labels', `${n} (one per text)`, String(labels.length));
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) {
      throw new DataError(`n-gram training label ${i}`, `a class id in [0, ${numClasses})`, String(y));
    }
  }

  // Feature ids in order of first appearance: deterministic for the same texts.
  const words = wordSplitter();
  const index = new Map<string, number>();
  const rows = texts.map((t) => {
    const fs = ngramFeatures(t, config, words);
    const ids = new Int32Array(fs.length);
    fs.forEach((s, j) => {
      let id = index.get(s);
      if (id === undefined) {
        id = index.size;
        index.set(s, id);
      }
      ids[j] = id;
    });
    return ids;
  });
  const f = index.size;
  // Per-class feature counts; the total count of each feature gives the rest-of-classes counts.
  const counts = Array.from({ length: numClasses }, () => new Float64Array(f));
  const total = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    const cnt = counts[labels[i]!]!;
    for (const id of rows[i]!) {
      cnt[id]!++;
      total[id]!++;
    }
  }
  const weight = new Float32Array(numClasses * f);
  const bias = new Float32Array(numClasses);
  const targets = new Uint8Array(n);
  // With two classes the class-0 problem is the class-1 problem with every sign flipped (the ratios
  // negate, the targets swap), and Adam's steps flip with them exactly: fit one and mirror it.
  const fitted = numClasses === 2 ? [1] : Array.from({ length: numClasses }, (_, k) => k);
  for (const k of fitted) {
    const r = new Float64Array(f);
    let sp = 0;
    let sq = 0;
    for (let j = 0; j < f; j++) {
      sp += alpha + counts[k]![j]!;
      sq += alpha + total[j]! - counts[k]![j]!;
    }
    for (let j = 0; j < f; j++) {
      r[j] = Math.log((alpha + counts[k]![j]!) / sp) - Math.log((alpha + total[j]! - counts[k]![j]!) / sq);
    }
    for (let i = 0; i < n; i++) targets[i] = labels[i] === k ? 1 : 0;
    const { w, b } = fitLogistic(rows, targets, r, { l2, iterations, lr });
    for (let j = 0; j < f; j++) weight[k * f + j] = w[j]! * r[j]!;
    bias[k] = b;
  }
  if (numClasses === 2) {
    for (let j = 0; j < f; j++) weight[j] = -weight[f + j]!;
    bias[0] = -bias[1]!;
  }
  const features = new Array<string>(f);
  for (const [s, id] of index) features[id] = s;
  return new NgramLogistic({ config, features, weight, bias });
}

/**
 * Binary logistic regression on the 0/1 rows scaled by `r`: minimises mean log loss + l2/2 · ‖w‖² by
 * full-batch Adam (β = 0.9, 0.999), returning the weights of the scaled features and the bias.
 */
function fitLogistic(
  rows: readonly Int32Array[],
  y: Uint8Array,
  r: Float64Array,
  o: { l2: number; iterations: number; lr: number },
): { w: Float64Array; b: number } {
  const f = r.length;
  const n = rows.length;
  const w = new Float64Array(f);
  const g = new Float64Array(f); // Σ_i (σ(z_i) − y_i) x_ij, before the r and 1/n factors
  const m = new Float64Array(f + 1);
  const v = new Float64Array(f + 1);
  const b1 = 0.9;
  const b2 = 0.999;
  let b = 0;
  const wr = new Float64Array(f); // w ∘ r, the weights of the 0/1 features
  for (let t = 1; t <= o.iterations; t++) {
    for (let j = 0; j < f; j++) wr[j] = w[j]! * r[j]!;
    g.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      let z = b;
      for (const j of row) z += wr[j]!;
      const d = sigmoid(z) - y[i]!; // d(log loss)/dz
      gb += d;
      for (const j of row) g[j]! += d;
    }
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    for (let j = 0; j <= f; j++) {
      // Index f is the bias, which is not penalised.
      const grad = j < f ? (g[j]! * r[j]!) / n + o.l2 * w[j]! : gb / n;
      const mj = b1 * m[j]! + (1 - b1) * grad;
      const vj = b2 * v[j]! + (1 - b2) * grad * grad;
      m[j] = mj;
      v[j] = vj;
      const delta = (o.lr * (mj / c1)) / (Math.sqrt(vj / c2) + 1e-8);
      if (j < f) w[j]! -= delta;
      else b -= delta;
    }
  }
  return { w, b };
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
