/**
 * Elementwise nonlinearities: `tanh`, `sigmoid`, `relu`, `exp`, `log`. Each backward is written in terms
 * of the saved output where it can be (tanh' = 1 − y², σ' = y(1 − y), exp' = y), so nothing else is kept.
 */
import { kernels } from '../kernels/backend.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { output } from './common.ts';

/** `tanh(a)` elementwise (same shape). */
export function tanh(tape: Tape, a: Tensor): Tensor {
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  kernels().tanh(a.size, a.data, out.data);
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      const y = out.data;
      for (let i = 0; i < g.length; i++) ga[i]! += g[i]! * (1 - y[i]! * y[i]!);
    });
  }
  return out;
}

/** The logistic `σ(a) = 1 / (1 + e^−a)` elementwise (same shape). */
export function sigmoid(tape: Tape, a: Tensor): Tensor {
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  kernels().sigmoid(a.size, a.data, out.data);
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      const y = out.data;
      for (let i = 0; i < g.length; i++) ga[i]! += g[i]! * y[i]! * (1 - y[i]!);
    });
  }
  return out;
}

/** `max(a, 0)` elementwise (same shape); the gradient at exactly 0 is 0, as in PyTorch. */
export function relu(tape: Tape, a: Tensor): Tensor {
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  const x = a.data;
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.max(x[i]!, 0);
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) if (y[i]! > 0) ga[i]! += g[i]!;
    });
  }
  return out;
}

/** `e^a` elementwise (same shape). */
export function exp(tape: Tape, a: Tensor): Tensor {
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  const x = a.data;
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.exp(x[i]!);
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) ga[i]! += g[i]! * y[i]!;
    });
  }
  return out;
}

/** Natural logarithm elementwise (same shape); non-positive inputs give −Infinity/NaN as in IEEE. */
export function log(tape: Tape, a: Tensor): Tensor {
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  const x = a.data;
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.log(x[i]!);
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) ga[i]! += g[i]! / x[i]!;
    });
  }
  return out;
}
