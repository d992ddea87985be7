import { DataError, OptionError, Rng, ShapeError } from '@recurrent/core';

/** One fold of a cross-validation: indices into the examples, each ascending. */
export interface Fold {
  /** Examples to train on (every example not in `test`). */
  train: Int32Array;
  /** The held-out examples. */
  test: Int32Array;
}

/** Options for {@link stratifiedKFold}. */
export interface StratifiedKFoldOptions {
  /** Number of folds K, an integer >= 2. Default 10. */
  k?: number;
  /** Seed of the shuffles. Default 0. Same labels, groups and seed: the same folds. */
  seed?: number;
  /**
   * A key per example; examples sharing a key always land in the same fold (a sentence that occurs twice
   * must not be in both the training and the test part). A group is stratified by its most frequent label
   * (the lowest id on a tie). Default: every example is its own group.
   */
  groups?: ArrayLike<string | number>;
}

/**
 * Stratified K-fold cross-validation splits of examples with class ids `labels`: each example (group) is
 * in exactly one test fold, and every fold holds close to 1/K of each class. Within each class (in id
 * order) the groups are shuffled by one `Rng(seed)` and each goes to the fold with the fewest examples of
 * that class so far (ties: fewest examples overall, then the lowest fold index), so folds are balanced in
 * both class mix and size.
 *
 * @returns K folds, in fold order.
 * @throws OptionError for K < 2 or not an integer; ShapeError when `groups` has another length; DataError
 *   when there are fewer groups than folds.
 */
export function stratifiedKFold(labels: ArrayLike<number>, options: StratifiedKFoldOptions = {}): Fold[] {
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 2) throw new OptionError('stratifiedKFold k', 'an integer >= 2', String(k));
  const n = labels.length;
  const groups = options.groups;
  if (groups !== undefined && groups.length !== n) {
    throw new ShapeError('stratifiedKFold groups', `${n} keys (one per label)`, String(groups.length));
  }
  // Units: the groups in first-appearance order, each with its members.
  const unitOf = new Map<string | number, number>();
  const members: number[][] = [];
  for (let i = 0; i < n; i++) {
    const key = groups === undefined ? i : groups[i]!;
    let u = unitOf.get(key);
    if (u === undefined) {
      u = members.length;
      unitOf.set(key, u);
      members.push([]);
    }
    members[u]!.push(i);
  }
  if (members.length < k) {
    throw new DataError(
      `stratifiedKFold with k = ${k}`,
      `at least ${k} ${groups === undefined ? 'examples' : 'groups'}`,
      String(members.length),
    );
  }
  const byClass = new Map<number, number[]>();
  for (let u = 0; u < members.length; u++) {
    const label = majorityLabel(labels, members[u]!);
    const list = byClass.get(label) ?? [];
    list.push(u);
    byClass.set(label, list);
  }
  const rng = new Rng(options.seed ?? 0);
  const foldOf = new Int32Array(n);
  const total = new Float64Array(k);
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const units = rng.shuffle(byClass.get(label)!);
    const perClass = new Float64Array(k);
    for (const u of units) {
      let best = 0;
      for (let f = 1; f < k; f++) {
        if (perClass[f]! < perClass[best]! || (perClass[f] === perClass[best] && total[f]! < total[best]!))
          best = f;
      }
      const size = members[u]!.length;
      perClass[best]! += size;
      total[best]! += size;
      for (const i of members[u]!) foldOf[i] = best;
    }
  }
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? test : train).push(i);
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}

function majorityLabel(labels: ArrayLike<number>, idx: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = labels[idx[0]!]!;
  for (const i of idx) {
    const y = labels[i]!;
    const c = (counts.get(y) ?? 0) + 1;
    counts.set(y, c);
    const cb = counts.get(best) ?? 0;
    if (c > cb || (c === cb && y < best)) best = y;
  }
  return best;
}
