/**
 * A port of apparatus 0.0.10's `LogisticRegressionClassifier` (the model inside natural's
 * `LogisticRegressionClassifier`) from sylvester's dense array-of-arrays matrices to sparse rows.
 *
 * Why: apparatus runs full-batch gradient descent with dense matrices; on 2,700 sentences with 3,900
 * stem features one iteration takes about 15 s here, and training needs hundreds of them per class and
 * fold. Features are binary and sparse (about 10 per sentence), so the same arithmetic over the non-zero
 * entries is thousands of times faster.
 *
 * The algorithm is apparatus's, step for step (`descendGradient`): one-vs-rest, a bias column of ones
 * prepended to the examples, θ starting at 0, learning rate 3; iterate θ ← θ − lr·Xᵀ(σ(Xθ) − y)/m; stop
 * when the cost rises (then retry from the current θ with lr/3 unless a rate already worked) or falls by
 * less than 1e-4; finally drop the bias weight (apparatus's `theta.chomp(1)`, so prediction uses no bias).
 * Sums run in sylvester's order (its matrix product sums each row from the last column to the first, and
 * adding 0·θ never changes a float sum), so the weights match apparatus's to the last bit; a test checks
 * this against apparatus itself.
 */
import type {
  ApparatusClassifier,
  NaturalClassification,
} from 'natural/lib/natural/classifiers/classifier.js';

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(0 - z));
}

/** Drop-in for apparatus's classifier inside natural's `LogisticRegressionClassifier`. */
export class ApparatusLogisticRegression implements ApparatusClassifier {
  /** Examples by class, classes in first-seen order (apparatus's `examples` object, for non-numeric labels). */
  private readonly examples = new Map<string, Int32Array[]>();
  private width = 0;
  /** One weight vector per class (bias dropped), in class order. */
  theta: Float64Array[] = [];
  /** Class names in first-seen order. */
  classifications: string[] = [];

  addExample(features: number[], label: string): void {
    let list = this.examples.get(label);
    if (list === undefined) {
      list = [];
      this.examples.set(label, list);
      this.classifications.push(label);
    }
    this.width = features.length;
    const nz: number[] = [];
    for (let j = 0; j < features.length; j++) {
      if (features[j] === 0) continue;
      if (features[j] !== 1)
        throw new Error(
          `apparatus logistic regression port: feature ${j} is ${features[j]}, expected 0 or 1`,
        );
      nz.push(j);
    }
    list.push(Int32Array.from(nz));
  }

  train(): void {
    // Rows grouped by class in class order, as apparatus's train() builds its matrix.
    const rows: Int32Array[] = [];
    const classOf: number[] = [];
    let c = 0;
    for (const list of this.examples.values()) {
      for (const r of list) {
        rows.push(r);
        classOf.push(c);
      }
      c++;
    }
    this.theta = this.classifications.map((_, k) =>
      descendGradient(
        rows,
        Float64Array.from(classOf, (y) => (y === k ? 1 : 0)),
        this.width,
      ),
    );
  }

  getClassifications(features: number[]): NaturalClassification[] {
    const out = this.theta.map((theta, k) => {
      // sylvester's Vector.dot sums from the last element to the first.
      let z = 0;
      for (let j = features.length - 1; j >= 0; j--) z += features[j]! * theta[j]!;
      return { label: this.classifications[k]!, value: sigmoid(z) };
    });
    return out.sort((x, y) => y.value - x.value);
  }

  classify(features: number[]): string {
    const c = this.getClassifications(features);
    if (c.length === 0) throw new Error('Not Trained');
    return c[0]!.label;
  }
}

/**
 * apparatus's `descendGradient` on sparse binary rows (feature columns 1..F, column 0 the bias of ones);
 * returns θ without the bias weight.
 */
function descendGradient(rows: readonly Int32Array[], y: Float64Array, width: number): Float64Array {
  const m = rows.length;
  const maxIt = 500 * m;
  let theta = new Float64Array(width + 1); // index 0: bias, j + 1: feature j
  let learningRate = 3;
  let learningRateFound = false;
  const h = new Float64Array(m);
  const hypothesis = (t: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      const r = rows[i]!;
      let z = 0;
      for (let q = r.length - 1; q >= 0; q--) z += t[r[q]! + 1]!;
      z += t[0]!; // the bias column is the first, so it is added last
      h[i] = sigmoid(z);
    }
  };
  const cost = (t: Float64Array): number => {
    hypothesis(t);
    let s = 0;
    for (let i = 0; i < m; i++) {
      const c1 = Math.log(h[i]!) * (0 - y[i]!);
      const c0 = Math.log(1 - h[i]!) * (1 - y[i]!);
      s += c1 - c0;
    }
    return (1 / m) * s;
  };
  const grad = new Float64Array(width + 1);
  while (!learningRateFound && learningRate !== 0) {
    let i = 0;
    let last: number | null = null;
    for (;;) {
      hypothesis(theta);
      // Xᵀ(h − y): sylvester sums each row of Xᵀ over the examples from the last to the first.
      grad.fill(0);
      for (let e = m - 1; e >= 0; e--) {
        const d = h[e]! - y[e]!;
        const r = rows[e]!;
        for (let q = 0; q < r.length; q++) grad[r[q]! + 1]! += d;
        grad[0]! += d;
      }
      const next = new Float64Array(width + 1);
      for (let j = 0; j <= width; j++) next[j] = theta[j]! - grad[j]! * (1 / m) * learningRate;
      theta = next;
      const current = cost(theta);
      i++;
      // apparatus tests `if (last)`: a previous cost of exactly 0 counts as none.
      if (last) {
        if (current < last) learningRateFound = true;
        else break;
        if (last - current < 0.0001) break;
      }
      if (i >= maxIt) throw new Error('unable to find minimum');
      last = current;
    }
    learningRate /= 3;
  }
  return theta.slice(1);
}
