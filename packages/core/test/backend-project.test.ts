/**
 * Checks the per-backend vitest projects (root vitest.config.ts): the setup file has activated the backend
 * that RECURRENT_BACKEND names, and new tensors live in wasm memory exactly when that backend is wasm.
 */
import { describe, expect, it } from 'vitest';
import { allocF32, kernels, Tensor } from '../src/index.ts';
import type { WasmKernels } from '../src/kernels/wasm/wasm-kernels.ts';

describe('the backend of this vitest project', () => {
  const want = process.env.RECURRENT_BACKEND ?? 'js';

  it('is the one RECURRENT_BACKEND names, with tensors in its memory when it is wasm', () => {
    const k = kernels();
    expect(k.name).toBe(want);
    const inWasm = (a: Float32Array): boolean => 'owns' in k && (k as WasmKernels).owns(a);
    expect(inWasm(allocF32(3))).toBe(want !== 'js');
    expect(inWasm(Tensor.zeros([2, 3]).data)).toBe(want !== 'js');
  });
});
