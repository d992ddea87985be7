import type { Kernels } from './types.ts';
import { referenceKernels } from './reference.ts';

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
