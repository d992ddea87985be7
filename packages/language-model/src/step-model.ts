import { gatherRows, linear, type RecurrentState, ShapeError, Tape, Tensor } from '@recurrent/core';
import { type StepModel, selectBatch } from '@recurrent/samplers';
import type { LanguageModel } from './language-model.ts';

const NO_GRAD = Tape.noGrad();

/** Largest input-projection table (floats) a stepper precomputes: 16 MiB. */
const MAX_TABLE = 4 * 2 ** 20;

/**
 * Adapts a {@link LanguageModel} to the samplers' {@link StepModel}: one token per row in, next-token
 * logits `[B, V]` out, the recurrent state carried. Runs without a tape and without dropout whatever
 * the model's mode, so sampling never draws from (or disturbs) the training RNG.
 *
 * The first layer's input product of every token (embedding row · W_ihᵀ + biases) is computed once
 * when the stepper is made, when that table is at most 16 MiB: each step then only gathers a row,
 * which removes a third of a char model's per-token arithmetic and gives the same bits. The recurrent
 * weights are packed once too (`frozenSteps`). The stepper therefore reflects the weights at its
 * creation; make a new one after training further.
 */
export function languageModelStepper(model: LanguageModel): StepModel<RecurrentState> {
  const { vocabSize } = model.config;
  const table =
    model.embedding.weight.dim(0) * model.rnn.gateWidth <= MAX_TABLE
      ? model.rnn.projectInput(model.embedding.weight)
      : null;
  // The recurrent weights packed once for all steps (the stepper already reflects the weights at its creation).
  const steps = model.rnn.frozenSteps();
  return {
    initialState: (batch) => model.zeroState(batch),
    step(ids, state) {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (!(id >= 0 && id < vocabSize)) {
          throw new ShapeError(
            `language model step ids[${i}]`,
            `a token id in [0, ${vocabSize})`,
            String(id),
          );
        }
      }
      const r = table
        ? steps.stepProjected(gatherRows(NO_GRAD, table, ids), state) // [B, G·H] rows -> [B, H]
        : steps.step(gatherRows(NO_GRAD, model.embedding.weight, ids), state); // [B, E] -> [B, H]
      const logits = linear(NO_GRAD, r.output, model.decoderWeight, model.decoderBias); // [B, V]
      return { logits: logits.data, state: r.state };
    },
    selectState(state, indices) {
      const pick = (t: Tensor): Tensor => {
        const s = selectBatch(t.data, t.shape, 1, indices);
        return new Tensor(s.data, s.shape);
      };
      return state.c === undefined ? { h: pick(state.h) } : { h: pick(state.h), c: pick(state.c) };
    },
  };
}
