import type { Parameter } from './tensor.ts';

/**
 * Anything with trainable parameters. Parameter names are stable dotted paths (`encoder.weight_ih_l0`)
 * because model files and PyTorch state dicts are keyed by them.
 */
export interface Module {
  /** Every parameter with its dotted name, in a stable order. */
  parameters(): Iterable<[name: string, p: Parameter]>;
  /** Switches training behaviour (dropout) on or off. */
  train(on: boolean): void;
  /** Whether the module is in training mode. */
  readonly training: boolean;
}

/**
 * Base class that composes parameters of its own and of named child modules, PyTorch-style.
 * Subclasses register with {@link param} and {@link child} in their constructor.
 */
export abstract class BaseModule implements Module {
  training = true;
  private readonly ownParams: [string, Parameter][] = [];
  private readonly children: [string, Module][] = [];

  /** Registers a parameter under `name` and returns it. */
  protected param<P extends Parameter>(name: string, p: P): P {
    this.ownParams.push([name, p]);
    return p;
  }

  /** Registers a child module under `name` and returns it. */
  protected child<M extends Module>(name: string, m: M): M {
    this.children.push([name, m]);
    return m;
  }

  *parameters(): Iterable<[string, Parameter]> {
    yield* this.ownParams;
    for (const [prefix, m] of this.children) {
      for (const [n, p] of m.parameters()) yield [`${prefix}.${n}`, p];
    }
  }

  train(on: boolean): void {
    this.training = on;
    for (const [, m] of this.children) m.train(on);
  }
}

/** Name -> parameter map of a module (a state dict of views, not copies). */
export function stateDict(m: Module): Map<string, Parameter> {
  return new Map(m.parameters());
}

/** Zeroes the gradient of every parameter of `m`. */
export function zeroGrad(m: Module): void {
  for (const [, p] of m.parameters()) p.zeroGrad();
}
