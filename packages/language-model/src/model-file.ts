/**
 * The language-model file: ONE safetensors file. Tensors are the model's parameters under their names
 * (so Python's `safetensors` and PyTorch read it); the `__metadata__` holds `format`, the architecture
 * (`config`, JSON) and the tokenizer (`tokenizer`, JSON), so the file alone is enough to generate text.
 * Loading parses JSON and copies numbers: it can never run code.
 */
import {
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  fmtShape,
  Rng,
  readSafetensorsFile,
  writeFileAtomic,
} from '@recurrent/core';
import { type Tokenizer, tokenizerFromJSON } from '@recurrent/tokenizers';
import type { LanguageModelConfig } from './config.ts';
import { LanguageModel } from './language-model.ts';
import { checkLanguageModelTensors } from './parameter-shapes.ts';

/** The format tag in a language-model file's metadata. */
export const LANGUAGE_MODEL_FORMAT = 'recurrent-language-model/1';

/** A model with its tokenizer, as saved and loaded. */
export interface LanguageModelBundle {
  model: LanguageModel;
  tokenizer: Tokenizer;
  /** Extra string metadata (e.g. `training`: a JSON summary of how the model was trained). */
  metadata?: Record<string, string>;
}

/** Encodes a model and its tokenizer as safetensors bytes (see the module comment for the layout). */
export function encodeLanguageModel(bundle: LanguageModelBundle): Uint8Array {
  const { model, tokenizer } = bundle;
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new FormatError(
      'tokenizer for the model file',
      `vocabSize ${model.config.vocabSize}`,
      `${tokenizer.vocabSize}`,
    );
  }
  return encodeSafetensors(model.parameters(), {
    ...(bundle.metadata ?? {}),
    format: LANGUAGE_MODEL_FORMAT,
    config: JSON.stringify(model.config),
    tokenizer: JSON.stringify(tokenizer.toJSON()),
  });
}

/** Writes a model file atomically (a crash never leaves a half-written file, nor replaces a good one). */
export async function saveLanguageModel(path: string, bundle: LanguageModelBundle): Promise<void> {
  await writeFileAtomic(path, encodeLanguageModel(bundle));
}

/** Decodes model-file bytes; every problem is a FormatError naming `source` and what was wrong. */
export function decodeLanguageModel(bytes: Uint8Array, source = 'model file'): LanguageModelBundle {
  const file = decodeSafetensors(bytes);
  return fromFile(file.tensors, file.metadata, source);
}

/** Reads a model file written by {@link saveLanguageModel}. */
export async function loadLanguageModel(path: string): Promise<LanguageModelBundle> {
  const file = await readSafetensorsFile(path);
  return fromFile(file.tensors, file.metadata, path);
}

function fromFile(
  tensors: Awaited<ReturnType<typeof readSafetensorsFile>>['tensors'],
  metadata: Record<string, string>,
  source: string,
): LanguageModelBundle {
  if (metadata.format !== LANGUAGE_MODEL_FORMAT) {
    throw new FormatError(
      `${source} format`,
      `"${LANGUAGE_MODEL_FORMAT}"`,
      JSON.stringify(metadata.format ?? null),
    );
  }
  const config = parseJson(source, 'config', metadata.config) as LanguageModelConfig;
  const tokenizerSpec = parseJson(source, 'tokenizer', metadata.tokenizer);
  // Shapes first: a config declaring a huge model must fail here, before the model is allocated.
  checkLanguageModelTensors(source, config, tensors);
  let model: LanguageModel;
  try {
    // The RNG only fills weights that are overwritten below.
    model = new LanguageModel(config, { rng: new Rng(0) });
  } catch (e) {
    throw new FormatError(`${source} config`, 'a valid language-model config', (e as Error).message);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromJSON(tokenizerSpec as Parameters<typeof tokenizerFromJSON>[0]);
  } catch (e) {
    throw new FormatError(`${source} tokenizer`, 'a valid tokenizer spec', (e as Error).message);
  }
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new FormatError(
      `${source} tokenizer vocabSize`,
      `${model.config.vocabSize} (the model's)`,
      `${tokenizer.vocabSize}`,
    );
  }
  const params = new Map(model.parameters());
  for (const name of tensors.keys()) {
    if (!params.has(name))
      throw new FormatError(`${source} tensor "${name}"`, 'a parameter of the configured model', 'unknown');
  }
  for (const [name, p] of params) {
    const t = tensors.get(name);
    if (t === undefined)
      throw new FormatError(`${source} tensor "${name}"`, `present ${fmtShape(p.shape)}`, 'missing');
    if (t.dtype !== 'F32') throw new FormatError(`${source} tensor "${name}" dtype`, 'F32', t.dtype);
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new FormatError(`${source} tensor "${name}" shape`, fmtShape(p.shape), fmtShape(t.shape));
    }
    p.data.set(t.data);
  }
  const { format: _f, config: _c, tokenizer: _t, ...rest } = metadata;
  return { model, tokenizer, metadata: rest };
}

function parseJson(source: string, key: string, text: string | undefined): unknown {
  if (text === undefined) throw new FormatError(`${source} metadata "${key}"`, 'present', 'missing');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${source} metadata "${key}"`, 'valid JSON', (e as Error).message);
  }
}
