import { DataError } from '@recurrent/core';
import { BOUNDARY_CHAR, UNK_CHAR, WS_CHAR } from './piece-rules.ts';

/** What loading needs to know about the text and the vocabulary's reserved pieces. */
export interface CorpusOptions {
  /** Turns one raw line into normalised text with spaces escaped as `▁` (the encoder's normaliser). */
  normalize: (line: string) => string;
  /** Meta pieces (`<unk>`, `<s>`, user symbols…) cut out of the text so no learned piece spans them. */
  metaPieces: readonly string[];
  /** Lines longer than this many UTF-8 bytes are skipped. */
  maxSentenceLength: number;
  /** Fraction of character occurrences the alphabet must cover. */
  characterCoverage: number;
}

/** A code point of the alphabet and how often it occurs. */
export interface CharCount {
  cp: number;
  count: number;
}

/** The normalised training text, as spm's `TrainerInterface::LoadSentences` leaves it. */
export interface TrainingCorpus {
  /** Normalised sentences (spaces as `▁`); characters outside the alphabet are replaced by U+2585. */
  sentences: string[];
  /** The alphabet: characters that must be pieces, most frequent first (ties by code point). */
  requiredChars: CharCount[];
  /** Lines skipped for being longer than `maxSentenceLength` bytes. */
  skippedTooLong: number;
}

/** A distinct whitespace-delimited word (with its leading `▁`) and its count over the corpus. */
export interface WordCounts {
  /** Code points of each word. */
  words: Int32Array[];
  /** Count of each word, same order. */
  freqs: Float64Array;
  /** How many of those occurrences end their sentence (the rest are followed by another word). */
  finals: Float64Array;
}

const utf8 = new TextEncoder();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Code points of `s`. */
export function toCodePoints(s: string): Int32Array {
  const out = new Int32Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    if (c > 0xffff) i++;
    out[n++] = c;
  }
  return n === out.length ? out : out.slice(0, n);
}

/**
 * Normalises the lines, picks the alphabet by character coverage and replaces rarer characters with
 * U+2585. Items of `lines` may hold several lines separated by line breaks. Throws DataError when no
 * usable text remains.
 */
export function loadTrainingCorpus(lines: Iterable<string>, options: CorpusOptions): TrainingCorpus {
  const metaPattern =
    options.metaPieces.length === 0
      ? null
      : new RegExp(
          [...options.metaPieces]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join('|'),
          'gu',
        );
  const boundary = String.fromCharCode(BOUNDARY_CHAR);
  const sentences: string[] = [];
  let skippedTooLong = 0;
  let sawLine = false;
  const unkStr = String.fromCodePoint(UNK_CHAR);
  for (const item of lines) {
    if (typeof item !== 'string') {
      throw new DataError('trainTokenizer input lines', 'strings', typeof item);
    }
    for (const line of item.split(/\r?\n/)) {
      if (line === '') continue;
      sawLine = true;
      // spm measures the raw line, in bytes, before normalisation.
      if (
        line.length > options.maxSentenceLength / 3 &&
        utf8.encode(line).length > options.maxSentenceLength
      ) {
        skippedTooLong++;
        continue;
      }
      // spm reserves U+2585 for unknown characters and skips lines that contain it.
      if (line.includes(unkStr)) continue;
      let normalized = options.normalize(line);
      if (metaPattern !== null) normalized = normalized.replace(metaPattern, boundary);
      if (normalized === '') continue;
      sentences.push(normalized);
    }
  }
  if (sentences.length === 0) {
    const why = !sawLine
      ? 'no non-empty lines'
      : skippedTooLong > 0
        ? `only lines over maxSentenceLength=${options.maxSentenceLength} bytes or blank after normalisation`
        : 'only lines that are blank after normalisation';
    throw new DataError('trainTokenizer corpus', 'at least one non-empty line of text', why);
  }

  // Counts over the whole code space: faster than a Map for a few million characters.
  const counts = new Float64Array(0x110000);
  let total = 0;
  for (const s of sentences) {
    for (let i = 0; i < s.length; i++) {
      const c = s.codePointAt(i)!;
      if (c > 0xffff) i++;
      counts[c]!++;
      total++;
    }
  }
  const seen: CharCount[] = [];
  for (let cp = 0; cp < counts.length; cp++) if (counts[cp]! > 0) seen.push({ cp, count: counts[cp]! });
  seen.sort((a, b) => b.count - a.count || a.cp - b.cp);
  const requiredChars: CharCount[] = [];
  const required = new Uint8Array(0x110000);
  // spm compares in float32 (coverage and the flag are both floats); doing the same keeps the alphabets equal.
  const target = Math.fround(options.characterCoverage);
  let accumulated = 0;
  for (const rc of seen) {
    if (Math.fround(accumulated / total) >= target) break;
    accumulated += rc.count;
    if (rc.cp === BOUNDARY_CHAR || rc.cp === UNK_CHAR) continue;
    requiredChars.push(rc);
    required[rc.cp] = 1;
  }
  for (let k = 0; k < sentences.length; k++) {
    const s = sentences[k]!;
    let clean = true;
    for (let i = 0; i < s.length && clean; i++) {
      const c = s.codePointAt(i)!;
      if (c > 0xffff) i++;
      if (required[c] === 0) clean = false;
    }
    if (clean) continue;
    let out = '';
    for (const ch of s) out += required[ch.codePointAt(0)!] === 1 ? ch : unkStr;
    sentences[k] = out;
  }
  return { sentences, requiredChars, skippedTooLong };
}

/**
 * Splits sentences into words before each `▁` and counts them, like spm's `SplitSentencesByWhitespace`.
 * Words come most frequent first, ties in code-point order.
 */
export function countWords(sentences: readonly string[]): WordCounts {
  const ws = String.fromCodePoint(WS_CHAR);
  // Words after a `▁` are keyed without it; sentence-initial words lacking one go to `bare`.
  // Per key: [count, sentence-final count].
  const spaced = new Map<string, [number, number]>();
  const bare = new Map<string, [number, number]>();
  const bump = (map: Map<string, [number, number]>, key: string, final: boolean): void => {
    const c = map.get(key);
    if (c === undefined) map.set(key, [1, final ? 1 : 0]);
    else {
      c[0]++;
      if (final) c[1]++;
    }
  };
  for (const s of sentences) {
    const parts = s.split(ws);
    const last = parts.length - 1;
    if (parts[0] !== '') bump(bare, parts[0]!, last === 0);
    for (let i = 1; i <= last; i++) bump(spaced, parts[i]!, i === last);
  }
  const entries: Array<[string, number, number]> = [];
  for (const [key, [n, f]] of spaced) entries.push([ws + key, n, f]);
  for (const [key, [n, f]] of bare) entries.push([key, n, f]);
  entries.sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
  return {
    words: entries.map(([w]) => toCodePoints(w)),
    freqs: Float64Array.from(entries, (e) => e[1]),
    finals: Float64Array.from(entries, (e) => e[2]),
  };
}

/** Orders strings by code point (= UTF-8 byte order, which spm's std::string comparisons use). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // A surrogate (a code point above U+FFFF) sorts after every BMP unit, unlike plain UTF-16 order.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}
