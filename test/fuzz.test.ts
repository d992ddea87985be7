/**
 * A reduced `pnpm fuzz` (test/fuzz/run.ts): 1,000 seeded mutations per loader (400 SentencePiece models), in process. Every input must
 * load or fail with one of our typed errors, within the per-input cap; the full run does 100,000 per loader.
 */
import { describe, expect, it } from 'vitest';
import { fuzzTarget } from './fuzz/fuzz-target.ts';
import { fuzzTargets } from './fuzz/targets.ts';

const SEED = 2;
// SentencePiece models are the slowest to load (a trie per input): fewer of them keep the file at a few seconds.
const COUNT: Record<string, number> = { sentencepiece: 400 };

describe('fuzzing every loader with seeded mutations', () => {
  for (const target of fuzzTargets()) {
    const count = COUNT[target.name] ?? 1_000;
    it(`${target.name}: ${target.loads}`, async () => {
      try {
        const seeds = await target.seeds();
        const stats = await fuzzTarget(target, seeds, { seed: SEED, count, capMs: 5_000 });
        const failures = stats.failures.map(
          (f) =>
            `#${f.index} ${f.kind}: ${f.error} (pnpm fuzz --target ${target.name} --seed ${SEED} --from ${f.index} --count 1)`,
        );
        expect(failures).toEqual([]);
        expect(stats.tried).toBe(count);
        // The mutations must reach both outcomes: some inputs still load, most are rejected with typed errors.
        expect(stats.loaded).toBeGreaterThan(0);
        expect(Object.values(stats.typed).reduce((a, b) => a + b, 0)).toBeGreaterThan(count / 4);
      } finally {
        target.dispose?.();
      }
    });
  }
});
