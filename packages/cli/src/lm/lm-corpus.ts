/**
 * The text a language-model command trains and evaluates on: Moby-Dick with fixed held-out chapters,
 * or the user's files.
 */
import { loadMobyDick, loadTextFile, splitCorpus } from '@recurrent/corpora';

/**
 * Moby-Dick chapters never trained on: `valid` steers training (validation, early stopping),
 * `test` is only read for the final figure. Spread over the book so each holds several styles.
 */
export const MOBY_DICK_HELD_OUT = Object.freeze({
  valid: Object.freeze(['22', '53', '84', '115']),
  test: Object.freeze(['7', '38', '69', '100', '131']),
});

/** Training text plus optional held-out text, and where it came from. */
export interface LmCorpus {
  /** `moby-dick` or the file's base name. */
  name: string;
  /** SHA-256 of what was loaded (recorded in the model file and the checkpoint tag). */
  checksum: string;
  train: string;
  /** Validation text, or null. */
  valid: string | null;
  /** Test text (reported once at the end), or null. */
  test: string | null;
}

/** Chapters are joined with a blank line, as paragraphs are within them. */
const JOIN = '\n\n';

/** Moby-Dick split by {@link MOBY_DICK_HELD_OUT}. */
export function mobyDickCorpus(): LmCorpus {
  const corpus = loadMobyDick();
  const s = splitCorpus(corpus, {
    heldOut: { valid: [...MOBY_DICK_HELD_OUT.valid], test: [...MOBY_DICK_HELD_OUT.test] },
  });
  const join = (items: { text: string }[]): string => items.map((c) => c.text).join(JOIN);
  return {
    name: 'moby-dick',
    checksum: corpus.checksum,
    train: join(s.train),
    valid: join(s.valid),
    test: join(s.test),
  };
}

/**
 * `corpus` is `moby-dick` or a UTF-8 text file; `valid` an optional validation file. Without one, the
 * last 5% of a file (cut at a line break) is held out for validation when the file has 2,000 characters
 * or more. Empty or binary files are DataError/FormatError naming the file.
 */
export function loadLmCorpus(corpus: string, valid?: string): LmCorpus {
  const base = corpus === 'moby-dick' ? mobyDickCorpus() : fileCorpus(corpus);
  if (valid === undefined) return base;
  const v = loadTextFile(valid);
  const train =
    corpus === 'moby-dick' ? base.train : base.valid === null ? base.train : `${base.train}${base.valid}`;
  return { ...base, train, valid: v.items[0]!, checksum: `${base.checksum}+${v.checksum}` };
}

function fileCorpus(path: string): LmCorpus {
  const c = loadTextFile(path);
  const text = c.items[0]!;
  if (text.length < 2000) return { name: c.name, checksum: c.checksum, train: text, valid: null, test: null };
  let cut = Math.floor(text.length * 0.95);
  const nl = text.lastIndexOf('\n', cut);
  if (nl > text.length * 0.8) cut = nl + 1;
  return {
    name: c.name,
    checksum: c.checksum,
    train: text.slice(0, cut),
    valid: text.slice(cut),
    test: null,
  };
}
