import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@recurrent/core';
import {
  readModelProto,
  resolveNormalizerSpec,
  resolveTrainerSpec,
  type SentencePieceModelSpec,
  SentencePieceTokenizer,
  writeModelProto,
} from '@recurrent/tokenizers';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, fixtureModelBytes } from './support/fixtures.ts';
import { mixedLines } from './support/mixed-corpus.ts';
import { mobyDickLines } from './support/moby-dick.ts';
import { spmEncodeIds } from './support/spm-cli.ts';

const withTempModel = <T>(bytes: Uint8Array, f: (path: string) => T): T => {
  const dir = mkdtempSync(join(tmpdir(), 'spm-model-'));
  try {
    const path = join(dir, 'm.model');
    writeFileSync(path, bytes);
    return f(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('readModelProto / writeModelProto', () => {
  it.each([...FIXTURE_MODELS])('%s: write(read(bytes)) is byte-for-byte the spm_train file', (name) => {
    const bytes = fixtureModelBytes(name);
    const spec = readModelProto(bytes);
    expect(Buffer.from(writeModelProto(spec)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reads the fields spm_train wrote', () => {
    const spec = readModelProto(fixtureModelBytes('mixed-unigram-bytes'));
    expect(spec.pieces.length).toBe(3000);
    expect(spec.pieces.slice(0, 8)).toEqual([
      { piece: '<unk>', score: 0, type: 'UNKNOWN' },
      { piece: '<s>', score: 0, type: 'CONTROL' },
      { piece: '</s>', score: 0, type: 'CONTROL' },
      { piece: '<cls>', score: 0, type: 'CONTROL' },
      { piece: '<sep>', score: 0, type: 'USER_DEFINED' },
      { piece: '🐳', score: 0, type: 'USER_DEFINED' },
      { piece: 'whale', score: 0, type: 'USER_DEFINED' },
      { piece: '<0x00>', score: 0, type: 'BYTE' },
    ]);
    const t = spec.trainerSpec ?? {};
    expect([t.modelType, t.vocabSize, t.byteFallback, t.characterCoverage]).toEqual([
      'UNIGRAM',
      3000,
      true,
      Math.fround(0.98),
    ]);
    expect(t.userDefinedSymbols).toEqual(['<sep>', '🐳', 'whale']);
    expect(t.controlSymbols).toEqual(['<cls>']);
    expect([t.unkId, t.bosId, t.eosId, t.padId]).toEqual([0, 1, 2, -1]);
    expect(spec.normalizerSpec?.name).toBe('nmt_nfkc');
    expect(spec.normalizerSpec?.precompiledCharsmap?.length).toBeGreaterThan(100_000);
    expect(spec.denormalizerSpec).toBeUndefined();
    // A unigram model's normal pieces carry log probabilities, in decreasing order.
    const normal = spec.pieces.filter((p) => p.type === 'NORMAL').map((p) => p.score);
    expect(normal.every((s) => s <= 0)).toBe(true);
  });

  it('keeps negative int32 fields and the denormalizer', () => {
    const spec = readModelProto(fixtureModelBytes('mixed-bpe-suffix'));
    expect(spec.trainerSpec?.bosId).toBe(-1);
    expect(spec.trainerSpec?.unkSurface).toBe('<?>');
    const nfkcCf = readModelProto(fixtureModelBytes('mixed-unigram-nfkc-cf'));
    expect(nfkcCf.denormalizerSpec?.precompiledCharsmap?.length).toBeGreaterThan(0);
    expect(nfkcCf.trainerSpec?.padId).toBe(3);
  });

  it('fills proto defaults for absent fields', () => {
    expect(resolveTrainerSpec(undefined)).toMatchObject({
      modelType: 'UNIGRAM',
      vocabSize: 8000,
      unkId: 0,
      padId: -1,
    });
    expect(resolveTrainerSpec({ modelType: 'BPE' }).modelType).toBe('BPE');
    expect(resolveNormalizerSpec({ addDummyPrefix: false })).toMatchObject({
      addDummyPrefix: false,
      removeExtraWhitespaces: true,
      escapeWhitespaces: true,
    });
  });

  it('round-trips a hand-built spec, unknown fields included', () => {
    const unknown = new Uint8Array([0xc8, 0x0c, 0x2a]); // field 200 (an extension), varint 42
    const spec: SentencePieceModelSpec = {
      pieces: [
        { piece: '<unk>', score: 0, type: 'UNKNOWN' },
        { piece: '▁a', score: -1.5, type: 'NORMAL' },
        { piece: 'b', score: -2.25, type: 'USER_DEFINED' },
        { piece: 'zz', score: -3, type: 'UNUSED' },
      ],
      trainerSpec: {
        modelType: 'BPE',
        vocabSize: 4,
        bosId: -1,
        eosId: -1,
        input: ['x.txt', 'y.txt'],
        unknownFields: unknown,
      },
      normalizerSpec: { name: 'identity', addDummyPrefix: false },
      selfTestData: { samples: [{ input: 'a', expected: '▁a' }] },
    };
    const back = readModelProto(writeModelProto(spec));
    expect(back).toEqual(spec);
  });

  it.each([
    ['moby-bpe', { addDummyPrefix: false }],
    ['moby-unigram', { escapeWhitespaces: false, removeExtraWhitespaces: false }],
    ['mixed-unigram-bytes', { addDummyPrefix: false, removeExtraWhitespaces: false }],
  ] as const)(
    '%s, modified and written by us, runs in spm_encode exactly as in our encoder',
    (name, normalizer) => {
      // Change the model (normalizer flags, a frequent piece demoted to UNUSED, the last piece replaced
      // by a user-defined symbol) and check that spm loads what we wrote and agrees with us on it.
      const spec = readModelProto(fixtureModelBytes(name));
      const pieces = spec.pieces.map((p) => ({ ...p }));
      const the = pieces.findIndex((p) => p.piece === '▁the');
      (pieces[the] as { type: string }).type = 'UNUSED';
      const last = pieces.length - 1;
      pieces[last] = { piece: 'mast-head', score: 0, type: 'USER_DEFINED' };
      const modified: SentencePieceModelSpec = {
        ...spec,
        pieces,
        normalizerSpec: { ...spec.normalizerSpec, ...normalizer },
      };
      const bytes = writeModelProto(modified);
      const tok = SentencePieceTokenizer.fromBytes(bytes);
      const lines = [...mobyDickLines().slice(0, 1500), ...mixedLines(3, 500, [])];
      const ref = withTempModel(bytes, (path) => spmEncodeIds(path, lines));
      expect(lines.map((l) => Array.from(tok.encode(l)))).toEqual(ref);
      expect(ref.flat()).toContain(last); // the user-defined symbol was used
      expect(ref.flat()).not.toContain(the); // the unused piece never is
    },
  );

  it('rejects what is not a model with a FormatError', () => {
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      new TextEncoder().encode('{"kind":"char"}'),
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), // PNG signature
      new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // a piece claiming 4 GiB
      new Uint8Array([0x0a, 0x02, 0x0a, 0x00]), // a piece with an empty string
      new Uint8Array([0x0a, 0x04, 0x0a, 0x02, 0xc3, 0x28]), // a piece with malformed UTF-8
      new Uint8Array([0x0a, 0x05, 0x0a, 0x01, 0x61, 0x18, 0x09]), // piece type 9
      new Uint8Array([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), // 11-byte varint
      new Uint8Array([0x0b, 0x0a, 0x00]), // start-group never ended
    ];
    for (const bytes of bad) {
      expect(() => readModelProto(bytes), `bytes ${Array.from(bytes)}`).toThrow(FormatError);
    }
  });

  it('names the source in errors', () => {
    expect(() => readModelProto(new Uint8Array([0x0a, 0x10]), 'tok.model')).toThrow(/tok\.model/);
  });
});
