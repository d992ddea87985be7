import { type AttentionMemory, Tape } from '@recurrent/core';
import type { StepModel } from '@recurrent/samplers';
import type { DecoderState } from './decoder.ts';
import type { Seq2Seq } from './model.ts';
import { selectDecoderState, selectMemory } from './select-rows.ts';

/** The state a {@link seq2seqStepModel} carries: the decoder state, the memory per row, the last attention. */
export interface Seq2SeqStepState {
  decoder: DecoderState;
  memory: AttentionMemory;
  /** Attention weights `[B, S]` of the last step, or null before the first. */
  weights: Float32Array | null;
}

/**
 * A {@link StepModel} that decodes one source sentence with the model's decoder, so the generic
 * samplers (`beamSearch`, `generate`) of @recurrent/samplers can drive a translator. The source is
 * encoded once; `initialState(b)` copies it to b rows. Drive it with prompt `[model.bos]` and
 * `eosId: model.eos`. {@link decode} does the same search for many sentences at once, faster.
 */
export function seq2seqStepModel(model: Seq2Seq, source: Int32Array): StepModel<Seq2SeqStepState> {
  const tape = Tape.noGrad();
  model.train(false);
  const enc = model.encode(tape, [source]);
  return {
    initialState(batch: number): Seq2SeqStepState {
      const rows = new Int32Array(batch); // all row 0
      return {
        decoder: selectDecoderState(enc.state, rows),
        memory: selectMemory(enc.memory, rows),
        weights: null,
      };
    },
    step(ids: Int32Array, state: Seq2SeqStepState) {
      const out = model.decoder.step(
        tape,
        model.decoder.embed(tape, ids, [ids.length]),
        state.decoder,
        state.memory,
      );
      const logits = model.decoder.logits(tape, out.hidden);
      return {
        logits: logits.data,
        state: { decoder: out.state, memory: state.memory, weights: out.weights.data },
      };
    },
    selectState(state: Seq2SeqStepState, indices: Int32Array): Seq2SeqStepState {
      const S = state.memory.keys.dim(1);
      let weights: Float32Array | null = null;
      if (state.weights !== null) {
        const w = state.weights;
        weights = new Float32Array(indices.length * S);
        for (let i = 0; i < indices.length; i++) {
          const r = indices[i]!;
          weights.set(w.subarray(r * S, (r + 1) * S), i * S);
        }
      }
      return {
        decoder: selectDecoderState(state.decoder, indices),
        memory: selectMemory(state.memory, indices),
        weights,
      };
    },
  };
}
