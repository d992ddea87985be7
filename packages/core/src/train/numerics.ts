import { NumericalError } from '../errors.ts';
import type { Module } from '../module.ts';

/** Describes the first non-finite value of `a` (`NaN at element 3`), or null when all are finite. */
export function firstNonFinite(a: Float32Array): string | null {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) return `${v} at element ${i}`;
  }
  return null;
}

/**
 * Throws a NumericalError naming `step` and the first parameter (in `model.parameters()` order) whose
 * gradient holds NaN or ±Infinity. The fast path sums `g * 0` over every gradient: that is 0 exactly when
 * all values are finite (NaN and ±Infinity times 0 give NaN) and cannot overflow, so the per-tensor scan
 * only runs once something is already wrong.
 */
export function checkGradients(model: Module, step: number): void {
  let sum = 0;
  for (const [, p] of model.parameters()) {
    const g = p.grad;
    if (g === null) continue;
    for (let i = 0; i < g.length; i++) sum += g[i]! * 0;
  }
  if (sum === 0) return;
  for (const [name, p] of model.parameters()) {
    if (p.grad === null) continue;
    const bad = firstNonFinite(p.grad);
    if (bad !== null) throw new NumericalError(`step ${step}: gradient of "${name}"`, 'finite values', bad);
  }
}

/** Throws a NumericalError naming `step` when the loss is NaN or infinite. */
export function checkLoss(loss: number, step: number): void {
  if (!Number.isFinite(loss))
    throw new NumericalError(`step ${step}: training loss`, 'a finite number', String(loss));
}
