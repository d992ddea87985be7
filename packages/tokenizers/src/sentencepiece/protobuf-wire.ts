import { FormatError } from '@recurrent/core';

// A hand-written protobuf wire reader/writer rather than protobufjs: the schema is four small
// messages, and owning the loop lets every length and offset be checked against the bytes that are
// really there before anything is sliced or allocated, so a truncated or hostile file becomes a
// FormatError naming the field instead of a RangeError, a huge allocation, or code generated with
// `new Function` (which protobufjs uses and a strict Content-Security-Policy forbids). It also keeps
// unknown fields as raw bytes, so a model read and written back is byte-for-byte the same.

/** Protobuf wire types (the low 3 bits of a tag). */
export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  SGROUP: 3,
  EGROUP: 4,
  I32: 5,
} as const;

/** Nesting limit for skipped groups; protobuf's own parser uses 100. */
const MAX_GROUP_DEPTH = 100;

/** Reads protobuf wire format from `bytes[start, end)`, checking every length against `end`. */
export class WireReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** Name of the file or message being read, for error messages. */
    readonly what: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Offset of the next unread byte. */
  get offset(): number {
    return this.pos;
  }

  /** True when every byte has been read. */
  done(): boolean {
    return this.pos >= this.end;
  }

  private fail(expected: string, received: string): never {
    throw new FormatError(`${this.what} (byte ${this.pos})`, expected, received);
  }

  /**
   * Reads a varint as two 32-bit halves. A varint has at most 10 bytes; more is malformed.
   * Returns `[lo, hi]` as unsigned 32-bit numbers.
   */
  readVarint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('a complete varint', 'the end of the data');
      const b = this.bytes[this.pos++] as number;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    return this.fail('a varint of at most 10 bytes', 'a longer one');
  }

  /** A varint truncated to a signed 32-bit integer, as C++ protobuf does for int32 and enum fields. */
  readInt32(): number {
    return this.readVarint64()[0] | 0;
  }

  /** A varint as an unsigned integer; values beyond 2^53 cannot be represented exactly and are rejected. */
  readUint53(): number {
    const [lo, hi] = this.readVarint64();
    if (hi >= 0x200000) this.fail('an integer below 2^53', `one with high word 0x${hi.toString(16)}`);
    return hi * 0x100000000 + lo;
  }

  /** A varint read as a bool (any non-zero value is true, as in C++). */
  readBool(): boolean {
    const [lo, hi] = this.readVarint64();
    return lo !== 0 || hi !== 0;
  }

  /** A little-endian IEEE-754 single (wire type I32). */
  readFloat(): number {
    if (this.end - this.pos < 4) this.fail('4 bytes of a float', `${this.end - this.pos} bytes`);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A tag: field number and wire type. Field number 0 and out-of-range numbers are malformed. */
  readTag(): { field: number; wire: number } {
    const [lo, hi] = this.readVarint64();
    if (hi !== 0) this.fail('a field tag below 2^32', 'a larger one');
    const field = lo >>> 3;
    const wire = lo & 7;
    if (field === 0) this.fail('a field number >= 1', 'field number 0');
    return { field, wire };
  }

  /** The bounds `[start, end)` of a length-delimited payload, checked against the remaining bytes. */
  readLengthDelimited(): { start: number; end: number } {
    const [lo, hi] = this.readVarint64();
    const remaining = this.end - this.pos;
    if (hi !== 0 || lo > remaining) {
      this.fail(`a length of at most ${remaining} bytes`, hi !== 0 ? 'a length >= 2^32' : `${lo} bytes`);
    }
    const start = this.pos;
    this.pos += lo;
    return { start, end: this.pos };
  }

  /** Skips the payload of a field with wire type `wire` (the tag already read). */
  skip(wire: number, field: number, depth = 0): void {
    switch (wire) {
      case WireType.VARINT:
        this.readVarint64();
        return;
      case WireType.I64:
        this.advance(8);
        return;
      case WireType.LEN:
        this.readLengthDelimited();
        return;
      case WireType.I32:
        this.advance(4);
        return;
      case WireType.SGROUP: {
        if (depth >= MAX_GROUP_DEPTH)
          this.fail(`groups nested at most ${MAX_GROUP_DEPTH} deep`, 'deeper nesting');
        for (;;) {
          if (this.done()) this.fail(`the end of group ${field}`, 'the end of the data');
          const tag = this.readTag();
          if (tag.wire === WireType.EGROUP) {
            if (tag.field !== field) this.fail(`the end of group ${field}`, `the end of group ${tag.field}`);
            return;
          }
          this.skip(tag.wire, tag.field, depth + 1);
        }
      }
      default:
        this.fail('a wire type in {0, 1, 2, 3, 5}', `wire type ${wire} (field ${field})`);
    }
  }

  private advance(n: number): void {
    if (this.end - this.pos < n) this.fail(`${n} more bytes`, `${this.end - this.pos} bytes`);
    this.pos += n;
  }
}

const FLOAT_SCRATCH = new DataView(new ArrayBuffer(4));

/** Appends protobuf wire format to a growing buffer. */
export class WireWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Writes an unsigned varint of at most 53 bits. */
  varint(v: number): void {
    this.reserve(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  /** Writes a signed 32-bit value the way int32 fields are encoded: negatives take 10 bytes (sign-extended). */
  int32(v: number): void {
    if (v >= 0) {
      this.varint(v);
      return;
    }
    // Two's complement over 64 bits: low word as unsigned, high word all ones.
    let lo = v >>> 0;
    this.reserve(10);
    for (let i = 0; i < 4; i++) {
      this.buf[this.len++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    // Byte 5 holds the top 4 bits of the low word and the bottom 3 bits of the (all-ones) high word.
    this.buf[this.len++] = (lo & 0x0f) | 0x70 | 0x80;
    for (let i = 0; i < 4; i++) this.buf[this.len++] = 0xff;
    this.buf[this.len++] = 0x01;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  float(v: number): void {
    this.reserve(4);
    FLOAT_SCRATCH.setFloat32(0, v, true);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = FLOAT_SCRATCH.getUint8(i);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.raw(b);
  }

  /** Appends bytes verbatim (no length prefix). */
  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The bytes written so far (a copy, trimmed to length). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
