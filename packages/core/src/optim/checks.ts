// Option checks shared by the optimizers (internal: not exported from the package).
import { OptionError } from '../errors.ts';

/** Throws an OptionError unless `value` is a finite number >= 0. */
export function checkNonNegative(what: string, value: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new OptionError(what, 'a finite number >= 0', String(value));
  }
}

/** Throws an OptionError unless `value` is in [0, 1). */
export function checkUnitInterval(what: string, value: number): void {
  if (!(typeof value === 'number' && value >= 0 && value < 1)) {
    throw new OptionError(what, 'a number in [0, 1)', String(value));
  }
}
