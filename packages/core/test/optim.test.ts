import { describe, expect, it } from 'vitest';
import {
  Adagrad,
  Adam,
  AdamW,
  FormatError,
  type NamedParameters,
  type Optimizer,
  OptionError,
  Parameter,
  RMSprop,
  Rng,
  SGD,
  ShapeError,
} from '../src/index.ts';

type Make = (params: NamedParameters) => Optimizer;

/** Each optimizer with options that create every kind of state buffer. */
const makers: [string, Make][] = [
  ['SGD nesterov', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['SGD dampening', (p) => new SGD(p, { lr: 0.1, momentum: 0.5, dampening: 0.2 })],
  ['Adam amsgrad', (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.01, beta2: 0.98 })],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ['RMSprop centered', (p) => new RMSprop(p, { lr: 0.01, momentum: 0.9, centered: true })],
];

function model(seed: number): [string, Parameter][] {
  const rng = new Rng(seed);
  const mk = (shape: number[]) => {
    const p = Parameter.zeros(shape);
    for (let i = 0; i < p.size; i++) p.data[i] = rng.normal();
    return p;
  };
  return [
    ['w', mk([3, 4])],
    ['b', mk([4])],
    ['unused', mk([2])],
  ];
}

/** Sets seeded gradients on every parameter but `unused` (whose grad stays null). */
function setGrads(params: [string, Parameter][], rng: Rng): void {
  for (const [name, p] of params) {
    if (name === 'unused') continue;
    const g = p.ensureGrad();
    for (let i = 0; i < g.length; i++) g[i] = rng.normal();
  }
}

const snapshot = (params: [string, Parameter][]) => params.map(([, p]) => Array.from(p.data));

describe('optimizers', () => {
  for (const [label, make] of makers) {
    it(`${label}: a state dict round trip gives identical subsequent steps`, () => {
      const a = model(1);
      const optA = make(a);
      const rngA = new Rng(99);
      for (let s = 0; s < 3; s++) {
        setGrads(a, rngA);
        optA.step();
      }
      optA.lr = optA.lr * 0.5; // a schedule changed it: the state dict must carry it
      const saved = optA.stateDict();
      // A state dict is a deep copy: later steps must not change it.
      const savedCopy = structuredClone(saved);

      const b = model(2);
      a.forEach(([, p], i) => {
        b[i]![1].data.set(p.data);
      });
      const optB = make(b);
      optB.loadStateDict(saved);
      expect(optB.lr).toBe(optA.lr);
      const rngB = new Rng(0);
      rngB.setState(rngA.getState());
      for (let s = 0; s < 4; s++) {
        setGrads(a, rngA);
        optA.step();
        setGrads(b, rngB);
        optB.step();
      }
      expect(snapshot(b)).toEqual(snapshot(a));
      expect(saved).toEqual(savedCopy);
    });

    it(`${label}: skips parameters whose grad is null`, () => {
      const params = model(3);
      const before = Array.from(params[2]![1].data);
      const opt = make(params);
      setGrads(params, new Rng(5));
      opt.step();
      expect(Array.from(params[2]![1].data)).toEqual(before);
      expect(Object.keys(opt.stateDict().params).sort()).toEqual(['b', 'w']);
      expect(Array.from(params[0]![1].data)).not.toEqual(Array.from(model(3)[0]![1].data));
    });
  }

  it('zeroGrad zeroes every gradient', () => {
    const params = model(4);
    setGrads(params, new Rng(1));
    new SGD(params, { lr: 1 }).zeroGrad();
    for (const [name, p] of params) {
      if (name === 'unused') expect(p.grad).toBeNull();
      else expect(Array.from(p.grad!).every((v) => v === 0)).toBe(true);
    }
  });

  it('SGD without momentum is p -= lr * g', () => {
    const p = Parameter.zeros([2]);
    p.data.set([1, -2]);
    p.grad = Float32Array.from([0.5, 0.25]);
    const opt = new SGD([['p', p]], { lr: 0.1 });
    opt.step();
    expect(Array.from(p.data)).toEqual([Math.fround(1 - 0.05), Math.fround(-2 - 0.025)]);
    expect(opt.stateDict().params.p!.buffers).toEqual({});
  });

  it('Adam first step moves each weight by lr against the sign of its gradient', () => {
    // After one step, m/(sqrt(v)) with bias correction is sign(g) (up to eps): a classic Adam property.
    const p = Parameter.zeros([3]);
    p.grad = Float32Array.from([3, -0.001, 20]);
    new Adam([['p', p]], { lr: 0.01 }).step();
    expect(p.data[0]).toBeCloseTo(-0.01, 6);
    expect(p.data[1]).toBeCloseTo(0.01, 4);
    expect(p.data[2]).toBeCloseTo(-0.01, 6);
  });

  it('AdamW decays weights even with a zero gradient', () => {
    const p = Parameter.zeros([1]);
    p.data[0] = 2;
    p.grad = Float32Array.from([0]);
    new AdamW([['p', p]], { lr: 0.1, weightDecay: 0.5 }).step();
    // p * (1 - lr * wd) = 2 * 0.95, then the Adam step on a zero gradient moves nothing.
    expect(p.data[0]).toBeCloseTo(1.9, 6);
  });

  it('rejects bad options with OptionError', () => {
    const ps = model(1);
    expect(() => new SGD(ps, { lr: -1 })).toThrow(OptionError);
    expect(() => new SGD(ps, { lr: Number.NaN })).toThrow(OptionError);
    expect(() => new SGD(ps, { momentum: -0.1 })).toThrow(OptionError);
    expect(() => new SGD(ps, { nesterov: true })).toThrow(/momentum > 0 and dampening = 0/);
    expect(() => new SGD(ps, { nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(OptionError);
    expect(() => new Adam(ps, { beta1: 1 })).toThrow(OptionError);
    expect(() => new Adam(ps, { beta2: -0.1 })).toThrow(/beta2: expected a number in \[0, 1\), got -0.1/);
    expect(() => new AdamW(ps, { eps: -1e-8 })).toThrow(OptionError);
    expect(() => new AdamW(ps, { weightDecay: -0.01 })).toThrow(OptionError);
    expect(() => new Adagrad(ps, { lrDecay: -1 })).toThrow(OptionError);
    expect(() => new Adagrad(ps, { initialAccumulatorValue: -1 })).toThrow(OptionError);
    expect(() => new RMSprop(ps, { alpha: -0.5 })).toThrow(OptionError);
    expect(() => new RMSprop(ps, { momentum: -0.5 })).toThrow(OptionError);
    expect(() => new SGD(ps, { lrr: 0.1 } as never)).toThrow(/keys among/);
    const dup = [...ps, ['w', Parameter.zeros([1])] as [string, Parameter]];
    expect(() => new SGD(dup)).toThrow(/"w" twice/);
    const opt = new SGD(ps, { lr: 0.1 });
    expect(() => {
      opt.lr = -0.5;
    }).toThrow(OptionError);
    expect(opt.lr).toBe(0.1);
  });

  it('documents PyTorch defaults', () => {
    const ps = model(1);
    expect(new SGD(ps).options).toEqual({
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
    });
    expect(new Adam(ps).options).toEqual({
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    });
    expect(new AdamW(ps).options.weightDecay).toBe(1e-2);
    expect(new Adagrad(ps).options).toEqual({
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
    });
    expect(new RMSprop(ps).options).toEqual({
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
    });
  });

  it('loadStateDict rejects a foreign or damaged state and leaves the optimizer unchanged', () => {
    const ps = model(1);
    const adam = new Adam(ps, { lr: 0.01 });
    setGrads(ps, new Rng(1));
    adam.step();
    const good = adam.stateDict();
    expect(() => new SGD(ps).loadStateDict(good)).toThrow(FormatError);

    const target = new Adam(ps, { lr: 0.5 });
    const unknown = structuredClone(good);
    unknown.params.nope = unknown.params.w!;
    expect(() => target.loadStateDict(unknown)).toThrow(/"nope"/);
    const short = structuredClone(good);
    short.params.w!.buffers.exp_avg = new Float32Array(3);
    expect(() => target.loadStateDict(short)).toThrow(ShapeError);
    const missing = structuredClone(good);
    delete missing.params.w!.buffers.exp_avg_sq;
    expect(() => target.loadStateDict(missing)).toThrow(FormatError);
    const badHyper = structuredClone(good);
    badHyper.hyper.beta1 = 1.5;
    expect(() => target.loadStateDict(badHyper)).toThrow(OptionError);
    const badLr = structuredClone(good);
    badLr.hyper.lr = 'fast' as never;
    expect(() => target.loadStateDict(badLr)).toThrow(FormatError);
    expect(target.lr).toBe(0.5);
    expect(target.stateDict().params).toEqual({});
  });

  it('loading a state with other buffer-creating options switches to them', () => {
    const ps = model(1);
    const src = new RMSprop(ps, { momentum: 0.9, centered: true });
    setGrads(ps, new Rng(2));
    src.step();
    const dst = new RMSprop(model(1));
    dst.loadStateDict(src.stateDict());
    expect(dst.options).toEqual(src.options);
  });
});
