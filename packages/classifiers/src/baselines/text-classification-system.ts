/** A training split handed to a {@link TextClassificationSystem}. */
export interface TrainingSplit {
  texts: readonly string[];
  /** Class id of each text, in `[0, labelNames.length)`. */
  labels: Int32Array;
  /** Class names by id. */
  labelNames: readonly string[];
}

/** What a fitted system says about some texts. */
export interface SystemPredictions {
  /** The predicted class id of each text. */
  ids: Int32Array;
  /**
   * One row of C non-negative class scores per text, higher meaning more likely: probabilities, or
   * probability-like values (a binary task ranks texts by `row[1] / (row[0] + row[1])` for ROC-AUC).
   */
  scores: Float64Array[];
}

/** A trained system. */
export interface FittedSystem {
  /** Predicted classes and class scores of `texts`. */
  predict(texts: readonly string[]): SystemPredictions;
  /** Mean training loss per epoch, for methods trained by gradient descent over epochs. */
  readonly epochLosses?: readonly number[];
}

/**
 * A text classification method that the comparison trains and tests on the same splits: our recurrent
 * classifier and natural's baselines alike.
 */
export interface TextClassificationSystem {
  /** Short name for tables and reports. */
  readonly name: string;
  /** One line saying what exactly runs (for the report). */
  readonly description: string;
  /** Whether it can handle `numClasses` classes (a sentiment lexicon only knows two). */
  supports(numClasses: number): boolean;
  /** Trains on a split. `seed` varies by fold so repeated runs are reproducible. */
  fit(split: TrainingSplit, seed: number): Promise<FittedSystem>;
}
