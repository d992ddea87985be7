/**
 * End to end in a real browser: the demo page is built with Vite and served, Debian's Chromium (headless,
 * driven by playwright-core) opens it, loads model files through the file input, and
 * - generates text from a character language model: the text must appear token by token (painted in
 *   separate frames, counted with a MutationObserver), on the WebAssembly SIMD kernels;
 * - translates with a seq2seq model and draws its attention heatmap;
 * - shows a damaged model file's typed error instead of crashing.
 * Screenshots land in examples/web/. Needs /usr/bin/chromium (Debian: apt-get install chromium).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDemoLanguageModel, makeDemoTranslator } from '../scripts/demo-models.ts';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const configFile = join(root, 'vite.config.ts');
const work = mkdtempSync(join(tmpdir(), 'recurrent-web-'));
const outDir = join(work, 'dist');
const lmPath = join(work, 'demo-lm.safetensors');
const datesPath = join(work, 'demo-dates.safetensors');

let server: PreviewServer | null = null;
let context: BrowserContext | null = null;
let url = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser test needs ${CHROMIUM} (Debian: apt-get install chromium)`);
  }
  writeFileSync(lmPath, await makeDemoLanguageModel({ steps: 60, hiddenSize: 48 }));
  writeFileSync(datesPath, await makeDemoTranslator({ steps: 40, hiddenSize: 32 }));
  await build({ configFile, root, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  server = await preview({
    configFile,
    root,
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0 },
  });
  url = server.resolvedUrls?.local[0] ?? '';
  if (url === '') throw new Error('vite preview did not report a URL');
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1000, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 300_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function openPage(): Promise<Page> {
  const page = await context!.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
  return page;
}

async function loadModelFile(page: Page, path: string, state: string): Promise<void> {
  await page.setInputFiles('#model-file', path);
  await page.waitForSelector(`body[data-state="${state}"]`, { timeout: 60_000 });
}

describe('the browser demo', () => {
  it('streams text from a language model file, token by token, on the wasm kernels', async () => {
    const page = await openPage();
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('wasm');
    await loadModelFile(page, lmPath, 'loaded-language-model');
    expect(await page.textContent('#model-info')).toMatch(
      /demo-lm\.safetensors: LSTM language model, 1 x 48, char tokenizer/,
    );

    const prompt = 'Call me Ishmael. ';
    await page.fill('#prompt', prompt);
    await page.fill('#max-tokens', '240');
    // Count the separate updates of the output: streamed text arrives in many, a batch would be one.
    await page.evaluate(() => {
      const w = window as unknown as { mutations: number };
      w.mutations = 0;
      new MutationObserver(() => {
        w.mutations++;
      }).observe(document.querySelector('#output')!, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#generate');
    await page.waitForSelector('body[data-state="generated"]', { timeout: 90_000 });

    const tokens = Number(await page.getAttribute('#output', 'data-tokens'));
    const text = (await page.textContent('#output')) ?? '';
    const mutations = await page.evaluate(() => (window as unknown as { mutations: number }).mutations);
    expect(tokens).toBeGreaterThan(20);
    expect(text.startsWith(prompt)).toBe(true);
    expect(text.length).toBeGreaterThan(prompt.length + 20);
    expect(mutations).toBeGreaterThanOrEqual(tokens / 2);
    expect(await page.textContent('#generate-stats')).toMatch(/tokens in .* s \(\d+ tokens\/s/);
    await page.screenshot({ path: join(root, 'screenshot.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('translates with a seq2seq model and draws its attention heatmap', async () => {
    const page = await openPage();
    await loadModelFile(page, datesPath, 'loaded-seq2seq');
    expect(await page.textContent('#model-info')).toMatch(/GRU translator with general attention/);
    await page.fill('#source', '5 march 2021');
    await page.click('#translate');
    await page.waitForSelector('body[data-state="translated"]', { timeout: 60_000 });
    const translation = (await page.textContent('#translation')) ?? '';
    expect(translation.length).toBeGreaterThan(0);
    // One cell per (output token, source character): the source has 12 characters.
    const cells = await page.locator('#heatmap svg g[aria-label="cell"] rect').count();
    expect(cells).toBeGreaterThan(0);
    expect(cells % 12).toBe(0);
    await page.screenshot({ path: join(root, 'screenshot-translate.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('shows the typed error of a damaged model file instead of crashing', async () => {
    const page = await openPage();
    const damaged = join(work, 'damaged.safetensors');
    const { readFileSync } = await import('node:fs');
    writeFileSync(damaged, readFileSync(lmPath).subarray(0, 5000));
    await loadModelFile(page, damaged, 'error');
    expect(await page.textContent('#error')).toMatch(/safetensors .*expected .*, got/);
    expect(await page.isHidden('#generate-panel')).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
