/**
 * Turns the bytes of a model file into a runnable model, by the `format` in its safetensors metadata:
 * a language model (generation) or a seq2seq translator. Loading only parses JSON and copies numbers,
 * and a malformed file is a typed error naming it (FormatError), shown in the page.
 */
import { decodeSafetensors, FormatError } from '@recurrent/core';
import {
  decodeLanguageModel,
  LANGUAGE_MODEL_FORMAT,
  type LanguageModelBundle,
} from '@recurrent/language-model';
import { SEQ2SEQ_FORMAT, type Seq2Seq, seq2seqFromSafetensors } from '@recurrent/seq2seq';

/** A loaded model file. */
export type LoadedModel =
  | { kind: 'language-model'; name: string; bundle: LanguageModelBundle; parameters: number }
  | { kind: 'seq2seq'; name: string; model: Seq2Seq; parameters: number };

function countParameters(m: { parameters(): Iterable<[string, { size: number }]> }): number {
  let n = 0;
  for (const [, p] of m.parameters()) n += p.size;
  return n;
}

/** Loads `bytes` (the file called `name`). @throws FormatError for anything that is not one of our model files. */
export function loadModel(bytes: Uint8Array, name: string): LoadedModel {
  const file = decodeSafetensors(bytes);
  const format = file.metadata.format;
  if (format === LANGUAGE_MODEL_FORMAT) {
    const bundle = decodeLanguageModel(bytes, name);
    return { kind: 'language-model', name, bundle, parameters: countParameters(bundle.model) };
  }
  if (format === SEQ2SEQ_FORMAT) {
    const { model } = seq2seqFromSafetensors(file, name);
    return { kind: 'seq2seq', name, model, parameters: countParameters(model) };
  }
  throw new FormatError(
    `${name} format`,
    `"${LANGUAGE_MODEL_FORMAT}" or "${SEQ2SEQ_FORMAT}"`,
    JSON.stringify(format ?? null),
  );
}

/** One line about a loaded model for the page. */
export function describeModel(m: LoadedModel): string {
  const params = `${m.parameters.toLocaleString('en-US')} parameters`;
  if (m.kind === 'language-model') {
    const c = m.bundle.model.config;
    return `${m.name}: ${c.cell.toUpperCase()} language model, ${c.numLayers} x ${c.hiddenSize}, ${m.bundle.tokenizer.kind} tokenizer (${c.vocabSize} tokens), ${params}`;
  }
  const c = m.model.config;
  return `${m.name}: ${c.cell.toUpperCase()} translator with ${c.attention} attention, encoder ${c.encoderHidden}${c.bidirectional ? ' x 2' : ''}, decoder ${c.decoderHidden}, ${params}`;
}
