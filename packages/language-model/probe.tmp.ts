import { trainLanguageModel } from './src/index.ts';
import { charCodec, sampleText } from './test/helpers/char-codec.ts';
const text = sampleText(200);
const tokenizer = charCodec(text);
for (const [lr, H, B] of [[0.01, 64, 1], [0.02, 64, 1], [0.02, 48, 1], [0.03, 64, 1], [0.02, 64, 4]] as const) {
  const t0 = performance.now();
  const r = await trainLanguageModel({ text, tokenizer, model: { hiddenSize: H, embeddingDim: 16 }, seed: 11, batchSize: B, seqLen: Math.floor(199 / B), lr, maxSteps: 250 });
  const first = r.result.losses.findIndex((l) => l < 0.05);
  console.log(lr, H, B, 'first<0.05 at', first, 'last', r.result.losses.at(-1)!.toFixed(4), ((performance.now() - t0) / 1000).toFixed(1), 's');
}
