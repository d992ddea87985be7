/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are scaled
 * by 1/(1 − p), so evaluation needs no rescaling and is the identity.
 */
import { OptionError } from '../errors.ts';
import { BaseModule } from '../module.ts';
import { output } from '../ops/common.ts';
import type { Rng } from '../rng.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';

/** Options for {@link Dropout} and {@link dropout}. */
export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1). Default 0.5. */
  p?: number;
  /** Source of the masks (one uniform draw per element, in row-major order). */
  rng: Rng;
}

function checkP(p: number): number {
  if (!(p >= 0 && p < 1)) throw new OptionError('dropout p', 'a probability in [0, 1)', String(p));
  return p;
}

/**
 * Applies a fresh dropout mask to `x` (same shape): element i is kept, times 1/(1 − p), when its draw
 * `rng.uniform() >= p`. With p = 0 returns `x` itself.
 */
export function dropout(tape: Tape, x: Tensor, options: DropoutOptions): Tensor {
  const p = checkP(options.p ?? 0.5);
  if (p === 0) return x;
  const scale = 1 / (1 - p);
  const keep = new Uint8Array(x.size);
  for (let i = 0; i < keep.length; i++) keep[i] = options.rng.uniform() >= p ? 1 : 0;
  const rec = tape.needsGrad(x);
  const out = output(x.shape, rec);
  const xs = x.data;
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = keep[i] ? xs[i]! * scale : 0;
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const gx = x.ensureGrad();
      for (let i = 0; i < g.length; i++) if (keep[i]) gx[i]! += g[i]! * scale;
    });
  }
  return out;
}

/** `Dropout` module: {@link dropout} while training, the identity in eval mode (`train(false)`). */
export class Dropout extends BaseModule {
  /** Drop probability. */
  readonly p: number;
  private readonly rng: Rng;

  constructor(options: DropoutOptions) {
    super();
    this.p = checkP(options.p ?? 0.5);
    this.rng = options.rng;
  }

  /** `x` (any shape) -> same shape. */
  forward(tape: Tape, x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(tape, x, { p: this.p, rng: this.rng });
  }
}
