/**
 * Tiny hand-checkable step models for the sampler tests: a second-order Markov chain over a few
 * tokens whose next-token logits depend on the previous two tokens. The state carries the previous
 * token of each row, so a search that reorders beams without `selectState` gets wrong answers.
 */
import { Rng } from '@recurrent/core';
import type { StepModel } from '@recurrent/samplers';

/** Per-row previous token (-1 before the first) and a count of calls, for assertions. */
export interface MarkovState {
  prev: Int32Array;
}

export interface MarkovModel extends StepModel<MarkovState> {
  /** logits[prev + 1][cur] `[V]`: prev = -1 is the start. */
  table: Float32Array[][];
  vocab: number;
  steps: number;
  batches: number[];
}

/** A second-order model with the given table `table[prev + 1][cur] -> logits [V]`. */
export function markovModel(table: Float32Array[][], withSelect = true): MarkovModel {
  const vocab = table[0]![0]!.length;
  const m: MarkovModel = {
    table,
    vocab,
    steps: 0,
    batches: [],
    initialState: (batch) => ({ prev: new Int32Array(batch).fill(-1) }),
    step(ids, state) {
      m.steps++;
      m.batches.push(ids.length);
      const logits = new Float32Array(ids.length * vocab);
      for (let b = 0; b < ids.length; b++) logits.set(table[state.prev[b]! + 1]![ids[b]!]!, b * vocab);
      return { logits, state: { prev: Int32Array.from(ids) } };
    },
  };
  if (withSelect) m.selectState = (s, idx) => ({ prev: Int32Array.from(idx, (i) => s.prev[i]!) });
  return m;
}

/** A random second-order model over `vocab` tokens. */
export function randomMarkov(vocab: number, seed: number, scale = 2): MarkovModel {
  const rng = new Rng(seed);
  const table: Float32Array[][] = [];
  for (let p = 0; p <= vocab; p++) {
    const row: Float32Array[] = [];
    for (let c = 0; c < vocab; c++)
      row.push(Float32Array.from({ length: vocab }, () => scale * rng.normal()));
    table.push(row);
  }
  return markovModel(table);
}

/** log softmax in float64 (the test's own, independent of the library's). */
export function logProbs(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const z = Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
  return Array.from(logits, (v) => v - z);
}

/** Every sequence the search could return, with its log-probability, by brute force. */
export function enumerate(
  m: MarkovModel,
  prompt: number[],
  eos: number,
  maxLength: number,
): { tokens: number[]; logProb: number; finished: boolean }[] {
  const out: { tokens: number[]; logProb: number; finished: boolean }[] = [];
  const walk = (prev: number, cur: number, tokens: number[], lp: number): void => {
    const row = logProbs(m.table[prev + 1]![cur]!);
    for (let t = 0; t < m.vocab; t++) {
      const next = [...tokens, t];
      const total = lp + row[t]!;
      if (t === eos) out.push({ tokens: next, logProb: total, finished: true });
      else if (next.length === maxLength) out.push({ tokens: next, logProb: total, finished: false });
      else walk(cur, t, next, total);
    }
  };
  let prev = -1;
  for (let i = 0; i < prompt.length - 1; i++) prev = prompt[i]!;
  walk(prev, prompt[prompt.length - 1]!, [], 0);
  return out;
}
