/**
 * The parameter shapes a {@link LanguageModelConfig} implies, computed without allocating anything, so a
 * loader can compare a file's tensors with its config BEFORE building the model: a file whose config
 * declares a huge model fails on the mismatch instead of allocating it.
 */
import { FormatError, fmtShape, type SafetensorsEntry } from '@recurrent/core';
import { type LanguageModelConfig, resolveLanguageModelConfig } from './config.ts';

/** Parameter name -> shape of a language model with `config`, as `LanguageModel.parameters()` names them. */
export function languageModelParameterShapes(config: LanguageModelConfig): Map<string, number[]> {
  const c = resolveLanguageModelConfig(config);
  const V = c.vocabSize;
  const H = c.hiddenSize;
  const G = c.cell === 'lstm' ? 4 : 3;
  const shapes = new Map<string, number[]>([['embedding.weight', [V, c.embeddingDim]]]);
  for (let l = 0; l < c.numLayers; l++) {
    shapes.set(`rnn.weight_ih_l${l}`, [G * H, l === 0 ? c.embeddingDim : H]);
    shapes.set(`rnn.weight_hh_l${l}`, [G * H, H]);
    shapes.set(`rnn.bias_ih_l${l}`, [G * H]);
    shapes.set(`rnn.bias_hh_l${l}`, [G * H]);
  }
  if (!c.tieWeights) shapes.set('decoder.weight', [V, H]);
  shapes.set('decoder.bias', [V]);
  return shapes;
}

/**
 * Checks that `tensors` are exactly the parameters of a model with `config` (names, F32, shapes).
 * @throws FormatError naming `source` and the first tensor that is unknown, missing or misshapen.
 */
export function checkLanguageModelTensors(
  source: string,
  config: LanguageModelConfig,
  tensors: ReadonlyMap<string, SafetensorsEntry>,
): void {
  let c: ReturnType<typeof resolveLanguageModelConfig>;
  try {
    c = resolveLanguageModelConfig(config);
  } catch (e) {
    throw new FormatError(`${source} config`, 'a valid language-model config', (e as Error).message);
  }
  // Count first: a config declaring millions of layers must not make us list millions of shapes.
  const count = 1 + 4 * c.numLayers + (c.tieWeights ? 1 : 2);
  if (count !== tensors.size) {
    throw new FormatError(
      `${source} tensors`,
      `${count} for the configured ${c.numLayers}-layer model`,
      `${tensors.size}`,
    );
  }
  const shapes = languageModelParameterShapes(c);
  for (const name of tensors.keys()) {
    if (!shapes.has(name))
      throw new FormatError(`${source} tensor "${name}"`, 'a parameter of the configured model', 'unknown');
  }
  for (const [name, shape] of shapes) {
    const t = tensors.get(name);
    if (t === undefined)
      throw new FormatError(`${source} tensor "${name}"`, `present ${fmtShape(shape)}`, 'missing');
    if (t.dtype !== 'F32') throw new FormatError(`${source} tensor "${name}" dtype`, 'F32', t.dtype);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new FormatError(`${source} tensor "${name}" shape`, fmtShape(shape), fmtShape(t.shape));
    }
  }
}
