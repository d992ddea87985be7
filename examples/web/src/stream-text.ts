/**
 * Streams generated text into the page: each sampled token is decoded with everything before it (so
 * tokenizers whose pieces join, like SentencePiece, render correctly) and handed to `onText`, then the
 * loop yields to the browser so the text is painted token by token rather than all at the end.
 */
import type { LanguageModelBundle } from '@recurrent/language-model';
import { languageModelStepper } from '@recurrent/language-model';
import { generate, type StopReason } from '@recurrent/samplers';

/** Sampling settings of the page. */
export interface StreamOptions {
  temperature: number;
  topP: number;
  maxTokens: number;
  seed: number;
  signal?: AbortSignal;
}

/** How a streamed generation ended. */
export interface StreamResult {
  tokens: number;
  reason: StopReason;
  ms: number;
}

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Encodes `prompt` (an empty one starts from BOS, or a line break) and streams the continuation. */
export async function streamText(
  bundle: LanguageModelBundle,
  prompt: string,
  options: StreamOptions,
  onText: (continuation: string, tokens: number) => void,
): Promise<StreamResult> {
  const { model, tokenizer } = bundle;
  const { bos, eos } = tokenizer.specials;
  const promptIds =
    prompt === '' && bos !== undefined ? Int32Array.of(bos) : tokenizer.encode(prompt === '' ? '\n' : prompt);
  const start = performance.now();
  const ids: number[] = [];
  const stream = generate(languageModelStepper(model), promptIds, {
    temperature: options.temperature,
    topP: options.topP,
    maxTokens: options.maxTokens,
    seed: options.seed,
    ...(eos !== undefined ? { eosId: eos } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for (;;) {
    const r = await stream.next();
    if (r.done) return { tokens: ids.length, reason: r.value.reason, ms: performance.now() - start };
    ids.push(r.value);
    onText(tokenizer.decode(ids), ids.length);
    await nextTask();
  }
}
