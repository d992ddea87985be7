/**
 * The classifier file: ONE safetensors file. Tensors are the model's parameters under their names (so
 * Python's `safetensors` and PyTorch read it); `__metadata__` holds `format`, the architecture (`config`,
 * JSON), the class names (`labels`, a JSON array), `maxLength` and the tokenizer (`tokenizer`, JSON), so
 * the file alone classifies text. Loading parses JSON and copies numbers: it can never run code; the
 * tensors are checked against the config (names, F32, shapes; none missing or extra) before the model is
 * built.
 */
import {
  checkSafetensorsParameters,
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  fmtShape,
  Rng,
  readSafetensorsFile,
  type SafetensorsFile,
  writeFileAtomic,
} from '@recurrent/core';
import { type Tokenizer, type TokenizerSpec, tokenizerFromJSON } from '@recurrent/tokenizers';
import { resolveClassifierConfig, type SequenceClassifierConfig } from './model/classifier-config.ts';
import { classifierParameterShapes } from './model/classifier-parameter-shapes.ts';
import { SequenceClassifier } from './model/sequence-classifier.ts';
import { TextClassifier } from './text-classifier.ts';

/** The format tag in a classifier file's metadata. */
export const TEXT_CLASSIFIER_FORMAT = 'recurrent-text-classifier/1';

const RESERVED = ['format', 'config', 'labels', 'maxLength', 'tokenizer'];

/**
 * Encodes a classifier as safetensors bytes. `metadata` adds free string entries (e.g. `training`, a JSON
 * summary of the run); the reserved keys (`format`, `config`, `labels`, `maxLength`, `tokenizer`) are not
 * allowed there.
 */
export function encodeTextClassifier(
  classifier: TextClassifier,
  metadata: Record<string, string> = {},
): Uint8Array {
  for (const k of RESERVED) {
    if (k in metadata)
      throw new FormatError('classifier file metadata', `no reserved key (${RESERVED.join(', ')})`, `"${k}"`);
  }
  return encodeSafetensors(classifier.model.parameters(), {
    ...metadata,
    format: TEXT_CLASSIFIER_FORMAT,
    config: JSON.stringify(classifier.model.config),
    labels: JSON.stringify(classifier.labels),
    maxLength: String(classifier.maxLength),
    tokenizer: JSON.stringify(classifier.tokenizer.toJSON()),
  });
}

/** Writes a classifier file atomically (a crash never leaves a half-written file, nor replaces a good one). */
export async function saveTextClassifier(
  path: string,
  classifier: TextClassifier,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeTextClassifier(classifier, metadata));
}

/** A loaded classifier and the free metadata saved with it. */
export interface LoadedTextClassifier {
  classifier: TextClassifier;
  /** The non-reserved metadata entries. */
  metadata: Record<string, string>;
}

/** Decodes classifier-file bytes; every problem is a FormatError naming `source` and what was wrong. */
export function decodeTextClassifier(bytes: Uint8Array, source = 'classifier file'): LoadedTextClassifier {
  return fromFile(decodeSafetensors(bytes), source);
}

/** Reads a file written by {@link saveTextClassifier}. */
export async function loadTextClassifier(path: string): Promise<LoadedTextClassifier> {
  return fromFile(await readSafetensorsFile(path), path);
}

function fromFile(file: SafetensorsFile, source: string): LoadedTextClassifier {
  const { tensors, metadata } = file;
  if (metadata.format !== TEXT_CLASSIFIER_FORMAT) {
    throw new FormatError(
      `${source} format`,
      `"${TEXT_CLASSIFIER_FORMAT}"`,
      JSON.stringify(metadata.format ?? null),
    );
  }
  const config = parseJson(source, 'config', metadata.config) as SequenceClassifierConfig;
  const labels = parseJson(source, 'labels', metadata.labels);
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) {
    throw new FormatError(
      `${source} metadata "labels"`,
      'a JSON array of strings',
      String(metadata.labels).slice(0, 80),
    );
  }
  const maxLength = Number(metadata.maxLength);
  let resolved: SequenceClassifierConfig;
  try {
    resolved = resolveClassifierConfig(config);
  } catch (e) {
    throw new FormatError(`${source} config`, 'a valid classifier config', (e as Error).message);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromJSON(parseJson(source, 'tokenizer', metadata.tokenizer) as TokenizerSpec);
  } catch (e) {
    if (e instanceof FormatError && e.message.startsWith(source)) throw e;
    throw new FormatError(`${source} tokenizer`, 'a valid tokenizer spec', (e as Error).message);
  }
  // Shapes first: a config declaring a huge model must fail here, before the model is allocated.
  checkSafetensorsParameters(source, classifierParameterShapes(resolved), tensors);
  let model: SequenceClassifier;
  try {
    // The RNG only fills weights that are overwritten below.
    model = new SequenceClassifier(resolved, { rng: new Rng(0) });
  } catch (e) {
    throw new FormatError(`${source} config`, 'a valid classifier config', (e as Error).message);
  }
  for (const [name, p] of model.parameters()) {
    const t = tensors.get(name);
    // Checked above; this guards only against the shape list drifting from the model's parameters.
    if (t?.dtype !== 'F32' || t.data.length !== p.data.length) {
      throw new FormatError(`${source} tensor "${name}"`, `F32 ${fmtShape(p.shape)}`, 'no such tensor');
    }
    p.data.set(t.data);
  }
  let classifier: TextClassifier;
  try {
    classifier = new TextClassifier({ model, tokenizer, labels, maxLength });
  } catch (e) {
    throw new FormatError(
      `${source} metadata`,
      'labels, maxLength and tokenizer matching the model',
      (e as Error).message,
    );
  }
  const rest = Object.fromEntries(Object.entries(metadata).filter(([k]) => !RESERVED.includes(k)));
  return { classifier, metadata: rest };
}

function parseJson(source: string, key: string, text: string | undefined): unknown {
  if (text === undefined) throw new FormatError(`${source} metadata "${key}"`, 'present', 'missing');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${source} metadata "${key}"`, 'valid JSON', (e as Error).message);
  }
}
