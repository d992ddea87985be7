/**
 * Files that declare far more data than they hold (or than can be read) fail fast with our typed errors,
 * before anything of the declared size is read or allocated: a 100 GB tensor in a small safetensors file, a
 * real (sparse) 100 GB file, a model config that declares a huge model, a checkpoint, a SentencePiece
 * field length and a corpus file. Memory is checked around each load: nothing near the declared size.
 */
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataError,
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  Rng,
  readCheckpoint,
  readSafetensorsFile,
  readSafetensorsFileSync,
} from '@recurrent/core';
import { loadTextFile } from '@recurrent/corpora';
import {
  decodeLanguageModel,
  encodeLanguageModel,
  LanguageModel,
  loadLanguageModel,
} from '@recurrent/language-model';
import { CharTokenizer, readModelProto, SentencePieceTokenizer } from '@recurrent/tokenizers';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-hostile-sizes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GB100 = 100_000_000_000;

/** A safetensors file whose header says `header` and which holds `data` bytes after it. */
function safetensorsBytes(header: object, data = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  return out;
}

/** A file of `size` bytes that starts with `head` and is sparse (holes) after it: nothing is written. */
function sparseFile(name: string, head: Uint8Array, size: number): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  closeSync(fd);
  truncateSync(path, size);
  return path;
}

/** Runs `load` and returns its error; asserts memory grew by far less than the declared sizes. */
async function failure(load: () => unknown): Promise<unknown> {
  const before = process.memoryUsage().arrayBuffers;
  let error: unknown = null;
  try {
    await load();
  } catch (e) {
    error = e;
  }
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  return error;
}

const huge = { w: { dtype: 'F32', shape: [25_000_000_000], data_offsets: [0, GB100] } };

describe('a file that declares 100 GB of tensors', () => {
  it('safetensors: a small file declaring a 100 GB tensor is a FormatError from bytes, sync and async reads', async () => {
    const bytes = safetensorsBytes(huge, 16);
    const path = join(dir, 'declares-100gb.safetensors');
    writeFileSync(path, bytes);
    for (const load of [
      () => decodeSafetensors(bytes),
      () => readSafetensorsFileSync(path),
      () => readSafetensorsFile(path),
    ]) {
      const e = await failure(load);
      expect(e).toBeInstanceOf(FormatError);
      expect((e as Error).message).toMatch(
        /shape: expected at most 16 bytes of data, got \[25000000000\] of F32/,
      );
    }
  });

  it('safetensors: a real (sparse) 100 GB file whose header is consistent is refused before its data is read', async () => {
    const headerOnly = safetensorsBytes({ w: { dtype: 'U8', shape: [0], data_offsets: [0, 0] } });
    const json = JSON.stringify({ w: { dtype: 'U8', shape: [GB100], data_offsets: [0, GB100] } });
    const head = safetensorsBytes(JSON.parse(json));
    const path = sparseFile('real-100gb.safetensors', head, head.length + GB100);
    for (const load of [() => readSafetensorsFileSync(path), () => readSafetensorsFile(path)]) {
      const e = await failure(load);
      expect(e).toBeInstanceOf(FormatError);
      expect((e as Error).message).toContain(
        `real-100gb.safetensors: safetensors file (1 tensors, ${GB100} bytes of data)`,
      );
      expect((e as Error).message).toMatch(/expected at most 2147483647 bytes in all/);
    }
    expect(decodeSafetensors(headerOnly).tensors.get('w')?.shape).toEqual([0]);
  });

  it('checkpoint: a checkpoint declaring 100 GB is a FormatError naming the file', async () => {
    const path = join(dir, 'ckpt-100gb.safetensors');
    writeFileSync(path, safetensorsBytes({ ...huge, __metadata__: { format: 'recurrent-checkpoint/1' } }, 8));
    const e = await failure(() => readCheckpoint(path));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message).toContain('ckpt-100gb.safetensors');
  });

  it('model file: a config declaring a 2 GB model (250,000 words x 1024) with small tensors fails before allocating it', async () => {
    const tokenizer = CharTokenizer.train(['abc']);
    const model = new LanguageModel(
      { vocabSize: tokenizer.vocabSize, embeddingDim: 4, hiddenSize: 4 },
      { rng: new Rng(1) },
    );
    const file = decodeSafetensors(encodeLanguageModel({ model, tokenizer }));
    const config = JSON.stringify({
      ...model.config,
      vocabSize: 250_000,
      embeddingDim: 1024,
      hiddenSize: 1024,
    });
    const bytes = encodeSafetensors(file.tensors, { ...file.metadata, config });
    const path = join(dir, 'huge-config.safetensors');
    writeFileSync(path, bytes);
    for (const load of [() => decodeLanguageModel(bytes, 'huge-config'), () => loadLanguageModel(path)]) {
      const e = await failure(load);
      expect(e).toBeInstanceOf(FormatError);
      expect((e as Error).message).toMatch(/tensor "[a-z_.0-9]+" shape: expected \[\d+(, \d+)?\], got/);
    }
  });

  it('SentencePiece: a field declaring 100 GB is a FormatError; a 100 GB .model file a DataError', async () => {
    // Field 1 (pieces), wire type 2 (length-delimited), length 10^11 as a varint.
    const varint: number[] = [];
    for (let v = GB100; v >= 128; v = Math.floor(v / 128)) varint.push((v % 128) | 128);
    varint.push(Math.floor(GB100 / 128 ** varint.length));
    const bytes = Uint8Array.from([0x0a, ...varint, 1, 2, 3]);
    const e = await failure(() => readModelProto(bytes, 'declares-100gb.model'));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as Error).message).toContain('declares-100gb.model');
    const path = sparseFile('real-100gb.model', bytes, GB100);
    const e2 = await failure(() => SentencePieceTokenizer.fromFile(path));
    expect(e2).toBeInstanceOf(DataError);
    expect((e2 as Error).message).toContain('real-100gb.model');
  });

  it('corpus: a 100 GB text file is a DataError before it is read', async () => {
    const path = sparseFile('real-100gb.txt', new TextEncoder().encode('label\ttext\n'), GB100);
    const e = await failure(() => loadTextFile(path));
    expect(e).toBeInstanceOf(DataError);
    expect((e as Error).message).toMatch(
      /real-100gb\.txt: expected a text file of at most \d+ bytes .*, got 100000000000 bytes/,
    );
  });
});
