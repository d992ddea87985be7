/**
 * Seeded mutations for fuzzing loaders: byte-level edits that any format meets (bit flips, interesting
 * bytes, truncation, extension, deletion, insertion, splices between seed inputs, chunk duplication) and
 * format-aware ones that get past the first checks: lies in a safetensors header length, edits of its JSON
 * header and of the JSON strings in its metadata (configs, tokenizer specs, loop states), huge protobuf
 * varints, and text edits for corpus files (tabs, line breaks, NUL, invalid UTF-8, BOMs).
 */
import type { Rng } from '@recurrent/core';

/** One mutation: returns a new input (never modifies `input`); `seeds` are the target's valid inputs. */
export type Mutator = (input: Uint8Array, rng: Rng, seeds: readonly Uint8Array[]) => Uint8Array;

const INTERESTING_BYTES = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x22, 0x2c, 0x3a, 0x5b, 0x7b, 0x7d];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A chunk length, mostly small, sometimes large. */
function chunkLength(rng: Rng, max: number): number {
  if (max <= 0) return 0;
  const n = rng.int(4) === 0 ? 1 + rng.int(max) : 1 + rng.int(Math.min(max, 16));
  return Math.min(n, max);
}

export const bitFlip: Mutator = (input, rng) => {
  const out = input.slice();
  if (out.length === 0) return out;
  for (let k = 1 + rng.int(8); k > 0; k--) {
    const at = rng.int(out.length);
    out[at] = out[at]! ^ (1 << rng.int(8));
  }
  return out;
};

export const interestingByte: Mutator = (input, rng) => {
  const out = input.slice();
  if (out.length === 0) return out;
  for (let k = 1 + rng.int(4); k > 0; k--)
    out[rng.int(out.length)] = rng.int(3) === 0 ? rng.int(256) : pick(rng, INTERESTING_BYTES);
  return out;
};

export const truncate: Mutator = (input, rng) => input.slice(0, rng.int(input.length + 1));

export const extend: Mutator = (input, rng) => {
  const n = chunkLength(rng, 4096);
  const tail =
    rng.int(2) === 0
      ? Uint8Array.from({ length: n }, () => rng.int(256))
      : new Uint8Array(n).fill(pick(rng, INTERESTING_BYTES));
  return concat(input, tail);
};

export const deleteChunk: Mutator = (input, rng) => {
  if (input.length === 0) return input.slice();
  const at = rng.int(input.length);
  const n = chunkLength(rng, input.length - at);
  return concat(input.subarray(0, at), input.subarray(at + n));
};

export const insertBytes: Mutator = (input, rng) => {
  const at = rng.int(input.length + 1);
  const bytes = Uint8Array.from({ length: chunkLength(rng, 64) }, () =>
    rng.int(2) === 0 ? rng.int(256) : pick(rng, INTERESTING_BYTES),
  );
  return concat(input.subarray(0, at), bytes, input.subarray(at));
};

/** Replaces a chunk with a chunk of another seed (or of itself), at a random place. */
export const splice: Mutator = (input, rng, seeds) => {
  const other = seeds.length > 0 && rng.int(4) !== 0 ? pick(rng, seeds) : input;
  if (other.length === 0 || input.length === 0) return concat(input, other);
  const from = rng.int(other.length);
  const n = chunkLength(rng, other.length - from);
  const at = rng.int(input.length);
  const cut = rng.int(2) === 0 ? n : chunkLength(rng, input.length - at);
  return concat(
    input.subarray(0, at),
    other.subarray(from, from + n),
    input.subarray(Math.min(input.length, at + cut)),
  );
};

export const duplicateChunk: Mutator = (input, rng) => {
  if (input.length === 0) return input.slice();
  const at = rng.int(input.length);
  const n = chunkLength(rng, input.length - at);
  const chunk = input.subarray(at, at + n);
  const times = 1 + rng.int(rng.int(8) === 0 ? 64 : 3);
  return concat(
    input.subarray(0, at + n),
    ...Array.from({ length: times }, () => chunk),
    input.subarray(at + n),
  );
};

/** The byte-level mutators, for any format. */
export const BYTE_MUTATORS: readonly Mutator[] = [
  bitFlip,
  interestingByte,
  truncate,
  extend,
  deleteChunk,
  insertBytes,
  splice,
  duplicateChunk,
];

// ---- safetensors -------------------------------------------------------------------------------------

/** Splits safetensors bytes into header length, JSON text and data; null when the prefix is unusable. */
function splitSafetensors(input: Uint8Array): { json: string; data: Uint8Array } | null {
  if (input.length < 8) return null;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const n = view.getUint32(0, true);
  if (view.getUint32(4, true) !== 0 || n > input.length - 8) return null;
  return { json: new TextDecoder().decode(input.subarray(8, 8 + n)), data: input.subarray(8 + n) };
}

function joinSafetensors(json: string, data: Uint8Array, rng: Rng): Uint8Array {
  const text = new TextEncoder().encode(json);
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, text.length, true);
  // Sometimes keep the data consistent with the edit, sometimes pad or cut it.
  const roll = rng.int(6);
  const body =
    roll === 0
      ? data.subarray(0, rng.int(data.length + 1))
      : roll === 1
        ? concat(data, new Uint8Array(chunkLength(rng, 64)))
        : data;
  return concat(head, text, body);
}

const LENGTH_LIES = [
  0,
  1,
  2,
  7,
  8,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 40,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 63,
  2 ** 64 - 1,
];

/** Rewrites the 8-byte header length: off by a little, the file size, or a huge number. */
export const headerLengthLie: Mutator = (input, rng) => {
  const out = input.length >= 8 ? input.slice() : concat(input, new Uint8Array(8 - input.length));
  const view = new DataView(out.buffer);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  const choice = rng.int(4);
  const v =
    choice === 0
      ? n + rng.int(33) - 16
      : choice === 1
        ? out.length - 8 + rng.int(5) - 2
        : choice === 2
          ? pick(rng, LENGTH_LIES)
          : rng.uniform() * 2 ** 64;
  const big = BigInt.asUintN(64, BigInt(Math.max(0, Math.floor(v))));
  view.setBigUint64(0, big, true);
  return out;
};

const INTERESTING_JSON: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  2,
  3,
  4,
  7,
  8,
  255,
  256,
  65_535,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  1e21,
  1e300,
  -1e300,
  0.5,
  -0.0,
  1e-320,
  '',
  'F32',
  'F16',
  'BF16',
  'I64',
  'U8',
  'F64',
  'lstm',
  'gru',
  'rnn',
  'char',
  'word',
  'sentencepiece',
  '__proto__',
  'NaN',
  'Infinity',
  '\u0000',
  'x'.repeat(300),
  [],
  [0],
  [1, 2],
  [2 ** 31, 2 ** 31],
  [1e9, 1e9, 1e9],
  [-1, 4],
  [0, 0],
  {},
  { a: 1 },
  [[]],
  [{}],
];

const INTERESTING_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__metadata__',
  'dtype',
  'shape',
  'data_offsets',
  'format',
  'config',
  'tokenizer',
  'step',
  'rngs',
  'vocab',
  'specials',
  'kind',
  '',
];

/** A random edit of a parsed JSON value (in place where possible); returns the new root. */
export function mutateJsonValue(root: unknown, rng: Rng, depth = 0): unknown {
  const container = typeof root === 'object' && root !== null;
  if (!container || depth > 6 || rng.int(5) === 0) {
    // Replace this node: an interesting value, a number nudged, or a string edited.
    if (typeof root === 'number' && rng.int(2) === 0)
      return pick(rng, [root + 1, root - 1, root * 2, -root, root * 1e6, root + 0.5]);
    if (typeof root === 'string' && root.length > 0 && rng.int(2) === 0) {
      const at = rng.int(root.length);
      return (
        root.slice(0, at) +
        pick(rng, ['', '\t', '\n', '\u0000', '\ud800', 'é', '"', root]) +
        root.slice(at + rng.int(3))
      );
    }
    return structuredClone(pick(rng, INTERESTING_JSON));
  }
  if (Array.isArray(root)) {
    const op = rng.int(6);
    if (op === 0 && root.length > 0) root.splice(rng.int(root.length), 1);
    else if (op === 1) root.splice(rng.int(root.length + 1), 0, structuredClone(pick(rng, INTERESTING_JSON)));
    else if (op === 2 && root.length > 0)
      root.push(...root.slice(0, 1 + rng.int(Math.min(root.length, 1000))));
    else if (root.length > 0) {
      const i = rng.int(root.length);
      root[i] = mutateJsonValue(root[i], rng, depth + 1);
    }
    return root;
  }
  const obj = root as Record<string, unknown>;
  const keys = Object.keys(obj);
  const op = rng.int(6);
  if (op === 0 && keys.length > 0) delete obj[pick(rng, keys)];
  else if (op === 1) {
    // defineProperty keeps a "__proto__" key an own data property, as JSON.parse would make it.
    Object.defineProperty(obj, pick(rng, [...INTERESTING_KEYS, ...keys]), {
      value: structuredClone(pick(rng, INTERESTING_JSON)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else if (keys.length > 0) {
    const k = pick(rng, keys);
    obj[k] = mutateJsonValue(obj[k], rng, depth + 1);
  }
  return obj;
}

/** Parses the safetensors JSON header, edits it, and writes it back with a correct length. */
export const safetensorsJsonEdit: Mutator = (input, rng) => {
  const parts = splitSafetensors(input);
  if (parts === null) return bitFlip(input, rng, []);
  let header: unknown;
  try {
    header = JSON.parse(parts.json);
  } catch {
    return bitFlip(input, rng, []);
  }
  const edited = mutateJsonValue(header, rng);
  return joinSafetensors(JSON.stringify(edited) ?? 'null', parts.data, rng);
};

/** Edits the JSON inside one metadata string (a config, a tokenizer spec, a loop state). */
export const metadataJsonEdit: Mutator = (input, rng) => {
  const parts = splitSafetensors(input);
  if (parts === null) return bitFlip(input, rng, []);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(parts.json) as Record<string, unknown>;
  } catch {
    return bitFlip(input, rng, []);
  }
  const meta = header?.__metadata__;
  if (typeof meta !== 'object' || meta === null) return safetensorsJsonEdit(input, rng, []);
  const m = meta as Record<string, unknown>;
  const keys = Object.keys(m);
  if (keys.length === 0) return safetensorsJsonEdit(input, rng, []);
  const k = pick(rng, keys);
  const text = m[k];
  if (typeof text !== 'string') return safetensorsJsonEdit(input, rng, []);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  for (let e = 1 + rng.int(3); e > 0; e--) value = mutateJsonValue(value, rng);
  m[k] =
    rng.int(10) === 0
      ? (JSON.stringify(value) ?? '').slice(0, rng.int(40))
      : (JSON.stringify(value) ?? 'null');
  return joinSafetensors(JSON.stringify(header), parts.data, rng);
};

/** Mutators for safetensors-based formats (model files, checkpoints): format-aware ones weighted up. */
export const SAFETENSORS_MUTATORS: readonly Mutator[] = [
  ...BYTE_MUTATORS,
  headerLengthLie,
  safetensorsJsonEdit,
  safetensorsJsonEdit,
  metadataJsonEdit,
  metadataJsonEdit,
  metadataJsonEdit,
];

// ---- protobuf (SentencePiece .model) -----------------------------------------------------------------

function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  while (x >= 128n) {
    out.push(Number(x & 127n) | 128);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

const VARINT_VALUES = [
  0n,
  1n,
  127n,
  128n,
  255n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
  -1n,
];

/** Writes a varint (a length, an enum, a count) at a random place, often a huge or negative one. */
export const varintLie: Mutator = (input, rng) => {
  const at = rng.int(input.length + 1);
  const v = rng.int(2) === 0 ? pick(rng, VARINT_VALUES) : BigInt(rng.int(1 << 30));
  const bytes = Uint8Array.from(varint(v));
  const overwrite = rng.int(2) === 0;
  return concat(
    input.subarray(0, at),
    bytes,
    input.subarray(Math.min(input.length, overwrite ? at + bytes.length : at)),
  );
};

/** A field tag (number, wire type) at a random place: unknown fields, wrong wire types, groups. */
export const tagLie: Mutator = (input, rng) => {
  const at = rng.int(input.length + 1);
  const field = pick(rng, [1, 2, 3, 4, 5, 7, 15, 16, 200, 536_870_911]);
  const tag = varint(BigInt(field * 8 + rng.int(8)));
  return concat(input.subarray(0, at), Uint8Array.from(tag), input.subarray(at));
};

export const PROTOBUF_MUTATORS: readonly Mutator[] = [...BYTE_MUTATORS, varintLie, varintLie, tagLie];

// ---- text (corpus files) -----------------------------------------------------------------------------

const TEXT_SNIPPETS: readonly Uint8Array[] = [
  '\t',
  '\t\t',
  '\n',
  '\r\n',
  '\r',
  '\n\n\n',
  '\u0000',
  '\ufeff',
  ' ',
  '\u00a0',
  '\u2028',
  'é',
  '鯨',
  '🐳',
  '\ud7ff',
  'pos\t',
  '\tneg',
].map((s) => new TextEncoder().encode(s));

const BAD_UTF8: readonly Uint8Array[] = [
  [0xc3],
  [0xff],
  [0xed, 0xa0, 0x80],
  [0xc0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
].map((b) => Uint8Array.from(b));

/** Inserts or overwrites with text that matters to line parsers: tabs, line breaks, NUL, BOMs, bad UTF-8. */
export const textEdit: Mutator = (input, rng) => {
  const at = rng.int(input.length + 1);
  const bytes = rng.int(5) === 0 ? pick(rng, BAD_UTF8) : pick(rng, TEXT_SNIPPETS);
  const cut = rng.int(2) === 0 ? 0 : chunkLength(rng, input.length - at);
  return concat(input.subarray(0, at), bytes, input.subarray(at + cut));
};

/** Duplicates or drops whole lines. */
export const lineEdit: Mutator = (input, rng) => {
  const lines = new TextDecoder().decode(input).split('\n');
  const i = rng.int(lines.length);
  if (rng.int(2) === 0) lines.splice(i, 1);
  else lines.splice(i, 0, ...Array.from({ length: 1 + rng.int(20) }, () => lines[i] ?? ''));
  return new TextEncoder().encode(lines.join('\n'));
};

export const TEXT_MUTATORS: readonly Mutator[] = [...BYTE_MUTATORS, textEdit, textEdit, textEdit, lineEdit];

/** Applies one to four mutations from `mutators` to a random seed. */
export function mutateInput(
  seeds: readonly Uint8Array[],
  mutators: readonly Mutator[],
  rng: Rng,
): Uint8Array {
  let input = pick(rng, seeds);
  for (let k = 1 + (rng.int(3) === 0 ? rng.int(4) : 0); k > 0; k--)
    input = pick(rng, mutators)(input, rng, seeds);
  return input;
}
