import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError, FormatError } from '@recurrent/core';

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
    bytes = readFileSync(abs);
  } catch (e) {
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
