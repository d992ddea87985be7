/** What fixes the parameter shapes of an `RNN`, `LSTM` or `GRU`. */
export interface RecurrentShapeOptions {
  /** Gate blocks G in the weight rows: 1 RNN, 4 LSTM, 3 GRU. */
  gates: number;
  /** Features of each input step, I. */
  inputSize: number;
  /** Features of the hidden state, H. */
  hiddenSize: number;
  /** Stacked layers L. Default 1. */
  numLayers?: number;
  /** Both directions. Default false. */
  bidirectional?: boolean;
  /** `bias_ih`/`bias_hh` present. Default true. */
  bias?: boolean;
}

/**
 * The names (PyTorch's: `weight_ih_l0`, `bias_hh_l1_reverse`, …, each prefixed by `prefix`) and shapes of
 * a recurrent layer's parameters, in its `parameters()` order, without allocating the layer: `weight_ih`
 * `[G·H, I]` for layer 0 and `[G·H, D·H]` above it, `weight_hh [G·H, H]`, biases `[G·H]`. Lazy, so a
 * loader can stop at the first mismatch whatever `numLayers` a file declares.
 */
export function* recurrentParameterShapes(
  prefix: string,
  options: RecurrentShapeOptions,
): Generator<[string, number[]]> {
  const { gates: G, inputSize, hiddenSize: H } = options;
  const L = options.numLayers ?? 1;
  const D = options.bidirectional ? 2 : 1;
  const bias = options.bias ?? true;
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      yield [`${prefix}weight_ih${sfx}`, [G * H, l === 0 ? inputSize : D * H]];
      yield [`${prefix}weight_hh${sfx}`, [G * H, H]];
      if (bias) {
        yield [`${prefix}bias_ih${sfx}`, [G * H]];
        yield [`${prefix}bias_hh${sfx}`, [G * H]];
      }
    }
  }
}
