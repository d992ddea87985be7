import { FormatError, OptionError, ShapeError } from '../errors.ts';
import type { Parameter } from '../tensor.ts';
import { checkNonNegative } from './checks.ts';

/** A hyper-parameter value as it appears in a state dict. */
export type HyperValue = number | boolean;

/** Per-parameter optimizer state: PyTorch's `step` counter plus named float32 buffers of the parameter's size. */
export interface ParamState {
  /** Updates this parameter has received (a parameter whose grad is null is skipped, so counts can differ). */
  step: number;
  /** Named state buffers (`exp_avg`, `momentum_buffer`, ...), each as long as the parameter. */
  buffers: Record<string, Float32Array>;
}

/**
 * Serializable optimizer state: plain data (numbers, booleans, strings, `Float32Array` buffers), keyed by
 * parameter name so it survives a rebuild of the model. Parameters that never had a gradient have no entry.
 */
export interface OptimizerStateDict {
  /** Which optimizer wrote it (`sgd`, `adam`, `adamw`, `adagrad`, `rmsprop`). */
  algorithm: string;
  /** Every hyper-parameter, including the current `lr` (a schedule may have changed it). */
  hyper: Record<string, HyperValue>;
  /** State per parameter name. */
  params: Record<string, ParamState>;
}

/** What training loops and LR schedules rely on. */
export interface Optimizer {
  /** The learning rate used by the next {@link step}; schedules set it. A finite number >= 0. */
  lr: number;
  /** Updates every parameter whose `grad` is not null, in place. */
  step(): void;
  /** Zeroes every parameter's gradient (keeps the buffers). */
  zeroGrad(): void;
  /** A deep copy of the optimizer state (see {@link OptimizerStateDict}). */
  stateDict(): OptimizerStateDict;
  /** Restores a state from {@link stateDict} (buffers are copied); a bad dict throws and changes nothing. */
  loadStateDict(state: OptimizerStateDict): void;
}

/** Named parameters as given to an optimizer, e.g. `model.parameters()`. */
export type NamedParameters = Iterable<readonly [name: string, p: Parameter]>;

/**
 * Shared machinery of the optimizers: holds the named parameters, the resolved options `O` (all numbers and
 * booleans, `lr` among them) and lazily created per-parameter state. A subclass gives its defaults, a
 * validator, the state buffers a parameter needs, and {@link update}: PyTorch's rule for one parameter.
 */
export abstract class BaseOptimizer<O extends { lr: number }> implements Optimizer {
  /** The parameters, in the order they were given. */
  protected readonly params: readonly (readonly [string, Parameter])[];
  /** The resolved options (defaults merged with the caller's). */
  protected opts: O;
  private readonly state = new Map<string, ParamState>();

  /**
   * @param algorithm the name written into state dicts and error messages.
   * @param defaults every option with its default value.
   * @param options the caller's options (undefined fields keep the default).
   */
  protected constructor(
    params: NamedParameters,
    protected readonly algorithm: string,
    private readonly defaults: O,
    options: Partial<O>,
  ) {
    const merged = { ...defaults };
    for (const [k, v] of Object.entries(options)) {
      if (!(k in defaults)) {
        throw new OptionError(
          `${algorithm} options`,
          `keys among ${Object.keys(defaults).join(', ')}`,
          `"${k}"`,
        );
      }
      if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    }
    this.validate(merged);
    this.opts = merged;
    const list: (readonly [string, Parameter])[] = [];
    const seen = new Set<string>();
    for (const [name, p] of params) {
      if (seen.has(name)) throw new OptionError(`${algorithm} parameters`, 'unique names', `"${name}" twice`);
      seen.add(name);
      list.push([name, p]);
    }
    this.params = list;
  }

  get lr(): number {
    return this.opts.lr;
  }

  set lr(value: number) {
    checkNonNegative(`${this.algorithm} lr`, value);
    this.opts.lr = value;
  }

  /** The resolved options (a copy). */
  get options(): Readonly<O> {
    return { ...this.opts };
  }

  step(): void {
    for (const [name, p] of this.params) {
      const g = p.grad;
      if (g === null) continue;
      let s = this.state.get(name);
      if (s === undefined) {
        s = { step: 0, buffers: this.initBuffers(p.size, this.opts) };
        this.state.set(name, s);
      }
      s.step += 1;
      this.update(p.data, g, s);
    }
  }

  zeroGrad(): void {
    for (const [, p] of this.params) p.zeroGrad();
  }

  stateDict(): OptimizerStateDict {
    const params: Record<string, ParamState> = {};
    for (const [name, s] of this.state) {
      const buffers: Record<string, Float32Array> = {};
      for (const [k, b] of Object.entries(s.buffers)) buffers[k] = b.slice();
      params[name] = { step: s.step, buffers };
    }
    return { algorithm: this.algorithm, hyper: { ...(this.opts as Record<string, HyperValue>) }, params };
  }

  loadStateDict(state: OptimizerStateDict): void {
    if (state?.algorithm !== this.algorithm) {
      throw new FormatError(
        'optimizer state algorithm',
        `"${this.algorithm}"`,
        `"${String(state?.algorithm)}"`,
      );
    }
    // Everything is checked before anything changes, so a bad dict leaves this optimizer as it was.
    const hyper = { ...this.defaults } as Record<string, unknown>;
    for (const [k, def] of Object.entries(this.defaults)) {
      const v = state.hyper?.[k];
      if (typeof v !== typeof def)
        throw new FormatError(`optimizer state hyper.${k}`, `a ${typeof def}`, String(v));
      hyper[k] = v;
    }
    this.validate(hyper as O);
    const byName = new Map(this.params);
    const restored = new Map<string, ParamState>();
    for (const [name, s] of Object.entries(state.params ?? {})) {
      const p = byName.get(name);
      if (p === undefined)
        throw new FormatError('optimizer state', "names of this optimizer's parameters", `"${name}"`);
      if (!(Number.isInteger(s?.step) && s.step >= 0)) {
        throw new FormatError(`optimizer state "${name}" step`, 'a non-negative integer', String(s?.step));
      }
      const fresh = this.initBuffers(p.size, hyper as O);
      const want = Object.keys(fresh).sort().join(', ');
      const got = Object.keys(s.buffers ?? {})
        .sort()
        .join(', ');
      if (want !== got) throw new FormatError(`optimizer state "${name}" buffers`, `[${want}]`, `[${got}]`);
      for (const [k, b] of Object.entries(s.buffers)) {
        if (!(b instanceof Float32Array) || b.length !== p.size) {
          throw new ShapeError(
            `optimizer state "${name}".${k}`,
            `a Float32Array of ${p.size}`,
            describeBuffer(b),
          );
        }
        fresh[k]!.set(b);
      }
      restored.set(name, { step: s.step, buffers: fresh });
    }
    this.opts = hyper as O;
    this.state.clear();
    for (const [k, v] of restored) this.state.set(k, v);
  }

  /** Throws an OptionError if the resolved options are invalid (PyTorch's checks). */
  protected abstract validate(o: O): void;

  /** Fresh state buffers for a parameter of `size` elements under options `o`. */
  protected abstract initBuffers(size: number, o: O): Record<string, Float32Array>;

  /** Applies one update to `param` given `grad`; `s.step` already counts this update (1 on the first). */
  protected abstract update(param: Float32Array, grad: Float32Array, s: ParamState): void;
}

function describeBuffer(b: unknown): string {
  if (b instanceof Float32Array) return `a Float32Array of ${b.length}`;
  if (ArrayBuffer.isView(b)) return b.constructor.name;
  return typeof b;
}
