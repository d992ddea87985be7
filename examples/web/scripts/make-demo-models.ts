/**
 * `pnpm --filter @recurrent/example-web demo-models [dir] [--seconds N]`: trains the demo models
 * (scripts/demo-models.ts) and writes `demo-lm.safetensors` and `demo-dates.safetensors` into `dir`
 * (default examples/web/models), ready to open in the page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@recurrent/core';
import { makeDemoLanguageModel, makeDemoTranslator } from './demo-models.ts';

const args = process.argv.slice(2);
const secondsAt = args.indexOf('--seconds');
const seconds = secondsAt >= 0 ? Number(args[secondsAt + 1]) : 60;
const dir = resolve(
  args.find((a, i) => !a.startsWith('--') && i !== secondsAt + 1) ??
    fileURLToPath(new URL('../models', import.meta.url)),
);
mkdirSync(dir, { recursive: true });
await initBackend();
for (const [name, make] of [
  ['demo-lm.safetensors', makeDemoLanguageModel],
  ['demo-dates.safetensors', makeDemoTranslator],
] as const) {
  const bytes = await make({ millis: seconds * 1000 });
  writeFileSync(join(dir, name), bytes);
  console.log(
    `wrote ${join(dir, name)} (${bytes.length.toLocaleString('en-US')} bytes, ${seconds} s of training)`,
  );
}
