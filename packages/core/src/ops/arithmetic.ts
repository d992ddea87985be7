/**
 * Elementwise arithmetic with NumPy broadcasting: `add`, `sub`, `mul`, and `scale` by a constant.
 * Each backward sums the output gradient back over the axes an operand was broadcast along, which is
 * what a bias shared by every row (or a query shared by every source position) needs.
 */
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { planBroadcast } from './broadcast.ts';
import { output } from './common.ts';

/** `a + b` with broadcasting; output shape is the broadcast shape. */
export function add(tape: Tape, a: Tensor, b: Tensor): Tensor {
  return addSub(tape, a, b, 1, 'add');
}

/** `a - b` with broadcasting; output shape is the broadcast shape. */
export function sub(tape: Tape, a: Tensor, b: Tensor): Tensor {
  return addSub(tape, a, b, -1, 'sub');
}

function addSub(tape: Tape, a: Tensor, b: Tensor, sign: 1 | -1, what: string): Tensor {
  const p = planBroadcast(what, a.shape, b.shape);
  const rec = tape.needsGrad(a, b);
  const out = output(p.shape, rec);
  const { rows, inner, aOff, bOff, aInc, bInc } = p;
  const x = a.data;
  const y = b.data;
  const z = out.data;
  for (let r = 0, o = 0; r < rows; r++) {
    let ia = aOff[r]!;
    let ib = bOff[r]!;
    for (let j = 0; j < inner; j++, o++, ia += aInc, ib += bInc) z[o] = x[ia]! + sign * y[ib]!;
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.requiresGrad ? a.ensureGrad() : null;
      const gb = b.requiresGrad ? b.ensureGrad() : null;
      for (let r = 0, o = 0; r < rows; r++) {
        let ia = aOff[r]!;
        let ib = bOff[r]!;
        for (let j = 0; j < inner; j++, o++, ia += aInc, ib += bInc) {
          const gi = g[o]!;
          if (ga) ga[ia]! += gi;
          if (gb) gb[ib]! += sign * gi;
        }
      }
    });
  }
  return out;
}

/** `a * b` elementwise with broadcasting; output shape is the broadcast shape. */
export function mul(tape: Tape, a: Tensor, b: Tensor): Tensor {
  const p = planBroadcast('mul', a.shape, b.shape);
  const rec = tape.needsGrad(a, b);
  const out = output(p.shape, rec);
  const { rows, inner, aOff, bOff, aInc, bInc } = p;
  const x = a.data;
  const y = b.data;
  const z = out.data;
  for (let r = 0, o = 0; r < rows; r++) {
    let ia = aOff[r]!;
    let ib = bOff[r]!;
    for (let j = 0; j < inner; j++, o++, ia += aInc, ib += bInc) z[o] = x[ia]! * y[ib]!;
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.requiresGrad ? a.ensureGrad() : null;
      const gb = b.requiresGrad ? b.ensureGrad() : null;
      for (let r = 0, o = 0; r < rows; r++) {
        let ia = aOff[r]!;
        let ib = bOff[r]!;
        for (let j = 0; j < inner; j++, o++, ia += aInc, ib += bInc) {
          const gi = g[o]!;
          if (ga) ga[ia]! += gi * y[ib]!;
          if (gb) gb[ib]! += gi * x[ia]!;
        }
      }
    });
  }
  return out;
}

/** `a * s` for a constant `s` (same shape as `a`). */
export function scale(tape: Tape, a: Tensor, s: number): Tensor {
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  const x = a.data;
  const z = out.data;
  for (let i = 0; i < z.length; i++) z[i] = x[i]! * s;
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) ga[i]! += g[i]! * s;
    });
  }
  return out;
}
