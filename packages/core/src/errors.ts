/**
 * Typed errors. Every error a user can cause names what was expected and what arrived, so a CLI can print
 * one line (`err.message`) and a program can branch on the class or `code`.
 */
export class RecurrentError extends Error {
  /** Stable machine-readable code, e.g. `E_SHAPE`. */
  readonly code: string;
  /** What the callee expected (free text, e.g. `[B, T, 128]`). */
  readonly expected: string | undefined;
  /** What actually arrived. */
  readonly received: string | undefined;

  constructor(code: string, message: string, details: { expected?: string; received?: string } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.expected = details.expected;
    this.received = details.received;
  }
}

/** Builds `"<what>: expected <expected>, got <received>"`, the one message format used everywhere. */
function describe(what: string, expected: string, received: string): string {
  return `${what}: expected ${expected}, got ${received}`;
}

/** A tensor's shape (or a dimension of it) is not what an op or layer needs. */
export class ShapeError extends RecurrentError {
  constructor(what: string, expected: string, received: string) {
    super('E_SHAPE', describe(what, expected, received), { expected, received });
  }
}

/** An option or argument has an invalid value (bad flag, negative size, unknown mode). */
export class OptionError extends RecurrentError {
  constructor(what: string, expected: string, received: string) {
    super('E_OPTION', describe(what, expected, received), { expected, received });
  }
}

/** A file or byte buffer is not in the expected format (truncated, corrupt, foreign). */
export class FormatError extends RecurrentError {
  constructor(what: string, expected: string, received: string) {
    super('E_FORMAT', describe(what, expected, received), { expected, received });
  }
}

/** Input data cannot be used (empty corpus, single-class training set, unknown character). */
export class DataError extends RecurrentError {
  constructor(what: string, expected: string, received: string) {
    super('E_DATA', describe(what, expected, received), { expected, received });
  }
}

/** Numerical failure during training (NaN/Inf in loss or gradients). */
export class NumericalError extends RecurrentError {
  constructor(what: string, expected: string, received: string) {
    super('E_NUMERIC', describe(what, expected, received), { expected, received });
  }
}

/** Formats a shape for error messages: `[2, 3, 4]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
