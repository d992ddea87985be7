import { FormatError } from '@recurrent/core';
import { WireReader, WireType, WireWriter } from './protobuf-wire.ts';

// The `.model` file of SentencePiece is a serialized `sentencepiece.ModelProto` (proto2, see
// google/sentencepiece src/sentencepiece_model.proto). Field names here are the proto names in
// camelCase; an absent optional field is `undefined` (proto2 keeps presence, and spm's decoder looks
// at it, e.g. `has_unk_surface`), and `resolve*` fill in the proto defaults.

/** `TrainerSpec.ModelType`. */
export type SentencePieceModelType = 'UNIGRAM' | 'BPE' | 'WORD' | 'CHAR';

/** `ModelProto.SentencePiece.Type`. */
export type SentencePieceType = 'NORMAL' | 'UNKNOWN' | 'CONTROL' | 'USER_DEFINED' | 'UNUSED' | 'BYTE';

/** One vocabulary entry, `ModelProto.SentencePiece`. The index in `pieces` is the id. */
export interface SentencePiece {
  /** The piece as it appears in normalized text (spaces are U+2581 `▁`); byte pieces are `<0xAB>`. */
  piece: string;
  /** Log probability for unigram models, merge priority (higher merges first) for BPE. Stored as float32. */
  score: number;
  /** Written to the file only when not `NORMAL`, as spm_train does. */
  type: SentencePieceType;
}

/** `sentencepiece.TrainerSpec`: how the model was trained, and the special-piece ids the encoder uses. */
export interface TrainerSpec {
  input?: string[];
  inputFormat?: string;
  modelPrefix?: string;
  modelType?: SentencePieceModelType;
  vocabSize?: number;
  acceptLanguage?: string[];
  selfTestSampleSize?: number;
  enableDifferentialPrivacy?: boolean;
  differentialPrivacyNoiseLevel?: number;
  differentialPrivacyClippingThreshold?: number;
  characterCoverage?: number;
  inputSentenceSize?: number;
  shuffleInputSentence?: boolean;
  miningSentenceSize?: number;
  trainingSentenceSize?: number;
  seedSentencepieceSize?: number;
  shrinkingFactor?: number;
  maxSentenceLength?: number;
  numThreads?: number;
  numSubIterations?: number;
  maxSentencepieceLength?: number;
  splitByUnicodeScript?: boolean;
  splitByNumber?: boolean;
  splitByWhitespace?: boolean;
  treatWhitespaceAsSuffix?: boolean;
  allowWhitespaceOnlyPieces?: boolean;
  splitDigits?: boolean;
  pretokenizationDelimiter?: string;
  controlSymbols?: string[];
  userDefinedSymbols?: string[];
  requiredChars?: string;
  byteFallback?: boolean;
  vocabularyOutputPieceScore?: boolean;
  hardVocabLimit?: boolean;
  useAllVocab?: boolean;
  unkId?: number;
  bosId?: number;
  eosId?: number;
  padId?: number;
  unkPiece?: string;
  bosPiece?: string;
  eosPiece?: string;
  padPiece?: string;
  unkSurface?: string;
  trainExtremelyLargeCorpus?: boolean;
  seedSentencepiecesFile?: string;
  /** Raw bytes of fields this reader does not know; written back verbatim after the known ones. */
  unknownFields?: Uint8Array;
}

/** `sentencepiece.NormalizerSpec`: the text normalization applied before (or, as denormalizer, after) encoding. */
export interface NormalizerSpec {
  /** Rule name, e.g. `nmt_nfkc`, `nfkc`, `nmt_nfkc_cf`, `nfkc_cf`, `identity`. Informational. */
  name?: string;
  /** Compiled rules: `<u32 trie size><darts-clone double array><NUL-separated replacement strings>`. */
  precompiledCharsmap?: Uint8Array;
  addDummyPrefix?: boolean;
  removeExtraWhitespaces?: boolean;
  escapeWhitespaces?: boolean;
  normalizationRuleTsv?: string;
  unknownFields?: Uint8Array;
}

/** `SelfTestData.Sample`. */
export interface SelfTestSample {
  input?: string;
  expected?: string;
  unknownFields?: Uint8Array;
}

/** `sentencepiece.SelfTestData`. */
export interface SelfTestData {
  samples: SelfTestSample[];
  unknownFields?: Uint8Array;
}

/**
 * A whole `.model` file, `sentencepiece.ModelProto`. `readModelProto` produces it, `writeModelProto`
 * serializes it, and `SentencePieceTokenizer.fromSpec` runs it.
 */
export interface SentencePieceModelSpec {
  pieces: SentencePiece[];
  trainerSpec?: TrainerSpec;
  normalizerSpec?: NormalizerSpec;
  selfTestData?: SelfTestData;
  /** Applied to decoded text when it has a `precompiledCharsmap`. */
  denormalizerSpec?: NormalizerSpec;
  unknownFields?: Uint8Array;
}

/** The proto2 defaults of every scalar `TrainerSpec` field. */
export const TRAINER_SPEC_DEFAULTS = {
  inputFormat: '',
  modelPrefix: '',
  modelType: 'UNIGRAM' as SentencePieceModelType,
  vocabSize: 8000,
  selfTestSampleSize: 0,
  enableDifferentialPrivacy: false,
  differentialPrivacyNoiseLevel: 0,
  differentialPrivacyClippingThreshold: 0,
  characterCoverage: Math.fround(0.9995),
  inputSentenceSize: 0,
  shuffleInputSentence: true,
  miningSentenceSize: 0,
  trainingSentenceSize: 0,
  seedSentencepieceSize: 1000000,
  shrinkingFactor: Math.fround(0.75),
  maxSentenceLength: 4192,
  numThreads: 16,
  numSubIterations: 2,
  maxSentencepieceLength: 16,
  splitByUnicodeScript: true,
  splitByNumber: true,
  splitByWhitespace: true,
  treatWhitespaceAsSuffix: false,
  allowWhitespaceOnlyPieces: false,
  splitDigits: false,
  pretokenizationDelimiter: '',
  requiredChars: '',
  byteFallback: false,
  vocabularyOutputPieceScore: true,
  hardVocabLimit: true,
  useAllVocab: false,
  unkId: 0,
  bosId: 1,
  eosId: 2,
  padId: -1,
  unkPiece: '<unk>',
  bosPiece: '<s>',
  eosPiece: '</s>',
  padPiece: '<pad>',
  unkSurface: ' \u2047 ',
  trainExtremelyLargeCorpus: false,
  seedSentencepiecesFile: '',
} as const;

/** The proto2 defaults of every scalar `NormalizerSpec` field. */
export const NORMALIZER_SPEC_DEFAULTS = {
  name: '',
  addDummyPrefix: true,
  removeExtraWhitespaces: true,
  escapeWhitespaces: true,
  normalizationRuleTsv: '',
} as const;

/** A `TrainerSpec` with every absent scalar replaced by its proto default. */
export type ResolvedTrainerSpec = TrainerSpec & {
  -readonly [K in keyof typeof TRAINER_SPEC_DEFAULTS]-?: NonNullable<TrainerSpec[K]>;
};

/** A `NormalizerSpec` with every absent scalar replaced by its proto default. */
export type ResolvedNormalizerSpec = NormalizerSpec & {
  name: string;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
  normalizationRuleTsv: string;
};

/** Fills absent `TrainerSpec` scalars with the proto defaults (what C++ accessors return). */
export function resolveTrainerSpec(spec: TrainerSpec | undefined): ResolvedTrainerSpec {
  const out: Record<string, unknown> = { ...TRAINER_SPEC_DEFAULTS };
  for (const [k, v] of Object.entries(spec ?? {})) if (v !== undefined) out[k] = v;
  return out as unknown as ResolvedTrainerSpec;
}

/** Fills absent `NormalizerSpec` scalars with the proto defaults. */
export function resolveNormalizerSpec(spec: NormalizerSpec | undefined): ResolvedNormalizerSpec {
  const out: Record<string, unknown> = { ...NORMALIZER_SPEC_DEFAULTS };
  for (const [k, v] of Object.entries(spec ?? {})) if (v !== undefined) out[k] = v;
  return out as unknown as ResolvedNormalizerSpec;
}

// ---------------------------------------------------------------------------------------------
// Field tables: one row per proto field, in field-number order (the order C++ serializes them).

type Kind = 'string' | 'bytes' | 'int32' | 'uint64' | 'float' | 'bool' | 'enum' | 'message';

interface FieldDef {
  no: number;
  name: string;
  kind: Kind;
  repeated?: boolean;
  /** For enums: wire value -> name. */
  values?: Readonly<Record<number, string>>;
  /** For messages: the nested table. */
  message?: MessageDef;
}

interface MessageDef {
  name: string;
  fields: FieldDef[];
  /** Fields that are always materialized (e.g. repeated `pieces` as `[]`). */
  required?: string[];
}

const MODEL_TYPES: Record<number, SentencePieceModelType> = { 1: 'UNIGRAM', 2: 'BPE', 3: 'WORD', 4: 'CHAR' };
const PIECE_TYPES: Record<number, SentencePieceType> = {
  1: 'NORMAL',
  2: 'UNKNOWN',
  3: 'CONTROL',
  4: 'USER_DEFINED',
  5: 'UNUSED',
  6: 'BYTE',
};

const TRAINER_SPEC: MessageDef = {
  name: 'TrainerSpec',
  fields: [
    { no: 1, name: 'input', kind: 'string', repeated: true },
    { no: 2, name: 'modelPrefix', kind: 'string' },
    { no: 3, name: 'modelType', kind: 'enum', values: MODEL_TYPES },
    { no: 4, name: 'vocabSize', kind: 'int32' },
    { no: 5, name: 'acceptLanguage', kind: 'string', repeated: true },
    { no: 6, name: 'selfTestSampleSize', kind: 'int32' },
    { no: 7, name: 'inputFormat', kind: 'string' },
    { no: 10, name: 'characterCoverage', kind: 'float' },
    { no: 11, name: 'inputSentenceSize', kind: 'uint64' },
    { no: 12, name: 'miningSentenceSize', kind: 'int32' },
    { no: 13, name: 'trainingSentenceSize', kind: 'int32' },
    { no: 14, name: 'seedSentencepieceSize', kind: 'int32' },
    { no: 15, name: 'shrinkingFactor', kind: 'float' },
    { no: 16, name: 'numThreads', kind: 'int32' },
    { no: 17, name: 'numSubIterations', kind: 'int32' },
    { no: 18, name: 'maxSentenceLength', kind: 'int32' },
    { no: 19, name: 'shuffleInputSentence', kind: 'bool' },
    { no: 20, name: 'maxSentencepieceLength', kind: 'int32' },
    { no: 21, name: 'splitByUnicodeScript', kind: 'bool' },
    { no: 22, name: 'splitByWhitespace', kind: 'bool' },
    { no: 23, name: 'splitByNumber', kind: 'bool' },
    { no: 24, name: 'treatWhitespaceAsSuffix', kind: 'bool' },
    { no: 25, name: 'splitDigits', kind: 'bool' },
    { no: 26, name: 'allowWhitespaceOnlyPieces', kind: 'bool' },
    { no: 30, name: 'controlSymbols', kind: 'string', repeated: true },
    { no: 31, name: 'userDefinedSymbols', kind: 'string', repeated: true },
    { no: 32, name: 'vocabularyOutputPieceScore', kind: 'bool' },
    { no: 33, name: 'hardVocabLimit', kind: 'bool' },
    { no: 34, name: 'useAllVocab', kind: 'bool' },
    { no: 35, name: 'byteFallback', kind: 'bool' },
    { no: 36, name: 'requiredChars', kind: 'string' },
    { no: 40, name: 'unkId', kind: 'int32' },
    { no: 41, name: 'bosId', kind: 'int32' },
    { no: 42, name: 'eosId', kind: 'int32' },
    { no: 43, name: 'padId', kind: 'int32' },
    { no: 44, name: 'unkSurface', kind: 'string' },
    { no: 45, name: 'unkPiece', kind: 'string' },
    { no: 46, name: 'bosPiece', kind: 'string' },
    { no: 47, name: 'eosPiece', kind: 'string' },
    { no: 48, name: 'padPiece', kind: 'string' },
    { no: 49, name: 'trainExtremelyLargeCorpus', kind: 'bool' },
    { no: 50, name: 'enableDifferentialPrivacy', kind: 'bool' },
    { no: 51, name: 'differentialPrivacyNoiseLevel', kind: 'float' },
    { no: 52, name: 'differentialPrivacyClippingThreshold', kind: 'uint64' },
    { no: 53, name: 'pretokenizationDelimiter', kind: 'string' },
    { no: 54, name: 'seedSentencepiecesFile', kind: 'string' },
  ],
};

const NORMALIZER_SPEC: MessageDef = {
  name: 'NormalizerSpec',
  fields: [
    { no: 1, name: 'name', kind: 'string' },
    { no: 2, name: 'precompiledCharsmap', kind: 'bytes' },
    { no: 3, name: 'addDummyPrefix', kind: 'bool' },
    { no: 4, name: 'removeExtraWhitespaces', kind: 'bool' },
    { no: 5, name: 'escapeWhitespaces', kind: 'bool' },
    { no: 6, name: 'normalizationRuleTsv', kind: 'string' },
  ],
};

const SELF_TEST_SAMPLE: MessageDef = {
  name: 'SelfTestData.Sample',
  fields: [
    { no: 1, name: 'input', kind: 'string' },
    { no: 2, name: 'expected', kind: 'string' },
  ],
};

const SELF_TEST_DATA: MessageDef = {
  name: 'SelfTestData',
  fields: [{ no: 1, name: 'samples', kind: 'message', repeated: true, message: SELF_TEST_SAMPLE }],
  required: ['samples'],
};

const SENTENCE_PIECE: MessageDef = {
  name: 'SentencePiece',
  fields: [
    { no: 1, name: 'piece', kind: 'string' },
    { no: 2, name: 'score', kind: 'float' },
    { no: 3, name: 'type', kind: 'enum', values: PIECE_TYPES },
  ],
};

const MODEL_PROTO: MessageDef = {
  name: 'ModelProto',
  fields: [
    { no: 1, name: 'pieces', kind: 'message', repeated: true, message: SENTENCE_PIECE },
    { no: 2, name: 'trainerSpec', kind: 'message', message: TRAINER_SPEC },
    { no: 3, name: 'normalizerSpec', kind: 'message', message: NORMALIZER_SPEC },
    { no: 4, name: 'selfTestData', kind: 'message', message: SELF_TEST_DATA },
    { no: 5, name: 'denormalizerSpec', kind: 'message', message: NORMALIZER_SPEC },
  ],
  required: ['pieces'],
};

const WIRE_OF: Record<Kind, number> = {
  string: WireType.LEN,
  bytes: WireType.LEN,
  message: WireType.LEN,
  int32: WireType.VARINT,
  uint64: WireType.VARINT,
  bool: WireType.VARINT,
  enum: WireType.VARINT,
  float: WireType.I32,
};

// `fatal: true` so that a piece with broken UTF-8 is reported instead of silently becoming U+FFFD,
// which would change the vocabulary.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function readMessage(r: WireReader, def: MessageDef, path: string, source: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of def.required ?? []) out[name] = [];
  const unknown: Uint8Array[] = [];
  const byNo = new Map(def.fields.map((f) => [f.no, f]));
  while (!r.done()) {
    const tagStart = r.offset;
    const { field, wire } = r.readTag();
    const f = byNo.get(field);
    if (f === undefined) {
      r.skip(wire, field);
      unknown.push(r.bytes.subarray(tagStart, r.offset));
      continue;
    }
    const where = `${path}.${f.name}`;
    if (wire !== WIRE_OF[f.kind]) {
      throw new FormatError(`${source} field ${where}`, `wire type ${WIRE_OF[f.kind]}`, `wire type ${wire}`);
    }
    let value: unknown;
    switch (f.kind) {
      case 'string': {
        const { start, end } = r.readLengthDelimited();
        try {
          value = utf8Decoder.decode(r.bytes.subarray(start, end));
        } catch {
          throw new FormatError(`${source} field ${where}`, 'valid UTF-8 text', 'malformed UTF-8');
        }
        break;
      }
      case 'bytes': {
        const { start, end } = r.readLengthDelimited();
        value = r.bytes.slice(start, end);
        break;
      }
      case 'message': {
        const { start, end } = r.readLengthDelimited();
        const sub = new WireReader(r.bytes, `${source} field ${where}`, start, end);
        value = readMessage(sub, f.message as MessageDef, where, source);
        break;
      }
      case 'int32':
        value = r.readInt32();
        break;
      case 'uint64':
        value = r.readUint53();
        break;
      case 'bool':
        value = r.readBool();
        break;
      case 'float':
        value = r.readFloat();
        break;
      case 'enum': {
        const n = r.readInt32();
        const name = f.values?.[n];
        if (name === undefined) {
          const allowed = Object.keys(f.values ?? {}).join(', ');
          throw new FormatError(`${source} field ${where}`, `one of {${allowed}}`, String(n));
        }
        value = name;
        break;
      }
    }
    if (f.repeated) {
      const list = (out[f.name] as unknown[] | undefined) ?? [];
      list.push(value);
      out[f.name] = list;
    } else if (f.kind === 'message' && out[f.name] !== undefined) {
      // Protobuf merges a repeated occurrence of a singular message field into the first.
      out[f.name] = mergeMessages(out[f.name] as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      out[f.name] = value; // last one wins for scalars, as in protobuf
    }
  }
  if (unknown.length > 0) out.unknownFields = concat(unknown);
  return out;
}

function mergeMessages(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (Array.isArray(v) && Array.isArray(out[k])) out[k] = [...(out[k] as unknown[]), ...v];
    else if (v instanceof Uint8Array && k === 'unknownFields' && out[k] instanceof Uint8Array) {
      out[k] = concat([out[k] as Uint8Array, v]);
    } else out[k] = v;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Parses the bytes of a SentencePiece `.model` file. `source` (e.g. the file path) names it in errors.
 *
 * Every length is checked against the bytes present before anything is sliced, so a truncated,
 * mutated or foreign file throws a `FormatError` (never a RangeError or a huge allocation). Checks
 * beyond the wire format: strings must be valid UTF-8, enums must have known values, and the model
 * must have at least one piece with a non-empty string. Semantic checks (one `UNKNOWN` piece, 256
 * byte pieces when `byteFallback`...) are made when a tokenizer is built from the spec.
 */
export function readModelProto(bytes: Uint8Array, source = 'SentencePiece model'): SentencePieceModelSpec {
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError(source, 'a Uint8Array', Object.prototype.toString.call(bytes));
  }
  const r = new WireReader(bytes, source);
  const raw = readMessage(r, MODEL_PROTO, 'ModelProto', source);
  const pieces = (raw.pieces as Array<Partial<SentencePiece> & { unknownFields?: Uint8Array }>).map(
    (p, i) => {
      if (p.piece === undefined || p.piece === '') {
        throw new FormatError(`${source} piece ${i}`, 'a non-empty piece string', 'an empty one');
      }
      const piece: SentencePiece = { piece: p.piece, score: p.score ?? 0, type: p.type ?? 'NORMAL' };
      return piece;
    },
  );
  if (pieces.length === 0) {
    throw new FormatError(source, 'at least one piece', `${bytes.length} bytes with no pieces`);
  }
  return { ...(raw as Omit<SentencePieceModelSpec, 'pieces'>), pieces };
}

function writeMessage(w: WireWriter, def: MessageDef, msg: Record<string, unknown>, path: string): void {
  for (const f of def.fields) {
    const v = msg[f.name];
    if (v === undefined) continue;
    const values = f.repeated ? (v as unknown[]) : [v];
    if (f.repeated && !Array.isArray(v)) {
      throw new FormatError(`SentencePiece spec ${path}.${f.name}`, 'an array', typeof v);
    }
    const where = `${path}.${f.name}`;
    for (const item of values) writeField(w, f, item, where);
  }
  const unknown = msg.unknownFields;
  if (unknown instanceof Uint8Array) w.raw(unknown);
}

function badValue(where: string, expected: string, v: unknown): FormatError {
  return new FormatError(`SentencePiece spec ${where}`, expected, JSON.stringify(v) ?? String(v));
}

/** Enum name -> wire value, per enum table. */
const ENUM_VALUES = new Map<Readonly<Record<number, string>>, Map<string, number>>();
function enumValue(values: Readonly<Record<number, string>>, name: unknown): number | undefined {
  let m = ENUM_VALUES.get(values);
  if (m === undefined) {
    m = new Map(Object.entries(values).map(([k, v]) => [v, Number(k)]));
    ENUM_VALUES.set(values, m);
  }
  return m.get(name as string);
}

function writeField(w: WireWriter, f: FieldDef, v: unknown, where: string): void {
  w.tag(f.no, WIRE_OF[f.kind]);
  switch (f.kind) {
    case 'string':
      if (typeof v !== 'string') throw badValue(where, 'a string', v);
      w.bytes(utf8Encoder.encode(v));
      return;
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw badValue(where, 'a Uint8Array', v);
      w.bytes(v);
      return;
    case 'message': {
      if (typeof v !== 'object' || v === null) throw badValue(where, 'an object', v);
      const sub = new WireWriter(32);
      writeMessage(sub, f.message as MessageDef, v as Record<string, unknown>, where);
      w.bytes(sub.finish());
      return;
    }
    case 'int32':
      if (!Number.isInteger(v) || (v as number) < -(2 ** 31) || (v as number) >= 2 ** 31) {
        throw badValue(where, 'a 32-bit integer', v);
      }
      w.int32(v as number);
      return;
    case 'uint64':
      if (!Number.isSafeInteger(v) || (v as number) < 0)
        throw badValue(where, 'a non-negative safe integer', v);
      w.varint(v as number);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw badValue(where, 'a boolean', v);
      w.varint(v ? 1 : 0);
      return;
    case 'float':
      if (typeof v !== 'number') throw badValue(where, 'a number', v);
      w.float(v);
      return;
    case 'enum': {
      const n = enumValue(f.values ?? {}, v);
      if (n === undefined) throw badValue(where, `one of ${Object.values(f.values ?? {}).join(', ')}`, v);
      w.varint(n);
      return;
    }
  }
}

/**
 * Serializes a model spec to the bytes of a `.model` file that spm_encode and every SentencePiece
 * runtime can load. Fields are written in field-number order with unknown fields last, as C++
 * protobuf does, so `writeModelProto(readModelProto(b))` reproduces spm_train's files byte for byte.
 * A piece's `type` is written only when it is not `NORMAL`, and its `score` always (spm_train's habit).
 */
export function writeModelProto(model: SentencePieceModelSpec): Uint8Array {
  if (!Array.isArray(model?.pieces)) {
    throw new FormatError('SentencePiece spec pieces', 'an array of pieces', typeof model?.pieces);
  }
  const msg: Record<string, unknown> = {
    ...model,
    pieces: model.pieces.map((p, i) => {
      if (typeof p?.piece !== 'string' || p.piece === '') {
        throw new FormatError(
          `SentencePiece spec pieces[${i}].piece`,
          'a non-empty string',
          JSON.stringify(p?.piece),
        );
      }
      const out: Record<string, unknown> = { piece: p.piece, score: p.score };
      if (p.type !== 'NORMAL') out.type = p.type;
      return out;
    }),
  };
  const w = new WireWriter();
  writeMessage(w, MODEL_PROTO, msg, 'ModelProto');
  return w.finish();
}
