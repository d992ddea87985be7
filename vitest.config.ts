import { defineConfig } from 'vitest/config';

const include = [
  'packages/*/test/**/*.test.ts',
  'corpora/test/**/*.test.ts',
  'test/**/*.test.ts',
  'examples/*/test/**/*.test.ts',
];
const setupFiles = ['packages/core/test/setup-backend.ts'];

export default defineConfig({
  test: {
    include,
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The JSON report is what .ci/run counts passes and failures from.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    // The suite once per kernel backend (`vitest run --project js` runs one). `js` runs everything;
    // `wasm` (WebAssembly SIMD on worker threads, tensors in wasm memory) re-runs the tests that do
    // tensor arithmetic, minus those that already loop over every backend themselves
    // (packages/core/test/backends.ts) and those that never touch a kernel.
    projects: [
      { extends: true, test: { name: 'js', env: { RECURRENT_BACKEND: 'js' }, setupFiles } },
      {
        extends: true,
        test: {
          name: 'wasm',
          env: { RECURRENT_BACKEND: 'wasm-threads' },
          setupFiles,
          exclude: [
            '**/node_modules/**',
            'corpora/**',
            'packages/tokenizers/**',
            'packages/samplers/**',
            'packages/seq2seq/test/bleu-*.test.ts',
            'packages/seq2seq/test/error-rate.test.ts',
            'packages/core/test/kernels-*.test.ts',
            'packages/core/test/recurrent-gradcheck.test.ts',
            'packages/core/test/torch-fixtures.test.ts',
            // The browser runs its own (wasm) kernels whatever the project; the fuzzers test parsers.
            'examples/web/**',
            'test/fuzz.test.ts',
            'test/hostile-sizes.test.ts',
          ],
        },
      },
    ],
  },
});
