import {
  type AttentionMemory,
  BaseModule,
  concat,
  crossEntropy,
  DataError,
  OptionError,
  padBatch,
  Rng,
  reshape,
  slice,
  type Tape,
  type Tensor,
} from '@recurrent/core';
import type { Tokenizer } from '@recurrent/tokenizers';
import { Bridge } from './bridge.ts';
import { resolveSeq2SeqConfig, type Seq2SeqConfig } from './config.ts';
import { Decoder, type DecoderState } from './decoder.ts';
import { Encoder } from './encoder.ts';

/** One training pair as ids: the target WITHOUT BOS/EOS (the model adds them). */
export interface Seq2SeqExample {
  source: Int32Array;
  target: Int32Array;
}

/** Options of {@link Seq2Seq}'s constructor. */
export interface Seq2SeqOptions {
  /** Architecture, merged over {@link DEFAULT_SEQ2SEQ_CONFIG}. */
  config?: Partial<Seq2SeqConfig>;
  /** Turns source text into ids (its `pad` pads source batches). */
  sourceTokenizer: Tokenizer;
  /** Turns target text into ids and back; must have `bos` and `eos` ids. */
  targetTokenizer: Tokenizer;
  /** Seed of the initial weights and, later, of the dropout masks and teacher-forcing draws. Default 0. */
  seed?: number;
}

/** Options of {@link Seq2Seq.loss}. */
export interface Seq2SeqLossOptions {
  /** ε of label smoothing in [0, 1). Default 0. */
  labelSmoothing?: number;
  /**
   * Probability that a step is fed the reference token rather than the model's own previous argmax
   * (drawn once per step for the whole batch). Default 1 (always teacher forcing).
   */
  teacherForcing?: number;
}

/** The encoder's output, ready for decoding. */
export interface EncodedSource {
  /** Keys/values and padding mask for the attention, `[B, S, K]`. */
  memory: AttentionMemory;
  /** The decoder's initial state. */
  state: DecoderState;
  /** Source lengths `[B]`. */
  lengths: Int32Array;
}

const IGNORE = -100;

/**
 * An attentional encoder-decoder (Luong et al., 2015, with a bidirectional encoder as in Bahdanau et
 * al., 2015): {@link Encoder} -> {@link Bridge} -> {@link Decoder}. Holds both tokenizers, so one model
 * file is everything needed to translate. Parameter names: `encoder.*`, `bridge.*`, `decoder.*`.
 */
export class Seq2Seq extends BaseModule {
  readonly config: Seq2SeqConfig;
  readonly sourceTokenizer: Tokenizer;
  readonly targetTokenizer: Tokenizer;
  readonly encoder: Encoder;
  readonly bridge: Bridge;
  readonly decoder: Decoder;
  /** Draws the dropout masks and teacher-forcing choices (checkpoint it to resume exactly). */
  readonly rng: Rng;
  /** Target BOS id: the first decoder input. */
  readonly bos: number;
  /** Target EOS id: ends a hypothesis. */
  readonly eos: number;

  constructor(options: Seq2SeqOptions) {
    super();
    this.config = resolveSeq2SeqConfig(options.config);
    const { sourceTokenizer: src, targetTokenizer: tgt } = options;
    if (tgt.specials.bos === undefined || tgt.specials.eos === undefined) {
      throw new OptionError(
        'Seq2Seq targetTokenizer',
        'a tokenizer with bos and eos ids',
        JSON.stringify(tgt.specials),
      );
    }
    this.sourceTokenizer = src;
    this.targetTokenizer = tgt;
    this.bos = tgt.specials.bos;
    this.eos = tgt.specials.eos;
    this.rng = new Rng(options.seed ?? 0);
    this.encoder = this.child('encoder', new Encoder(this.config, src.vocabSize, src.specials.pad, this.rng));
    this.bridge = this.child('bridge', new Bridge(this.config, this.rng));
    this.decoder = this.child('decoder', new Decoder(this.config, tgt.vocabSize, tgt.specials.pad, this.rng));
  }

  /** Source text -> ids, without the tokenizer's BOS/EOS (the encoder needs neither). */
  encodeSource(text: string): Int32Array {
    return stripMarks(this.sourceTokenizer.encode(text), this.sourceTokenizer.specials);
  }

  /** Target text -> ids without BOS/EOS (the model adds them). */
  encodeTarget(text: string): Int32Array {
    return stripMarks(this.targetTokenizer.encode(text), this.targetTokenizer.specials);
  }

  /** Target ids (EOS and anything after it dropped) -> text. */
  decodeTarget(ids: ArrayLike<number>): string {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === this.eos) break;
      if (id !== this.bos) out.push(id);
    }
    return this.targetTokenizer.decode(out);
  }

  /**
   * Runs the encoder over source id sequences (each at least one id) and prepares the attention memory
   * and the decoder's initial state.
   * @throws DataError for an empty source sequence.
   */
  encode(tape: Tape, sources: readonly Int32Array[]): EncodedSource {
    sources.forEach((s, i) => {
      if (s.length === 0)
        throw new DataError(`source sequence ${i}`, 'at least one token', 'an empty sequence');
    });
    const src = padBatch(sources, this.sourceTokenizer.specials.pad); // [B, S]
    const enc = this.encoder.forward(tape, src.ids, src.batch, src.steps, src.lengths);
    const memory = this.decoder.prepare(tape, enc.memory, src.lengths);
    const rnn = this.bridge.forward(tape, enc.state, src.batch);
    return { memory, state: { rnn, feed: null }, lengths: src.lengths };
  }

  /**
   * The mean per-token cross-entropy of a batch under teacher forcing: decoder inputs `BOS y_1 … y_n`,
   * targets `y_1 … y_n EOS`, padding ignored. Returns the scalar loss and the number of target tokens.
   */
  loss(
    tape: Tape,
    examples: readonly Seq2SeqExample[],
    options: Seq2SeqLossOptions = {},
  ): { loss: Tensor; tokens: number } {
    const ratio = options.teacherForcing ?? 1;
    if (!(ratio >= 0 && ratio <= 1))
      throw new OptionError('Seq2Seq.loss teacherForcing', 'a probability in [0, 1]', String(ratio));
    const B = examples.length;
    const T = Math.max(...examples.map((e) => e.target.length)) + 1;
    const inputs = new Int32Array(B * T).fill(this.targetTokenizer.specials.pad); // [B, T]
    const targets = new Int32Array(B * T).fill(IGNORE); // [B, T]
    let tokens = 0;
    examples.forEach((e, b) => {
      inputs[b * T] = this.bos;
      inputs.set(e.target, b * T + 1);
      targets.set(e.target, b * T);
      targets[b * T + e.target.length] = this.eos;
      tokens += e.target.length + 1;
    });
    const { memory, state: init } = this.encode(
      tape,
      examples.map((e) => e.source),
    );
    const Et = this.config.targetEmbedding;
    const Hd = this.config.decoderHidden;
    let state = init;
    const lossOptions = { ignoreIndex: IGNORE, labelSmoothing: options.labelSmoothing ?? 0 };
    if (ratio >= 1) {
      const emb = this.decoder.embed(tape, inputs, [B, T]); // [B, T, Et]
      if (!this.config.inputFeeding) {
        // No step depends on the previous step's output: the whole sequence at once.
        const logits = this.decoder.logits(tape, this.decoder.sequence(tape, emb, state, memory)); // [B, T, V]
        return { loss: crossEntropy(tape, logits, targets, lossOptions), tokens };
      }
      const hiddens: Tensor[] = [];
      for (let t = 0; t < T; t++) {
        const x = reshape(tape, slice(tape, emb, 1, t, t + 1), [B, Et]); // [B, Et]
        const out = this.decoder.step(tape, x, state, memory);
        hiddens.push(reshape(tape, out.hidden, [B, 1, Hd]));
        state = out.state;
      }
      const logits = this.decoder.logits(tape, T === 1 ? hiddens[0]! : concat(tape, hiddens, 1)); // [B, T, V]
      return { loss: crossEntropy(tape, logits, targets, lossOptions), tokens };
    }
    // Scheduled sampling: each step's input is the reference or the model's own previous argmax.
    const V = this.targetTokenizer.vocabSize;
    const all: Tensor[] = [];
    let prev: Int32Array = new Int32Array(B).fill(this.bos);
    for (let t = 0; t < T; t++) {
      const ids = t === 0 || this.rng.uniform() < ratio ? inputs.filter((_, i) => i % T === t) : prev;
      const out = this.decoder.step(tape, this.decoder.embed(tape, ids, [B]), state, memory);
      const logits = this.decoder.logits(tape, out.hidden); // [B, V]
      all.push(reshape(tape, logits, [B, 1, V]));
      prev = argmaxRows(logits.data, B, V);
      state = out.state;
    }
    return {
      loss: crossEntropy(tape, T === 1 ? all[0]! : concat(tape, all, 1), targets, lossOptions),
      tokens,
    };
  }
}

function argmaxRows(data: Float32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c]! > data[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

function stripMarks(ids: Int32Array, specials: Tokenizer['specials']): Int32Array {
  let a = 0;
  let b = ids.length;
  if (b > 0 && ids[0] === specials.bos) a++;
  if (b > a && ids[b - 1] === specials.eos) b--;
  return a === 0 && b === ids.length ? ids : ids.slice(a, b);
}
