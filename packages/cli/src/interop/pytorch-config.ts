/**
 * The sidecar of an exported PyTorch state dict: what the weights alone cannot say. `recurrent export`
 * writes it next to the state dict and `recurrent import --config` reads it back:
 *
 * ```json
 * { "format": "recurrent-language-model/1",
 *   "config": { "vocabSize": 65, "cell": "lstm", "hiddenSize": 256, ... },
 *   "tokenizer": { "kind": "char", ... } }
 * ```
 *
 * `format` defaults to a language model; `config` may be partial or absent (the rest is inferred from the
 * tensor shapes); `tokenizer` is a tokenizer spec (as in a model file) or the path of a SentencePiece
 * `.model` file, relative to the sidecar.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataError, FormatError } from '@recurrent/core';
import { LANGUAGE_MODEL_FORMAT, type LanguageModelConfig } from '@recurrent/language-model';
import {
  SentencePieceTokenizer,
  type Tokenizer,
  type TokenizerSpec,
  tokenizerFromJSON,
} from '@recurrent/tokenizers';

/** The sidecar's JSON, as written by `export`. */
export interface PytorchSidecar {
  /** The model-file format the weights belong to (default: a language model). */
  format?: string;
  /** The architecture; fields left out are inferred from the state dict. */
  config?: Partial<LanguageModelConfig>;
  /** A tokenizer spec, or the path of a SentencePiece `.model` file relative to the sidecar. */
  tokenizer: TokenizerSpec | string;
}

/** The sidecar's default path for a state dict at `out`: `x.safetensors` -> `x.json`. */
export function sidecarPath(out: string): string {
  return `${out.replace(/\.safetensors$/i, '')}.json`;
}

/** Reads and checks a sidecar; every problem is a DataError or FormatError naming `path`. */
export async function readSidecar(
  path: string,
): Promise<{ format: string; config: Partial<LanguageModelConfig>; tokenizer: Tokenizer }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new DataError(
      `config file ${path}`,
      'a readable file',
      (e as NodeJS.ErrnoException).code ?? String(e),
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`config file ${path}`, 'JSON', (e as Error).message);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new FormatError(
      `config file ${path}`,
      'a JSON object { format?, config?, tokenizer }',
      JSON.stringify(raw)?.slice(0, 40) ?? String(raw),
    );
  }
  const s = raw as Partial<PytorchSidecar>;
  const format = s.format ?? LANGUAGE_MODEL_FORMAT;
  if (format !== LANGUAGE_MODEL_FORMAT) {
    throw new FormatError(
      `config file ${path} format`,
      `"${LANGUAGE_MODEL_FORMAT}" (the importable kinds)`,
      JSON.stringify(format),
    );
  }
  const config = s.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new FormatError(`config file ${path} "config"`, 'an object', JSON.stringify(config));
  }
  let tokenizer: Tokenizer;
  if (typeof s.tokenizer === 'string') {
    tokenizer = await SentencePieceTokenizer.fromFile(resolve(dirname(path), s.tokenizer));
  } else if (typeof s.tokenizer === 'object' && s.tokenizer !== null) {
    try {
      tokenizer = tokenizerFromJSON(s.tokenizer);
    } catch (e) {
      throw new FormatError(
        `config file ${path} "tokenizer"`,
        'a valid tokenizer spec',
        (e as Error).message,
      );
    }
  } else {
    throw new FormatError(
      `config file ${path} "tokenizer"`,
      'a tokenizer spec or a SentencePiece .model path',
      JSON.stringify(s.tokenizer ?? null),
    );
  }
  return { format, config, tokenizer };
}
