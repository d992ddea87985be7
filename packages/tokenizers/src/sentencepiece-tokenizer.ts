import { DataError, FormatError, OptionError } from '@recurrent/core';
import { base64Decode, base64Encode } from './base64.ts';
import { readModelProto, type SentencePieceModelSpec, writeModelProto } from './sentencepiece/model-proto.ts';
import { SentencePieceProcessor } from './sentencepiece/processor.ts';
import type { Tokenizer, TokenizerSpecials } from './tokenizer.ts';

/** Options of {@link SentencePieceTokenizer}. */
export interface SentencePieceTokenizerOptions {
  /** Start every encoding with the model's `<s>` (spm_encode `--extra_options=bos`). Default false. */
  addBos?: boolean;
  /** End every encoding with the model's `</s>` (`--extra_options=eos`). Default false. */
  addEos?: boolean;
  /**
   * The id batches are padded with. Default: the model's `<pad>` when it has one (spm_train
   * `--pad_id`), else its `<unk>`; padded positions are masked by sequence length, so any valid id works.
   */
  padId?: number;
}

/** The JSON form of a {@link SentencePieceTokenizer}: the `.model` bytes in base64, and the options. */
export interface SentencePieceTokenizerSpec {
  kind: 'sentencepiece';
  /** The `.model` file, base64. */
  model: string;
  addBos: boolean;
  addEos: boolean;
  padId?: number;
}

/**
 * A SentencePiece model (unigram, BPE, char or word, from spm_train or from this package's trainer)
 * run by a TypeScript port of the spm runtime: the ids of `encode` are those of `spm_encode
 * --output_format=id` and `decode` is `spm_decode`, including nmt_nfkc normalization, user-defined
 * symbols, byte fallback and the denormalizer. Works in the browser (`fromBytes`) and in Node (`fromFile`).
 */
export class SentencePieceTokenizer implements Tokenizer {
  readonly kind = 'sentencepiece';
  readonly specials: TokenizerSpecials;
  readonly processor: SentencePieceProcessor;
  private readonly options: { addBos: boolean; addEos: boolean; padId?: number };
  private readonly bytes: Uint8Array;

  private constructor(
    spec: SentencePieceModelSpec,
    bytes: Uint8Array,
    options: SentencePieceTokenizerOptions,
  ) {
    this.processor = new SentencePieceProcessor(spec);
    this.bytes = bytes;
    const p = this.processor;
    const unkId = p.specialId('unk') >= 0 ? p.specialId('unk') : p.table.unkId;
    const bos = p.specialId('bos');
    const eos = p.specialId('eos');
    const modelPad = p.specialId('pad');
    const padId = options.padId ?? (modelPad >= 0 ? modelPad : unkId);
    if (!Number.isInteger(padId) || padId < 0 || padId >= p.size) {
      throw new OptionError('padId', `an id in [0, ${p.size})`, String(padId));
    }
    this.specials = { pad: padId, unk: unkId, ...(bos >= 0 ? { bos } : {}), ...(eos >= 0 ? { eos } : {}) };
    this.options = {
      addBos: options.addBos ?? false,
      addEos: options.addEos ?? false,
      ...(options.padId !== undefined ? { padId: options.padId } : {}),
    };
    if (this.options.addBos && bos < 0)
      throw new OptionError('addBos', 'a model with a <s> control piece', 'none');
    if (this.options.addEos && eos < 0)
      throw new OptionError('addEos', 'a model with a </s> control piece', 'none');
  }

  /** Loads a `.model` from its bytes. Throws FormatError when they are not a usable model. */
  static fromBytes(
    bytes: Uint8Array,
    options: SentencePieceTokenizerOptions = {},
    source?: string,
  ): SentencePieceTokenizer {
    const spec = readModelProto(bytes, source);
    return new SentencePieceTokenizer(spec, bytes.slice(), options);
  }

  /** Builds a tokenizer from a model spec (e.g. one the trainer produced). */
  static fromSpec(
    spec: SentencePieceModelSpec,
    options: SentencePieceTokenizerOptions = {},
  ): SentencePieceTokenizer {
    return new SentencePieceTokenizer(spec, writeModelProto(spec), options);
  }

  /** Loads a `.model` file (Node only). Throws DataError when it cannot be read, FormatError when it is not a model. */
  static async fromFile(
    path: string,
    options: SentencePieceTokenizerOptions = {},
  ): Promise<SentencePieceTokenizer> {
    // Imported here so that the package stays loadable in a browser.
    const { readFile } = await import('node:fs/promises');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (e) {
      throw new DataError(`SentencePiece model file ${path}`, 'a readable file', (e as Error).message);
    }
    return SentencePieceTokenizer.fromBytes(bytes, options, path);
  }

  static fromJSON(spec: SentencePieceTokenizerSpec): SentencePieceTokenizer {
    if (spec?.kind !== 'sentencepiece') {
      throw new FormatError('sentencepiece tokenizer spec kind', "'sentencepiece'", String(spec?.kind));
    }
    const bytes = base64Decode(spec.model, 'sentencepiece tokenizer spec model');
    return SentencePieceTokenizer.fromBytes(bytes, {
      addBos: spec.addBos,
      addEos: spec.addEos,
      ...(spec.padId !== undefined ? { padId: spec.padId } : {}),
    });
  }

  /** The parsed model. */
  get model(): SentencePieceModelSpec {
    return this.processor.model;
  }

  /** The bytes of the `.model` file, as spm reads it. */
  modelBytes(): Uint8Array {
    return this.bytes.slice();
  }

  get vocabSize(): number {
    return this.processor.size;
  }

  encode(text: string): Int32Array {
    const ids = this.processor.encode(text);
    if (this.options.addBos) ids.unshift(this.specials.bos as number);
    if (this.options.addEos) ids.push(this.specials.eos as number);
    return Int32Array.from(ids);
  }

  /** The pieces of `text` as spm_encode `--output_format=piece` prints them (no bos/eos). */
  encodeAsPieces(text: string): string[] {
    return this.processor.encodeAsPieces(text);
  }

  decode(ids: ArrayLike<number>): string {
    return this.processor.decode(ids);
  }

  /** The model's normalization of `text` (spm_normalize), with spaces shown as `▁`. */
  normalize(text: string): string {
    return this.processor.normalizer.normalize(text);
  }

  idToPiece(id: number): string {
    return this.processor.idToPiece(id);
  }

  pieceToId(piece: string): number {
    return this.processor.pieceToId(piece);
  }

  toJSON(): SentencePieceTokenizerSpec {
    return {
      kind: 'sentencepiece',
      model: base64Encode(this.bytes),
      addBos: this.options.addBos,
      addEos: this.options.addEos,
      ...(this.options.padId !== undefined ? { padId: this.options.padId } : {}),
    };
  }
}
