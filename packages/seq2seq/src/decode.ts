import { NumericalError, OptionError, Tape } from '@recurrent/core';
import { bannedNgramTokens } from '@recurrent/samplers';
import type { DecoderState } from './decoder.ts';
import type { Seq2Seq } from './model.ts';
import { selectDecoderState, selectMemory } from './select-rows.ts';

/** Options of {@link decode}, merged over {@link DEFAULT_DECODE_OPTIONS}. */
export interface DecodeOptions {
  /** Hypotheses kept per sentence; 1 is greedy decoding. Default 1. */
  beamSize?: number;
  /** Most tokens generated per hypothesis, EOS included. Default 100. */
  maxLength?: number;
  /**
   * Also cap each sentence's output at `maxLengthRatio · sourceLength + 10` tokens (0 = no such cap),
   * which stops an untrained model from running to `maxLength` on every sentence. Default 0.
   */
  maxLengthRatio?: number;
  /** Fewest tokens before EOS may be chosen. Default 0. */
  minLength?: number;
  /** alpha of Wu et al. (2016)'s length penalty `((5 + len) / 6) ** alpha`; 0 ranks by log-probability. Default 0. */
  lengthPenalty?: number;
  /** Hypotheses returned per sentence, best first (≤ beamSize). Default 1. */
  nBest?: number;
  /** Forbid repeating any n-gram of this size (BOS counts as the prompt); 0 disables. Default 0. */
  noRepeatNgramSize?: number;
  /** Sentences decoded together in one batch. Default 32. */
  batchSize?: number;
}

/** Defaults of {@link DecodeOptions}. */
export const DEFAULT_DECODE_OPTIONS = Object.freeze({
  beamSize: 1,
  maxLength: 100,
  maxLengthRatio: 0,
  minLength: 0,
  lengthPenalty: 0,
  nBest: 1,
  noRepeatNgramSize: 0,
  batchSize: 32,
});

/** One decoded output. */
export interface Hypothesis {
  /** Output ids, ending in EOS when `finished`. */
  tokens: Int32Array;
  /** The output as text (EOS removed). */
  text: string;
  /** Sum of the natural-log probabilities of `tokens`: the model score. */
  logProb: number;
  /** `logProb` after the length penalty: what hypotheses are ranked by. */
  score: number;
  /** Whether the hypothesis ended with EOS. */
  finished: boolean;
  /** Attention weights `[tokens.length][S]`: row i is the attention over the S source ids when token i was chosen. */
  attention: Float32Array[];
}

interface Beam {
  tokens: number[];
  logProb: number;
  attention: Float32Array[];
}

interface Candidate {
  row: number;
  token: number;
  logProb: number;
}

type Resolved = typeof DEFAULT_DECODE_OPTIONS;

function resolve(options: DecodeOptions): Resolved {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...DEFAULT_DECODE_OPTIONS, ...defined } as Resolved;
  const int = (name: keyof Resolved, min: number): void => {
    const v = o[name];
    if (!Number.isInteger(v) || v < min)
      throw new OptionError(`decode ${name}`, `an integer >= ${min}`, String(v));
  };
  int('beamSize', 1);
  int('maxLength', 1);
  int('minLength', 0);
  int('nBest', 1);
  int('noRepeatNgramSize', 0);
  int('batchSize', 1);
  if (o.nBest > o.beamSize)
    throw new OptionError('decode nBest', `at most beamSize (${o.beamSize})`, String(o.nBest));
  if (o.minLength >= o.maxLength) {
    throw new OptionError('decode minLength', `less than maxLength (${o.maxLength})`, String(o.minLength));
  }
  if (!Number.isFinite(o.lengthPenalty))
    throw new OptionError('decode lengthPenalty', 'a finite number', String(o.lengthPenalty));
  if (!(o.maxLengthRatio >= 0))
    throw new OptionError('decode maxLengthRatio', 'a number >= 0', String(o.maxLengthRatio));
  return o;
}

/** Wu et al. (2016): lp(len) = ((5 + len) / 6) ** alpha. */
function penalty(len: number, alpha: number): number {
  return ((5 + len) / 6) ** alpha;
}

/** Highest log-probability first; ties by lower beam, then lower token (so beam 1 is greedy). */
function byScore(a: Candidate, b: Candidate): number {
  return b.logProb - a.logProb || a.row - b.row || a.token - b.token;
}

/** The search of one sentence; the same rules as `beamSearch` of @recurrent/samplers. */
class SentenceSearch {
  live: Beam[] = [{ tokens: [], logProb: 0, attention: [] }];
  readonly finished: Hypothesis[] = [];
  done = false;

  constructor(
    private readonly model: Seq2Seq,
    private readonly o: Resolved,
    readonly maxLength: number,
    readonly sourceLength: number,
  ) {}

  private finish(b: Beam, done: boolean): void {
    const score = b.logProb / penalty(b.tokens.length, this.o.lengthPenalty);
    const tokens = Int32Array.from(b.tokens);
    const h: Hypothesis = {
      tokens,
      text: this.model.decodeTarget(tokens),
      logProb: b.logProb,
      score,
      finished: done,
      attention: b.attention,
    };
    let i = this.finished.length;
    while (i > 0 && this.finished[i - 1]!.score < score) i--;
    this.finished.splice(i, 0, h);
    if (this.finished.length > this.o.beamSize) this.finished.pop();
  }

  /**
   * Advances by one token given the log-probabilities `lp [rows, V]` of its live beams (at `first`) and
   * their attention rows; returns the parent row (local) of each next live beam.
   */
  advance(
    t: number,
    lp: Float64Array,
    first: number,
    vocab: number,
    weights: Float32Array,
    S: number,
  ): number[] {
    const o = this.o;
    const eos = this.model.eos;
    const width = 2 * o.beamSize;
    const candidates: Candidate[] = [];
    this.live.forEach((beam, row) => {
      const base = (first + row) * vocab;
      const banned =
        o.noRepeatNgramSize > 0
          ? bannedNgramTokens([this.model.bos, ...beam.tokens], o.noRepeatNgramSize)
          : null;
      const best: Candidate[] = [];
      for (let v = 0; v < vocab; v++) {
        let l = lp[base + v]!;
        if (Number.isNaN(l))
          throw new NumericalError(`decoder log-probabilities[${first + row}, ${v}]`, 'a number', 'NaN');
        if ((v === eos && t - 1 < o.minLength) || banned?.has(v)) l = Number.NEGATIVE_INFINITY;
        if (l === Number.NEGATIVE_INFINITY) continue;
        const total = beam.logProb + l;
        if (best.length === width && total <= best[width - 1]!.logProb) continue;
        const c = { row, token: v, logProb: total };
        let i = best.length;
        while (i > 0 && byScore(c, best[i - 1]!) < 0) i--;
        best.splice(i, 0, c);
        if (best.length > width) best.pop();
      }
      candidates.push(...best);
    });
    candidates.sort(byScore);
    const next: Beam[] = [];
    const parents: number[] = [];
    for (let rank = 0; rank < candidates.length && next.length < o.beamSize; rank++) {
      const c = candidates[rank]!;
      const parent = this.live[c.row]!;
      const w0 = (first + c.row) * S;
      const beam: Beam = {
        tokens: [...parent.tokens, c.token],
        logProb: c.logProb,
        attention: [...parent.attention, weights.slice(w0, w0 + this.sourceLength)],
      };
      if (c.token === eos) {
        if (rank < o.beamSize) this.finish(beam, true);
      } else {
        next.push(beam);
        parents.push(c.row);
      }
    }
    if (candidates.length === 0) {
      for (const b of this.live) this.finish(b, false);
      return this.stop();
    }
    if (next.length === 0) return this.stop();
    if (t >= this.maxLength) {
      for (const b of next) this.finish(b, false);
      return this.stop();
    }
    if (this.finished.length === o.beamSize) {
      const bestPenalty = Math.max(penalty(t + 1, o.lengthPenalty), penalty(this.maxLength, o.lengthPenalty));
      const worstKept = this.finished[this.finished.length - 1]!.score;
      if (next.every((b) => b.logProb / bestPenalty <= worstKept)) return this.stop();
    }
    this.live = next;
    return parents;
  }

  private stop(): number[] {
    this.done = true;
    this.live = [];
    return [];
  }
}

/** Row-wise log-softmax of `logits [rows, V]` in float64. */
function logSoftmaxRows(logits: Float32Array, rows: number, vocab: number): Float64Array {
  const out = new Float64Array(rows * vocab);
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    let max = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < vocab; v++) max = Math.max(max, logits[o + v]!);
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp(logits[o + v]! - max);
    const lse = max + Math.log(sum);
    for (let v = 0; v < vocab; v++) out[o + v] = logits[o + v]! - lse;
  }
  return out;
}

/**
 * Greedy (`beamSize` 1) or beam-search decoding of source id sequences, many sentences at once: every
 * live beam of every sentence in a batch runs through the decoder as one batch per step. Per sentence
 * the rules are exactly those of `beamSearch` in @recurrent/samplers (2·beam candidates, EOS among
 * the top `beamSize` finishes a hypothesis, the exact stopping bound under the length penalty).
 *
 * @returns for each source, up to `nBest` hypotheses, best first, each with its attention matrix.
 */
export function decode(
  model: Seq2Seq,
  sources: readonly Int32Array[],
  options: DecodeOptions = {},
): Hypothesis[][] {
  const o = resolve(options);
  const wasTraining = model.training;
  model.train(false);
  try {
    // Sorting by length keeps the padding (and wasted steps) of each batch small.
    const order = sources.map((_, i) => i).sort((a, b) => sources[a]!.length - sources[b]!.length || a - b);
    const results: Hypothesis[][] = new Array(sources.length);
    for (let at = 0; at < order.length; at += o.batchSize) {
      const ids = order.slice(at, at + o.batchSize);
      const out = decodeBatch(
        model,
        ids.map((i) => sources[i]!),
        o,
      );
      ids.forEach((i, k) => {
        results[i] = out[k]!;
      });
    }
    return results;
  } finally {
    model.train(wasTraining);
  }
}

function decodeBatch(model: Seq2Seq, sources: Int32Array[], o: Resolved): Hypothesis[][] {
  const tape = Tape.noGrad();
  const enc = model.encode(tape, sources);
  const S = enc.memory.keys.dim(1);
  const searches = sources.map((s) => {
    const cap = o.maxLengthRatio > 0 ? Math.ceil(o.maxLengthRatio * s.length) + 10 : o.maxLength;
    return new SentenceSearch(model, o, Math.max(o.minLength + 1, Math.min(o.maxLength, cap)), s.length);
  });
  let memory = enc.memory;
  let state: DecoderState = enc.state;
  let rowSentence = Int32Array.from(sources, (_, i) => i); // which sentence each row decodes
  let inputs = new Int32Array(sources.length).fill(model.bos);
  const V = model.targetTokenizer.vocabSize;
  for (let t = 1; ; t++) {
    const out = model.decoder.step(tape, model.decoder.embed(tape, inputs, [inputs.length]), state, memory);
    const logits = model.decoder.logits(tape, out.hidden); // [N, V]
    const lp = logSoftmaxRows(logits.data, inputs.length, V);
    const weights = out.weights.data; // [N, S]
    const nextRows: number[] = [];
    const nextSentence: number[] = [];
    const nextInputs: number[] = [];
    let first = 0;
    let r = 0;
    while (r < rowSentence.length) {
      const sent = rowSentence[r]!;
      const search = searches[sent]!;
      const count = search.live.length;
      const parents = search.advance(t, lp, first, V, weights, S);
      parents.forEach((p, k) => {
        nextRows.push(first + p);
        nextSentence.push(sent);
        nextInputs.push(search.live[k]!.tokens[search.live[k]!.tokens.length - 1]!);
      });
      first += count;
      r += count;
    }
    if (nextRows.length === 0) break;
    const idx = Int32Array.from(nextRows);
    state = selectDecoderState(out.state, idx);
    const sentences = Int32Array.from(nextSentence);
    if (!sameRows(sentences, rowSentence)) {
      // Memory rows follow sentences, not beams: reselect only when the row -> sentence map changed.
      const memIdx = Int32Array.from(sentences, (s) => firstRowOf(rowSentence, s));
      memory = selectMemory(memory, memIdx);
    }
    rowSentence = sentences;
    inputs = Int32Array.from(nextInputs);
  }
  return searches.map((s) => s.finished.slice(0, o.nBest));
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function firstRowOf(rows: Int32Array, sentence: number): number {
  return rows.indexOf(sentence);
}

/**
 * The best hypothesis of each source text (tokenized with the model's source tokenizer); a text with
 * no tokens gets an empty, unfinished hypothesis.
 */
export function translate(
  model: Seq2Seq,
  texts: readonly string[],
  options: DecodeOptions = {},
): Hypothesis[] {
  const sources = texts.map((t) => model.encodeSource(t));
  const keep = sources.map((s, i) => (s.length > 0 ? i : -1)).filter((i) => i >= 0);
  const found = decode(
    model,
    keep.map((i) => sources[i]!),
    { ...options, nBest: 1 },
  );
  // A source with no tokens (an empty line) translates to nothing rather than failing the batch.
  const out: Hypothesis[] = sources.map(() => ({
    tokens: new Int32Array(0),
    text: '',
    logProb: 0,
    score: 0,
    finished: false,
    attention: [],
  }));
  keep.forEach((i, k) => {
    out[i] = found[k]![0]!;
  });
  return out;
}
