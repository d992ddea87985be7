import { OptionError } from '../errors.ts';
import { type Allocator, setAllocator } from '../memory.ts';
import { referenceKernels } from './reference.ts';
import type { Kernels } from './types.ts';
import { createWasmKernels, type WasmKernels } from './wasm/wasm-kernels.ts';
import { sharedMemorySupported, wasmSimdSupported } from './wasm/wasm-module.ts';

let active: Kernels = referenceKernels;

/** The kernels every layer and op uses right now. */
export function kernels(): Kernels {
  return active;
}

/** Replaces the active kernels (returns the previous ones). */
export function useKernels(k: Kernels): Kernels {
  const prev = active;
  active = k;
  return prev;
}

/** The selectable kernel backends, slowest first. */
export const backendNames = ['js', 'wasm', 'wasm-threads'] as const;

/**
 * `js`: plain TypeScript (the reference). `wasm`: WebAssembly SIMD on the caller's thread.
 * `wasm-threads`: the same with the big matrix products split across worker threads (Node only so far;
 * in a browser the wasm backend is single-threaded).
 */
export type BackendName = (typeof backendNames)[number];

/** Options of {@link initBackend}; every field has a default. */
export interface BackendOptions {
  /**
   * Which backend. Default `auto`: the environment variable `RECURRENT_BACKEND` if set, else the fastest
   * available (`wasm-threads` with more than one core, else `wasm`, else `js`). A name other than `auto`
   * overrides the environment variable.
   */
  backend?: BackendName | 'auto';
  /** Threads for `wasm-threads`, counting the caller's. Default: available cores, at most 4. */
  threads?: number;
  /** Use relaxed-SIMD FMA where the engine has it. Default true. */
  relaxedSimd?: boolean;
  /** Allocate new tensors in wasm memory so kernels use them without copying. Default true. */
  wasmTensors?: boolean;
  /** MiB that live tensors may hold in wasm memory before new ones become ordinary arrays. Default 1024. */
  tensorBudgetMiB?: number;
}

let owned: WasmKernels | null = null;
/** What `owned` was created with, so an identical request reuses it (and the tensors in its memory). */
let ownedKey = '';
let defaultAllocator: Allocator | null = null;

async function availableCores(): Promise<number> {
  if (isNode()) {
    // A computed specifier keeps browser bundlers from resolving a Node built-in.
    const os: typeof import('node:os') = await import(/* @vite-ignore */ `node:${'os'}`);
    return os.availableParallelism();
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

function isNode(): boolean {
  return Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);
}

function envBackend(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.RECURRENT_BACKEND;
  return v === undefined || v === '' ? undefined : v;
}

function parseBackend(v: string, source: string): BackendName | 'auto' {
  if (v === 'auto' || (backendNames as readonly string[]).includes(v)) return v as BackendName | 'auto';
  throw new OptionError(source, `one of auto, ${backendNames.join(', ')}`, JSON.stringify(v));
}

/**
 * Chooses, creates and activates a kernel backend (see {@link BackendOptions}) and, for wasm with shared
 * memory, installs the allocator that places new tensors in wasm memory; call it before building models,
 * so their parameters live there too (arrays elsewhere still work, copied per kernel call). Asking again
 * for the same configuration keeps the running backend; another one replaces and disposes it (tensors
 * allocated there stay valid). Throws an OptionError for an unknown name, or when a named backend cannot
 * run here. Returns the active kernels.
 */
export async function initBackend(opts: BackendOptions = {}): Promise<Kernels> {
  let want = parseBackend(opts.backend ?? 'auto', 'initBackend backend');
  if (want === 'auto') {
    const env = envBackend();
    if (env !== undefined) want = parseBackend(env, 'RECURRENT_BACKEND');
  }
  const cores = await availableCores();
  const simd = wasmSimdSupported();
  if (want === 'auto') {
    want = !simd ? 'js' : cores > 1 && isNode() && sharedMemorySupported() ? 'wasm-threads' : 'wasm';
  }
  if (want !== 'js' && !simd) {
    throw new OptionError(`backend ${want}`, 'an engine with WebAssembly SIMD', 'no SIMD support');
  }
  if (want === 'wasm-threads' && !isNode()) {
    throw new OptionError(
      'backend wasm-threads',
      'Node.js (browser threads are not supported yet)',
      'a browser',
    );
  }
  const threads = want === 'wasm-threads' ? (opts.threads ?? Math.max(2, Math.min(cores, 4))) : 1;
  const key = JSON.stringify([want, threads, opts.relaxedSimd, opts.tensorBudgetMiB]);
  let next: Kernels;
  let prevOwned: WasmKernels | null = null;
  if (want === 'js') {
    next = referenceKernels;
    prevOwned = owned;
    owned = null;
  } else if (owned && key === ownedKey) {
    next = owned;
  } else {
    next = await createWasmKernels({
      threads,
      ...(opts.relaxedSimd !== undefined && { relaxedSimd: opts.relaxedSimd }),
      ...(opts.tensorBudgetMiB !== undefined && { tensorBudgetMiB: opts.tensorBudgetMiB }),
    });
    prevOwned = owned;
    owned = next as WasmKernels;
    ownedKey = key;
  }
  useKernels(next);
  const alloc = owned && opts.wasmTensors !== false ? owned.allocator : null;
  if (alloc) {
    const prev = setAllocator(alloc);
    defaultAllocator ??= prev;
  } else if (defaultAllocator) {
    setAllocator(defaultAllocator);
    defaultAllocator = null;
  }
  prevOwned?.dispose();
  return next;
}
