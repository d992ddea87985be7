/**
 * Trains and tests several text classification systems on the same splits in one run, so their
 * numbers are directly comparable: same folds, same texts, same metric code.
 */
import { DataError, OptionError } from '@recurrent/core';
import { type ClassificationReport, classificationReport } from '../metrics/classification-report.ts';
import { rocAuc } from '../metrics/roc-auc.ts';
import type { Fold } from '../metrics/stratified-k-fold.ts';
import type { TextClassificationSystem } from './text-classification-system.ts';

/** Options of {@link compareSystems}. */
export interface CompareSystemsOptions {
  /** All texts; folds index into them. */
  texts: readonly string[];
  /** Class id of each text. */
  labels: Int32Array;
  /** Class names by id. */
  labelNames: readonly string[];
  /** The systems, in table order. */
  systems: readonly TextClassificationSystem[];
  /** The splits: K folds of a cross-validation, or one train/test split. */
  folds: readonly Fold[];
  /** Reported before and after each system's fit on each fold. */
  onProgress?: (e: CompareProgress) => void;
}

/** A progress report of {@link compareSystems}. */
export interface CompareProgress {
  system: string;
  /** 0-based fold index. */
  fold: number;
  folds: number;
  phase: 'start' | 'done';
  /** With `done`: this fold's accuracy and the seconds its training and testing took. */
  accuracy?: number;
  seconds?: number;
}

/** One system on one fold. */
export interface FoldResult {
  accuracy: number;
  macroF1: number;
  /** ROC-AUC of the second class's score (binary tasks), else null. */
  rocAuc: number | null;
  /** Seconds to train and test. */
  seconds: number;
  /** Mean training loss per epoch, when the system reports it. */
  epochLosses?: readonly number[];
}

/** Mean and (sample) standard deviation over folds. */
export interface MeanStd {
  mean: number;
  std: number;
}

/** One system over all folds. */
export interface SystemResult {
  name: string;
  description: string;
  /** Why the system did not run (e.g. a binary lexicon on a 3-class task); then the rest is empty. */
  skipped?: string;
  folds: FoldResult[];
  accuracy: MeanStd;
  macroF1: MeanStd;
  /** Over folds, binary tasks only. */
  rocAuc: MeanStd | null;
  /** Every test prediction of every fold pooled: per-class scores, averages and the summed confusion matrix. */
  pooled: ClassificationReport | null;
  /** Total seconds over folds. */
  seconds: number;
}

/**
 * Trains each system on each fold's training part and tests it on the fold's test part.
 * The seed handed to `fit` is the fold index, so systems are reproducible fold by fold.
 * @throws DataError when a fold has an empty training or test part.
 */
export async function compareSystems(options: CompareSystemsOptions): Promise<SystemResult[]> {
  const { texts, labels, labelNames, systems, folds } = options;
  if (texts.length !== labels.length)
    throw new OptionError('compareSystems labels', `${texts.length} (one per text)`, String(labels.length));
  folds.forEach((f, i) => {
    if (f.train.length === 0 || f.test.length === 0) {
      throw new DataError(
        `fold ${i + 1}`,
        'non-empty training and test parts',
        `${f.train.length} training and ${f.test.length} test examples`,
      );
    }
  });
  const c = labelNames.length;
  const results: SystemResult[] = systems.map((s) => ({
    name: s.name,
    description: s.description,
    ...(!s.supports(c) && { skipped: `does not support ${c} classes` }),
    folds: [],
    accuracy: { mean: Number.NaN, std: Number.NaN },
    macroF1: { mean: Number.NaN, std: Number.NaN },
    rocAuc: null,
    pooled: null,
    seconds: 0,
  }));
  const pooledTrue: number[][] = systems.map(() => []);
  const pooledPred: number[][] = systems.map(() => []);
  for (let f = 0; f < folds.length; f++) {
    const fold = folds[f]!;
    const trainTexts = Array.from(fold.train, (i) => texts[i]!);
    const trainLabels = Int32Array.from(fold.train, (i) => labels[i]!);
    const testTexts = Array.from(fold.test, (i) => texts[i]!);
    const testLabels = Int32Array.from(fold.test, (i) => labels[i]!);
    for (let s = 0; s < systems.length; s++) {
      const system = systems[s]!;
      const r = results[s]!;
      if (r.skipped !== undefined) continue;
      options.onProgress?.({ system: system.name, fold: f, folds: folds.length, phase: 'start' });
      const t0 = performance.now();
      const fitted = await system.fit({ texts: trainTexts, labels: trainLabels, labelNames }, f);
      const { ids, scores } = fitted.predict(testTexts);
      const seconds = (performance.now() - t0) / 1000;
      const report = classificationReport(testLabels, ids, { labels: labelNames });
      let auc: number | null = null;
      if (c === 2) {
        try {
          auc = rocAuc(
            testLabels,
            Float64Array.from(scores, (row) => binaryScore(row)),
          );
        } catch (e) {
          if (!(e instanceof DataError)) throw e; // a test part with one class has no AUC
        }
      }
      r.folds.push({
        accuracy: report.accuracy,
        macroF1: report.macro.f1,
        rocAuc: auc,
        seconds,
        ...(fitted.epochLosses !== undefined && { epochLosses: fitted.epochLosses }),
      });
      r.seconds += seconds;
      pooledTrue[s]!.push(...testLabels);
      pooledPred[s]!.push(...ids);
      options.onProgress?.({
        system: system.name,
        fold: f,
        folds: folds.length,
        phase: 'done',
        accuracy: report.accuracy,
        seconds,
      });
    }
  }
  results.forEach((r, s) => {
    if (r.skipped !== undefined) return;
    r.accuracy = meanStd(r.folds.map((x) => x.accuracy));
    r.macroF1 = meanStd(r.folds.map((x) => x.macroF1));
    const aucs = r.folds.map((x) => x.rocAuc).filter((a): a is number => a !== null);
    r.rocAuc = aucs.length > 0 ? meanStd(aucs) : null;
    r.pooled = classificationReport(pooledTrue[s]!, pooledPred[s]!, { labels: labelNames });
  });
  return results;
}

/** The second class's share of a two-class score row (0.5 when both are 0): the binary ranking score. */
function binaryScore(row: Float64Array): number {
  const total = row[0]! + row[1]!;
  return total > 0 ? row[1]! / total : 0.5;
}

/** Mean and sample standard deviation (0 for a single value). */
export function meanStd(xs: readonly number[]): MeanStd {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const v = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}
