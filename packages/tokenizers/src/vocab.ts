import { DataError, FormatError, OptionError } from '@recurrent/core';
import type { TokenizerSpecials } from './tokenizer.ts';

/** The strings of the special tokens a {@link VocabBuilder} reserves ids for, in this order. */
export interface SpecialTokens {
  pad: string;
  unk: string;
  bos?: string;
  eos?: string;
}

/** Default special tokens: `<pad>` = 0, `<unk>` = 1, `<s>` = 2, `</s>` = 3. */
export const DEFAULT_SPECIAL_TOKENS: SpecialTokens = { pad: '<pad>', unk: '<unk>', bos: '<s>', eos: '</s>' };

/** How {@link VocabBuilder.build} chooses the vocabulary. */
export interface VocabOptions {
  /** Tokens seen fewer times are left out (they encode as `unk`). Default 1. */
  minFrequency?: number;
  /** Largest vocabulary, specials included; the most frequent tokens are kept. Default: no limit. */
  maxSize?: number;
  /** Special tokens, given the first ids. Default {@link DEFAULT_SPECIAL_TOKENS}. */
  specials?: SpecialTokens;
}

/** The JSON form of a {@link Vocab}: the token of each id, and which ids are special. */
export interface VocabSpec {
  tokens: string[];
  specials: TokenizerSpecials;
}

/**
 * A fixed token <-> id table. Ids are dense, `0 .. size - 1`; special tokens are ordinary entries
 * whose ids are recorded in `specials`.
 */
export class Vocab {
  readonly tokens: readonly string[];
  readonly specials: TokenizerSpecials;
  private readonly ids = new Map<string, number>();

  constructor(tokens: readonly string[], specials: TokenizerSpecials) {
    tokens.forEach((t, i) => {
      if (typeof t !== 'string') throw new FormatError(`vocab token ${i}`, 'a string', typeof t);
      if (this.ids.has(t)) throw new FormatError(`vocab token ${i}`, 'each token once', `"${t}" again`);
      this.ids.set(t, i);
    });
    for (const name of ['pad', 'unk', 'bos', 'eos'] as const) {
      const id = specials[name];
      if (id === undefined && (name === 'bos' || name === 'eos')) continue;
      if (id === undefined || !Number.isInteger(id) || id < 0 || id >= tokens.length) {
        throw new FormatError(`vocab special "${name}"`, `an id in [0, ${tokens.length})`, String(id));
      }
    }
    this.tokens = [...tokens];
    this.specials = { ...specials };
  }

  /** Rebuilds a vocab from {@link toJSON}'s output, validating it. */
  static fromJSON(spec: VocabSpec): Vocab {
    if (!Array.isArray(spec?.tokens) || typeof spec.specials !== 'object' || spec.specials === null) {
      throw new FormatError(
        'vocab spec',
        '{ tokens: string[], specials: {...} }',
        JSON.stringify(spec)?.slice(0, 80) ?? '',
      );
    }
    return new Vocab(spec.tokens, spec.specials);
  }

  /** Number of tokens, specials included. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token, or the `unk` id when it is not in the vocabulary. */
  id(token: string): number {
    return this.ids.get(token) ?? this.specials.unk;
  }

  /** Whether the vocabulary has this exact token. */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The token of an id. Throws DataError for an id outside `[0, size)`. */
  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined || !Number.isInteger(id)) {
      throw new DataError('token id', `an integer in [0, ${this.tokens.length})`, String(id));
    }
    return t;
  }

  /** Whether `id` is one of the special ids. */
  isSpecial(id: number): boolean {
    const s = this.specials;
    return id === s.pad || id === s.unk || id === s.bos || id === s.eos;
  }

  toJSON(): VocabSpec {
    return { tokens: [...this.tokens], specials: { ...this.specials } };
  }
}

/**
 * Counts tokens and builds a {@link Vocab}: specials first (pad, unk, bos, eos), then tokens by
 * descending count, ties broken by code-point order of the token, so the result depends only on the
 * counts, never on insertion order.
 */
export class VocabBuilder {
  private readonly counts = new Map<string, number>();

  /** Adds `count` occurrences of `token`. */
  add(token: string, count = 1): this {
    this.counts.set(token, (this.counts.get(token) ?? 0) + count);
    return this;
  }

  /** Adds one occurrence of each token. */
  addAll(tokens: Iterable<string>): this {
    for (const t of tokens) this.add(t);
    return this;
  }

  /** How often `token` was added. */
  count(token: string): number {
    return this.counts.get(token) ?? 0;
  }

  /** Number of distinct tokens added. */
  get distinct(): number {
    return this.counts.size;
  }

  build(options: VocabOptions = {}): Vocab {
    const minFrequency = options.minFrequency ?? 1;
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    const specials = options.specials ?? DEFAULT_SPECIAL_TOKENS;
    if (!(minFrequency >= 0)) throw new OptionError('minFrequency', 'a number >= 0', String(minFrequency));
    const names = (['pad', 'unk', 'bos', 'eos'] as const).filter((k) => specials[k] !== undefined);
    if (!(maxSize >= names.length)) {
      throw new OptionError('maxSize', `at least the ${names.length} special tokens`, String(maxSize));
    }
    const tokens: string[] = [];
    const ids: Partial<Record<(typeof names)[number], number>> = {};
    for (const k of names) {
      const t = specials[k] as string;
      if (tokens.includes(t))
        throw new OptionError(`specials.${k}`, 'a token distinct from the other specials', t);
      ids[k] = tokens.length;
      tokens.push(t);
    }
    // A corpus token equal to a special string is the special (it keeps the special's id).
    const ranked = [...this.counts]
      .filter(([t, c]) => c >= minFrequency && !tokens.includes(t))
      .sort(([a, ca], [b, cb]) => cb - ca || compareCodePoints(a, b));
    for (const [t] of ranked) {
      if (tokens.length >= maxSize) break;
      tokens.push(t);
    }
    return new Vocab(tokens, {
      pad: ids.pad as number,
      unk: ids.unk as number,
      ...pick(ids, 'bos'),
      ...pick(ids, 'eos'),
    });
  }
}

function pick<K extends 'bos' | 'eos'>(ids: Partial<Record<string, number>>, k: K): { [P in K]?: number } {
  return ids[k] === undefined ? {} : ({ [k]: ids[k] } as { [P in K]?: number });
}

/** Orders strings by code point (not UTF-16 unit, not locale), so ties sort the same everywhere. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
