/**
 * The page: starts the WebAssembly SIMD kernels, loads a model file chosen by the user, and either streams
 * generated text (language model) or translates and draws the attention heatmap (seq2seq). State the
 * end-to-end test reads is mirrored in `data-*` attributes (`#output[data-tokens]`, `body[data-state]`).
 */
import { initBackend, kernels, RecurrentError } from '@recurrent/core';
import { attentionHeatmapSvg, hypothesisHeatmap, translate } from '@recurrent/seq2seq';
import { describeModel, type LoadedModel, loadModel } from './load-model.ts';
import { streamText } from './stream-text.ts';

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`#${id} is missing from index.html`);
  return e as T;
}

const ui = {
  backend: el('backend'),
  file: el<HTMLInputElement>('model-file'),
  info: el('model-info'),
  generatePanel: el('generate-panel'),
  prompt: el<HTMLTextAreaElement>('prompt'),
  temperature: el<HTMLInputElement>('temperature'),
  topP: el<HTMLInputElement>('top-p'),
  maxTokens: el<HTMLInputElement>('max-tokens'),
  seed: el<HTMLInputElement>('seed'),
  generate: el<HTMLButtonElement>('generate'),
  stop: el<HTMLButtonElement>('stop'),
  output: el('output'),
  stats: el('generate-stats'),
  translatePanel: el('translate-panel'),
  source: el<HTMLInputElement>('source'),
  beam: el<HTMLInputElement>('beam'),
  translate: el<HTMLButtonElement>('translate'),
  translation: el('translation'),
  heatmap: el('heatmap'),
  error: el('error'),
};

let current: LoadedModel | null = null;
let abort: AbortController | null = null;

function setState(state: string): void {
  document.body.dataset.state = state;
}

function showError(e: unknown): void {
  // Our typed errors carry a one-line message that says what was expected and what arrived.
  ui.error.textContent =
    e instanceof RecurrentError
      ? e.message
      : `Unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  ui.error.hidden = false;
  setState('error');
}

function number(input: HTMLInputElement, fallback: number): number {
  const v = Number(input.value);
  return Number.isFinite(v) ? v : fallback;
}

async function onFile(): Promise<void> {
  const f = ui.file.files?.[0];
  if (f === undefined) return;
  ui.error.hidden = true;
  setState('loading');
  try {
    current = loadModel(new Uint8Array(await f.arrayBuffer()), f.name);
  } catch (e) {
    current = null;
    ui.generatePanel.hidden = true;
    ui.translatePanel.hidden = true;
    ui.info.textContent = `Could not load ${f.name}.`;
    showError(e);
    return;
  }
  ui.info.textContent = describeModel(current);
  ui.generatePanel.hidden = current.kind !== 'language-model';
  ui.translatePanel.hidden = current.kind !== 'seq2seq';
  setState(`loaded-${current.kind}`);
}

async function onGenerate(): Promise<void> {
  if (current?.kind !== 'language-model') return;
  const prompt = ui.prompt.value;
  abort = new AbortController();
  ui.generate.disabled = true;
  ui.stop.disabled = false;
  ui.output.replaceChildren();
  const head = document.createElement('span');
  head.className = 'prompt';
  head.textContent = prompt;
  const tail = document.createTextNode('');
  ui.output.append(head, tail);
  ui.output.dataset.tokens = '0';
  ui.stats.textContent = '';
  setState('generating');
  try {
    const r = await streamText(
      current.bundle,
      prompt,
      {
        temperature: number(ui.temperature, 0.8),
        topP: number(ui.topP, 0.95),
        maxTokens: Math.max(1, Math.floor(number(ui.maxTokens, 300))),
        seed: Math.max(0, Math.floor(number(ui.seed, 1))),
        signal: abort.signal,
      },
      (text, tokens) => {
        tail.data = text;
        ui.output.dataset.tokens = String(tokens);
      },
    );
    const perSec = r.tokens / Math.max(1e-3, r.ms / 1000);
    ui.stats.textContent = `${r.tokens} tokens in ${(r.ms / 1000).toFixed(2)} s (${perSec.toFixed(0)} tokens/s, painted as they came), stopped by ${r.reason}`;
    setState('generated');
  } catch (e) {
    showError(e);
  } finally {
    ui.generate.disabled = false;
    ui.stop.disabled = true;
    abort = null;
  }
}

function onTranslate(): void {
  if (current?.kind !== 'seq2seq') return;
  const model = current.model;
  setState('translating');
  try {
    const text = ui.source.value;
    const [hyp] = translate(model, [text], { beamSize: Math.max(1, Math.floor(number(ui.beam, 4))) });
    if (hyp === undefined) throw new Error('no translation');
    ui.translation.textContent = hyp.text === '' ? '(nothing)' : hyp.text;
    ui.heatmap.innerHTML =
      hyp.attention.length > 0 ? attentionHeatmapSvg(hypothesisHeatmap(model, text, hyp, 'Attention')) : '';
    setState('translated');
  } catch (e) {
    showError(e);
  }
}

ui.file.addEventListener('change', () => void onFile());
ui.generate.addEventListener('click', () => void onGenerate());
ui.stop.addEventListener('click', () => abort?.abort());
ui.translate.addEventListener('click', onTranslate);

setState('starting');
try {
  // Before any model is built, so parameters are allocated in wasm memory and used without copies.
  await initBackend({ backend: 'wasm' });
  ui.backend.textContent = `${kernels().name} kernels`;
  ui.backend.dataset.backend = kernels().name;
} catch (e) {
  // No WebAssembly SIMD: the plain TypeScript kernels still run everything, only slower.
  await initBackend({ backend: 'js' });
  ui.backend.textContent = `${kernels().name} kernels (WebAssembly SIMD unavailable: ${e instanceof Error ? e.message : String(e)})`;
  ui.backend.dataset.backend = kernels().name;
}
setState('ready');
