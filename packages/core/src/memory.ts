/**
 * Where tensor storage comes from. By default plain `Float32Array`s; a fast backend may install an
 * allocator that returns views on its (shared) WebAssembly memory so kernels run on tensors without
 * copying. Views from such an allocator must stay valid for the life of the process.
 */
export type Allocator = (length: number) => Float32Array;

let current: Allocator = (n) => new Float32Array(n);

/** Allocates a zero-filled float32 array through the current allocator. */
export function allocF32(length: number): Float32Array {
  return current(length);
}

/** Installs an allocator (returns the previous one, so callers can restore it). */
export function setAllocator(a: Allocator): Allocator {
  const prev = current;
  current = a;
  return prev;
}
