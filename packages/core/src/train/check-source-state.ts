import { FormatError } from '../errors.ts';
import type { BatchSourceState } from './batch-source.ts';

/** Validates a stored {@link BatchSourceState} against a source with `batchesPerEpoch` batches. */
export function checkSourceState(what: string, state: BatchSourceState, batchesPerEpoch: number): void {
  const ok =
    state !== null &&
    typeof state === 'object' &&
    Number.isInteger(state.epoch) &&
    state.epoch >= 0 &&
    Number.isInteger(state.index) &&
    state.index >= 0 &&
    state.index < batchesPerEpoch;
  if (!ok) {
    throw new FormatError(
      `${what} state`,
      `{ epoch >= 0, index in [0, ${batchesPerEpoch - 1}] }`,
      JSON.stringify(state) ?? String(state),
    );
  }
}
