import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classifierParameterShapes,
  encodeTextClassifier,
  loadTextClassifier,
  SequenceClassifier,
  type SequenceClassifierConfigInput,
  saveTextClassifier,
  TextClassifier,
} from '@recurrent/classifiers';
import {
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  Rng,
  type SafetensorsEntry,
} from '@recurrent/core';
import { WordTokenizer } from '@recurrent/tokenizers';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'recurrent-classifier-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXTS = ['the match was a goal', 'warm soup and bread', 'a song on the guitar', 'we saw the team'];
const tokenizer = WordTokenizer.train(TEXTS);
const LABELS = ['sport', 'food', 'music'];

/** An untrained classifier: its random weights already make its outputs distinctive. */
function classifier(config: Partial<SequenceClassifierConfigInput> = {}, seed = 3): TextClassifier {
  const model = new SequenceClassifier(
    {
      vocabSize: tokenizer.vocabSize,
      numClasses: LABELS.length,
      padId: tokenizer.specials.pad,
      embeddingDim: 6,
      hiddenSize: 5,
      attentionSize: 4,
      ...config,
    },
    { rng: new Rng(seed) },
  );
  return new TextClassifier({ model, tokenizer, labels: LABELS, maxLength: 12 });
}

/** Writes `c`'s file with its tensors and metadata edited (through core's safetensors codec). */
function writeEdited(
  name: string,
  c: TextClassifier,
  edit: (tensors: Map<string, SafetensorsEntry>, metadata: Record<string, string>) => void,
): string {
  const file = decodeSafetensors(encodeTextClassifier(c));
  edit(file.tensors, file.metadata);
  const path = join(dir, name);
  writeFileSync(path, encodeSafetensors(file.tensors, file.metadata));
  return path;
}

/** The FormatError `load` rejects with (fails the test when it resolves or rejects with something else). */
async function formatError(load: () => Promise<unknown>): Promise<FormatError> {
  try {
    await load();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError, the load succeeded');
}

function editConfig(metadata: Record<string, string>, change: Record<string, unknown>): void {
  metadata.config = JSON.stringify({ ...JSON.parse(metadata.config!), ...change });
}

describe('classifier parameter shapes', () => {
  const configs: Partial<SequenceClassifierConfigInput>[] = [
    {},
    { cell: 'gru', pooling: 'attention', numLayers: 2 },
    { cell: 'rnn', bidirectional: false, pooling: 'last', numLayers: 3 },
    { cell: 'lstm', bidirectional: false, pooling: 'attention', attentionSize: 7 },
  ];
  it.each(configs)('lists exactly the parameters the model builds, in order (%o)', (config) => {
    const { model } = classifier(config);
    const built = [...model.parameters()].map(([n, p]) => [n, p.shape]);
    expect([...classifierParameterShapes(model.config)]).toEqual(built);
  });
});

describe('classifier file validation', () => {
  const c = classifier({ pooling: 'attention', numLayers: 2 });

  it('a saved classifier loads back with identical weights and probabilities', async () => {
    const path = join(dir, 'good.safetensors');
    await saveTextClassifier(path, c);
    const { classifier: back } = await loadTextClassifier(path);
    const original = new Map(c.model.parameters());
    for (const [name, p] of back.model.parameters()) {
      expect(Array.from(p.data), name).toEqual(Array.from(original.get(name)!.data));
    }
    const texts = [...TEXTS, '', 'words never seen'];
    const before = c.predictProba(texts).map((r) => Array.from(r));
    expect(back.predictProba(texts).map((r) => Array.from(r))).toEqual(before);
    // Different inputs give different outputs, so the equality above compares real computations.
    expect(before[0]).not.toEqual(before[1]);
  });

  it('rejects a tensor of the wrong shape, naming file, tensor, expected and received shape', async () => {
    const path = writeEdited('wrong-shape.safetensors', c, (tensors) => {
      tensors.set('output.weight', { dtype: 'F32', shape: [3, 9], data: new Float32Array(27) });
    });
    const e = await formatError(() => loadTextClassifier(path));
    expect(e.message).toContain(`${path} tensor "output.weight" shape`);
    expect([e.expected, e.received]).toEqual(['[3, 10]', '[3, 9]']);
  });

  it('rejects a tensor of the wrong dtype', async () => {
    const path = writeEdited('wrong-dtype.safetensors', c, (tensors) => {
      tensors.set('attention.v', { dtype: 'I32', shape: [4], data: new Int32Array(4) });
    });
    const e = await formatError(() => loadTextClassifier(path));
    expect(e.message).toContain(`${path} tensor "attention.v" dtype: expected F32 [4], got I32`);
  });

  it('rejects a missing tensor', async () => {
    const path = writeEdited('missing.safetensors', c, (tensors) => {
      tensors.delete('encoder.bias_hh_l1_reverse');
    });
    const e = await formatError(() => loadTextClassifier(path));
    expect(e.message).toContain(`${path} tensor "encoder.bias_hh_l1_reverse"`);
    expect([e.expected, e.received]).toEqual(['present, F32 [20]', 'missing']);
  });

  it('rejects an extra tensor', async () => {
    const path = writeEdited('extra.safetensors', c, (tensors) => {
      tensors.set('output.scale', { dtype: 'F32', shape: [3], data: new Float32Array(3) });
    });
    const e = await formatError(() => loadTextClassifier(path));
    expect(e.message).toContain(`${path} tensor "output.scale"`);
    expect(e.expected).toBe(
      `only the ${[...c.model.parameters()].length} parameters of the configured model`,
    );
    expect(e.received).toBe('an extra F32 [3]');
  });

  it('rejects a metadata config that disagrees with the tensors', async () => {
    const noAttention = writeEdited('max-pooling.safetensors', c, (_, meta) =>
      editConfig(meta, { pooling: 'max' }),
    );
    const e1 = await formatError(() => loadTextClassifier(noAttention));
    expect(e1.message).toMatch(/tensor "attention\.(W|bias|v)"/);
    expect(e1.received).toMatch(/^an extra F32 \[/);

    const oneWay = writeEdited('one-way.safetensors', c, (_, meta) =>
      editConfig(meta, { bidirectional: false }),
    );
    const e2 = await formatError(() => loadTextClassifier(oneWay));
    // Layer 1 reads the forward direction only: [4H, H] instead of [4H, 2H].
    expect(e2.message).toContain('tensor "encoder.weight_ih_l1" shape');
    expect([e2.expected, e2.received]).toEqual(['[20, 5]', '[20, 10]']);

    const moreClasses = writeEdited('four-classes.safetensors', c, (_, meta) => {
      editConfig(meta, { numClasses: 4 });
      meta.labels = JSON.stringify([...LABELS, 'news']);
    });
    const e3 = await formatError(() => loadTextClassifier(moreClasses));
    expect(e3.message).toContain('tensor "output.weight" shape');
    expect([e3.expected, e3.received]).toEqual(['[4, 10]', '[3, 10]']);
  });

  it('checks shapes before building: a config declaring a huge model fails without allocating it', async () => {
    // Built, this embedding table alone would hold 10^9 · 6 floats.
    const huge = writeEdited('huge.safetensors', c, (_, meta) =>
      editConfig(meta, { vocabSize: 1_000_000_000 }),
    );
    const e1 = await formatError(() => loadTextClassifier(huge));
    expect(e1.message).toContain('tensor "embedding.weight" shape');
    expect(e1.expected).toBe('[1000000000, 6]');
    const deep = writeEdited('deep.safetensors', c, (_, meta) => editConfig(meta, { numLayers: 50_000_000 }));
    const e2 = await formatError(() => loadTextClassifier(deep));
    expect(e2.message).toContain('tensor "encoder.weight_ih_l2"');
    expect(e2.received).toBe('missing');
  });

  it('rejects an invalid config in the metadata', async () => {
    const path = writeEdited('bad-config.safetensors', c, (_, meta) =>
      editConfig(meta, { cell: 'transformer' }),
    );
    const e = await formatError(() => loadTextClassifier(path));
    expect(e.message).toContain(`${path} config`);
    expect(e.message).toContain('transformer');
  });
});
