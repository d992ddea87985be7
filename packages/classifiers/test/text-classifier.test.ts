import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classificationReport,
  decodeTextClassifier,
  encodeTextClassifier,
  ensembleSeed,
  type LabelledExample,
  loadTextClassifier,
  saveTextClassifier,
  TextClassifier,
  trainTextClassifier,
} from '@recurrent/classifiers';
import {
  DataError,
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  OptionError,
  Rng,
} from '@recurrent/core';
import { afterAll, describe, expect, it } from 'vitest';

const FILLER = [
  'the',
  'a',
  'we',
  'saw',
  'it',
  'was',
  'then',
  'and',
  'some',
  'thing',
  'there',
  'today',
  'very',
  'one',
];
const MARKERS: Record<string, string[]> = {
  sport: ['match', 'goal', 'team'],
  food: ['soup', 'bread', 'cheese'],
  music: ['song', 'guitar', 'choir'],
};

/** Sentences of filler words with one word from the label's marker set at a random place. */
function synthetic(n: number, seed: number): LabelledExample[] {
  const rng = new Rng(seed);
  const labels = Object.keys(MARKERS);
  return Array.from({ length: n }, () => {
    const label = labels[rng.int(labels.length)]!;
    const words = Array.from({ length: 3 + rng.int(8) }, () => FILLER[rng.int(FILLER.length)]!);
    const markers = MARKERS[label]!;
    words.splice(rng.int(words.length + 1), 0, markers[rng.int(markers.length)]!);
    return { text: words.join(' '), label };
  });
}

const small = { embeddingDim: 16, hiddenSize: 12, attentionSize: 8, dropout: 0.1, embeddingDropout: 0.1 };
const dir = mkdtempSync(join(tmpdir(), 'recurrent-classifier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainTextClassifier', () => {
  it('learns an easy 3-class task to high held-out accuracy', async () => {
    const train = synthetic(240, 1);
    const test = synthetic(120, 2);
    const { classifier, epochLosses, result } = await trainTextClassifier(train, {
      model: { ...small, pooling: 'max', cell: 'gru' },
      epochs: 6,
      batchSize: 16,
      lr: 1e-2,
      seed: 3,
      validation: { examples: test },
    });
    expect(classifier.labels).toEqual(['food', 'music', 'sport']);
    const pred = classifier.predict(test.map((e) => e.text));
    const r = classificationReport(
      test.map((e) => classifier.labelId(e.label)),
      pred.map((p) => p.id),
      { labels: classifier.labels },
    );
    expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(epochLosses).toHaveLength(6);
    expect(epochLosses.at(-1)!).toBeLessThan(epochLosses[0]! / 2);
    expect(result.validations).toHaveLength(6);
    for (const p of pred) expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('rejects an empty or single-class training set with a DataError', async () => {
    await expect(trainTextClassifier([])).rejects.toThrow(DataError);
    const one = [
      { text: 'good film', label: 'pos' },
      { text: 'great film', label: 'pos' },
    ];
    await expect(trainTextClassifier(one)).rejects.toThrow(/at least two classes/);
    await expect(trainTextClassifier(one)).rejects.toBeInstanceOf(DataError);
    await expect(
      trainTextClassifier([...one, { text: 'bad', label: 'neg' }], { labels: ['pos', 'other'] }),
    ).rejects.toThrow(/label/);
  });

  it('weights classes when asked (balanced weights change the trained model)', async () => {
    const data = synthetic(60, 4);
    const opts = { model: small, epochs: 1, seed: 1 } as const;
    const a = await trainTextClassifier(data, opts);
    const b = await trainTextClassifier(data, { ...opts, classWeights: 'balanced' });
    expect(a.epochLosses[0]).not.toBe(b.epochLosses[0]);
    await expect(trainTextClassifier(data, { ...opts, classWeights: { nope: 2 } })).rejects.toThrow(
      /classWeights/,
    );
  });

  it('averages the weights of the last epochs (stochastic weight averaging)', async () => {
    const data = synthetic(40, 9);
    const opts = { model: small, batchSize: 10, seed: 2 } as const;
    const weights = async (epochs: number, averageEpochs: number) =>
      (await trainTextClassifier(data, { ...opts, epochs, averageEpochs })).classifier.model.output.weight
        .data;
    // Training is the same whatever is averaged, so epoch 2's weights are those of a 2-epoch run.
    const w2 = await weights(2, 1);
    const w3 = await weights(3, 1);
    const avg = await weights(3, 2);
    expect(Array.from(w3)).not.toEqual(Array.from(w2));
    avg.forEach((v, i) => {
      expect(v).toBeCloseTo((w2[i]! + w3[i]!) / 2, 6);
    });
  });

  it('initialises known words from wordVectors and adds them to the vocabulary', async () => {
    const data = synthetic(30, 5);
    const vectors = new Map([
      ['match', [1.5, -0.5]],
      ['zeppelin', [0.25, 0.75]], // not in the training texts
    ]);
    const { classifier } = await trainTextClassifier(data, {
      model: small,
      epochs: 1,
      wordVectors: { vectors, scale: 2 },
    });
    const id = classifier.tokenizer.encode('zeppelin')[0]!;
    expect(id).not.toBe(classifier.tokenizer.specials.unk);
    // An unseen word keeps its prior times the scale, and backs off to the trained unk row elsewhere.
    const w = classifier.model.embedding.weight.data;
    expect(Array.from(w.subarray(id * 16, id * 16 + 2))).toEqual([0.5, 1.5]);
    const unk = classifier.tokenizer.specials.unk;
    expect(Array.from(w.subarray(id * 16 + 2, id * 16 + 16))).toEqual(
      Array.from(w.subarray(unk * 16 + 2, unk * 16 + 16)),
    );
    // A word seen in training keeps what training made of it.
    const match = classifier.tokenizer.encode('match')[0]!;
    expect(Array.from(w.subarray(match * 16 + 2, match * 16 + 16))).not.toEqual(
      Array.from(w.subarray(unk * 16 + 2, unk * 16 + 16)),
    );
  });
});

describe('ensembles and the n-gram model', () => {
  const data = synthetic(60, 11);
  const texts = synthetic(20, 12).map((e) => e.text);
  const opts = { model: small, epochs: 2, batchSize: 16, seed: 4 } as const;

  it('a one-model ensemble is the plain classifier; more members train from other seeds', async () => {
    const plain = await trainTextClassifier(data, opts);
    const one = await trainTextClassifier(data, { ...opts, ensemble: 1 });
    expect(one.classifier.predictProba(texts)).toEqual(plain.classifier.predictProba(texts));
    const three = await trainTextClassifier(data, { ...opts, ensemble: 3 });
    expect(three.classifier.models).toHaveLength(3);
    expect(three.members).toHaveLength(3);
    // Member 0 is the plain model; member 1 is the plain model trained with ensembleSeed(4, 1).
    expect(Array.from(three.classifier.models[0]!.output.weight.data)).toEqual(
      Array.from(plain.classifier.model.output.weight.data),
    );
    const seed1 = await trainTextClassifier(data, { ...opts, seed: ensembleSeed(4, 1) });
    expect(Array.from(three.classifier.models[1]!.output.weight.data)).toEqual(
      Array.from(seed1.classifier.model.output.weight.data),
    );
    expect(new Set([0, 1, 2].map((k) => ensembleSeed(4, k))).size).toBe(3);
    // The probabilities are the mean of the members'.
    const views = three.classifier.models.map(
      (model) =>
        new TextClassifier({ model, tokenizer: three.classifier.tokenizer, labels: three.classifier.labels }),
    );
    const each = views.map((v) => v.predictProba(texts));
    three.classifier.predictProba(texts).forEach((row, i) => {
      row.forEach((p, j) => {
        expect(p).toBeCloseTo((each[0]![i]![j]! + each[1]![i]![j]! + each[2]![i]![j]!) / 3, 6);
      });
    });
  });

  it('mixes in the n-gram model with its weight', async () => {
    const { classifier } = await trainTextClassifier(data, {
      ...opts,
      ensemble: 2,
      ngrams: { weight: 0.25 },
    });
    expect(classifier.ngrams).not.toBeNull();
    expect(classifier.ngramWeight).toBe(0.25);
    const rnnOnly = new TextClassifier({
      model: classifier.models,
      tokenizer: classifier.tokenizer,
      labels: classifier.labels,
    });
    const r = rnnOnly.predictProba(texts);
    const g = classifier.ngrams!.probabilities(texts);
    classifier.predictProba(texts).forEach((row, i) => {
      row.forEach((p, j) => {
        expect(p).toBeCloseTo(0.75 * r[i]![j]! + 0.25 * g[i]![j]!, 6);
      });
    });
    // The n-gram model alone learns the marker words too.
    const pred = classifier.ngrams!.probabilities(['we saw the goal', 'the soup', 'a guitar']);
    expect(pred.map((p) => classifier.labels[p.indexOf(Math.max(...p))])).toEqual(['sport', 'food', 'music']);
  });

  it('rejects a bad ensemble size or n-gram weight before training', async () => {
    await expect(trainTextClassifier(data, { ...opts, ensemble: 0 })).rejects.toThrow(OptionError);
    await expect(trainTextClassifier(data, { ...opts, ensemble: 1.5 })).rejects.toThrow(/ensemble/);
    await expect(trainTextClassifier(data, { ...opts, ngrams: { weight: 2 } })).rejects.toThrow(
      /ngrams weight.*\[0, 1\].*2/,
    );
    await expect(trainTextClassifier(data, { ...opts, ngrams: true as unknown as false })).rejects.toThrow(
      /ngrams/,
    );
  });

  it('an ensemble with an n-gram model reloads and gives identical probabilities', async () => {
    const { classifier } = await trainTextClassifier(data, {
      ...opts,
      ensemble: 2,
      ngrams: { lexicon: true },
    });
    const probe = [...texts, '', 'words never seen before', 'not a superb soup'];
    const before = classifier.predictProba(probe);
    const path = join(dir, 'ensemble.safetensors');
    await saveTextClassifier(path, classifier);
    const { classifier: loaded } = await loadTextClassifier(path);
    expect(loaded.models).toHaveLength(2);
    expect(loaded.ngrams!.features).toEqual(classifier.ngrams!.features);
    expect(loaded.ngrams!.config.lexicon).toBe(true);
    expect(loaded.ngramWeight).toBe(0.5);
    expect(loaded.predictProba(probe).map((r) => Array.from(r))).toEqual(before.map((r) => Array.from(r)));
    // Member 1 really is stored (and loaded) apart from member 0.
    expect(Array.from(loaded.models[1]!.output.weight.data)).not.toEqual(
      Array.from(loaded.models[0]!.output.weight.data),
    );
  });

  it('rejects a file whose ensemble or n-gram parts do not match its tensors', async () => {
    const { classifier } = await trainTextClassifier(data, { ...opts, ensemble: 2, ngrams: {} });
    const file = decodeSafetensors(encodeTextClassifier(classifier));
    const edited = (edit: (m: Record<string, string>, t: typeof file.tensors) => void): Uint8Array => {
      const f = decodeSafetensors(encodeTextClassifier(classifier));
      edit(f.metadata, f.tensors);
      return encodeSafetensors(f.tensors, f.metadata);
    };
    expect(file.tensors.has('members.1.output.weight')).toBe(true);
    expect(file.tensors.get('ngrams.weight')!.shape).toEqual([3, classifier.ngrams!.features.length]);
    expect(() =>
      decodeTextClassifier(
        edited((m) => (m.members = '3')),
        'e.safetensors',
      ),
    ).toThrow(/e\.safetensors tensor "members\.2\.embedding\.weight".*missing/);
    expect(() => decodeTextClassifier(edited((m) => (m.members = 'many')))).toThrow(/"members"/);
    expect(() => decodeTextClassifier(edited((m) => delete m.ngrams))).toThrow(/ngrams\.weight/);
    expect(() =>
      decodeTextClassifier(
        edited((m) => {
          const n = JSON.parse(m.ngrams!);
          m.ngrams = JSON.stringify({ ...n, features: n.features.slice(1) });
        }),
      ),
    ).toThrow(/ngrams\.weight" shape/);
    expect(() =>
      decodeTextClassifier(
        edited((m) => {
          m.ngrams = JSON.stringify({ ...JSON.parse(m.ngrams!), weight: 7 });
        }),
      ),
    ).toThrow(FormatError);
    expect(() =>
      decodeTextClassifier(
        edited((m) => {
          const n = JSON.parse(m.ngrams!);
          m.ngrams = JSON.stringify({ ...n, config: { ...n.config, charNgrams: [5, 1] } });
        }),
      ),
    ).toThrow(/charNgrams/);
  });
});

describe('classifier file', () => {
  it('a saved classifier reloads and gives identical probabilities', async () => {
    const { classifier } = await trainTextClassifier(synthetic(80, 6), {
      model: { ...small, pooling: 'attention' },
      epochs: 2,
      maxLength: 9,
    });
    const texts = synthetic(25, 7).map((e) => e.text);
    texts.push(
      '',
      'words never seen before at all',
      'goal goal goal goal goal goal goal goal goal goal goal',
    );
    const before = classifier.predictProba(texts);
    const path = join(dir, 'model.safetensors');
    await saveTextClassifier(path, classifier, { training: '{"note":"test"}' });
    const { classifier: loaded, metadata } = await loadTextClassifier(path);
    expect(metadata).toEqual({ training: '{"note":"test"}' });
    expect(loaded.labels).toEqual(classifier.labels);
    expect(loaded.maxLength).toBe(9);
    expect(loaded.model.config).toEqual(classifier.model.config);
    const after = loaded.predictProba(texts);
    expect(after.map((r) => Array.from(r))).toEqual(before.map((r) => Array.from(r)));
  });

  it('rejects foreign and damaged files with a FormatError', async () => {
    const { classifier } = await trainTextClassifier(synthetic(20, 8), { model: small, epochs: 1 });
    const bytes = encodeTextClassifier(classifier);
    expect(() => decodeTextClassifier(bytes.subarray(0, bytes.length - 10))).toThrow(FormatError);
    // Same length, so only the format tag changes: 'recurrent-text-classifier/2' -> '.../1' (the
    // previous format, which a one-model file still is) and -> '.../9' (unknown).
    const tag = new TextEncoder().encode('recurrent-text-classifier/2');
    const v1 = bytes.slice();
    const at1 = Buffer.from(v1).indexOf(Buffer.from(tag));
    v1[at1 + tag.length - 1] = '1'.charCodeAt(0);
    expect(decodeTextClassifier(v1).classifier.predictProba(['a goal'])).toEqual(
      classifier.predictProba(['a goal']),
    );
    const foreign = bytes.slice();
    const at = Buffer.from(foreign).indexOf(Buffer.from(tag));
    expect(at).toBeGreaterThan(0);
    foreign[at + tag.length - 1] = '9'.charCodeAt(0);
    expect(() => decodeTextClassifier(foreign, 'x.safetensors')).toThrow(/x\.safetensors format/);
    const path = join(dir, 'junk.safetensors');
    writeFileSync(path, 'not a model');
    await expect(loadTextClassifier(path)).rejects.toThrow(FormatError);
    expect(() => encodeTextClassifier(classifier, { labels: '[]' })).toThrow(/reserved/);
  });
});
