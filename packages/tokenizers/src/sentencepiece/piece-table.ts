import { FormatError } from '@recurrent/core';
import { ByteTrie } from './byte-trie.ts';
import { byteKey, utf8Encode } from './bytes.ts';
import type { SentencePieceModelSpec, SentencePieceType } from './model-proto.ts';

/** One piece of an encoder's output: the bytes `[begin, end)` of the normalized text and its id. */
export interface EncodedPiece {
  begin: number;
  end: number;
  id: number;
}

const TYPE_CODES: Record<SentencePieceType, number> = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
};

/** `<0x41>` for byte 0x41, the spelling of byte-fallback pieces (model_interface.cc `ByteToPiece`). */
export function byteToPiece(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

const BYTE_PIECE = /^<0x([0-9A-F]{2})>$/;

/** The byte a `<0xAB>` piece stands for, or -1 (upper-case hex only, as spm requires). */
export function pieceToByte(piece: string): number {
  const m = BYTE_PIECE.exec(piece);
  return m ? Number.parseInt(m[1] as string, 16) : -1;
}

/**
 * The vocabulary of a SentencePiece model in the forms the encoders need (model_interface.cc
 * `InitializePieces`): piece bytes, float32 scores and type codes by id; two lookups, one for pieces the
 * encoders may produce (normal, user-defined, unused) and one for reserved pieces (unknown, control,
 * byte), the latter searched first; and the same validation, so a model spm refuses to load is refused
 * here with a FormatError.
 */
export class PieceTable {
  readonly NORMAL = TYPE_CODES.NORMAL;
  readonly UNKNOWN = TYPE_CODES.UNKNOWN;
  readonly CONTROL = TYPE_CODES.CONTROL;
  readonly USER_DEFINED = TYPE_CODES.USER_DEFINED;
  readonly UNUSED = TYPE_CODES.UNUSED;
  readonly BYTE = TYPE_CODES.BYTE;

  readonly size: number;
  readonly pieces: readonly string[];
  readonly pieceBytes: readonly Uint8Array[];
  readonly scores: Float32Array;
  readonly types: Uint8Array;
  readonly unkId: number;
  /** Normal, user-defined and unused pieces, keyed by their bytes (see `byteKey`). */
  readonly normal = new Map<string, number>();
  /** Unknown, control and byte pieces, keyed by their bytes. */
  readonly reserved = new Map<string, number>();
  /** Trie over the normal, user-defined and unused pieces. */
  readonly trie = new ByteTrie();
  /** Trie over the unknown, control and byte pieces. */
  readonly reservedTrie = new ByteTrie();
  /** Trie over the user-defined symbols only (empty when there are none). */
  readonly userDefined: ByteTrie | undefined;
  /** Id of `<0xAB>` for each byte when byte fallback is on. */
  readonly byteIds: Int32Array | undefined;

  constructor(model: SentencePieceModelSpec, byteFallback: boolean) {
    const n = model.pieces.length;
    this.size = n;
    this.scores = new Float32Array(n);
    this.types = new Uint8Array(n);
    const pieces: string[] = [];
    const pieceBytes: Uint8Array[] = [];
    const fail = (what: string, expected: string, received: string): never => {
      throw new FormatError(`SentencePiece model ${what}`, expected, received);
    };
    let unkId = -1;
    const userDefined = new ByteTrie();
    let hasUserDefined = false;
    const byteFound = new Array<boolean>(256).fill(false);

    for (let id = 0; id < n; id++) {
      const p = model.pieces[id];
      if (p === undefined || typeof p.piece !== 'string' || p.piece === '') {
        fail(`piece ${id}`, 'a non-empty piece', JSON.stringify(p?.piece));
      }
      const sp = p as NonNullable<typeof p>;
      const code = TYPE_CODES[sp.type];
      if (code === undefined) fail(`piece ${id} type`, Object.keys(TYPE_CODES).join(' | '), String(sp.type));
      const bytes = utf8Encode(sp.piece);
      pieces.push(sp.piece);
      pieceBytes.push(bytes);
      this.scores[id] = sp.score;
      this.types[id] = code;
      const isNormal = code === this.NORMAL || code === this.USER_DEFINED || code === this.UNUSED;
      const key = byteKey(bytes, 0, bytes.length);
      const map = isNormal ? this.normal : this.reserved;
      if (map.has(key)) fail(`piece ${id}`, 'each piece defined once', `"${sp.piece}" defined again`);
      map.set(key, id);
      (isNormal ? this.trie : this.reservedTrie).insert(bytes, id);
      if (code === this.USER_DEFINED) {
        userDefined.insert(bytes, id);
        hasUserDefined = true;
      }
      if (code === this.UNKNOWN) {
        if (unkId >= 0) fail(`piece ${id}`, 'a single UNKNOWN piece', `a second one ("${sp.piece}")`);
        unkId = id;
      }
      if (code === this.BYTE) {
        if (!byteFallback) fail(`piece ${id}`, 'no BYTE pieces when byte_fallback is false', `"${sp.piece}"`);
        const b = pieceToByte(sp.piece);
        if (b < 0) fail(`piece ${id}`, 'a byte piece spelled <0xAB>', `"${sp.piece}"`);
        byteFound[b] = true;
      }
    }
    if (unkId < 0) fail('pieces', 'one piece of type UNKNOWN', 'none');
    if (byteFallback && byteFound.includes(false)) {
      fail(
        'pieces',
        '256 byte pieces <0x00>..<0xFF> when byte_fallback is true',
        `${byteFound.filter(Boolean).length}`,
      );
    }
    this.pieces = pieces;
    this.pieceBytes = pieceBytes;
    this.unkId = unkId;
    this.userDefined = hasUserDefined ? userDefined : undefined;
    if (byteFallback) {
      this.byteIds = new Int32Array(256);
      for (let b = 0; b < 256; b++) this.byteIds[b] = this.pieceToId(byteToPiece(b));
    }
  }

  /** model_interface.cc `PieceToId`: reserved pieces first, then the rest, else the unknown id. */
  pieceToId(piece: string): number {
    const bytes = utf8Encode(piece);
    return this.idOfBytes(bytes, 0, bytes.length);
  }

  /** `pieceToId` for the piece `s[start, end)`. */
  idOfBytes(s: Uint8Array, start: number, end: number): number {
    const reserved = this.reservedTrie.get(s, start, end);
    if (reserved >= 0) return reserved;
    const normal = this.trie.get(s, start, end);
    return normal >= 0 ? normal : this.unkId;
  }

  isUnknown(id: number): boolean {
    return this.types[id] === this.UNKNOWN;
  }
  isControl(id: number): boolean {
    return this.types[id] === this.CONTROL;
  }
  isByte(id: number): boolean {
    return this.types[id] === this.BYTE;
  }
}
