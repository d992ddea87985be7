import { FormatError, fmtShape, OptionError, ShapeError } from './errors.ts';
import { allocF32 } from './memory.ts';
import { shapeSize, Tensor } from './tensor.ts';

/**
 * The safetensors layout (https://github.com/huggingface/safetensors), read and written without any
 * dependency: an 8-byte little-endian header length `N`, `N` bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then the raw
 * little-endian tensor bytes, offsets relative to the end of the header. Loading parses JSON and copies
 * numbers only, so it can never run code; every malformed input is a {@link FormatError}.
 */

/** The element types this reader and writer support. */
export type SafetensorsDtype = 'F32' | 'F64' | 'I32' | 'I64' | 'U8';

/** The typed array that holds each dtype. */
export interface SafetensorsArrays {
  F32: Float32Array;
  F64: Float64Array;
  I32: Int32Array;
  I64: BigInt64Array;
  U8: Uint8Array;
}

/** One tensor of a safetensors file: dtype, shape and its values (row-major). */
export type SafetensorsEntry = {
  [D in SafetensorsDtype]: { dtype: D; shape: number[]; data: SafetensorsArrays[D] };
}[SafetensorsDtype];

/** A whole safetensors file: tensors in file order, and the string-to-string metadata. */
export interface SafetensorsFile {
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** Options of {@link decodeSafetensors}. */
export interface DecodeSafetensorsOptions {
  /** Largest header accepted, in bytes (default 100,000,000, the reference implementation's limit). */
  maxHeaderBytes?: number;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1 };
const DTYPES = Object.keys(BYTES) as SafetensorsDtype[];
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Size in bytes of one element of `dtype`. */
export function dtypeBytes(dtype: SafetensorsDtype): number {
  return BYTES[dtype];
}

function dtypeOf(data: ArrayBufferView): SafetensorsDtype | null {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof BigInt64Array) return 'I64';
  if (data instanceof Uint8Array) return 'U8';
  return null;
}

/**
 * Encodes tensors and metadata as safetensors bytes. `tensors` is any iterable of `[name, tensor]`
 * (a `Map`, `module.parameters()`, `Object.entries(...)`); a {@link Tensor} is written as F32. Tensors are
 * written in the given order; the header is padded with spaces so the data starts 8-byte aligned.
 * Config and tokenizer go in `metadata` as JSON strings.
 */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, Tensor | SafetensorsEntry]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new OptionError(`safetensors metadata "${k}"`, 'a string', typeof v);
    meta[k] = v;
  }
  if (Object.keys(meta).length > 0) header[METADATA_KEY] = meta;
  const parts: { bytes: Uint8Array; begin: number }[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === METADATA_KEY)
      throw new OptionError('safetensors tensor name', `not "${METADATA_KEY}"`, `"${name}"`);
    if (seen.has(name)) throw new OptionError('safetensors tensor names', 'unique names', `"${name}" twice`);
    seen.add(name);
    const declared: SafetensorsDtype = t instanceof Tensor ? 'F32' : t.dtype;
    const dtype = dtypeOf(t.data);
    if (dtype !== declared) {
      throw new OptionError(
        `safetensors tensor "${name}" data`,
        `the typed array of ${declared}`,
        String(t.data?.constructor?.name),
      );
    }
    const shape = [...t.shape];
    const n = shapeSize(shape);
    if (n !== t.data.length) {
      throw new ShapeError(
        `safetensors tensor "${name}"`,
        `${n} elements for shape ${fmtShape(shape)}`,
        `${t.data.length}`,
      );
    }
    const bytes = leBytes(t.data);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    parts.push({ bytes, begin: offset });
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - (headerBytes.length % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    headerBytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, Math.floor(headerBytes.length / 2 ** 32), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  for (const p of parts) out.set(p.bytes, base + p.begin);
  return out;
}

/** The little-endian bytes of a typed array (a view when the host is little-endian, as all current ones are). */
function leBytes(data: ArrayBufferView): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const size = (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size)
    for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k]!;
  return out;
}

/** One tensor's entry in a safetensors header. */
export interface SafetensorsTensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** `[begin, end)` in bytes, relative to the start of the data area. */
  dataOffsets: [number, number];
}

/** A validated safetensors header: enough to know every tensor's place before reading any data. */
export interface SafetensorsHeader {
  /** Where the data area starts: 8 + the header length. */
  dataStart: number;
  /** Tensors in header order. */
  tensors: Map<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
}

/**
 * Reads the header length N from the first 8 bytes and checks it against `fileSize` (the whole input's
 * size) and `maxHeaderBytes`, so a caller knows how many bytes to read next before allocating anything.
 * @throws FormatError for fewer than 8 bytes, or a length that is too large or too small.
 */
export function safetensorsHeaderLength(
  first8: Uint8Array,
  fileSize: number,
  options: DecodeSafetensorsOptions = {},
): number {
  const maxHeader = options.maxHeaderBytes ?? 100_000_000;
  if (!(first8 instanceof Uint8Array))
    throw new FormatError('safetensors input', 'a Uint8Array', typeof first8);
  if (first8.length < 8 || fileSize < 8)
    throw new FormatError(
      'safetensors file',
      'at least 8 bytes (the header length)',
      `${Math.min(first8.length, fileSize)} bytes`,
    );
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact below 2^53; anything near that is rejected just below
  if (n > maxHeader)
    throw new FormatError('safetensors header length', `at most ${maxHeader} bytes`, `${n} bytes`);
  if (n > fileSize - 8) {
    throw new FormatError(
      'safetensors header length',
      `at most ${fileSize - 8} bytes (the rest of the file)`,
      `${n} bytes`,
    );
  }
  if (n < 2)
    throw new FormatError('safetensors header length', 'at least 2 bytes (a JSON object)', `${n} bytes`);
  return n;
}

/**
 * Parses and validates the header of a safetensors input of `fileSize` bytes, of which `bytes` holds at
 * least the first 8 + N (the header). Every dtype, shape and offset is checked against the size of the
 * data area (offsets must tile it exactly, as the reference implementation requires), so a file that
 * declares more tensor bytes than it has fails here, before any tensor is read or allocated.
 * @throws FormatError naming what was expected and what arrived.
 */
export function decodeSafetensorsHeader(
  bytes: Uint8Array,
  fileSize: number = bytes?.length,
  options: DecodeSafetensorsOptions = {},
): SafetensorsHeader {
  const n = safetensorsHeaderLength(bytes, fileSize, options);
  if (bytes.length < 8 + n)
    throw new FormatError('safetensors header', `${8 + n} bytes read`, `${bytes.length} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new FormatError('safetensors header', 'valid UTF-8', 'invalid byte sequences');
  }
  if (text[0] !== '{')
    throw new FormatError(
      'safetensors header',
      'a JSON object starting with "{"',
      JSON.stringify(text.slice(0, 16)),
    );
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new FormatError('safetensors header', 'valid JSON', (e as Error).message);
  }
  if (!isPlainObject(header)) throw new FormatError('safetensors header', 'a JSON object', describe(header));
  const dataStart = 8 + n;
  const dataLen = fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const infos: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      metadata = parseMetadata(info);
      continue;
    }
    infos.push({ name, ...parseInfo(name, info, dataLen) });
  }
  // The data area must be tiled exactly: no overlaps (aliasing), no gaps, nothing trailing.
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of sorted) {
    if (t.begin !== cursor) {
      const what = t.begin < cursor ? 'overlaps the previous tensor' : 'leaves a gap';
      throw new FormatError(
        `safetensors tensor "${t.name}" data_offsets`,
        `to start at byte ${cursor}`,
        `${t.begin} (${what})`,
      );
    }
    cursor = t.end;
  }
  if (cursor !== dataLen) {
    throw new FormatError(
      'safetensors data',
      `${cursor} bytes after the header (the sum of the tensors)`,
      `${dataLen} bytes`,
    );
  }
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const t of infos)
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, dataOffsets: [t.begin, t.end] });
  return { dataStart, tensors, metadata };
}

/**
 * Decodes safetensors bytes (from `fetch`, a file, ...). Hostile input is safe: the header length is
 * checked against the buffer and `maxHeaderBytes` before anything is allocated, and every dtype, shape and
 * offset is validated ({@link decodeSafetensorsHeader}), so allocations never exceed the input size.
 * Values are copied out, so `bytes` may be reused afterwards.
 * @throws FormatError naming what was expected and what arrived.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  options: DecodeSafetensorsOptions = {},
): SafetensorsFile {
  if (!(bytes instanceof Uint8Array))
    throw new FormatError('safetensors input', 'a Uint8Array', typeof bytes);
  const header = decodeSafetensorsHeader(bytes, bytes.length, options);
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, t] of header.tensors) {
    const [begin, end] = t.dataOffsets;
    tensors.set(name, readTensor(t.dtype, t.shape, bytes, header.dataStart + begin, end - begin));
  }
  return { tensors, metadata: header.metadata };
}

function parseMetadata(info: unknown): Record<string, string> {
  if (!isPlainObject(info))
    throw new FormatError(`safetensors "${METADATA_KEY}"`, 'an object of strings', describe(info));
  for (const [k, v] of Object.entries(info)) {
    if (typeof v !== 'string') throw new FormatError(`safetensors metadata "${k}"`, 'a string', describe(v));
  }
  // fromEntries defines own properties, so a "__proto__" key stays data and never reaches a prototype.
  return Object.fromEntries(Object.entries(info)) as Record<string, string>;
}

function parseInfo(
  name: string,
  info: unknown,
  dataLen: number,
): { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number } {
  const what = `safetensors tensor "${name}"`;
  if (!isPlainObject(info))
    throw new FormatError(what, 'an object {dtype, shape, data_offsets}', describe(info));
  const {
    dtype,
    shape,
    data_offsets: offsets,
  } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string' || !(DTYPES as string[]).includes(dtype)) {
    throw new FormatError(`${what} dtype`, `one of ${DTYPES.join(', ')}`, describe(dtype));
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(`${what} shape`, 'an array of non-negative integers', describe(shape));
  }
  const size = BYTES[dtype as SafetensorsDtype];
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    // Bounded by the data area, so a forged shape cannot make the product overflow or allocate.
    if (count * size > dataLen) {
      throw new FormatError(
        `${what} shape`,
        `at most ${dataLen} bytes of data`,
        `${fmtShape(shape as number[])} of ${dtype}`,
      );
    }
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0 && o <= dataLen)
  ) {
    throw new FormatError(
      `${what} data_offsets`,
      `[begin, end] integers within 0..${dataLen}`,
      describe(offsets),
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new FormatError(`${what} data_offsets`, 'begin <= end', `[${begin}, ${end}]`);
  if (end - begin !== count * size) {
    throw new FormatError(
      `${what} data_offsets`,
      `${count * size} bytes for ${fmtShape(shape as number[])} of ${dtype}`,
      `${end - begin} bytes`,
    );
  }
  return { dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin, end };
}

function readTensor(
  dtype: SafetensorsDtype,
  shape: number[],
  bytes: Uint8Array,
  at: number,
  len: number,
): SafetensorsEntry {
  const src = bytes.subarray(at, at + len);
  const copy = (n: number): ArrayBuffer => {
    // A fresh aligned buffer; byte-swapped per element on a big-endian host.
    const buf = new ArrayBuffer(len);
    const dst = new Uint8Array(buf);
    if (LITTLE_ENDIAN || n === 1) dst.set(src);
    else for (let i = 0; i < len; i += n) for (let k = 0; k < n; k++) dst[i + k] = src[i + n - 1 - k]!;
    return buf;
  };
  switch (dtype) {
    case 'F32': {
      const data = allocF32(len / 4);
      if (LITTLE_ENDIAN) new Uint8Array(data.buffer, data.byteOffset, len).set(src);
      else data.set(new Float32Array(copy(4)));
      return { dtype, shape, data };
    }
    case 'F64':
      return { dtype, shape, data: new Float64Array(copy(8)) };
    case 'I32':
      return { dtype, shape, data: new Int32Array(copy(4)) };
    case 'I64':
      return { dtype, shape, data: new BigInt64Array(copy(8)) };
    case 'U8':
      return { dtype, shape, data: new Uint8Array(copy(1)) };
  }
}

/** A {@link Tensor} over an F32 entry's data (no copy). Throws a FormatError for any other dtype. */
export function entryToTensor(name: string, entry: SafetensorsEntry): Tensor {
  if (entry.dtype !== 'F32') throw new FormatError(`safetensors tensor "${name}" dtype`, 'F32', entry.dtype);
  return new Tensor(entry.data, entry.shape);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
