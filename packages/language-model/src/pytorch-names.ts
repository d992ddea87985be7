/**
 * The PyTorch side of a {@link LanguageModel}: how its parameters are named in a `state_dict`, and the
 * architecture a state dict implies. Our names already are PyTorch's, for this module:
 *
 * ```python
 * class LanguageModel(torch.nn.Module):
 *     def __init__(self, vocab_size, embedding_dim, hidden_size, num_layers, cell="lstm", tie_weights=False):
 *         super().__init__()
 *         self.embedding = torch.nn.Embedding(vocab_size, embedding_dim)
 *         rnn = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
 *         self.rnn = rnn(embedding_dim, hidden_size, num_layers, batch_first=True)
 *         self.decoder = torch.nn.Linear(hidden_size, vocab_size)
 *         if tie_weights:
 *             self.decoder.weight = self.embedding.weight
 *     def forward(self, ids, state=None):            # ids [B, T] -> logits [B, T, V]
 *         output, state = self.rnn(self.embedding(ids), state)
 *         return self.decoder(output), state
 * ```
 *
 * With tied weights PyTorch lists the shared matrix twice (`embedding.weight` and `decoder.weight`), so the
 * name map declares `decoder.weight` an alias of `embedding.weight`.
 */
import { FormatError, type PytorchNameMap } from '@recurrent/core';
import type { LanguageModelCell, LanguageModelConfig } from './config.ts';

/** The name map between a language model with `config` and its PyTorch state dict. */
export function languageModelPytorchNames(config: Pick<LanguageModelConfig, 'tieWeights'>): PytorchNameMap {
  return config.tieWeights ? { aliases: { 'decoder.weight': 'embedding.weight' } } : {};
}

/** What {@link inferLanguageModelConfig} reads: the tensors of a state dict, by key. */
export type StateDictShapes = ReadonlyMap<
  string,
  { readonly shape: readonly number[]; readonly data?: ArrayLike<number> | ArrayLike<bigint> }
>;

const GATES: Record<number, LanguageModelCell> = { 4: 'lstm', 3: 'gru' };

/**
 * The architecture of a PyTorch language-model state dict (see the module comment for the layout):
 * `vocabSize` and `embeddingDim` from `embedding.weight [V, E]`, `hiddenSize` and `cell` from
 * `rnn.weight_hh_l0 [G·H, H]` (G = 4: LSTM, 3: GRU), `numLayers` from the `rnn.weight_ih_l{k}` keys, and
 * `tieWeights` when `decoder.weight` is absent or holds exactly the embedding's values. Fields given in
 * `given` win (e.g. `dropout`, which a state dict cannot show), but must agree with the shapes.
 * @throws FormatError naming the key that is missing or inconsistent.
 */
export function inferLanguageModelConfig(
  tensors: StateDictShapes,
  given: Partial<LanguageModelConfig> = {},
  source = 'PyTorch state dict',
): LanguageModelConfig {
  const shape2 = (key: string): [number, number] => {
    const t = tensors.get(key);
    if (t === undefined)
      throw new FormatError(`${source} key "${key}"`, 'present (a language model has one)', 'missing');
    if (t.shape.length !== 2)
      throw new FormatError(`${source} key "${key}" shape`, 'two dimensions', `[${t.shape.join(', ')}]`);
    return [t.shape[0]!, t.shape[1]!];
  };
  const [vocabSize, embeddingDim] = shape2('embedding.weight');
  const [gh, hiddenSize] = shape2('rnn.weight_hh_l0');
  const cell = GATES[gh / hiddenSize];
  if (cell === undefined) {
    throw new FormatError(
      `${source} key "rnn.weight_hh_l0" shape`,
      '[4H, H] (LSTM) or [3H, H] (GRU)',
      `[${gh}, ${hiddenSize}]`,
    );
  }
  let numLayers = 0;
  while (tensors.has(`rnn.weight_ih_l${numLayers}`)) numLayers++;
  const emb = tensors.get('embedding.weight')?.data;
  const dec = tensors.get('decoder.weight')?.data;
  const tieWeights =
    dec === undefined ||
    (emb !== undefined &&
      emb.length === dec.length &&
      Array.prototype.every.call(emb, (v: unknown, i: number) => Object.is(v, dec[i])));
  const inferred: LanguageModelConfig = {
    vocabSize,
    cell,
    embeddingDim,
    hiddenSize,
    numLayers,
    tieWeights: tieWeights && embeddingDim === hiddenSize,
  };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    const have = (inferred as unknown as Record<string, unknown>)[k];
    // tieWeights may be declared false for a model whose decoder merely starts equal to its embedding.
    if (have !== undefined && have !== v && !(k === 'tieWeights' && v === false && dec !== undefined)) {
      throw new FormatError(
        `${source} ${k}`,
        `${JSON.stringify(v)} (as the config says)`,
        `${JSON.stringify(have)} (from the tensor shapes)`,
      );
    }
  }
  return { ...inferred, ...given };
}
