import { NumericalError, OptionError, ShapeError } from '@recurrent/core';
import { logSoftmaxRow } from './log-softmax.ts';
import { bannedNgramTokens } from './no-repeat-ngram.ts';
import { definedOnly } from './options.ts';
import type { StepModel } from './step-model.ts';

/** Beam search settings, merged over {@link DEFAULT_BEAM_SEARCH_OPTIONS}. */
export interface BeamSearchOptions {
  /** Hypotheses kept alive per step (they run through the model as one batch). Default 4. */
  beamSize?: number;
  /** Most tokens generated per hypothesis, EOS included. Default 50. */
  maxLength?: number;
  /** Fewest tokens before EOS may be chosen (EOS's probability is 0 until then). Default 0. */
  minLength?: number;
  /** End-of-sequence id; a hypothesis that picks it is finished. None: all run to `maxLength`. */
  eosId?: number;
  /**
   * alpha of Wu et al. (2016)'s length penalty: a hypothesis of `len` tokens (EOS included) scores
   * `logProb / ((5 + len) / 6) ** alpha`. 0 ranks by log-probability alone (so beam 1 is greedy);
   * 0.6 to 1 counters beam search's bias towards short outputs. Default 0.
   */
  lengthPenalty?: number;
  /** How many finished hypotheses to return, best first (<= beamSize). Default 1. */
  nBest?: number;
  /**
   * Forbid any n-gram of this size from occurring twice in prompt + hypothesis; 0 disables.
   * Default 0.
   */
  noRepeatNgramSize?: number;
}

/** The defaults of {@link BeamSearchOptions} (no EOS). */
export const DEFAULT_BEAM_SEARCH_OPTIONS = Object.freeze({
  beamSize: 4,
  maxLength: 50,
  minLength: 0,
  lengthPenalty: 0,
  nBest: 1,
  noRepeatNgramSize: 0,
});

/** One result of {@link beamSearch}. */
export interface BeamHypothesis {
  /** Generated ids (prompt excluded), ending in EOS when `finished`. */
  tokens: Int32Array;
  /** Sum of the natural-log probabilities of `tokens`. */
  logProb: number;
  /** `logProb` after the length penalty: what hypotheses are ranked by. */
  score: number;
  /** Whether the hypothesis ended with EOS (otherwise it hit `maxLength`). */
  finished: boolean;
}

interface Beam {
  tokens: number[];
  logProb: number;
}

interface Candidate {
  row: number;
  token: number;
  logProb: number;
}

type Resolved = typeof DEFAULT_BEAM_SEARCH_OPTIONS & { eosId: number | undefined };

function resolve(options: BeamSearchOptions): Resolved {
  const o = { ...DEFAULT_BEAM_SEARCH_OPTIONS, eosId: undefined, ...definedOnly(options) } as Resolved;
  const intAtLeast = (name: keyof Resolved, min: number): void => {
    const v = o[name] as number;
    if (!Number.isInteger(v) || v < min)
      throw new OptionError(`beamSearch ${name}`, `an integer >= ${min}`, String(v));
  };
  intAtLeast('beamSize', 1);
  intAtLeast('maxLength', 1);
  intAtLeast('minLength', 0);
  intAtLeast('noRepeatNgramSize', 0);
  intAtLeast('nBest', 1);
  if (o.nBest > o.beamSize) {
    throw new OptionError('beamSearch nBest', `at most beamSize (${o.beamSize})`, String(o.nBest));
  }
  if (o.minLength >= o.maxLength) {
    throw new OptionError(
      'beamSearch minLength',
      `less than maxLength (${o.maxLength})`,
      String(o.minLength),
    );
  }
  if (!Number.isFinite(o.lengthPenalty)) {
    throw new OptionError('beamSearch lengthPenalty', 'a finite number', String(o.lengthPenalty));
  }
  if (o.eosId !== undefined && !(Number.isInteger(o.eosId) && o.eosId >= 0)) {
    throw new OptionError('beamSearch eosId', 'an integer >= 0', String(o.eosId));
  }
  return o;
}

/** Wu et al. (2016): lp(len) = ((5 + len) / 6) ** alpha. */
function lengthPenalty(len: number, alpha: number): number {
  return ((5 + len) / 6) ** alpha;
}

/** Highest log-probability first; ties by lower row, then lower token id (so beam 1 is greedy). */
function byScore(a: Candidate, b: Candidate): number {
  return b.logProb - a.logProb || a.row - b.row || a.token - b.token;
}

/**
 * The `k` best candidates of one row, ranked with {@link byScore}; -Infinity never qualifies.
 * A small sorted buffer suffices: k is twice the beam, tiny next to the vocabulary.
 */
function topCandidates(row: number, base: number, logProbs: Float64Array, k: number): Candidate[] {
  const best: Candidate[] = [];
  for (let t = 0; t < logProbs.length; t++) {
    const lp = logProbs[t]!;
    if (lp === Number.NEGATIVE_INFINITY) continue;
    const total = base + lp;
    if (best.length === k && total <= best[k - 1]!.logProb) continue;
    const c = { row, token: t, logProb: total };
    let i = best.length;
    while (i > 0 && byScore(c, best[i - 1]!) < 0) i--;
    best.splice(i, 0, c);
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * Beam search over a {@link StepModel}. The prompt (at least one token, e.g. BOS) is fed one
 * token at a time to a batch of 1; the search then widens to `beamSize` rows and runs all live
 * beams through `model.step` as one batch per step. Each step takes the best `2 * beamSize`
 * continuations of all beams; those ending in EOS (among the top `beamSize`) are finished, the best
 * `beamSize` others live on. It stops when no live beam can still beat the `beamSize`-th finished
 * hypothesis (an exact bound given the length penalty), when none is left alive, or at
 * `maxLength`, where unfinished beams are returned with `finished: false`.
 *
 * Reordering beams uses `model.selectState(state, indices)`, required as soon as the search
 * reorders or widens the beams (so with `beamSize` 1 a model without it still works).
 *
 * @param prompt `[P]` ids, P >= 1; not part of the returned tokens.
 * @returns up to `nBest` hypotheses, best score first.
 * @throws OptionError for invalid options, an empty prompt, or a missing `selectState`;
 *   ShapeError when the logits are not `[B, V]`; NumericalError on NaN logits.
 */
export function beamSearch<S>(
  model: StepModel<S>,
  prompt: ArrayLike<number>,
  options: BeamSearchOptions = {},
): BeamHypothesis[] {
  const o = resolve(options);
  if (prompt.length === 0)
    throw new OptionError('beamSearch prompt', 'at least one token (e.g. BOS)', '0 tokens');
  const promptIds = Array.from(prompt);

  let state = model.initialState(1);
  let logits: Float32Array = new Float32Array(0);
  for (const id of promptIds) {
    const out = model.step(Int32Array.of(id), state);
    logits = out.logits;
    state = out.state;
  }

  let live: Beam[] = [{ tokens: [], logProb: 0 }];
  const finished: BeamHypothesis[] = [];
  const width = 2 * o.beamSize;
  const finish = (tokens: number[], logProb: number, done: boolean): void => {
    const score = logProb / lengthPenalty(tokens.length, o.lengthPenalty);
    const h = { tokens: Int32Array.from(tokens), logProb, score, finished: done };
    // Insert after equal scores, so the earlier hypothesis wins a tie; keep only beamSize.
    let i = finished.length;
    while (i > 0 && finished[i - 1]!.score < score) i--;
    finished.splice(i, 0, h);
    if (finished.length > o.beamSize) finished.pop();
  };

  for (let t = 1; t <= o.maxLength; t++) {
    const rows = live.length;
    if (logits.length === 0 || logits.length % rows !== 0) {
      throw new ShapeError('StepModel.step logits', `[${rows}, V] with V >= 1`, `${logits.length} values`);
    }
    const vocab = logits.length / rows;
    const candidates: Candidate[] = [];
    live.forEach((beam, row) => {
      const lp = logSoftmaxRow(logits, row * vocab, vocab);
      for (let v = 0; v < vocab; v++) {
        if (Number.isNaN(lp[v])) throw new NumericalError(`logits[${row}, ${v}]`, 'a number', 'NaN');
      }
      if (o.eosId !== undefined && o.eosId < vocab && t - 1 < o.minLength)
        lp[o.eosId] = Number.NEGATIVE_INFINITY;
      if (o.noRepeatNgramSize > 0) {
        for (const b of bannedNgramTokens([...promptIds, ...beam.tokens], o.noRepeatNgramSize)) {
          if (b >= 0 && b < vocab) lp[b] = Number.NEGATIVE_INFINITY;
        }
      }
      candidates.push(...topCandidates(row, beam.logProb, lp, width));
    });
    candidates.sort(byScore);

    const next: Beam[] = [];
    const parents: number[] = [];
    for (let rank = 0; rank < candidates.length && next.length < o.beamSize; rank++) {
      const c = candidates[rank]!;
      const tokens = [...live[c.row]!.tokens, c.token];
      if (c.token === o.eosId) {
        if (rank < o.beamSize) finish(tokens, c.logProb, true);
      } else {
        next.push({ tokens, logProb: c.logProb });
        parents.push(c.row);
      }
    }

    if (candidates.length === 0) {
      // Every continuation is banned (tiny vocabulary with no-repeat n-grams): end the live beams here.
      for (const b of live) finish(b.tokens, b.logProb, false);
      break;
    }
    if (next.length === 0) break;
    if (t === o.maxLength) {
      for (const b of next) finish(b.tokens, b.logProb, false);
      break;
    }
    if (finished.length === o.beamSize) {
      // log-probabilities only fall, so a live beam's best final score is its current log-prob
      // under the most favourable penalty among the lengths it can still end at.
      const bestPenalty = Math.max(
        lengthPenalty(t + 1, o.lengthPenalty),
        lengthPenalty(o.maxLength, o.lengthPenalty),
      );
      const worstKept = finished[finished.length - 1]!.score;
      if (next.every((b) => b.logProb / bestPenalty <= worstKept)) break;
    }

    const indices = Int32Array.from(parents);
    const identity = indices.length === rows && indices.every((p, i) => p === i);
    if (!identity) {
      if (model.selectState === undefined) {
        throw new OptionError(
          'StepModel.selectState',
          'a function to reorder beam states (needed when beamSize > 1)',
          'undefined',
        );
      }
      state = model.selectState(state, indices);
    }
    const out = model.step(
      Int32Array.from(next, (b) => b.tokens[b.tokens.length - 1]!),
      state,
    );
    logits = out.logits;
    state = out.state;
    live = next;
  }

  return finished.slice(0, o.nBest);
}
