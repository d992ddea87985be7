/**
 * Checks the per-backend vitest projects (root vitest.config.ts): the setup file has activated the backend
 * that RECURRENT_BACKEND names, and with a wasm backend new tensors live in wasm memory.
 */
import { describe, expect, it } from 'vitest';
import { allocF32, kernels, Tensor } from '../src/index.ts';
import type { WasmKernels } from '../src/kernels/wasm/wasm-kernels.ts';

describe('the backend of this vitest project', () => {
  const want = process.env.RECURRENT_BACKEND;

  it.runIf(want !== undefined)('is the one RECURRENT_BACKEND names', () => {
    expect(kernels().name).toBe(want);
  });

  it.runIf(want?.startsWith('wasm'))('allocates tensors in wasm memory', () => {
    const k = kernels() as WasmKernels;
    expect(k.owns(allocF32(3))).toBe(true);
    expect(k.owns(Tensor.zeros([2, 3]).data)).toBe(true);
  });
});
