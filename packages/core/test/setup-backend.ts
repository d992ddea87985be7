/**
 * Vitest setup file of the per-backend projects in the root vitest.config.ts: activates the kernel
 * backend that the project's RECURRENT_BACKEND names (and, for wasm, puts new tensors in wasm memory),
 * so every test in the project runs on it.
 */
import { initBackend } from '../src/index.ts';

await initBackend();
