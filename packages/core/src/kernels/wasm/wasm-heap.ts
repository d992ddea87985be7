/**
 * The wasm backend's memory: one WebAssembly.Memory, a size-class allocator over it, and the test
 * "does this Float32Array live in it".
 *
 * Shared memory (SharedArrayBuffer-backed) does not detach views when it grows, so views handed out
 * stay valid for as long as they are reachable. Each growth makes `memory.buffer` return a new
 * SharedArrayBuffer object over the same bytes, so ownership is decided by remembering every buffer
 * object views were made from (a WeakSet), not by comparing with the current `memory.buffer`.
 *
 * Tensor blocks are reclaimed with a FinalizationRegistry once no view on them is reachable. Views
 * derived with `subarray` hold their parent (see {@link WasmF32Array}), so a block is never reused while
 * a slice of it lives. Finalizers only run when the event loop turns: a long synchronous loop reclaims
 * nothing, so past a budget new tensors fall back to ordinary arrays (kernels then copy them in and out),
 * which keeps memory bounded and results correct, only slower. Training loops should yield now and then.
 *
 * An ordinary (non-shared) memory detaches its views on growth; then no tensor lives in it and every
 * kernel argument is copied through scratch blocks.
 */

const PAGE = 65536;
/** Addresses below this are never handed out: 0 stays an invalid pointer. */
const BASE = 1024;
/** Largest memory a wasm32 module can address, in pages. */
const MAX_PAGES = 65536;
/** Memory grows by at least this many pages at a time, so growth stays rare. */
const GROW_PAGES = 256;

const OWNER = Symbol('wasm allocation');

/** Relative index as `TypedArray.prototype.subarray` reads it (ToIntegerOrInfinity, negatives from the end). */
function relative(x: number, len: number): number {
  const n = Math.trunc(x) || 0;
  return n < 0 ? Math.max(len + n, 0) : Math.min(n, len);
}

/**
 * A Float32Array on wasm memory whose `subarray` views remember the allocation they came from (a
 * symbol-keyed property), so the FinalizationRegistry cannot reclaim a block while any slice of it is
 * alive. Its prototype's `constructor` is Float32Array, so to everything else (equality in tests, `slice`,
 * `map`, structured clone) these are plain Float32Arrays; `instanceof Float32Array` holds.
 * (A view made by hand, `new Float32Array(x.buffer, ...)`, is not tracked; don't keep one longer than `x`.)
 */
export class WasmF32Array extends Float32Array {
  declare [OWNER]: Float32Array;

  override subarray(begin?: number, end?: number): WasmF32Array {
    const len = this.length;
    const b = begin === undefined ? 0 : relative(begin, len);
    const e = end === undefined ? len : relative(end, len);
    const v = new WasmF32Array(this.buffer, this.byteOffset + b * 4, e > b ? e - b : 0);
    v[OWNER] = this[OWNER];
    return v;
  }
}
Object.defineProperty(WasmF32Array.prototype, 'constructor', {
  value: Float32Array,
  writable: true,
  configurable: true,
});

/** The allocation a view on wasm memory belongs to (itself for an allocation; undefined for other arrays). */
export function ownerOf(view: Float32Array): Float32Array | undefined {
  return view instanceof WasmF32Array ? view[OWNER] : undefined;
}

/** Byte size of the block that holds `bytes`: 64-byte steps to 4 KiB, then 8 steps per power of two. */
export function blockBytes(bytes: number): number {
  if (bytes <= 4096) return Math.max(64, Math.ceil(bytes / 64) * 64);
  const step = 2 ** Math.floor(Math.log2(bytes - 1)) / 8;
  return Math.ceil(bytes / step) * step;
}

/** Options of {@link WasmHeap}. */
export interface WasmHeapOptions {
  /** Shared memory (views survive growth; threads possible). */
  shared: boolean;
  /** Bytes live tensors may hold in wasm memory before new tensors fall back to ordinary arrays. */
  tensorBudgetBytes: number;
  /** Initial memory in bytes. */
  initialBytes: number;
}

/** Counters for tests and tuning. */
export interface WasmHeapStats {
  /** Current memory size, bytes. */
  memoryBytes: number;
  /** Bytes held by live (not yet reclaimed) tensor blocks. */
  tensorBytes: number;
  /** Tensor allocations served from wasm memory / reused from a free list / given ordinary arrays. */
  tensorAllocs: number;
  reused: number;
  fallbacks: number;
  /** Tensor blocks reclaimed by the finalizer. */
  reclaimed: number;
}

interface Block {
  ptr: number;
  bytes: number;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  private readonly budget: number;
  private top = BASE;
  private readonly freeLists = new Map<number, number[]>();
  /** Every buffer object views were made on; see the file comment. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private buf: ArrayBuffer | SharedArrayBuffer;
  private f32: Float32Array;
  private readonly registry: FinalizationRegistry<Block>;
  private readonly counters: Omit<WasmHeapStats, 'memoryBytes'> = {
    tensorBytes: 0,
    tensorAllocs: 0,
    reused: 0,
    fallbacks: 0,
    reclaimed: 0,
  };

  constructor(opts: WasmHeapOptions) {
    this.shared = opts.shared;
    this.budget = opts.tensorBudgetBytes;
    const initial = Math.max(1, Math.ceil(opts.initialBytes / PAGE));
    this.memory = new WebAssembly.Memory(
      opts.shared ? { initial, maximum: MAX_PAGES, shared: true } : { initial, maximum: MAX_PAGES },
    );
    this.buf = this.memory.buffer;
    this.f32 = new Float32Array(this.buf);
    this.registry = new FinalizationRegistry((b: Block) => {
      this.counters.tensorBytes -= b.bytes;
      this.counters.reclaimed++;
      this.release(b.ptr, b.bytes);
    });
  }

  /** A Float32Array over the whole memory as it is now (renewed after growth). */
  view(): Float32Array {
    const b = this.memory.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.f32 = new Float32Array(b);
    }
    return this.f32;
  }

  /** True when `arr` is a view on this (shared) memory, so kernels can use it in place at `byteOffset`. */
  owns(arr: ArrayBufferView): boolean {
    return this.buffers.has(arr.buffer);
  }

  /**
   * Reserves a block of at least `bytes` (64-byte aligned) and returns its address; not zeroed. Throws a
   * RangeError when memory cannot grow. Give it back with {@link free}.
   */
  alloc(bytes: number): number {
    const size = blockBytes(bytes);
    const list = this.freeLists.get(size);
    const reused = list?.pop();
    if (reused !== undefined) return reused;
    const ptr = Math.ceil(this.top / 64) * 64;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const need = Math.ceil((end - have) / PAGE);
      const pages = Math.min(Math.max(need, GROW_PAGES, Math.ceil(have / PAGE / 4)), MAX_PAGES - have / PAGE);
      if (pages < need) throw new RangeError(`wasm memory: cannot grow to ${end} bytes (limit 4 GiB)`);
      this.memory.grow(pages);
    }
    this.top = end;
    return ptr;
  }

  /** Returns a block from {@link alloc} (same `bytes`). */
  free(ptr: number, bytes: number): void {
    this.release(ptr, blockBytes(bytes));
  }

  private release(ptr: number, size: number): void {
    let list = this.freeLists.get(size);
    if (!list) {
      list = [];
      this.freeLists.set(size, list);
    }
    list.push(ptr);
  }

  /**
   * The `allocF32` allocator: a zero-filled array of `length` floats in wasm memory, reclaimed when
   * unreachable; an ordinary Float32Array when memory is not shared or the tensor budget is spent.
   */
  readonly allocTensor = (length: number): Float32Array => {
    const size = blockBytes(length * 4);
    if (!this.shared || length === 0 || this.counters.tensorBytes + size > this.budget) {
      this.counters.fallbacks++;
      return new Float32Array(length);
    }
    const reused = (this.freeLists.get(size)?.length ?? 0) > 0;
    let ptr: number;
    try {
      ptr = this.alloc(length * 4);
    } catch {
      this.counters.fallbacks++;
      return new Float32Array(length);
    }
    const b = this.memory.buffer;
    this.buffers.add(b);
    const v = new WasmF32Array(b, ptr, length);
    v[OWNER] = v;
    if (reused) {
      v.fill(0);
      this.counters.reused++;
    }
    this.counters.tensorAllocs++;
    this.counters.tensorBytes += size;
    this.registry.register(v, { ptr, bytes: size });
    return v;
  };

  /** Allocation counters and current sizes. */
  stats(): WasmHeapStats {
    return { memoryBytes: this.memory.buffer.byteLength, ...this.counters };
  }
}
