/**
 * What the samplers drive: any model that turns one token per batch row, plus a recurrent state,
 * into next-token logits. A language model, or a seq2seq decoder whose state holds the encoder
 * outputs, both fit.
 *
 * The batch size may change from one call to the next (beam search starts with one row and widens
 * to the beam), so `step` must accept whatever batch `ids` and `state` carry.
 */
export interface StepModel<S> {
  /** The state before any token, for `batch` rows. */
  initialState(batch: number): S;
  /**
   * Advances every row by one token.
   *
   * @param ids `[B]` one token id per row.
   * @param state the state for the same B rows; treat it as immutable.
   * @returns `logits` `[B, V]` row-major, and the state after these tokens.
   */
  step(ids: Int32Array, state: S): { logits: Float32Array; state: S };
  /**
   * The state of rows `indices` of `state`, in that order: `indices` `[B']` may repeat rows (one
   * beam becomes several) or drop them. Needed by beam search whenever the beams are reordered;
   * {@link selectBatch} does the work for a typical `[L, B, H]` tensor state.
   */
  selectState?(state: S, indices: Int32Array): S;
}
