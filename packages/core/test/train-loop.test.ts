import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  BaseModule,
  type BatchSource,
  type BatchSourceState,
  CosineAnnealingLR,
  crossEntropy,
  Dropout,
  Linear,
  NumericalError,
  OptionError,
  Rng,
  readCheckpoint,
  type Tape,
  Tensor,
  type TrainOptions,
  train,
} from '../src/index.ts';

/** A small classifier with dropout, so the loop's RNG handling matters. */
class Net extends BaseModule {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly drop: Dropout;
  constructor(rng: Rng) {
    super();
    this.fc1 = this.child('fc1', new Linear({ inFeatures: 4, outFeatures: 8, rng }));
    this.fc2 = this.child('fc2', new Linear({ inFeatures: 8, outFeatures: 3, rng }));
    this.drop = this.child('drop', new Dropout({ p: 0.2, rng }));
  }
  loss(tape: Tape, x: Tensor, y: Int32Array): Tensor {
    return crossEntropy(tape, this.fc2.forward(tape, this.drop.forward(tape, this.fc1.forward(tape, x))), y);
  }
}

interface Batch {
  x: Tensor;
  y: Int32Array;
}

/** 6 batches of 5 examples of a learnable rule (label = argmax of the first 3 features). */
class Data implements BatchSource<Batch> {
  readonly batchesPerEpoch = 6;
  private epoch = 0;
  private index = 0;
  private readonly batches: Batch[];
  constructor() {
    const rng = new Rng(99);
    this.batches = Array.from({ length: 6 }, () => {
      const x = Float32Array.from({ length: 20 }, () => rng.normal());
      const y = Int32Array.from({ length: 5 }, (_, r) => {
        const row = x.subarray(r * 4, r * 4 + 3);
        return row.indexOf(Math.max(...row));
      });
      return { x: new Tensor(x, [5, 4]), y };
    });
  }
  next(): Batch {
    const b = this.batches[this.index]!;
    if (++this.index === 6) {
      this.index = 0;
      this.epoch++;
    }
    return b;
  }
  getState(): BatchSourceState {
    return { epoch: this.epoch, index: this.index };
  }
  setState(s: BatchSourceState): void {
    this.epoch = s.epoch;
    this.index = s.index;
  }
}

function setup(extra: Partial<TrainOptions<Batch>> = {}) {
  const rng = new Rng(7);
  const model = new Net(rng);
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const options: TrainOptions<Batch> = {
    model,
    optimizer,
    data: new Data(),
    forward: (tape, b) => ({ loss: model.loss(tape, b.x, b.y), tokens: 5 }),
    rngs: { model: rng },
    clipNorm: 1,
    maxSteps: 40,
    ...extra,
  };
  return { model, optimizer, options };
}

const weights = (m: Net) => [...m.parameters()].map(([n, p]) => [n, Array.from(p.data)]);
const tmp = () => mkdtempSync(join(tmpdir(), 'recurrent-train-'));

describe('train', () => {
  it('lowers the loss and reports every step', async () => {
    const steps: number[] = [];
    const { options } = setup({ events: { step: (e) => steps.push(e.step) } });
    const r = await train(options);
    expect(r.steps).toBe(40);
    expect(r.stoppedBy).toBe('steps');
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const early = r.losses.slice(0, 6).reduce((a, b) => a + b) / 6;
    const late = r.losses.slice(-6).reduce((a, b) => a + b) / 6;
    expect(late).toBeLessThan(early * 0.7);
  });

  it('gives bit-identical weights for the same seed', async () => {
    const a = setup();
    const b = setup();
    await train(a.options);
    await train(b.options);
    expect(weights(a.model)).toEqual(weights(b.model));
  });

  it('resumes from a mid-run checkpoint to exactly the uninterrupted result', async () => {
    const dir = tmp();
    const full = setup({ checkpoint: { path: join(dir, 'full.ckpt'), every: 10 } });
    const fullResult = await train(full.options);

    // A run whose checkpoint at step 20 is kept aside, as if the process had died right after writing it.
    const path = join(dir, 'run.ckpt');
    const crashed = setup({
      checkpoint: { path, every: 10 },
      events: {
        checkpoint: (e) => {
          if (e.step === 20) writeFileSync(join(dir, 'at20.ckpt'), readFileSync(path));
        },
      },
    });
    await train(crashed.options);
    writeFileSync(path, readFileSync(join(dir, 'at20.ckpt')));
    const saved = await readCheckpoint(path);
    expect(saved?.loop.step).toBe(20);

    const resumed = setup({ checkpoint: { path, every: 10, resume: true } });
    const r = await train(resumed.options);
    expect(r.resumedFrom).toBe(20);
    expect(r.steps).toBe(40);
    expect(weights(resumed.model)).toEqual(weights(full.model));
    expect(r.losses).toEqual(fullResult.losses);
    expect(resumed.optimizer.stateDict()).toEqual(full.optimizer.stateDict());
  });

  it('starts fresh when resume finds no checkpoint', async () => {
    const { options } = setup({ maxSteps: 3, checkpoint: { path: join(tmp(), 'none.ckpt'), resume: true } });
    const r = await train(options);
    expect(r).toMatchObject({ steps: 3, resumedFrom: 0 });
  });

  it('stops on a NaN loss with a NumericalError naming the step, keeping the last good checkpoint', async () => {
    const path = join(tmp(), 'nan.ckpt');
    const { model, options } = setup({
      checkpoint: { path, every: 2 },
      forward: (tape, b, ctx) => {
        const x =
          ctx.step === 4
            ? new Tensor(
                b.x.data.map((v, i) => (i === 3 ? Number.NaN : v)),
                [5, 4],
              )
            : b.x;
        return { loss: model.loss(tape, x, b.y), tokens: 5 };
      },
    });
    await expect(train(options)).rejects.toThrow(/step 5: training loss: expected a finite number, got NaN/);
    expect((await readCheckpoint(path))?.loop.step).toBe(4);
  });

  it('stops on a non-finite gradient naming the step and the first bad parameter', async () => {
    const { model, options } = setup({
      forward: (tape, b, ctx) => {
        const loss = model.loss(tape, b.x, b.y);
        if (ctx.step === 2)
          tape.record(() => {
            model.fc2.weight.ensureGrad()[5] = Number.POSITIVE_INFINITY;
          });
        return { loss, tokens: 5 };
      },
    });
    const err = await train(options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NumericalError);
    expect((err as Error).message).toBe(
      'step 3: gradient of "fc2.weight": expected finite values, got Infinity at element 5',
    );
  });

  it('validates every N steps and stops early, restoring the best weights', async () => {
    const values = [3, 2, 2.5, 2.6, 2.7, 1];
    let calls = 0;
    let bestWeights: unknown = null;
    const { model, options } = setup({
      validation: {
        every: 5,
        run: () => {
          const v = values[calls++]!;
          if (v === 2) bestWeights = weights(model);
          return { loss: v };
        },
        patience: 3,
        restoreBest: true,
      },
    });
    const r = await train(options);
    expect(r.stoppedBy).toBe('early-stopping');
    expect(r.steps).toBe(25);
    expect(r.validations.map((v) => v.step)).toEqual([5, 10, 15, 20, 25]);
    expect(r.best).toEqual({ step: 10, value: 2 });
    expect(weights(model)).toEqual(bestWeights);
  });

  it('sets the lr from a schedule on every step', async () => {
    const lrs: number[] = [];
    const { options } = setup({
      maxSteps: 10,
      schedule: new CosineAnnealingLR({ tMax: 10 }),
      events: { step: (e) => lrs.push(e.lr) },
    });
    await train(options);
    expect(lrs).toEqual(
      Array.from({ length: 10 }, (_, s) => (0.05 * (1 + Math.cos((Math.PI * s) / 10))) / 2),
    );
  });

  it('stops at an epoch limit and on abort', async () => {
    expect((await train(setup({ maxSteps: undefined as never, maxEpochs: 2 }).options)).steps).toBe(12);
    const ac = new AbortController();
    const { options } = setup({ signal: ac.signal, events: { step: (e) => e.step === 7 && ac.abort() } });
    expect(await train(options)).toMatchObject({ steps: 7, stoppedBy: 'aborted' });
  });

  it('rejects options without a limit or with bad values', async () => {
    const { options } = setup();
    const { maxSteps: _, ...noLimit } = options;
    await expect(train(noLimit)).rejects.toThrow(OptionError);
    await expect(train({ ...options, clipNorm: -1 })).rejects.toThrow(/clipNorm/);
    await expect(train({ ...options, maxSteps: 1.5 })).rejects.toThrow(/maxSteps/);
  });
});

describe('checkpoint tags', () => {
  it('refuses to resume from a checkpoint written by another configuration', async () => {
    const path = join(tmp(), 'tag.ckpt');
    await train(setup({ maxSteps: 2, checkpoint: { path, tag: 'lr=0.05' } }).options);
    const other = setup({ maxSteps: 4, checkpoint: { path, tag: 'lr=0.1', resume: true } });
    await expect(train(other.options)).rejects.toThrow(
      /one written by this run configuration \(tag "lr=0.1"\), got tag "lr=0.05"/,
    );
  });
});
