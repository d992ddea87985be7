import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of a vendored spm_train model in test/fixtures/sentencepiece (see its README). */
export function fixtureModelPath(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sentencepiece', `${name}.model`);
}

/** Bytes of a vendored spm_train model. */
export function fixtureModelBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixtureModelPath(name)));
}

/** Every vendored model. */
export const FIXTURE_MODELS = [
  'moby-unigram',
  'moby-bpe',
  'moby-char',
  'moby-word-identity',
  'mixed-unigram-bytes',
  'mixed-bpe-bytes',
  'mixed-unigram-nfkc-cf',
  'mixed-bpe-suffix',
] as const;
