/**
 * Central-difference gradient checker for ops, layers and hand-fused kernels.
 *
 * The function under test runs in float32 as usual; everything the checker itself computes is float64.
 * It reduces every output to one scalar with random projection weights, `L = Σ_k Σ_i w_k[i] · y_k[i]`
 * (summed in float64), so a single backward pass gives the analytic gradient of every input and a wrong
 * gradient anywhere in any output shows up. The numeric gradient perturbs one input element at a time
 * by ±h and divides the change in L by the perturbation that float32 actually stored.
 *
 * `h` is sized for float32: big enough that L's float32 rounding noise (about 6e-8 of its terms)
 * divided by 2h stays small, small enough that the O(h²) truncation error does too.
 */
import { OptionError } from './errors.ts';
import { Rng } from './rng.ts';
import { Tape } from './tape.ts';
import type { Tensor } from './tensor.ts';

/** Options for {@link gradcheck}. */
export interface GradcheckOptions {
  /** Relative perturbation: element x moves by ±eps·max(1, |x|). Default 1e-2 (float32 forward). */
  eps?: number;
  /** An element passes when |analytic − numeric| <= atol + rtol·|numeric|. Default 1e-3. */
  atol?: number;
  /** See `atol`. Default 1e-2. */
  rtol?: number;
  /** Seed of the projection weights. Default 1. */
  seed?: number;
}

/** Errors for one input tensor. */
export interface GradcheckInputResult {
  /** Position of the input in the `inputs` list. */
  readonly input: number;
  /** max |analytic − numeric| over its elements. */
  readonly maxAbsError: number;
  /** max |analytic − numeric| / max(|analytic|, |numeric|) over elements where that max exceeds `atol`. */
  readonly maxRelError: number;
  /** Whether every element passed the tolerance. */
  readonly ok: boolean;
  /** The analytic (backprop) gradient, float64 copy. */
  readonly analytic: Float64Array;
  /** The numeric (central-difference) gradient. */
  readonly numeric: Float64Array;
}

/** Outcome of a {@link gradcheck}. */
export interface GradcheckResult {
  /** Whether every element of every input passed. */
  readonly ok: boolean;
  /** Per-input errors, in the order of `inputs`. */
  readonly inputs: readonly GradcheckInputResult[];
  /** One line naming the worst element (for test failure messages). */
  readonly message: string;
}

/**
 * Checks the gradients that `f` backpropagates into `inputs` against central differences.
 *
 * `f` must build its outputs from the `inputs` tensors (captured in its closure) on the tape it is
 * given, and be deterministic (reseed any Rng inside `f`). Inputs get `requiresGrad` for the check
 * (restored afterwards); their `grad` is overwritten. Cost: one backward and 2·Σ|input| forwards.
 */
export function gradcheck(
  f: (tape: Tape) => Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckResult {
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-2;
  if (!(eps > 0)) throw new OptionError('gradcheck eps', 'a positive number', String(eps));
  const rng = new Rng(options.seed ?? 1);
  const saved = inputs.map((t) => t.requiresGrad);

  // Analytic: one backward of L with every output's grad seeded by its weights.
  for (const t of inputs) {
    t.requiresGrad = true;
    t.grad = null;
  }
  const tape = new Tape();
  const outs = asList(f(tape));
  // Weights rounded to float32 so the seeded gradient is exactly the w used for L.
  const weights = outs.map((y) => Float64Array.from({ length: y.size }, () => Math.fround(rng.range(-1, 1))));
  for (let k = outs.length - 1; k >= 1; k--) {
    const g = outs[k]!.ensureGrad();
    const w = weights[k]!;
    for (let i = 0; i < g.length; i++) g[i]! += w[i]!;
  }
  const first = outs[0];
  if (first) tape.backward(first, Float32Array.from(weights[0]!));
  const analytic = inputs.map((t) => (t.grad ? Float64Array.from(t.grad) : new Float64Array(t.size)));
  inputs.forEach((t, i) => {
    t.requiresGrad = saved[i]!;
  });

  const loss = (): number => {
    const ys = asList(f(Tape.noGrad()));
    let l = 0;
    for (let k = 0; k < ys.length; k++) {
      const y = ys[k]!.data;
      const w = weights[k]!;
      for (let i = 0; i < y.length; i++) l += w[i]! * y[i]!;
    }
    return l;
  };

  let worst = { err: -1, text: 'no elements' };
  const results = inputs.map((t, idx): GradcheckInputResult => {
    const numeric = new Float64Array(t.size);
    const an = analytic[idx]!;
    let maxAbs = 0;
    let maxRel = 0;
    let ok = true;
    for (let j = 0; j < t.size; j++) {
      const x = t.data[j]!;
      const h = eps * Math.max(1, Math.abs(x));
      const xp = Math.fround(x + h);
      const xm = Math.fround(x - h);
      t.data[j] = xp;
      const lp = loss();
      t.data[j] = xm;
      const lm = loss();
      t.data[j] = x;
      const nj = (lp - lm) / (xp - xm);
      numeric[j] = nj;
      const aj = an[j]!;
      const err = Math.abs(aj - nj);
      const big = Math.max(Math.abs(aj), Math.abs(nj));
      maxAbs = Math.max(maxAbs, err);
      if (big > atol) maxRel = Math.max(maxRel, err / big);
      const pass = err <= atol + rtol * Math.abs(nj);
      if (!pass) ok = false;
      const score = err / (atol + rtol * Math.abs(nj));
      if (!(score <= worst.err)) {
        worst = {
          err: score,
          text: `input ${idx} element ${j}: analytic ${aj}, numeric ${nj} (|diff| ${err})`,
        };
      }
    }
    return { input: idx, maxAbsError: maxAbs, maxRelError: maxRel, ok, analytic: an, numeric };
  });
  const ok = results.every((r) => r.ok);
  return { ok, inputs: results, message: `gradcheck ${ok ? 'passed' : 'FAILED'}; worst ${worst.text}` };
}

function asList(y: Tensor | readonly Tensor[]): readonly Tensor[] {
  return Array.isArray(y) ? (y as readonly Tensor[]) : [y as Tensor];
}
