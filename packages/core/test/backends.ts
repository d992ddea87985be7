/**
 * The kernel backends every kernel, layer-gradient and fixture test runs against. The reference is always
 * here; a fast backend adds one entry (created asynchronously if it must be, e.g. compiling wasm) and is
 * then held to the same tests. Test files await the list at top level, before their `describe.each`.
 */

import type { Kernels } from '../src/index.ts';
import { useKernels } from '../src/index.ts';
import { referenceKernels } from '../src/kernels/reference.ts';
import { createWasmKernels } from '../src/kernels/wasm/wasm-kernels.ts';

/**
 * The wasm backends, created once per test process: one thread, and two threads splitting even tiny
 * products and cell steps (parallelMin* 1) so the split paths see every shape. Tensors stay ordinary arrays here
 * (copied into wasm memory per call); the per-backend vitest projects cover tensors in wasm memory.
 */
let wasmBackends: Promise<Kernels[]> | null = null;
function wasm(): Promise<Kernels[]> {
  wasmBackends ??= Promise.all([
    createWasmKernels({ threads: 1 }),
    createWasmKernels({ threads: 2, parallelMinMacs: 1, parallelMinValues: 1 }),
  ]);
  return wasmBackends;
}

/** The backends to test, reference first. */
export async function testBackends(): Promise<Kernels[]> {
  return [referenceKernels, ...(await wasm())];
}

/** Runs `fn` with `k` as the active kernels, restoring the previous ones afterwards (also on throw). */
export function withKernels<T>(k: Kernels, fn: () => T): T {
  const prev = useKernels(k);
  try {
    return fn();
  } finally {
    useKernels(prev);
  }
}
