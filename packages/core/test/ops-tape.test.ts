/** How ops use the tape: deep chains backprop iteratively, and a non-recording tape records nothing. */
import { describe, expect, it } from 'vitest';
import { add, Linear, matmul, mul, Rng, sigmoid, softmax, sum, Tape, Tensor, tanh } from '../src/index.ts';

describe('ops on a tape', () => {
  it('backprops through 2,000+ chained ops without overflowing the stack', () => {
    const tape = new Tape();
    const x = Tensor.from([0.5, -0.25], [2], true);
    const w = Tensor.from([0.999, 1.001], [2], true);
    let h = x;
    const steps = 3000;
    for (let i = 0; i < steps; i++) h = i % 2 === 0 ? mul(tape, h, w) : tanh(tape, add(tape, h, w));
    const loss = sum(tape, h);
    expect(tape.length).toBeGreaterThan(4000);
    tape.backward(loss);
    expect(x.grad).not.toBeNull();
    expect(w.grad!.every(Number.isFinite)).toBe(true);
    expect(tape.length).toBe(0);
  });

  it('the chain gradient equals the product of local derivatives', () => {
    // y = tanh(tanh(...tanh(x))) 2,500 times; dy/dx = Π (1 − h_i²), computed here in float64.
    const tape = new Tape();
    const x = Tensor.from([0.3], [1], true);
    let h = x;
    let v = 0.3;
    let d = 1;
    for (let i = 0; i < 2500; i++) {
      h = tanh(tape, h);
      v = Math.fround(Math.tanh(v));
      d *= 1 - v * v;
    }
    tape.backward(h);
    expect(x.grad![0]!).toBeCloseTo(d, 6);
  });

  it('Tape.noGrad() records nothing and outputs do not require grad', () => {
    const rng = new Rng(1);
    const tape = Tape.noGrad();
    const lin = new Linear({ inFeatures: 3, outFeatures: 2, rng });
    const x = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], true);
    const y = softmax(tape, sigmoid(tape, lin.forward(tape, x)));
    const z = matmul(tape, y, lin.weight);
    expect(tape.length).toBe(0);
    expect(y.requiresGrad).toBe(false);
    expect(z.requiresGrad).toBe(false);
    expect(() => tape.backward(z)).toThrow(/recording tape/);
    expect(lin.weight.grad).toBeNull();
  });

  it('a recording tape skips ops whose inputs need no gradient', () => {
    const tape = new Tape();
    const a = Tensor.from([1, 2], [2]);
    const b = Tensor.from([3, 4], [2]);
    const c = mul(tape, a, b);
    expect(tape.length).toBe(0);
    expect(c.requiresGrad).toBe(false);
    const p = Tensor.from([1, 1], [2], true);
    const d = add(tape, c, p);
    expect(tape.length).toBe(1);
    expect(d.requiresGrad).toBe(true);
    tape.backward(sum(tape, d));
    expect(Array.from(p.grad!)).toEqual([1, 1]);
    expect(a.grad).toBeNull();
  });
});
