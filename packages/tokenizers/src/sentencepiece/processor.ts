import { DataError, FormatError } from '@recurrent/core';
import { BpeEncoder } from './bpe-encoder.ts';
import { ByteBuffer, REPLACEMENT_CHAR, SPACE_SYMBOL, utf8Decode, utf8Encode, validCharLen } from './bytes.ts';
import { type ResolvedTrainerSpec, resolveTrainerSpec, type SentencePieceModelSpec } from './model-proto.ts';
import { SentencePieceNormalizer } from './normalizer.ts';
import { type EncodedPiece, PieceTable, pieceToByte } from './piece-table.ts';
import { encodeChars, encodeWords } from './simple-encoders.ts';
import { UnigramEncoder } from './unigram-encoder.ts';

/** spm's default rendering of an unknown piece when decoding: ` ⁇ `. */
const DEFAULT_UNK_SURFACE = ' \u2047 ';

/**
 * A loaded SentencePiece model that encodes and decodes exactly as spm_encode / spm_decode
 * (sentencepiece_processor.cc): normalize, segment with the model's algorithm, then merge runs of
 * unknown pieces into one (or, with byte fallback, spell each unknown character as its UTF-8 byte
 * pieces); decoding maps `▁` back to spaces, drops the dummy prefix, reassembles byte pieces (a
 * malformed byte becomes U+FFFD) and applies the denormalizer.
 *
 * Construction validates the model as spm's loader does and throws FormatError for what spm rejects.
 */
export class SentencePieceProcessor {
  readonly trainerSpec: ResolvedTrainerSpec;
  readonly table: PieceTable;
  readonly normalizer: SentencePieceNormalizer;
  private readonly denormalizer: SentencePieceNormalizer | undefined;
  private readonly segment: (normalized: Uint8Array) => EncodedPiece[];
  private readonly unkSurface: Uint8Array;

  constructor(readonly model: SentencePieceModelSpec) {
    this.trainerSpec = resolveTrainerSpec(model.trainerSpec);
    this.table = new PieceTable(model, this.trainerSpec.byteFallback);
    const table = this.table;
    switch (this.trainerSpec.modelType) {
      case 'UNIGRAM': {
        if (table.normal.size === 0) {
          throw new FormatError(
            'SentencePiece model pieces',
            'at least one normal, user-defined or unused piece',
            'none',
          );
        }
        const unigram = new UnigramEncoder(table, table.trie);
        this.segment = (s) => unigram.encode(s);
        break;
      }
      case 'BPE': {
        const bpe = new BpeEncoder(table);
        this.segment = (s) => bpe.encode(s);
        break;
      }
      case 'CHAR':
        this.segment = (s) => encodeChars(table, s);
        break;
      case 'WORD':
        this.segment = (s) => encodeWords(table, s);
        break;
    }
    this.normalizer = new SentencePieceNormalizer(model.normalizerSpec, {
      treatWhitespaceAsSuffix: this.trainerSpec.treatWhitespaceAsSuffix,
      ...(table.userDefined ? { userDefinedSymbols: table.userDefined } : {}),
    });
    const denorm = model.denormalizerSpec;
    if (denorm?.precompiledCharsmap !== undefined && denorm.precompiledCharsmap.length > 0) {
      this.denormalizer = new SentencePieceNormalizer(denorm);
    }
    // `has_unk_surface()`: an explicitly empty surface is honoured.
    this.unkSurface = utf8Encode(model.trainerSpec?.unkSurface ?? DEFAULT_UNK_SURFACE);
  }

  /** Number of pieces (ids are `0 .. size - 1`). */
  get size(): number {
    return this.table.size;
  }

  /** Id of a piece; the unknown id when there is no such piece. */
  pieceToId(piece: string): number {
    return this.table.pieceToId(piece);
  }

  /** The piece of an id. Throws DataError when the id is out of range. */
  idToPiece(id: number): string {
    this.checkId(id, 'id');
    return this.table.pieces[id] as string;
  }

  private checkId(id: number, what: string): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.table.size) {
      throw new DataError(`SentencePiece ${what}`, `an integer in [0, ${this.table.size})`, String(id));
    }
  }

  /** The special-piece ids spm reports (`unk_id()`, `bos_id()`...): -1 when the model has none. */
  specialId(which: 'unk' | 'bos' | 'eos' | 'pad'): number {
    const spec = this.trainerSpec;
    const piece = { unk: spec.unkPiece, bos: spec.bosPiece, eos: spec.eosPiece, pad: spec.padPiece }[which];
    // An empty piece name means the default (model_interface.cc RETURN_PIECE).
    const name = piece !== '' ? piece : { unk: '<unk>', bos: '<s>', eos: '</s>', pad: '<pad>' }[which];
    const id = this.table.pieceToId(name);
    const ok = which === 'unk' ? this.table.isUnknown(id) : this.table.isControl(id);
    return ok ? id : -1;
  }

  /** Normalizes and segments `text`; the pieces are byte ranges of `normalized`, before unknown merging. */
  private encodeNormalized(text: string): { normalized: Uint8Array; pieces: EncodedPiece[] } {
    const normalized = this.normalizer.normalizeBytes(utf8Encode(text));
    return { normalized, pieces: this.segment(normalized) };
  }

  /** spm_encode's ids for `text` (without bos/eos). */
  encode(text: string): number[] {
    const { normalized, pieces } = this.encodeNormalized(text);
    const { table } = this;
    const byteIds = table.byteIds;
    const ids: number[] = [];
    let prevUnk = false;
    for (const p of pieces) {
      const unk = table.isUnknown(p.id);
      if (unk && byteIds) {
        for (let i = p.begin; i < p.end; i++) ids.push(byteIds[normalized[i] as number] as number);
      } else if (!(unk && prevUnk)) {
        ids.push(p.id);
      }
      prevUnk = unk;
    }
    return ids;
  }

  /** spm_encode's pieces for `text` (`--output_format=piece`). */
  encodeAsPieces(text: string): string[] {
    const { normalized, pieces } = this.encodeNormalized(text);
    const { table } = this;
    const out: string[] = [];
    let prevUnk = false;
    for (const p of pieces) {
      const unk = table.isUnknown(p.id);
      const surface = utf8Decode(normalized.subarray(p.begin, p.end));
      if (unk && table.byteIds) {
        for (let i = p.begin; i < p.end; i++)
          out.push(table.pieces[table.byteIds[normalized[i] as number] as number] as string);
      } else if (unk && prevUnk) {
        out[out.length - 1] += surface;
      } else {
        out.push(surface);
      }
      prevUnk = unk;
    }
    return out;
  }

  /** spm_decode: ids back to text. Throws DataError for an id outside the vocabulary. */
  decode(ids: ArrayLike<number>): string {
    const { table } = this;
    const n = ids.length;
    const pieceIds = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const id = ids[i] as number;
      this.checkId(id, `ids[${i}]`);
      // spm decodes via the piece string and looks its id up again.
      pieceIds[i] = table.pieceToId(table.pieces[id] as string);
    }
    const { addDummyPrefix, removeExtraWhitespaces } = this.normalizer.spec;
    const text = new ByteBuffer(n * 4);

    const flushBytes = (from: number, to: number): void => {
      if (from >= to) return;
      const bytes = new Uint8Array(to - from);
      for (let i = from; i < to; i++)
        bytes[i - from] = pieceToByte(table.pieces[pieceIds[i] as number] as string);
      for (let off = 0; off < bytes.length; ) {
        const len = validCharLen(bytes, off, bytes.length);
        if (len === 0) {
          text.append(REPLACEMENT_CHAR);
          off += 1;
        } else {
          text.append(bytes, off, off + len);
          off += len;
        }
      }
    };

    let byteStart = 0;
    let isBosWs = true;
    let bosWsSeen = false;
    for (let i = 0; i < n; i++) {
      const id = pieceIds[i] as number;
      if (table.isByte(id)) continue;
      flushBytes(byteStart, i);
      if (bosWsSeen || text.length > 0) isBosWs = false;
      byteStart = i + 1;
      bosWsSeen = false;
      if (table.isControl(id)) continue;
      if (table.isUnknown(id)) {
        text.append(this.unkSurface);
        continue;
      }
      const piece = table.pieceBytes[id] as Uint8Array;
      let from = 0;
      if (isBosWs && (addDummyPrefix || removeExtraWhitespaces)) {
        if (startsWithSpaceSymbol(piece)) {
          from = SPACE_SYMBOL.length;
          bosWsSeen = !removeExtraWhitespaces;
        }
      }
      appendUnescaped(text, piece, from);
    }
    flushBytes(byteStart, n);

    const out = text.bytes.slice(0, text.length);
    return utf8Decode(this.denormalizer ? this.denormalizer.normalizeBytes(out) : out);
  }
}

function startsWithSpaceSymbol(piece: Uint8Array): boolean {
  return (
    piece.length >= 3 &&
    piece[0] === SPACE_SYMBOL[0] &&
    piece[1] === SPACE_SYMBOL[1] &&
    piece[2] === SPACE_SYMBOL[2]
  );
}

/** Appends `piece[from..]` with every `▁` replaced by a space. */
function appendUnescaped(out: ByteBuffer, piece: Uint8Array, from: number): void {
  for (let i = from; i < piece.length; ) {
    if (i + 2 < piece.length && piece[i] === 0xe2 && piece[i + 1] === 0x96 && piece[i + 2] === 0x81) {
      out.push(0x20);
      i += 3;
    } else {
      out.push(piece[i] as number);
      i += 1;
    }
  }
}
