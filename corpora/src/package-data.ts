import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError } from '@recurrent/core';

const require = createRequire(import.meta.url);

/**
 * The installed directory and version of an npm package this package depends on, found from its
 * entry point (some of these packages' `exports` hide `package.json`).
 */
export function packageInfo(name: string): { root: string; version: string; source: string } {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (json.name === name) {
        const version = json.version ?? 'unknown';
        return { root: dir, version, source: `${name}@${version}` };
      }
    }
    const up = dirname(dir);
    if (up === dir)
      throw new FormatError(`package ${name}`, 'an installed package with a package.json', 'none found');
    dir = up;
  }
}

/** Parses a JSON data file shipped in a package, naming the file if it is not JSON. */
export function readPackageJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`file ${file}`, 'JSON', (e as Error).message);
  }
}

/** Loads a CommonJS package's export (the @stdlib datasets are CommonJS). */
export function requirePackage(name: string): unknown {
  return require(name);
}
