import {
  checkSafetensorsParameters,
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  fmtShape,
  readSafetensorsFileSync,
  type SafetensorsFile,
  writeSafetensorsFile,
} from '@recurrent/core';
import { type Tokenizer, type TokenizerSpec, tokenizerFromJSON } from '@recurrent/tokenizers';
import { resolveSeq2SeqConfig, type Seq2SeqConfig } from './config.ts';
import { Seq2Seq } from './model.ts';
import { seq2seqParameterShapes } from './parameter-shapes.ts';

/** The `format` metadata value of a seq2seq model file. */
export const SEQ2SEQ_FORMAT = 'recurrent-seq2seq/1';

/** Extra facts stored beside the weights (free JSON, e.g. the training data and scores). */
export type Seq2SeqInfo = Record<string, unknown>;

function metadataOf(model: Seq2Seq, info: Seq2SeqInfo): Record<string, string> {
  return {
    format: SEQ2SEQ_FORMAT,
    config: JSON.stringify(model.config),
    source_tokenizer: JSON.stringify(model.sourceTokenizer.toJSON()),
    target_tokenizer: JSON.stringify(model.targetTokenizer.toJSON()),
    info: JSON.stringify(info),
  };
}

/**
 * The model as ONE safetensors file: every parameter as F32 under its dotted name, and in the
 * metadata the format tag, the config and both tokenizers' JSON (plus `info`). Loading it runs no code.
 */
export function encodeSeq2Seq(model: Seq2Seq, info: Seq2SeqInfo = {}): Uint8Array {
  return encodeSafetensors(model.parameters(), metadataOf(model, info));
}

/** Writes {@link encodeSeq2Seq} to `path` atomically (a crash never leaves a half-written file). */
export async function saveSeq2Seq(path: string, model: Seq2Seq, info: Seq2SeqInfo = {}): Promise<void> {
  await writeSafetensorsFile(path, model.parameters(), metadataOf(model, info));
}

/** A loaded model and the `info` it was saved with. */
export interface LoadedSeq2Seq {
  model: Seq2Seq;
  info: Seq2SeqInfo;
}

function parseJson(where: string, what: string, text: string | undefined): unknown {
  if (text === undefined) throw new FormatError(`${where} metadata "${what}"`, 'a JSON string', 'nothing');
  try {
    return JSON.parse(text);
  } catch {
    throw new FormatError(`${where} metadata "${what}"`, 'valid JSON', JSON.stringify(text.slice(0, 40)));
  }
}

function tokenizerOf(where: string, what: string, text: string | undefined): Tokenizer {
  const spec = parseJson(where, what, text) as TokenizerSpec;
  try {
    return tokenizerFromJSON(spec);
  } catch (err) {
    throw new FormatError(`${where} metadata "${what}"`, 'a valid tokenizer spec', (err as Error).message);
  }
}

/**
 * Rebuilds a model from decoded safetensors; `where` names the file in errors. The tensors are checked
 * against the config (names, F32, shapes; none missing or extra) before the model is built.
 */
export function seq2seqFromSafetensors(file: SafetensorsFile, where = 'seq2seq model'): LoadedSeq2Seq {
  const meta = file.metadata;
  if (meta.format !== SEQ2SEQ_FORMAT) {
    throw new FormatError(`${where} format`, `"${SEQ2SEQ_FORMAT}"`, JSON.stringify(meta.format ?? null));
  }
  let config: Seq2SeqConfig;
  try {
    config = resolveSeq2SeqConfig(parseJson(where, 'config', meta.config) as Partial<Seq2SeqConfig>);
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError(`${where} config`, 'a valid seq2seq config', (err as Error).message);
  }
  const sourceTokenizer = tokenizerOf(where, 'source_tokenizer', meta.source_tokenizer);
  const targetTokenizer = tokenizerOf(where, 'target_tokenizer', meta.target_tokenizer);
  // Shapes first: a config declaring a huge model must fail here, before the model is allocated.
  checkSafetensorsParameters(
    where,
    seq2seqParameterShapes(config, sourceTokenizer.vocabSize, targetTokenizer.vocabSize),
    file.tensors,
  );
  let model: Seq2Seq;
  try {
    model = new Seq2Seq({ config, sourceTokenizer, targetTokenizer });
  } catch (err) {
    throw new FormatError(
      `${where} config/tokenizers`,
      'a valid seq2seq description',
      (err as Error).message,
    );
  }
  for (const [name, p] of model.parameters()) {
    const e = file.tensors.get(name);
    // Checked above; this guards only against the shape list drifting from the model's parameters.
    if (e?.dtype !== 'F32' || e.data.length !== p.data.length) {
      throw new FormatError(`${where} tensor "${name}"`, `F32 ${fmtShape(p.shape)}`, 'no such tensor');
    }
    p.data.set(e.data);
  }
  model.train(false);
  const info = parseJson(where, 'info', meta.info ?? '{}') as Seq2SeqInfo;
  return { model, info };
}

/**
 * Decodes bytes from {@link encodeSeq2Seq}; `where` names them in errors.
 * @throws FormatError for anything malformed.
 */
export function decodeSeq2Seq(bytes: Uint8Array, where = 'seq2seq model'): LoadedSeq2Seq {
  return seq2seqFromSafetensors(decodeSafetensors(bytes), where);
}

/** Reads a model file written by {@link saveSeq2Seq}. @throws FormatError naming the file. */
export function loadSeq2Seq(path: string): LoadedSeq2Seq {
  return seq2seqFromSafetensors(readSafetensorsFileSync(path), path);
}
