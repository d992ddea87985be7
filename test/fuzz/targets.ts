/**
 * The loaders under fuzzing, each with its valid seed inputs, its mutators, and how one input is loaded
 * (and, when it loads, used a little: a model runs a step, a tokenizer encodes, a checkpoint is restored),
 * so damage that gets past the parser but breaks its consumers is found too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Adam,
  BaseModule,
  type BatchSource,
  type BatchSourceState,
  Dropout,
  decodeCheckpoint,
  decodeSafetensors,
  encodeSafetensors,
  Linear,
  mse,
  OptionError,
  Rng,
  shapeSize,
  Tape,
  Tensor,
  train,
} from '@recurrent/core';
import { loadLabelledFile, loadPairFile, loadTextFile } from '@recurrent/corpora';
import { decodeLanguageModel, encodeLanguageModel, LanguageModel } from '@recurrent/language-model';
import {
  CharTokenizer,
  readModelProto,
  SentencePieceTokenizer,
  WordTokenizer,
  writeModelProto,
} from '@recurrent/tokenizers';
import { type Mutator, PROTOBUF_MUTATORS, SAFETENSORS_MUTATORS, TEXT_MUTATORS } from './mutate.ts';

/** A loader under test. */
export interface FuzzTarget {
  name: string;
  /** What is loaded, for the report. */
  loads: string;
  mutators: readonly Mutator[];
  /** Valid inputs (built once per process). */
  seeds(): Promise<Uint8Array[]>;
  /** Loads one input: returns, or throws (our typed errors are the expected way to fail). */
  run(input: Uint8Array): void | Promise<void>;
  /** Removes any scratch files. */
  dispose?(): void;
}

const SAMPLE = 'Call me Ishmael. Ｆｕｌｌ ﬁsh café 鯨 🐳 whale ①';
const ROOT = new URL('../../', import.meta.url);

/** Scratch directory for file-based loaders: RAM-backed when the system has one. */
function scratchDir(): string {
  let base = tmpdir();
  try {
    writeFileSync('/dev/shm/.recurrent-fuzz-probe', '');
    rmSync('/dev/shm/.recurrent-fuzz-probe');
    base = '/dev/shm';
  } catch {
    // no /dev/shm: the OS temp directory
  }
  return mkdtempSync(join(base, 'recurrent-fuzz-'));
}

/** An invariant of a successful load that does not hold: a bug even though nothing threw. */
class InvariantError extends Error {
  override name = 'InvariantError';
}

const safetensors: FuzzTarget = {
  name: 'safetensors',
  loads: 'decodeSafetensors (model files, checkpoints, state dicts)',
  mutators: SAFETENSORS_MUTATORS,
  async seeds() {
    const rng = new Rng(11);
    const f32 = Tensor.from(
      Array.from({ length: 12 }, () => rng.normal()),
      [3, 4],
    );
    return [
      encodeSafetensors(
        [
          ['w', f32],
          ['b', Tensor.from([1, 2, 3], [3])],
        ],
        { format: 'pt', note: '{"a":1}' },
      ),
      encodeSafetensors([
        ['f64', { dtype: 'F64', shape: [2], data: Float64Array.from([1.5, -2]) }],
        ['i32', { dtype: 'I32', shape: [2, 1], data: Int32Array.from([7, -7]) }],
        ['i64', { dtype: 'I64', shape: [1], data: BigInt64Array.from([2n ** 40n]) }],
        ['u8', { dtype: 'U8', shape: [3], data: Uint8Array.from([0, 1, 255]) }],
        ['scalar', { dtype: 'F32', shape: [], data: Float32Array.from([3]) }],
        ['empty', { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) }],
      ]),
      encodeSafetensors([]),
    ];
  },
  run(input) {
    const file = decodeSafetensors(input);
    for (const [name, t] of file.tensors) {
      if (t.data.length !== shapeSize(t.shape))
        throw new InvariantError(`tensor ${name}: ${t.data.length} values for shape [${t.shape}]`);
    }
    for (const v of Object.values(file.metadata))
      if (typeof v !== 'string') throw new InvariantError('non-string metadata');
  },
};

const modelFile: FuzzTarget = {
  name: 'model-file',
  loads: 'decodeLanguageModel (config, tokenizer spec, tensors)',
  mutators: SAFETENSORS_MUTATORS,
  async seeds() {
    const text = 'the whale and the sea. the ship, the captain!';
    const char = CharTokenizer.train([text]);
    const word = WordTokenizer.train([text]);
    const spm = SentencePieceTokenizer.fromBytes(smallSentencePiece('moby-bpe', 40));
    const lstm = new LanguageModel(
      { vocabSize: char.vocabSize, embeddingDim: 4, hiddenSize: 5, numLayers: 2 },
      { rng: new Rng(1) },
    );
    const gru = new LanguageModel(
      { vocabSize: word.vocabSize, cell: 'gru', embeddingDim: 4, hiddenSize: 4, tieWeights: true },
      { rng: new Rng(2) },
    );
    const small = new LanguageModel(
      { vocabSize: spm.vocabSize, embeddingDim: 2, hiddenSize: 2 },
      { rng: new Rng(3) },
    );
    return [
      encodeLanguageModel({ model: lstm, tokenizer: char, metadata: { training: '{"steps":3}' } }),
      encodeLanguageModel({ model: gru, tokenizer: word }),
      encodeLanguageModel({ model: small, tokenizer: spm }),
    ];
  },
  run(input) {
    const { model, tokenizer } = decodeLanguageModel(input, 'fuzzed model');
    const ids = tokenizer.encode(SAMPLE.slice(0, 12));
    tokenizer.decode(ids);
    const two = Int32Array.from([0, model.config.vocabSize - 1]);
    model.train(false);
    const { logits } = model.forward(Tape.noGrad(), two, 1, 2);
    if (logits.size !== 2 * model.config.vocabSize) throw new InvariantError('logits of the wrong size');
  },
};

/** Tiny model and data for checkpoint seeds and for restoring fuzzed checkpoints. */
class Net extends BaseModule {
  readonly fc = this.child('fc', new Linear({ inFeatures: 3, outFeatures: 2, rng: new Rng(5) }));
  readonly drop = this.child('drop', new Dropout({ p: 0.3, rng: new Rng(6) }));
}

class Batches implements BatchSource<Tensor> {
  readonly batchesPerEpoch = 3;
  private state: BatchSourceState = { epoch: 0, index: 0 };
  next(): Tensor {
    const i = this.state.index;
    this.state =
      i + 1 === 3 ? { epoch: this.state.epoch + 1, index: 0 } : { epoch: this.state.epoch, index: i + 1 };
    return Tensor.from([i, 1, -i, 0.5, i, 2], [2, 3]);
  }
  getState(): BatchSourceState {
    return { ...this.state };
  }
  setState(s: BatchSourceState): void {
    if (
      !(Number.isInteger(s.epoch) && s.epoch >= 0 && Number.isInteger(s.index) && s.index >= 0 && s.index < 3)
    ) {
      throw new OptionError('batch state', '{ epoch >= 0, index in [0, 2] }', JSON.stringify(s));
    }
    this.state = { ...s };
  }
}

const checkpoint: FuzzTarget = {
  name: 'checkpoint',
  loads: 'decodeCheckpoint + restoring weights, optimizer, RNGs, data position',
  mutators: SAFETENSORS_MUTATORS,
  async seeds() {
    const dir = scratchDir();
    try {
      const seeds: Uint8Array[] = [];
      for (const [i, validate] of [false, true].entries()) {
        const net = new Net();
        const path = join(dir, `ckpt-${i}.safetensors`);
        const target = Tensor.from([0, 1, 1, 0], [2, 2]);
        await train({
          model: net,
          optimizer: new Adam(net.parameters(), { lr: 0.01 }),
          data: new Batches(),
          forward: (tape, x) => ({
            loss: mse(tape, net.drop.forward(tape, net.fc.forward(tape, x)), target),
            tokens: 2,
          }),
          maxSteps: 4,
          rngs: { dropout: new Rng(6) },
          checkpoint: { path, tag: 'fuzz' },
          ...(validate ? { validation: { every: 2, run: () => ({ loss: 1 }), restoreBest: true } } : {}),
          carried: { save: () => ({ h: Tensor.from([1, 2], [1, 2]) }), load: () => {} },
        });
        seeds.push(new Uint8Array(readFileSync(path)));
      }
      return seeds;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  run(input) {
    const c = decodeCheckpoint(input, 'fuzzed checkpoint');
    // What train() does on resume, minus the file: weights, optimizer state, RNGs, data position.
    const net = new Net();
    for (const [name, p] of net.parameters()) {
      const w = c.weights.get(name);
      if (w !== undefined && w.length === p.size) p.data.set(w);
    }
    new Adam(net.parameters()).loadStateDict(c.optimizer);
    for (const s of Object.values(c.loop.rngs)) new Rng(1).setState(s);
    new Batches().setState(c.loop.data);
    if (c.loop.losses.length > 0 && typeof c.loop.losses[0] !== 'number') throw new InvariantError('losses');
  },
};

/** A spm model cut down to its meta pieces and the first normal ones, without the charsmap (fast to load). */
function smallSentencePiece(name: string, normalPieces: number, keepCharsmap = false): Uint8Array {
  const bytes = new Uint8Array(
    readFileSync(new URL(`packages/tokenizers/test/fixtures/sentencepiece/${name}.model`, ROOT)),
  );
  const spec = readModelProto(bytes);
  let kept = 0;
  const pieces = spec.pieces.filter((p) => p.type !== 'NORMAL' || kept++ < normalPieces);
  if (keepCharsmap) return writeModelProto({ ...spec, pieces });
  const { precompiledCharsmap: _, ...normalizerSpec } = spec.normalizerSpec ?? {};
  return writeModelProto({ ...spec, pieces, normalizerSpec });
}

const sentencePiece: FuzzTarget = {
  name: 'sentencepiece',
  loads: 'SentencePieceTokenizer.fromBytes (.model protobuf) + encode/decode',
  mutators: PROTOBUF_MUTATORS,
  async seeds() {
    return [
      smallSentencePiece('mixed-unigram-bytes', 100),
      smallSentencePiece('mixed-bpe-bytes', 100),
      smallSentencePiece('moby-bpe', 60),
      smallSentencePiece('mixed-unigram-nfkc-cf', 30, true),
    ];
  },
  run(input) {
    const tok = SentencePieceTokenizer.fromBytes(input, {}, 'fuzzed model');
    const ids = tok.encode(SAMPLE);
    tok.decode(ids);
    tok.encodeAsPieces(SAMPLE);
  },
};

/** A corpus loader that reads a file: each input is written to a scratch file first. */
function fileTarget(
  name: string,
  loads: string,
  seedsText: string[],
  load: (path: string) => void,
): FuzzTarget {
  let dir: string | null = null;
  let n = 0;
  return {
    name,
    loads,
    mutators: TEXT_MUTATORS,
    async seeds() {
      return seedsText.map((s) => new TextEncoder().encode(s));
    },
    run(input) {
      dir ??= scratchDir();
      const path = join(dir, `input-${n++ % 4}.txt`);
      writeFileSync(path, input);
      load(path);
    },
    dispose() {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const labelled = fileTarget(
  'labelled-file',
  'loadLabelledFile (label<TAB>text lines)',
  [
    'pos\tA fine day.\nneg\tRain again.\n\npos\t  Sunny  \n',
    '\ufeffspam\tBuy now!\r\nham\tSee you at 5.\r\n',
    'a\tb',
  ],
  (p) => {
    loadLabelledFile(p);
  },
);

const pairs = fileTarget(
  'pair-file',
  'loadPairFile (source<TAB>target lines)',
  ['Go.\tVa !\nHi.\tSalut !\nRun!\tCours !\nRun!\tCourez !\n', 'I see.\tJe comprends.\r\n\r\nWho?\tQui ?'],
  (p) => {
    loadPairFile(p, { groupBy: 'connected' });
  },
);

const text = fileTarget(
  'text-file',
  'loadTextFile (lines and paragraphs)',
  ['Call me Ishmael.\nSome years ago.\n\nNever mind how long precisely.\n', '鯨 🐳\r\n\r\nwhale\n'],
  (p) => {
    loadTextFile(p, { unit: 'lines' });
    loadTextFile(p, { unit: 'paragraphs' });
  },
);

/** Every target, in report order. */
export function fuzzTargets(): FuzzTarget[] {
  return [safetensors, modelFile, checkpoint, sentencePiece, labelled, pairs, text];
}
