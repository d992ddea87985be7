/**
 * The classifier file: ONE safetensors file. Tensors are the (first) recurrent model's parameters under
 * their names (so Python's `safetensors` and PyTorch read it), the other ensemble members' under
 * `members.<k>.<name>` (k = 1, 2, ...), and an n-gram model's under `ngrams.weight [C, F]` and
 * `ngrams.bias [C]`; `__metadata__` holds `format`, the architecture (`config`, JSON), the class names
 * (`labels`, a JSON array), `maxLength`, the tokenizer (`tokenizer`, JSON), and with an ensemble or an
 * n-gram model `members` (the count) and `ngrams` (JSON: feature config, feature strings, mixing weight),
 * so the file alone classifies text. Loading parses JSON and copies numbers: it can never run code; the
 * tensors are checked against the config (names, F32, shapes; none missing or extra) before any model is
 * built. Files of format `recurrent-text-classifier/1` (one model, no n-grams) still load.
 */
import {
  checkSafetensorsParameters,
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  fmtShape,
  Rng,
  readSafetensorsFile,
  type SafetensorsEntry,
  type SafetensorsFile,
  type Tensor,
  writeFileAtomic,
} from '@recurrent/core';
import { type Tokenizer, type TokenizerSpec, tokenizerFromJSON } from '@recurrent/tokenizers';
import { resolveClassifierConfig, type SequenceClassifierConfig } from './model/classifier-config.ts';
import { classifierParameterShapes } from './model/classifier-parameter-shapes.ts';
import { type NgramFeatureConfig, NgramLogistic } from './model/ngram-logistic.ts';
import { SequenceClassifier } from './model/sequence-classifier.ts';
import { TextClassifier } from './text-classifier.ts';

/** The format tag in a classifier file's metadata. */
export const TEXT_CLASSIFIER_FORMAT = 'recurrent-text-classifier/2';

/** Earlier format tags that still load. */
const READABLE_FORMATS = ['recurrent-text-classifier/1', TEXT_CLASSIFIER_FORMAT];

const RESERVED = ['format', 'config', 'labels', 'maxLength', 'tokenizer', 'members', 'ngrams'];

/** Largest ensemble a file may declare. */
const MAX_MEMBERS = 64;

/** The JSON of the `ngrams` metadata entry. */
interface NgramsMetadata {
  config: NgramFeatureConfig;
  features: string[];
  weight: number;
}

/** The tensor-name prefix of ensemble member `k` (none for member 0). */
function memberPrefix(k: number): string {
  return k === 0 ? '' : `members.${k}.`;
}

/**
 * Encodes a classifier as safetensors bytes. `metadata` adds free string entries (e.g. `training`, a JSON
 * summary of the run); the reserved keys (`format`, `config`, `labels`, `maxLength`, `tokenizer`,
 * `members`, `ngrams`) are not allowed there.
 */
export function encodeTextClassifier(
  classifier: TextClassifier,
  metadata: Record<string, string> = {},
): Uint8Array {
  for (const k of RESERVED) {
    if (k in metadata)
      throw new FormatError('classifier file metadata', `no reserved key (${RESERVED.join(', ')})`, `"${k}"`);
  }
  const { models, ngrams } = classifier;
  const tensors = function* (): Generator<[string, SafetensorsEntry | Tensor]> {
    for (let k = 0; k < models.length; k++) {
      for (const [name, p] of models[k]!.parameters()) yield [memberPrefix(k) + name, p];
    }
    if (ngrams !== null) {
      const c = ngrams.numClasses;
      yield ['ngrams.weight', { dtype: 'F32', shape: [c, ngrams.features.length], data: ngrams.weight }];
      yield ['ngrams.bias', { dtype: 'F32', shape: [c], data: ngrams.bias }];
    }
  };
  const ngramsMeta: NgramsMetadata | null =
    ngrams === null
      ? null
      : { config: ngrams.config, features: [...ngrams.features], weight: classifier.ngramWeight };
  return encodeSafetensors(tensors(), {
    ...metadata,
    format: TEXT_CLASSIFIER_FORMAT,
    config: JSON.stringify(classifier.model.config),
    labels: JSON.stringify(classifier.labels),
    maxLength: String(classifier.maxLength),
    tokenizer: JSON.stringify(classifier.tokenizer.toJSON()),
    ...(models.length > 1 && { members: String(models.length) }),
    ...(ngramsMeta !== null && { ngrams: JSON.stringify(ngramsMeta) }),
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
  if (!READABLE_FORMATS.includes(metadata.format ?? '')) {
    throw new FormatError(
      `${source} format`,
      READABLE_FORMATS.map((f) => `"${f}"`).join(' or '),
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
  const count = metadata.members === undefined ? 1 : Number(metadata.members);
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_MEMBERS)) {
    throw new FormatError(
      `${source} metadata "members"`,
      `an integer in [1, ${MAX_MEMBERS}]`,
      JSON.stringify(metadata.members),
    );
  }
  const ngramsMeta = metadata.ngrams === undefined ? null : ngramsMetadata(source, metadata.ngrams);
  // Shapes first: a config declaring a huge model must fail here, before the model is allocated.
  const expected = function* (): Generator<[string, number[]]> {
    for (let k = 0; k < count; k++) {
      for (const [name, shape] of classifierParameterShapes(resolved)) yield [memberPrefix(k) + name, shape];
    }
    if (ngramsMeta !== null) {
      yield ['ngrams.weight', [resolved.numClasses, ngramsMeta.features.length]];
      yield ['ngrams.bias', [resolved.numClasses]];
    }
  };
  checkSafetensorsParameters(source, expected(), tensors);
  const models: SequenceClassifier[] = [];
  for (let k = 0; k < count; k++) {
    let model: SequenceClassifier;
    try {
      // The RNG only fills weights that are overwritten below.
      model = new SequenceClassifier(resolved, { rng: new Rng(0) });
    } catch (e) {
      throw new FormatError(`${source} config`, 'a valid classifier config', (e as Error).message);
    }
    for (const [name, p] of model.parameters()) {
      const t = tensors.get(memberPrefix(k) + name);
      // Checked above; this guards only against the shape list drifting from the model's parameters.
      if (t?.dtype !== 'F32' || t.data.length !== p.data.length) {
        throw new FormatError(
          `${source} tensor "${memberPrefix(k)}${name}"`,
          `F32 ${fmtShape(p.shape)}`,
          'no such tensor',
        );
      }
      p.data.set(t.data);
    }
    models.push(model);
  }
  let ngrams: NgramLogistic | null = null;
  if (ngramsMeta !== null) {
    // Shapes and dtypes were checked above.
    const w = tensors.get('ngrams.weight')!.data as Float32Array;
    const b = tensors.get('ngrams.bias')!.data as Float32Array;
    try {
      ngrams = new NgramLogistic({
        config: ngramsMeta.config,
        features: ngramsMeta.features,
        weight: Float32Array.from(w),
        bias: Float32Array.from(b),
      });
    } catch (e) {
      throw new FormatError(`${source} metadata "ngrams"`, 'a valid n-gram model', (e as Error).message);
    }
  }
  let classifier: TextClassifier;
  try {
    classifier = new TextClassifier({
      model: models,
      ngrams,
      ...(ngramsMeta !== null && { ngramWeight: ngramsMeta.weight }),
      tokenizer,
      labels,
      maxLength,
    });
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

/** Parses and checks the `ngrams` metadata entry (the feature config is checked by the model). */
function ngramsMetadata(source: string, text: string): NgramsMetadata {
  const m = parseJson(source, 'ngrams', text) as Partial<NgramsMetadata> | null;
  const what = `${source} metadata "ngrams"`;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    throw new FormatError(what, 'a JSON object {config, features, weight}', text.slice(0, 80));
  }
  if (typeof m.config !== 'object' || m.config === null) {
    throw new FormatError(`${what} config`, 'an object', JSON.stringify(m.config) ?? 'missing');
  }
  if (!Array.isArray(m.features) || m.features.some((f) => typeof f !== 'string')) {
    throw new FormatError(`${what} features`, 'an array of strings', String(m.features).slice(0, 80));
  }
  if (!(typeof m.weight === 'number' && m.weight >= 0 && m.weight <= 1)) {
    throw new FormatError(`${what} weight`, 'a number in [0, 1]', JSON.stringify(m.weight) ?? 'missing');
  }
  return { config: m.config, features: m.features, weight: m.weight };
}

function parseJson(source: string, key: string, text: string | undefined): unknown {
  if (text === undefined) throw new FormatError(`${source} metadata "${key}"`, 'present', 'missing');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${source} metadata "${key}"`, 'valid JSON', (e as Error).message);
  }
}
