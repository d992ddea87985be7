import { makeDemoLanguageModel, makeDemoTranslator } from './demo-models.ts';
let t = performance.now();
await makeDemoLanguageModel({ steps: 150 });
console.log('lm', performance.now() - t);
t = performance.now();
await makeDemoTranslator({ steps: 150 });
console.log('tr', performance.now() - t);
