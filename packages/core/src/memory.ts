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

/**
 * A plain `Float32Array` over the same memory as `x` (`x` itself when it already is one). Backends may
 * hand out subclassed views (wasm memory); a loop that sees both kinds is polymorphic and several times
 * slower in V8, so hot element loops run over these. Valid only while `x` is alive: keep `x` referenced.
 */
export function plainF32(x: Float32Array): Float32Array {
  return Object.getPrototypeOf(x) === Float32Array.prototype
    ? x
    : new Float32Array(x.buffer, x.byteOffset, x.length);
}
