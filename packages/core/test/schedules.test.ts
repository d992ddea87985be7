import { describe, expect, it } from 'vitest';
import {
  CosineAnnealingLR,
  FormatError,
  LinearWarmup,
  LrScheduler,
  OptionError,
  Parameter,
  ReduceLROnPlateau,
  SGD,
  StepLR,
} from '../src/index.ts';

const opt = (lr: number) => new SGD([['p', Parameter.zeros([1])]], { lr });

describe('LR schedules', () => {
  it('StepLR: base * gamma^floor(t / stepSize)', () => {
    const s = new StepLR({ stepSize: 3, gamma: 0.5 });
    const got = [0, 1, 2, 3, 5, 6, 9].map((t) => s.lrAt(t, 0.8));
    expect(got).toEqual([0.8, 0.8, 0.8, 0.4, 0.4, 0.2, 0.1]);
    expect(new StepLR({ stepSize: 2 }).lrAt(4, 1)).toBeCloseTo(0.01, 15); // PyTorch's default gamma 0.1
  });

  it('cosine annealing: etaMin + (base - etaMin)(1 + cos(pi t / tMax)) / 2', () => {
    const s = new CosineAnnealingLR({ tMax: 10, etaMin: 0.001 });
    const base = 0.1;
    for (const t of [0, 1, 3, 5, 7, 10]) {
      expect(s.lrAt(t, base)).toBeCloseTo(0.001 + (0.099 * (1 + Math.cos((Math.PI * t) / 10))) / 2, 15);
    }
    expect(s.lrAt(0, base)).toBeCloseTo(0.1, 15);
    expect(s.lrAt(5, base)).toBeCloseTo(0.0505, 15);
    expect(s.lrAt(10, base)).toBeCloseTo(0.001, 15);
  });

  it('linear warm-up alone ramps from startFactor to the base lr, then stays', () => {
    const s = new LinearWarmup({ steps: 4, startFactor: 0.2 });
    // factor = 0.2 + 0.8 * t / 4
    expect([0, 1, 2, 3, 4, 10].map((t) => s.lrAt(t, 1))).toEqual(
      [0.2, 0.4, 0.6000000000000001, 0.8, 1, 1].map((v) => expect.closeTo(v, 15)),
    );
    expect(new LinearWarmup({ steps: 3 }).lrAt(0, 0.3)).toBeCloseTo(0.1, 15); // PyTorch LinearLR's 1/3
  });

  it('linear warm-up composes with cosine: the cosine clock starts when the warm-up ends', () => {
    const s = new LinearWarmup({ steps: 5, startFactor: 0, after: new CosineAnnealingLR({ tMax: 20 }) });
    expect(s.lrAt(0, 0.5)).toBe(0);
    expect(s.lrAt(2, 0.5)).toBeCloseTo(0.5 * (2 / 5), 15);
    expect(s.lrAt(5, 0.5)).toBeCloseTo(0.5, 15);
    expect(s.lrAt(15, 0.5)).toBeCloseTo((0.5 * (1 + Math.cos(Math.PI * 0.5))) / 2, 15);
    expect(s.lrAt(25, 0.5)).toBeCloseTo(0, 15);
  });

  it('linear warm-up composes with StepLR', () => {
    const s = new LinearWarmup({
      steps: 2,
      startFactor: 0.5,
      after: new StepLR({ stepSize: 2, gamma: 0.1 }),
    });
    expect([0, 1, 2, 3, 4].map((t) => s.lrAt(t, 1))).toEqual(
      [0.5, 0.75, 1, 1, 0.1].map((v) => expect.closeTo(v, 15)),
    );
  });

  it('LrScheduler sets the optimizer lr each step and its state dict resumes exactly', () => {
    const schedule = new LinearWarmup({ steps: 3, after: new CosineAnnealingLR({ tMax: 7, etaMin: 0.01 }) });
    const o = opt(0.3);
    const sch = new LrScheduler(o, schedule);
    expect(o.lr).toBeCloseTo(0.1, 15);
    const lrs: number[] = [];
    for (let t = 0; t < 5; t++) {
      sch.step();
      lrs.push(o.lr);
    }
    expect(lrs).toEqual([1, 2, 3, 4, 5].map((t) => schedule.lrAt(t, 0.3)));
    const saved = sch.stateDict();
    expect(saved).toEqual({ step: 5, baseLr: 0.3 });

    const o2 = opt(123); // a fresh run with another lr: the state dict's baseLr wins
    const sch2 = new LrScheduler(o2, schedule);
    sch2.loadStateDict(JSON.parse(JSON.stringify(saved)));
    expect(o2.lr).toBe(o.lr);
    sch.step();
    sch2.step();
    expect(o2.lr).toBe(o.lr);
    expect(() => sch2.loadStateDict({ step: -1, baseLr: 0.1 })).toThrow(FormatError);
    expect(() => sch2.loadStateDict({ step: 1, baseLr: Number.NaN })).toThrow(FormatError);
  });

  it('rejects bad options', () => {
    expect(() => new StepLR({ stepSize: 0 })).toThrow(OptionError);
    expect(() => new StepLR({ stepSize: 1.5 })).toThrow(OptionError);
    expect(() => new StepLR({ stepSize: 2, gamma: -1 })).toThrow(OptionError);
    expect(() => new CosineAnnealingLR({ tMax: 0 })).toThrow(OptionError);
    expect(() => new CosineAnnealingLR({ tMax: 5, etaMin: -1 })).toThrow(OptionError);
    expect(() => new LinearWarmup({ steps: 0 })).toThrow(OptionError);
    expect(() => new LinearWarmup({ steps: 2, startFactor: 1.5 })).toThrow(
      /startFactor: expected a number in \[0, 1\]/,
    );
    expect(() => new ReduceLROnPlateau(opt(1), { factor: 1 })).toThrow(OptionError);
    expect(() => new ReduceLROnPlateau(opt(1), { patience: -1 })).toThrow(OptionError);
    expect(() => new ReduceLROnPlateau(opt(1), { mode: 'up' as never })).toThrow(OptionError);
    expect(() => new ReduceLROnPlateau(opt(1), { thresholdMode: 'x' as never })).toThrow(OptionError);
  });
});

describe('ReduceLROnPlateau (PyTorch semantics)', () => {
  it('reduces after more than `patience` bad steps, then honours cooldown and minLr', () => {
    const o = opt(1);
    const r = new ReduceLROnPlateau(o, { patience: 2, factor: 0.5, cooldown: 1, minLr: 0.2 });
    const lrs: number[] = [];
    // 1.0 best; three non-improving steps -> reduce on the third (num_bad 3 > patience 2).
    for (const m of [1.0, 1.0, 1.0, 1.0]) {
      r.step(m);
      lrs.push(o.lr);
    }
    expect(lrs).toEqual([1, 1, 1, 0.5]);
    // cooldown 1: the next bad step is ignored, then counting restarts: bad, bad, bad -> reduce.
    for (const m of [1.0, 1.0, 1.0, 1.0]) {
      r.step(m);
      lrs.push(o.lr);
    }
    expect(lrs.slice(4)).toEqual([0.5, 0.5, 0.5, 0.25]);
    for (let i = 0; i < 10; i++) r.step(1.0);
    expect(o.lr).toBe(0.2); // clamped at minLr
  });

  it('relative threshold: an improvement must beat best * (1 - threshold)', () => {
    const o = opt(1);
    const r = new ReduceLROnPlateau(o, { patience: 0, threshold: 0.1 });
    r.step(10);
    expect(r.bestMetric).toBe(10);
    expect(r.step(9.5)).toBe(true); // 9.5 is not < 9: bad step -> 1 > 0 -> reduce by the default factor 0.1
    expect(o.lr).toBeCloseTo(0.1, 15);
    expect(r.bestMetric).toBe(10);
    r.step(8.9);
    expect(r.bestMetric).toBe(8.9);
  });

  it('max mode with an absolute threshold', () => {
    const o = opt(1);
    const r = new ReduceLROnPlateau(o, {
      mode: 'max',
      thresholdMode: 'abs',
      threshold: 0.05,
      patience: 1,
      factor: 0.5,
    });
    r.step(0.5);
    r.step(0.54); // not > 0.55
    expect(o.lr).toBe(1);
    r.step(0.53);
    expect(o.lr).toBe(0.5);
    r.step(0.6);
    expect(r.bestMetric).toBe(0.6);
  });

  it('state dict round trip (JSON) continues identically', () => {
    const metrics = [5, 4, 4.5, 4.2, 4.1, 4.3, 4.4, 4.0, 4.05, 4.2, 4.3];
    const o1 = opt(1);
    const r1 = new ReduceLROnPlateau(o1, { patience: 1, cooldown: 1, factor: 0.5 });
    for (const m of metrics.slice(0, 5)) r1.step(m);
    const o2 = opt(o1.lr);
    const r2 = new ReduceLROnPlateau(o2, { patience: 1, cooldown: 1, factor: 0.5 });
    r2.loadStateDict(JSON.parse(JSON.stringify(r1.stateDict())));
    for (const m of metrics.slice(5)) {
      r1.step(m);
      r2.step(m);
      expect(o2.lr).toBe(o1.lr);
    }
    expect(o1.lr).toBeLessThan(1);
    // Before the first metric, best is infinite and stored as null.
    const fresh = new ReduceLROnPlateau(opt(1));
    expect(fresh.stateDict().best).toBeNull();
    expect(() =>
      fresh.loadStateDict({ best: null, numBadEpochs: -1, cooldownCounter: 0, lastEpoch: 0 }),
    ).toThrow(FormatError);
  });
});
