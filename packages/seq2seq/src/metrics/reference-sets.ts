import { DataError } from '@recurrent/core';

/**
 * Validates sacreBLEU's reference layout shared by BLEU and chrF: a non-empty list of reference
 * sets, each as long as `hypotheses` (`references[k][i]` is the k-th reference of segment i).
 *
 * @throws DataError naming `what` and the offending set.
 */
export function checkReferenceSets(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  what: string,
): void {
  if (references.length === 0) {
    throw new DataError(`${what} references`, 'at least one reference set', 'none');
  }
  references.forEach((set, k) => {
    if (set.length !== hypotheses.length) {
      throw new DataError(
        `${what} references[${k}]`,
        `${hypotheses.length} segments (one per hypothesis)`,
        `${set.length}`,
      );
    }
  });
}
