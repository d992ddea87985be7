import { createHash } from 'node:crypto';

/** A line (or package entry) a loader left out, and why. */
export interface SkippedEntry {
  /** 1-based line number in a file, or 1-based entry number in a packaged corpus. */
  line: number;
  /** What was wrong, e.g. `expected "label<TAB>text", got no tab`. */
  reason: string;
  /** The start of the offending line (at most 80 characters). */
  excerpt: string;
}

/**
 * What every loader returns: the items, where they came from, a checksum of exactly what was
 * loaded (so a run can record, and later verify, its data), and how items group for splitting.
 */
export interface Corpus<T> {
  /** Short name, e.g. `moby-dick` or the file's base name. */
  name: string;
  /** `package@version` for a packaged corpus, the absolute path for a file. */
  source: string;
  /** The loaded items, in source order. */
  items: T[];
  /**
   * Hex SHA-256 of the loaded items (each item's JSON followed by a newline), so it changes exactly
   * when what was loaded changes, whatever the file's encoding details or the options used.
   */
  checksum: string;
  /** Entries that were skipped (only with `onError: 'skip'`, or filtered junk in a package). */
  skipped: SkippedEntry[];
  /**
   * The key that must not straddle splits (word, English sentence, chapter, ...);
   * {@link splitCorpus} keeps all items with one key in the same split.
   */
  groupKey: (item: T) => string;
}

/** Hex SHA-256 of `items`, each serialized as JSON and followed by a newline. */
export function checksumItems(items: readonly unknown[]): string {
  const h = createHash('sha256');
  // Hashing in ~1 MB chunks: one update per small item costs more than the hashing itself.
  let chunk = '';
  for (const item of items) {
    chunk += `${JSON.stringify(item)}\n`;
    if (chunk.length > 1 << 20) {
      h.update(chunk);
      chunk = '';
    }
  }
  h.update(chunk);
  return h.digest('hex');
}

/** Assembles a {@link Corpus}, computing its checksum. */
export function makeCorpus<T>(
  parts: Omit<Corpus<T>, 'checksum' | 'skipped'> & { skipped?: SkippedEntry[] },
): Corpus<T> {
  return { ...parts, skipped: parts.skipped ?? [], checksum: checksumItems(parts.items) };
}

/** The first 80 characters of a line, for error messages and {@link SkippedEntry.excerpt}. */
export function excerpt(line: string): string {
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
