import {
  allocF32,
  freshF32,
  gatherRows,
  type Kernels,
  kernels,
  type RecurrentState,
  ShapeError,
  Tape,
  Tensor,
} from '@recurrent/core';
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
  const decoder = frozenLinear(
    model.decoderWeight.data,
    model.decoderBias.data,
    vocabSize,
    model.rnn.hiddenSize,
  );
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
        ? steps.stepTable(table, ids, state) // rows of [V, G·H] -> [B, H]
        : steps.step(gatherRows(NO_GRAD, model.embedding.weight, ids), state); // [B, E] -> [B, H]
      return { logits: decoder(ids.length, r.output.data), state: r.state };
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

/**
 * The output layer `h [B, H] -> h·Wᵀ + b [B, V]` on `W [V, H]` packed once (per backend) and a reused
 * result buffer: generation calls it once per token, where `linear`'s per-call packing-free dot-product
 * form and its fresh backend buffer cost about as much as the product. Same rounding as the layer's
 * `gemmPacked` products elsewhere (not bit-identical to `linear`, whose `nt` form sums in another order).
 * Returns a fresh plain array per call (callers may keep it), from `freshF32`'s slab.
 */
function frozenLinear(
  weight: Float32Array,
  bias: Float32Array,
  V: number,
  H: number,
): (rows: number, h: Float32Array) => Float32Array {
  const w = Float32Array.from(weight);
  const b = Float32Array.from(bias);
  let packed: { k: Kernels; w: Float32Array; b: Float32Array; out: Float32Array } | null = null;
  return (rows, h) => {
    const k = kernels();
    if (packed?.k !== k) {
      const pw = allocF32(k.packedSize(H, V));
      k.packB(true, H, V, w, pw);
      const pb = allocF32(V);
      pb.set(b);
      packed = { k, w: pw, b: pb, out: allocF32(V) };
    }
    if (packed.out.length < rows * V) packed.out = allocF32(rows * V);
    const out = packed.out;
    k.gemmPacked(rows, V, H, h, packed.w, out, false);
    k.addBias(rows, V, out, packed.b);
    const logits = freshF32(rows * V);
    logits.set(out.length === rows * V ? out : out.subarray(0, rows * V));
    return logits;
  };
}
