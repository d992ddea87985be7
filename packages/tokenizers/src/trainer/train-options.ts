import { OptionError } from '@recurrent/core';

/** The subword algorithm a trainer learns. */
export type SubwordModelType = 'unigram' | 'bpe';

/** How text is normalised before training and encoding (written into the model's normalizer spec). */
export type TrainNormalization = 'nmt_nfkc' | 'identity';

/** Progress events of {@link trainTokenizer}, for bars and logs. */
export interface TrainProgress {
  /** What the trainer is doing now. */
  stage: 'load' | 'seed' | 'em' | 'prune' | 'merge' | 'finalize';
  /** Current vocabulary (or merge) count at this stage. */
  size: number;
  /** Size the stage is heading for. */
  target: number;
}

/**
 * Options of {@link trainTokenizer}. Defaults follow `spm_train` so that a model trained here and one trained
 * by SentencePiece with the same flags are comparable.
 */
export interface TrainTokenizerOptions {
  /**
   * Final number of pieces, meta pieces (`<unk>`, `<s>`, `</s>`, user symbols, bytes) included.
   * Default 8000.
   */
  vocabSize: number;
  /** `'unigram'` (Kudo 2018, spm's default) or `'bpe'`. Default `'unigram'`. */
  modelType: SubwordModelType;
  /**
   * Fraction of character occurrences the alphabet must cover, in [0.98, 1]; rarer characters become
   * `<unk>`. Default 0.9995.
   */
  characterCoverage: number;
  /** Pieces that are always kept whole (ids right after the special ids), e.g. `['<sep>']`. Default none. */
  userDefinedSymbols: readonly string[];
  /** Adds the 256 `<0xNN>` byte pieces so unknown characters decompose into UTF-8 bytes. Default false. */
  byteFallback: boolean;
  /** Lines longer than this many UTF-8 bytes are skipped, like spm's `--max_sentence_length`. Default 4192. */
  maxSentenceLength: number;
  /** Longest piece in characters (spm's `--max_sentencepiece_length`). Default 16. */
  maxPieceLength: number;
  /** Text normalisation; `'nmt_nfkc'`, spm's default, embeds its precompiled charsmap. Default `'nmt_nfkc'`. */
  normalization: TrainNormalization;
  /** Id of `<unk>` (must be >= 0). Default 0. */
  unkId: number;
  /** Id of `<s>`, or -1 for none. Default 1. */
  bosId: number;
  /** Id of `</s>`, or -1 for none. Default 2. */
  eosId: number;
  /** Id of `<pad>`, or -1 for none. Default -1. */
  padId: number;
  /** Splits every digit into its own piece (spm's `--split_digits`). Default false. */
  splitDigits: boolean;
  /**
   * Fail when the corpus cannot fill `vocabSize` pieces (spm's `--hard_vocab_limit`); when false the model
   * simply comes out smaller. Default true.
   */
  hardVocabLimit: boolean;
  /** Unigram: how many seed substrings to start EM from. Default 1,000,000. */
  seedSize: number;
  /** Unigram: fraction of pieces kept by each pruning round, in [0.5, 0.95]. Default 0.75. */
  shrinkingFactor: number;
  /** Unigram: EM iterations between pruning rounds, in [1, 10]. Default 2. */
  numSubIterations: number;
  /**
   * Seed for randomness. Both algorithms are deterministic (spm's are too), so the seed is only recorded;
   * it is here so that any future sampling (e.g. of input sentences) stays reproducible. Default 0.
   */
  seed: number;
  /** Called at each stage and round, for progress display. */
  onProgress?: (event: TrainProgress) => void;
}

/** The defaults of {@link TrainTokenizerOptions} (spm_train's). */
export const DEFAULT_TRAIN_OPTIONS: Readonly<Omit<TrainTokenizerOptions, 'onProgress'>> = Object.freeze({
  vocabSize: 8000,
  modelType: 'unigram',
  characterCoverage: 0.9995,
  userDefinedSymbols: [],
  byteFallback: false,
  maxSentenceLength: 4192,
  maxPieceLength: 16,
  normalization: 'nmt_nfkc',
  unkId: 0,
  bosId: 1,
  eosId: 2,
  padId: -1,
  splitDigits: false,
  hardVocabLimit: true,
  seedSize: 1_000_000,
  shrinkingFactor: 0.75,
  numSubIterations: 2,
  seed: 0,
});

function checkInt(name: string, value: number, lo: number, hi: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new OptionError(`trainTokenizer option ${name}`, `an integer in [${lo}, ${hi}]`, String(value));
  }
}

function checkRange(name: string, value: number, lo: number, hi: number): void {
  if (typeof value !== 'number' || !(value >= lo && value <= hi)) {
    throw new OptionError(`trainTokenizer option ${name}`, `a number in [${lo}, ${hi}]`, String(value));
  }
}

/** Merges `options` over {@link DEFAULT_TRAIN_OPTIONS} and validates every field; throws OptionError. */
export function resolveTrainOptions(options: Partial<TrainTokenizerOptions> = {}): TrainTokenizerOptions {
  const o: TrainTokenizerOptions = { ...DEFAULT_TRAIN_OPTIONS, ...stripUndefined(options) };
  if (o.modelType !== 'unigram' && o.modelType !== 'bpe') {
    throw new OptionError(
      'trainTokenizer option modelType',
      "'unigram' or 'bpe'",
      JSON.stringify(o.modelType),
    );
  }
  if (o.normalization !== 'nmt_nfkc' && o.normalization !== 'identity') {
    throw new OptionError(
      'trainTokenizer option normalization',
      "'nmt_nfkc' or 'identity'",
      JSON.stringify(o.normalization),
    );
  }
  checkInt('vocabSize', o.vocabSize, 1, 2 ** 31 - 1);
  // spm_train refuses coverage below 0.98: below that the alphabet loses whole scripts.
  checkRange('characterCoverage', o.characterCoverage, 0.98, 1);
  checkInt('maxSentenceLength', o.maxSentenceLength, 10, 1_073_741_824);
  checkInt('maxPieceLength', o.maxPieceLength, 1, 512);
  checkInt('seedSize', o.seedSize, 1, 2 ** 31 - 1);
  checkRange('shrinkingFactor', o.shrinkingFactor, 0.5, 0.95);
  checkInt('numSubIterations', o.numSubIterations, 1, 10);
  if (!Number.isFinite(o.seed))
    throw new OptionError('trainTokenizer option seed', 'a finite number', String(o.seed));
  checkInt('unkId', o.unkId, 0, o.vocabSize - 1);
  for (const [name, id] of [
    ['bosId', o.bosId],
    ['eosId', o.eosId],
    ['padId', o.padId],
  ] as const) {
    checkInt(name, id, -1, o.vocabSize - 1);
  }
  const ids = [o.unkId, o.bosId, o.eosId, o.padId].filter((id) => id >= 0);
  if (new Set(ids).size !== ids.length) {
    throw new OptionError(
      'trainTokenizer special ids (unkId, bosId, eosId, padId)',
      'distinct ids (or -1 for none)',
      `${o.unkId}, ${o.bosId}, ${o.eosId}, ${o.padId}`,
    );
  }
  if (!Array.isArray(o.userDefinedSymbols)) {
    throw new OptionError(
      'trainTokenizer option userDefinedSymbols',
      'an array of strings',
      typeof o.userDefinedSymbols,
    );
  }
  const seen = new Set<string>(['<unk>', '<s>', '</s>', '<pad>']);
  for (const s of o.userDefinedSymbols) {
    if (typeof s !== 'string' || s.length === 0 || /\s/u.test(s)) {
      throw new OptionError(
        'trainTokenizer option userDefinedSymbols',
        'non-empty strings without whitespace',
        JSON.stringify(s),
      );
    }
    if (seen.has(s)) {
      throw new OptionError('trainTokenizer option userDefinedSymbols', 'no duplicates or special pieces', s);
    }
    seen.add(s);
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
