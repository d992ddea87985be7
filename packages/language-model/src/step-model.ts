import { gatherRows, linear, type RecurrentState, ShapeError, Tape, Tensor } from '@recurrent/core';
import { type StepModel, selectBatch } from '@recurrent/samplers';
import type { LanguageModel } from './language-model.ts';

const NO_GRAD = Tape.noGrad();

/**
 * Adapts a {@link LanguageModel} to the samplers' {@link StepModel}: one token per row in, next-token
 * logits `[B, V]` out, the recurrent state carried. Runs without a tape and without dropout whatever
 * the model's mode, so sampling never draws from (or disturbs) the training RNG.
 */
export function languageModelStepper(model: LanguageModel): StepModel<RecurrentState> {
  const { vocabSize } = model.config;
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
      const x = gatherRows(NO_GRAD, model.embedding.weight, ids); // [B, E]
      const r = model.rnn.step(x, state); // output [B, H]
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
