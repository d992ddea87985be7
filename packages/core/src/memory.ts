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

/** Arrays up to this many floats come from a slab in {@link freshF32}. */
const SLAB_MAX_FLOATS = 1024;
/** Floats per slab (32 KiB): at most 32x the memory of one small array a caller keeps alone. */
const SLAB_FLOATS = 8192;
let slab = new Float32Array(0);
let slabUsed = 0;

/**
 * A new zero-filled plain `Float32Array` of `length`, for results made once per generated token (a
 * state, a row of logits). In V8 every typed array past 64 bytes owns a native block, and its allocation
 * plus its later collection cost ~2 µs: a few of them were a tenth of a batch-1 LSTM step. Small arrays
 * are therefore carved from a 32 KiB slab (a view costs ~0.1 µs); each region is handed out once, so
 * the result is as fresh as `new Float32Array(length)`. The difference callers can see: `buffer` is the
 * slab (don't transfer it to a worker, which would detach the neighbours), and a kept array keeps its
 * slab alive.
 */
export function freshF32(length: number): Float32Array {
  if (length > SLAB_MAX_FLOATS) return new Float32Array(length);
  // Regions start on 16-float (64-byte) boundaries, like the backend's blocks.
  const size = (length + 15) & ~15;
  if (slabUsed + size > slab.length) {
    slab = new Float32Array(SLAB_FLOATS);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + length);
  slabUsed += size;
  return out;
}
