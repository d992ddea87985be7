import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The workspace packages are served from their TypeScript sources (their `exports` point at src/).
const workspace = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  server: { fs: { allow: [workspace] } },
  resolve: {
    alias: {
      // The seq2seq heatmap renders on linkedom's DOM in Node; in the page the real DOM does.
      linkedom: fileURLToPath(new URL('src/linkedom-browser.ts', import.meta.url)),
      // natural's word tokenizer needs util.inherits when it loads.
      util: fileURLToPath(new URL('src/util-browser.ts', import.meta.url)),
    },
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  optimizeDeps: { esbuildOptions: { target: 'es2022' } },
  esbuild: { target: 'es2022' },
});
