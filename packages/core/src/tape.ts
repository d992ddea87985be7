import { fmtShape, OptionError, ShapeError } from './errors.ts';
import type { Tensor } from './tensor.ts';

/** One recorded backward step: reads its output's grad and accumulates into its inputs' grads. */
export type BackwardFn = () => void;

/** Options for a {@link Tape}. */
export interface TapeOptions {
  /** Record backward closures (default true). Off for inference and sampling: ops then cost no memory. */
  enabled?: boolean;
}

/**
 * The autodiff tape: ops push their backward closure as they run; {@link backward} replays them in
 * reverse with a plain loop (no recursion), so a 2,000-step unroll cannot overflow the stack.
 */
export class Tape {
  /** Whether ops record onto this tape. */
  readonly enabled: boolean;
  private readonly steps: BackwardFn[] = [];

  constructor(options: TapeOptions = {}) {
    this.enabled = options.enabled ?? true;
  }

  /** A tape that records nothing (inference). */
  static noGrad(): Tape {
    return new Tape({ enabled: false });
  }

  /** Whether an op whose inputs are `inputs` should record a backward closure. */
  needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
    if (!this.enabled) return false;
    for (const t of inputs) if (t?.requiresGrad) return true;
    return false;
  }

  /** Records a backward closure (called by ops; no-op when disabled). */
  record(fn: BackwardFn): void {
    if (this.enabled) this.steps.push(fn);
  }

  /** Number of recorded steps. */
  get length(): number {
    return this.steps.length;
  }

  /**
   * Back-propagates from `output`: its grad is seeded with `seed` (default: ones, i.e. d sum(output)),
   * then every recorded step runs in reverse order. The tape is cleared afterwards.
   */
  backward(output: Tensor, seed?: Float32Array): void {
    if (!this.enabled)
      throw new OptionError('Tape.backward', 'a recording tape', 'a tape created with enabled: false');
    const g = output.ensureGrad();
    if (seed) {
      if (seed.length !== g.length) {
        throw new ShapeError(
          'Tape.backward seed',
          `${g.length} elements (shape ${fmtShape(output.shape)})`,
          `${seed.length}`,
        );
      }
      for (let i = 0; i < g.length; i++) g[i]! += seed[i]!;
    } else {
      for (let i = 0; i < g.length; i++) g[i]! += 1;
    }
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
    this.steps.length = 0;
  }

  /** Drops all recorded steps without running them. */
  reset(): void {
    this.steps.length = 0;
  }
}
