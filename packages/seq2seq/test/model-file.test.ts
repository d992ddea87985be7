import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  type SafetensorsEntry,
  Tape,
} from '@recurrent/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decode,
  encodeSeq2Seq,
  loadSeq2Seq,
  type Seq2Seq,
  type Seq2SeqConfig,
  saveSeq2Seq,
  seq2seqParameterShapes,
} from '../src/index.ts';
import { examples, reversalPairs, tinyModel } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-seq2seq-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `model`'s file with its tensors and metadata edited (through core's safetensors codec). */
function writeEdited(
  name: string,
  model: Seq2Seq,
  edit: (tensors: Map<string, SafetensorsEntry>, metadata: Record<string, string>) => void,
): string {
  const file = decodeSafetensors(encodeSeq2Seq(model));
  edit(file.tensors, file.metadata);
  const path = join(dir, name);
  writeFileSync(path, encodeSafetensors(file.tensors, file.metadata));
  return path;
}

/** The FormatError `load` throws (fails the test when it throws nothing or something else). */
function formatError(load: () => unknown): FormatError {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError, nothing was thrown');
}

function editConfig(metadata: Record<string, string>, change: Partial<Seq2SeqConfig>): void {
  metadata.config = JSON.stringify({ ...JSON.parse(metadata.config!), ...change });
}

describe('seq2seq parameter shapes', () => {
  const configs: Partial<Seq2SeqConfig>[] = [
    {},
    { cell: 'gru', attention: 'additive', encoderLayers: 2, decoderLayers: 3 },
    { attention: 'dot', bidirectional: false, bridge: 'zero', inputFeeding: false },
    { attention: 'scaled_dot' }, // memory 64 = decoderHidden 64: no projection
    { attention: 'dot', encoderHidden: 24 }, // memory 48 != 64: projected
    { cell: 'gru', bridge: 'sum', encoderHidden: 64, bidirectional: true, decoderLayers: 2 },
    { bridge: 'linear', cell: 'gru', bidirectional: false, encoderLayers: 3 },
  ];
  it.each(configs)('lists exactly the parameters the model builds, in order (%o)', (config) => {
    const model = tinyModel(config);
    const built = [...model.parameters()].map(([n, p]) => [n, p.shape]);
    const listed = [
      ...seq2seqParameterShapes(
        model.config,
        model.sourceTokenizer.vocabSize,
        model.targetTokenizer.vocabSize,
      ),
    ];
    expect(listed).toEqual(built);
  });
});

describe('seq2seq model file validation', () => {
  const model = tinyModel({ encoderLayers: 2 }, 5);

  it('a saved model loads back with identical weights and outputs', async () => {
    const path = join(dir, 'good.safetensors');
    await saveSeq2Seq(path, model, { note: 'x' });
    const { model: back, info } = loadSeq2Seq(path);
    expect(info).toEqual({ note: 'x' });
    const original = new Map(model.parameters());
    for (const [name, p] of back.parameters()) {
      expect(Array.from(p.data), name).toEqual(Array.from(original.get(name)!.data));
    }
    const sources = ['abc', 'hgfe', 'd'].map((s) => model.encodeSource(s));
    const strip = (m: Seq2Seq) =>
      decode(m, sources, { beamSize: 2, maxLength: 6 }).map((hs) =>
        hs.map((h) => [Array.from(h.tokens), h.logProb]),
      );
    expect(strip(back)).toEqual(strip(model));
    model.train(false);
    const batch = examples(model, reversalPairs(4, 3));
    const loss = (m: Seq2Seq) => m.loss(new Tape({ enabled: false }), batch).loss.data[0];
    expect(loss(back)).toBe(loss(model));
  });

  it('rejects a tensor of the wrong shape, naming file, tensor, expected and received shape', () => {
    const path = writeEdited('wrong-shape.safetensors', model, (tensors) => {
      tensors.set('decoder.combine.weight', {
        dtype: 'F32',
        shape: [64, 127],
        data: new Float32Array(64 * 127),
      });
    });
    const e = formatError(() => loadSeq2Seq(path));
    expect(e.message).toContain(path);
    expect(e.message).toContain('tensor "decoder.combine.weight" shape');
    expect(e.expected).toBe('[64, 128]');
    expect(e.received).toBe('[64, 127]');
  });

  it('rejects a tensor of the wrong dtype', () => {
    const path = writeEdited('wrong-dtype.safetensors', model, (tensors) => {
      tensors.set('decoder.output.bias', { dtype: 'F64', shape: [12], data: new Float64Array(12) });
    });
    const e = formatError(() => loadSeq2Seq(path));
    expect(e.message).toMatch(/tensor "decoder\.output\.bias" dtype: expected F32 \[12\], got F64/);
    expect(e.message).toContain(path);
  });

  it('rejects a missing tensor', () => {
    const path = writeEdited('missing.safetensors', model, (tensors) => {
      tensors.delete('bridge.c.bias');
    });
    const e = formatError(() => loadSeq2Seq(path));
    expect(e.message).toContain(`${path} tensor "bridge.c.bias"`);
    expect(e.expected).toBe('present, F32 [64]');
    expect(e.received).toBe('missing');
  });

  it('rejects an extra tensor', () => {
    const path = writeEdited('extra.safetensors', model, (tensors) => {
      tensors.set('decoder.spare', { dtype: 'F32', shape: [3, 2], data: new Float32Array(6) });
    });
    const e = formatError(() => loadSeq2Seq(path));
    expect(e.message).toContain(`${path} tensor "decoder.spare"`);
    expect(e.expected).toBe(`only the ${[...model.parameters()].length} parameters of the configured model`);
    expect(e.received).toBe('an extra F32 [3, 2]');
  });

  it('rejects a metadata config that disagrees with the tensors', () => {
    const fewer = writeEdited('one-layer.safetensors', model, (_, meta) =>
      editConfig(meta, { encoderLayers: 1 }),
    );
    const e1 = formatError(() => loadSeq2Seq(fewer));
    // The configured model ends its encoder after layer 0, so layer 1's weights are extra.
    expect(e1.message).toMatch(/tensor "encoder\.rnn\.[a-z_]+_l1(_reverse)?"/);
    expect(e1.received).toMatch(/^an extra F32 \[/);

    const more = writeEdited('three-layers.safetensors', model, (_, meta) =>
      editConfig(meta, { encoderLayers: 3 }),
    );
    const e2 = formatError(() => loadSeq2Seq(more));
    expect(e2.message).toContain('tensor "encoder.rnn.weight_ih_l2"');
    expect(e2.received).toBe('missing');

    const gru = writeEdited('gru.safetensors', model, (_, meta) => editConfig(meta, { cell: 'gru' }));
    const e3 = formatError(() => loadSeq2Seq(gru));
    expect(e3.message).toContain('tensor "encoder.rnn.weight_ih_l0" shape');
    expect([e3.expected, e3.received]).toEqual(['[96, 16]', '[128, 16]']);
  });

  it('checks shapes before building: a config declaring a huge model fails without allocating it', () => {
    // Built, this decoder would need 4 · 10^9 · (16 + 10^9) floats.
    const huge = writeEdited('huge.safetensors', model, (_, meta) =>
      editConfig(meta, { decoderHidden: 1_000_000_000 }),
    );
    const e = formatError(() => loadSeq2Seq(huge));
    expect(e.message).toContain('tensor "bridge.h.weight" shape');
    expect(e.expected).toBe('[1000000000, 64]');
    expect(e.received).toBe('[64, 64]');
    const layers = writeEdited('deep.safetensors', model, (_, meta) =>
      editConfig(meta, { decoderLayers: 100_000_000 }),
    );
    expect(formatError(() => loadSeq2Seq(layers)).message).toContain('tensor "decoder.rnn.weight_ih_l1"');
  });

  it('rejects an invalid config in the metadata', () => {
    const path = writeEdited('bad-config.safetensors', model, (_, meta) =>
      editConfig(meta, { cell: 'transformer' as 'lstm' }),
    );
    const e = formatError(() => loadSeq2Seq(path));
    expect(e.message).toContain(`${path} config`);
    expect(e.message).toContain('transformer');
  });
});
