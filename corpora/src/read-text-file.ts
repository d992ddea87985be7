import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError, FormatError } from '@recurrent/core';

/** V8's longest string, in UTF-16 units; a UTF-8 file of at most this many bytes always fits. */
const MAX_TEXT_BYTES = 0x1fffffe8;

/**
 * Reads a UTF-8 text file for a loader, refusing what cannot be text: an empty (or whitespace-only)
 * file is a DataError, a file with NUL bytes or invalid UTF-8 a FormatError; both name the file.
 * A leading byte-order mark is dropped and CRLF line ends become LF.
 *
 * @returns the text and the absolute path.
 */
export function readTextFile(path: string): { text: string; path: string } {
  const abs = resolve(path);
  let bytes: Buffer;
  try {
    // Size first: a file too large to become one string fails here, before it is read.
    const size = statSync(abs).size;
    if (size > MAX_TEXT_BYTES) {
      throw new DataError(
        `file ${abs}`,
        `a text file of at most ${MAX_TEXT_BYTES} bytes (the longest string JavaScript holds)`,
        `${size} bytes`,
      );
    }
    bytes = readFileSync(abs);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`file ${abs}`, 'a readable file', (e as NodeJS.ErrnoException).code ?? String(e));
  }
  if (bytes.length === 0) throw new DataError(`file ${abs}`, 'a non-empty text file', 'an empty file');
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new FormatError(`file ${abs}`, 'UTF-8 text', `binary data (NUL byte at offset ${nul})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(`file ${abs}`, 'UTF-8 text', 'bytes that are not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r\n?/g, '\n');
  if (text.trim().length === 0)
    throw new DataError(`file ${abs}`, 'a non-empty text file', 'only whitespace');
  return { text, path: abs };
}
