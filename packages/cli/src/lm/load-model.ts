import { stat } from 'node:fs/promises';
import { DataError } from '@recurrent/core';
import { type LanguageModelBundle, loadLanguageModel } from '@recurrent/language-model';

/**
 * Loads a model file for a command: a missing file is a DataError naming it; a file that is not a
 * language model (corrupt, truncated, foreign) is the loader's FormatError, which names it too.
 */
export async function loadModelFile(path: string): Promise<LanguageModelBundle> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new DataError(`model file ${path}`, 'a file', 'a directory');
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(
      `model file ${path}`,
      'a readable file',
      (e as NodeJS.ErrnoException).code ?? String(e),
    );
  }
  return loadLanguageModel(path);
}
