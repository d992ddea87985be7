/**
 * Runs every PyTorch fixture case (one test per file) against our implementation.
 * `TORCH_FIXTURES=<dir> pnpm test:fixtures` points the same suite at another directory in that format.
 * Each `kind` has a handler in `fixture-kinds/<kind>.ts` exporting `run: FixtureHandler`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Comparison, FixtureCase, FixtureHandler } from './fixture-kinds/types.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = resolve(process.env.TORCH_FIXTURES ?? join(here, 'fixtures', 'torch'));
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

/** The tolerance of the fixtures' README: |ours - ref| <= 1e-4 + 1e-3 |ref|. */
export function assertClose(c: Comparison, file: string): void {
  expect(c.actual.length, `${file}: ${c.name} length`).toBe(c.expected.length);
  for (let i = 0; i < c.expected.length; i++) {
    const a = c.actual[i]!;
    const e = c.expected[i]!;
    if (!(Math.abs(a - e) <= 1e-4 + 1e-3 * Math.abs(e))) {
      throw new Error(`${file}: ${c.name}[${i}] = ${a}, reference ${e} (|diff| ${Math.abs(a - e)})`);
    }
  }
}

async function handlerFor(kind: string): Promise<FixtureHandler> {
  const file = join(here, 'fixture-kinds', `${kind.replaceAll('_', '-')}.ts`);
  if (!/^[a-z_]+$/.test(kind) || !existsSync(file)) {
    throw new Error(`unknown fixture kind "${kind}": expected one with a handler in fixture-kinds/`);
  }
  const mod = (await import(/* @vite-ignore */ file)) as { run: FixtureHandler };
  return mod.run;
}

describe(`PyTorch fixtures in ${dir}`, () => {
  it('the directory holds fixture files', () => {
    expect(files.length, `no *.json fixture files in ${dir}`).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, async () => {
      const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as FixtureCase;
      const run = await handlerFor(c.kind);
      const comparisons = await run(c);
      expect(comparisons.length, `${file}: the handler compared nothing`).toBeGreaterThan(0);
      for (const cmp of comparisons) assertClose(cmp, file);
    });
  }
});
