import { OptionError } from '@recurrent/core';
import type {
  NormalizerSpec,
  SentencePiece,
  SentencePieceModelSpec,
  SentencePieceType,
  TrainerSpec,
} from '../sentencepiece/model-proto.ts';
import { SentencePieceNormalizer } from '../sentencepiece/normalizer.ts';
import { trainBpe } from './bpe-trainer.ts';
import { nmtNfkcCharsmap } from './nmt-nfkc-charsmap.ts';
import type { PieceRules } from './piece-rules.ts';
import { resolveTrainOptions, type TrainTokenizerOptions } from './train-options.ts';
import { loadTrainingCorpus } from './training-corpus.ts';
import { type ScoredPiece, trainUnigram } from './unigram-trainer.ts';

/** A reserved piece with a fixed id: `<unk>`, `<s>`, `</s>`, `<pad>`, user-defined symbols, bytes. */
export interface MetaPiece {
  id: number;
  piece: string;
  type: SentencePieceType;
}

/**
 * Assigns ids to the meta pieces as spm's `InitMetaPieces`: the special pieces at their ids, then each
 * user-defined symbol and (with byte fallback) `<0x00>`…`<0xFF>` at the lowest free id.
 */
export function metaPieces(options: TrainTokenizerOptions): MetaPiece[] {
  const byId = new Map<number, MetaPiece>();
  const put = (id: number, piece: string, type: SentencePieceType): void => {
    if (id >= 0) byId.set(id, { id, piece, type });
  };
  put(options.unkId, '<unk>', 'UNKNOWN');
  put(options.bosId, '<s>', 'CONTROL');
  put(options.eosId, '</s>', 'CONTROL');
  put(options.padId, '<pad>', 'CONTROL');
  let next = 0;
  const append = (piece: string, type: SentencePieceType): void => {
    while (byId.has(next)) next++;
    byId.set(next, { id: next, piece, type });
  };
  for (const s of options.userDefinedSymbols) append(s, 'USER_DEFINED');
  if (options.byteFallback) {
    for (let b = 0; b < 256; b++) append(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 'BYTE');
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The normalizer spec a trained model carries (spm_train's defaults for the chosen rule). */
export function trainedNormalizerSpec(normalization: TrainTokenizerOptions['normalization']): NormalizerSpec {
  return {
    name: normalization,
    precompiledCharsmap: normalization === 'nmt_nfkc' ? nmtNfkcCharsmap() : new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
    normalizationRuleTsv: '',
  };
}

function trainerSpecOf(o: TrainTokenizerOptions, vocabSize: number): TrainerSpec {
  return {
    modelPrefix: '',
    modelType: o.modelType === 'bpe' ? 'BPE' : 'UNIGRAM',
    vocabSize,
    selfTestSampleSize: 0,
    inputFormat: '',
    characterCoverage: o.characterCoverage,
    inputSentenceSize: 0,
    seedSentencepieceSize: o.seedSize,
    shrinkingFactor: o.shrinkingFactor,
    numThreads: 1,
    numSubIterations: o.numSubIterations,
    maxSentenceLength: o.maxSentenceLength,
    shuffleInputSentence: true,
    maxSentencepieceLength: o.maxPieceLength,
    splitByUnicodeScript: true,
    splitByWhitespace: true,
    splitByNumber: true,
    treatWhitespaceAsSuffix: false,
    splitDigits: o.splitDigits,
    allowWhitespaceOnlyPieces: false,
    userDefinedSymbols: [...o.userDefinedSymbols],
    vocabularyOutputPieceScore: true,
    hardVocabLimit: o.hardVocabLimit,
    useAllVocab: false,
    byteFallback: o.byteFallback,
    requiredChars: '',
    unkId: o.unkId,
    bosId: o.bosId,
    eosId: o.eosId,
    padId: o.padId,
    unkSurface: ' \u2047 ',
    unkPiece: '<unk>',
    bosPiece: '<s>',
    eosPiece: '</s>',
    padPiece: '<pad>',
    trainExtremelyLargeCorpus: false,
    enableDifferentialPrivacy: false,
    differentialPrivacyNoiseLevel: 0,
    differentialPrivacyClippingThreshold: 0,
  };
}

/**
 * Trains a SentencePiece model (unigram or BPE) on lines of text and returns it as a model spec; write it
 * with `writeModelProto` to get a `.model` file that spm_encode, sentencepiece-js and
 * `SentencePieceTokenizer` all load and that encodes identically in each. Ids: `<unk>` 0, `<s>` 1, `</s>` 2
 * by default, then user-defined symbols, bytes (with `byteFallback`) and the learned pieces.
 *
 * Items of `lines` are sentences (one may hold several lines separated by line breaks). Throws OptionError
 * for a bad option or a vocabulary size that does not fit the corpus (too small for its characters, too big
 * for its distinct pieces unless `hardVocabLimit` is false) and DataError for an empty corpus.
 */
export function trainTokenizer(
  lines: Iterable<string>,
  options: Partial<TrainTokenizerOptions> = {},
): SentencePieceModelSpec {
  const o = resolveTrainOptions(options);
  // A string is iterable too (by character); a lone string is one text, not a list of lines.
  if (typeof lines === 'string') lines = [lines];
  const progress = o.onProgress ?? (() => {});
  const meta = metaPieces(o);
  const normalizerSpec = trainedNormalizerSpec(o.normalization);
  const normalizer = new SentencePieceNormalizer(normalizerSpec);

  progress({ stage: 'load', size: 0, target: 0 });
  const corpus = loadTrainingCorpus(lines, {
    normalize: (line) => normalizer.normalize(line),
    metaPieces: meta.map((m) => m.piece),
    maxSentenceLength: o.maxSentenceLength,
    characterCoverage: o.characterCoverage,
  });
  progress({ stage: 'load', size: corpus.sentences.length, target: corpus.sentences.length });
  const needed = meta.length + corpus.requiredChars.length;
  if (needed > o.vocabSize) {
    throw new OptionError(
      'trainTokenizer option vocabSize',
      `at least ${needed} (${meta.length} special, user-defined or byte pieces + ` +
        `${corpus.requiredChars.length} characters; lower characterCoverage to need fewer)`,
      String(o.vocabSize),
    );
  }

  const rules: PieceRules = { maxPieceLength: o.maxPieceLength, splitDigits: o.splitDigits };
  const learned: ScoredPiece[] =
    o.modelType === 'unigram'
      ? trainUnigram(corpus, {
          vocabSize: o.vocabSize,
          metaCount: meta.length,
          rules,
          seedSize: o.seedSize,
          shrinkingFactor: o.shrinkingFactor,
          numSubIterations: o.numSubIterations,
          onProgress: o.onProgress,
        })
      : trainBpe(corpus, { vocabSize: o.vocabSize, metaCount: meta.length, rules, onProgress: o.onProgress });

  // spm refuses to write a smaller vocabulary than asked for unless hard_vocab_limit is off.
  const reserved = new Set(meta.map((m) => m.piece));
  const normal = learned.filter((p) => !reserved.has(p.piece));
  const size = meta.length + normal.length;
  if (size < o.vocabSize && o.hardVocabLimit) {
    throw new OptionError(
      'trainTokenizer option vocabSize',
      `at most ${size} for this corpus (or hardVocabLimit: false)`,
      String(o.vocabSize),
    );
  }
  progress({ stage: 'finalize', size, target: o.vocabSize });

  const metaById = new Map(meta.map((m) => [m.id, m]));
  const pieces: SentencePiece[] = [];
  let k = 0;
  for (let id = 0; id < o.vocabSize; id++) {
    const m = metaById.get(id);
    if (m !== undefined) pieces.push({ piece: m.piece, score: 0, type: m.type });
    else if (k < normal.length) {
      const p = normal[k++]!;
      pieces.push({ piece: p.piece, score: Math.fround(p.score), type: 'NORMAL' });
    }
  }
  // Meta ids beyond the learned pieces (only when the vocabulary came out smaller) would leave holes.
  if (pieces.length !== size) {
    throw new OptionError(
      'trainTokenizer special ids',
      `below the trained vocabulary size ${size}`,
      meta.map((m) => `${m.piece}=${m.id}`).join(', '),
    );
  }
  return { pieces, trainerSpec: trainerSpecOf(o, pieces.length), normalizerSpec };
}
