import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  entryToTensor,
  FormatError,
  OptionError,
  Rng,
  readSafetensorsFile,
  readSafetensorsFileSync,
  type SafetensorsEntry,
  Tensor,
  writeFileAtomicSync,
  writeSafetensorsFile,
  writeSafetensorsFileSync,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file with every supported dtype, a scalar, an empty tensor and metadata. */
function sample(): { tensors: [string, Tensor | SafetensorsEntry][]; metadata: Record<string, string> } {
  return {
    tensors: [
      ['encoder.weight_ih_l0', Tensor.from([0.5, -1.25, 3, 1e-30, -0, 65504.5], [2, 3])],
      ['f64', { dtype: 'F64', shape: [2], data: Float64Array.from([Math.PI, -1e300]) }],
      ['i32', { dtype: 'I32', shape: [3], data: Int32Array.from([-2147483648, 0, 2147483647]) }],
      ['i64', { dtype: 'I64', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n]) }],
      ['u8', { dtype: 'U8', shape: [1, 3], data: Uint8Array.from([0, 128, 255]) }],
      ['scalar', Tensor.from([7], [])],
      ['empty', Tensor.zeros([0, 4])],
    ],
    metadata: {
      config: JSON.stringify({ hidden: 128, cell: 'lstm' }),
      tokenizer: '{"kind":"char"}',
      ünï: 'cödé ✓',
    },
  };
}

function expectSameFile(
  a: ReturnType<typeof decodeSafetensors>,
  tensors: [string, Tensor | SafetensorsEntry][],
): void {
  expect([...a.tensors.keys()]).toEqual(tensors.map(([n]) => n));
  for (const [name, t] of tensors) {
    const got = a.tensors.get(name)!;
    expect(got.dtype).toBe(t instanceof Tensor ? 'F32' : t.dtype);
    expect(got.shape).toEqual([...t.shape]);
    expect(Array.from(got.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
  }
}

describe('safetensors encode/decode', () => {
  it('round-trips every dtype, shapes and metadata', () => {
    const { tensors, metadata } = sample();
    const bytes = encodeSafetensors(tensors, metadata);
    const back = decodeSafetensors(bytes);
    expectSameFile(back, tensors);
    expect(back.metadata).toEqual(metadata);
    expect(Object.is(back.tensors.get('encoder.weight_ih_l0')!.data[4], -0)).toBe(true);
    const t = entryToTensor('encoder.weight_ih_l0', back.tensors.get('encoder.weight_ih_l0')!);
    expect(t.shape).toEqual([2, 3]);
    expect(() => entryToTensor('i32', back.tensors.get('i32')!)).toThrow(FormatError);
  });

  it('writes the documented layout: u64 header length, space-padded JSON, little-endian data', () => {
    const bytes = encodeSafetensors([['a', Tensor.from([1, -2], [2])]], { k: 'v' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(JSON.parse(text)).toEqual({
      __metadata__: { k: 'v' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    });
    expect(text.trimEnd()).toBe(text.replace(/ +$/, ''));
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]); // 1.0f, -2.0f LE
  });

  it('accepts any iterable of named tensors and rejects bad ones with OptionError', () => {
    const m = new Map([['x', Tensor.from([1], [1])]]);
    expect(decodeSafetensors(encodeSafetensors(m)).tensors.get('x')!.data[0]).toBe(1);
    expect(() => encodeSafetensors([['__metadata__', Tensor.zeros([1])]])).toThrow(OptionError);
    expect(() =>
      encodeSafetensors([
        ['a', Tensor.zeros([1])],
        ['a', Tensor.zeros([1])],
      ]),
    ).toThrow(/"a" twice/);
    expect(() =>
      encodeSafetensors([['a', { dtype: 'F64', shape: [1], data: new Float32Array(1) } as never]]),
    ).toThrow(OptionError);
    expect(() => encodeSafetensors([], { n: 3 as never })).toThrow(OptionError);
  });

  it('keeps a "__proto__" metadata key as plain data', () => {
    const text = '{"__metadata__":{"__proto__":"x","a":"b"}}';
    const bytes = withHeader(text, new Uint8Array(0));
    const meta = decodeSafetensors(bytes).metadata;
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect(Object.keys(meta)).toEqual(['__proto__', 'a']);
  });
});

/** Builds a file from raw header text and data bytes. */
function withHeader(text: string, data: Uint8Array, declaredLength?: number): Uint8Array {
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function formatError(bytes: Uint8Array): FormatError {
  try {
    decodeSafetensors(bytes, { maxHeaderBytes: 1 << 20 });
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError, decoding succeeded');
}

describe('safetensors hostile input', () => {
  const eight = new Uint8Array(8);
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(5), /at least 8 bytes.*got 5 bytes/],
    [
      'header past the end',
      withHeader('{}', eight, 1e6),
      /at most 10 bytes \(the rest of the file\), got 1000000/,
    ],
    [
      'header of 2^60 bytes',
      withHeader('{}', eight, 2 ** 60),
      /header length: expected at most 1048576 bytes/,
    ],
    ['header of 1 byte', withHeader('{', new Uint8Array(0)), /at least 2 bytes/],
    ['not UTF-8', withHeader('{}', new Uint8Array(0)).map((b, i) => (i === 9 ? 0xff : b)), /valid UTF-8/],
    ['not JSON', withHeader('{"a": ', eight), /valid JSON/],
    ['JSON array', withHeader('[1, 2]', eight), /starting with "\{"/],
    [
      'unknown dtype',
      withHeader('{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}', new Uint8Array(4)),
      /dtype: expected one of F32, F64, I32, I64, U8, got "F16"/,
    ],
    [
      'negative dim',
      withHeader('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', new Uint8Array(4)),
      /shape: expected an array of non-negative integers, got \[-1\]/,
    ],
    [
      'fractional dim',
      withHeader('{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', new Uint8Array(4)),
      /non-negative integers/,
    ],
    [
      'string dim',
      withHeader('{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}', new Uint8Array(8)),
      /non-negative integers/,
    ],
    [
      'huge shape',
      withHeader(
        '{"a":{"dtype":"F32","shape":[1073741824,1073741824,1073741824],"data_offsets":[0,4]}}',
        new Uint8Array(4),
      ),
      /at most 4 bytes of data/,
    ],
    [
      'offsets past the data',
      withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(4)),
      /integers within 0\.\.4/,
    ],
    [
      'offsets reversed',
      withHeader('{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}', new Uint8Array(4)),
      /begin <= end/,
    ],
    [
      'size mismatch',
      withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', new Uint8Array(8)),
      /expected 8 bytes for \[2\] of F32, got 4 bytes/,
    ],
    [
      'overlap',
      withHeader(
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
        new Uint8Array(4),
      ),
      /overlaps/,
    ],
    [
      'gap',
      withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(8)),
      /to start at byte 0, got 4 \(leaves a gap\)/,
    ],
    [
      'trailing bytes',
      withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(12)),
      /expected 4 bytes after the header .* got 12 bytes/,
    ],
    [
      'missing data_offsets',
      withHeader('{"a":{"dtype":"F32","shape":[1]}}', new Uint8Array(4)),
      /data_offsets: expected \[begin, end\]/,
    ],
    [
      'tensor info not an object',
      withHeader('{"a":[1,2]}', new Uint8Array(0)),
      /expected an object \{dtype, shape, data_offsets\}/,
    ],
    [
      'metadata value not a string',
      withHeader('{"__metadata__":{"n":3}}', new Uint8Array(0)),
      /metadata "n": expected a string, got 3/,
    ],
    ['metadata not an object', withHeader('{"__metadata__":"x"}', new Uint8Array(0)), /an object of strings/],
  ];
  for (const [label, bytes, message] of cases) {
    it(`${label}: FormatError naming what was expected and what arrived`, () => {
      expect(formatError(bytes).message).toMatch(message);
    });
  }

  it('rejects a header over the cap even when the file is large enough', () => {
    const bytes = withHeader(`{}${' '.repeat(2000)}`, new Uint8Array(0));
    expect(() => decodeSafetensors(bytes, { maxHeaderBytes: 1000 })).toThrow(
      /at most 1000 bytes, got 2002 bytes/,
    );
  });

  it('fuzz: thousands of seeded mutations and truncations only ever raise FormatError', () => {
    const { tensors, metadata } = sample();
    const valid = encodeSafetensors(tensors, metadata);
    const headerEnd = 8 + new DataView(valid.buffer).getUint32(0, true);
    const rng = new Rng(2024);
    const digits = new TextEncoder().encode('0123456789-.e,[]{}":');
    let decoded = 0;
    let rejected = 0;
    for (let iter = 0; iter < 6000; iter++) {
      let b = valid.slice();
      const ops = 1 + rng.int(3);
      for (let k = 0; k < ops; k++) {
        switch (rng.int(6)) {
          case 0: // flip bits anywhere
            if (b.length > 0) {
              const at = rng.int(b.length);
              b[at] = b[at]! ^ (1 << rng.int(8));
            }
            break;
          case 1: // a JSON-ish byte somewhere in the header
            if (b.length > headerEnd) b[8 + rng.int(headerEnd - 8)] = digits[rng.int(digits.length)]!;
            break;
          case 2: // truncate
            b = b.slice(0, rng.int(b.length + 1));
            break;
          case 3: // forge the header length
            if (b.length >= 8) new DataView(b.buffer).setUint32(rng.int(2) * 4, rng.nextU32(), true);
            break;
          case 4: {
            // duplicate or drop a slice
            const at = rng.int(b.length + 1);
            const len = rng.int(16);
            b =
              rng.int(2) === 0
                ? Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, at + len), ...b.subarray(at)])
                : Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + len)]);
            break;
          }
          default: // random byte in the first bytes (the length and the JSON start)
            if (b.length > 0) b[rng.int(Math.min(b.length, 24))] = rng.int(256);
        }
      }
      try {
        const f = decodeSafetensors(b, { maxHeaderBytes: 1 << 20 });
        decoded++;
        for (const e of f.tensors.values()) {
          expect(e.data.length).toBe(e.shape.reduce((x, y) => x * y, 1));
        }
      } catch (e) {
        if (!(e instanceof FormatError)) throw new Error(`iteration ${iter}: ${String(e)}`);
        expect(e.message).toMatch(/expected .*, got /);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(3000);
    expect(decoded).toBeGreaterThan(0); // some mutations only touch tensor bytes or metadata text
  });
});

describe('safetensors files (Node)', () => {
  it('writes atomically and reads back, sync and async', async () => {
    const { tensors, metadata } = sample();
    const file = join(dir, 'model.safetensors');
    writeSafetensorsFileSync(file, tensors, metadata);
    expectSameFile(readSafetensorsFileSync(file), tensors);
    await writeSafetensorsFile(file, tensors.slice(0, 2), { a: 'b' });
    const back = await readSafetensorsFile(file);
    expectSameFile(back, tensors.slice(0, 2));
    expect(back.metadata).toEqual({ a: 'b' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a failed write leaves the previous file intact and no temp file behind', () => {
    const sub = join(dir, 'fail');
    mkdirSync(sub);
    const target = join(sub, 'target');
    mkdirSync(target); // renaming a file over a directory fails
    expect(() => writeFileAtomicSync(target, new Uint8Array([1, 2, 3]))).toThrow();
    expect(readdirSync(sub)).toEqual(['target']);
    const file = join(sub, 'keep.safetensors');
    writeSafetensorsFileSync(file, [['x', Tensor.from([1], [1])]]);
    const before = readFileSync(file);
    expect(() =>
      writeSafetensorsFileSync(file, [['x', { dtype: 'F32', shape: [2], data: new Float32Array(1) }]]),
    ).toThrow();
    expect(readFileSync(file)).toEqual(before);
  });

  it('a malformed file is a FormatError naming the file', () => {
    const file = join(dir, 'bad.safetensors');
    writeFileSync(file, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0x7b]));
    expect(() => readSafetensorsFileSync(file)).toThrow(FormatError);
    expect(() => readSafetensorsFileSync(file)).toThrow(
      `${file}: safetensors header length: expected at least 2 bytes`,
    );
  });
});
