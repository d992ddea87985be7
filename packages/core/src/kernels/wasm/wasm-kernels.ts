/**
 * `Kernels` on the WebAssembly SIMD module (asm/), optionally with worker threads for the big GEMMs.
 *
 * Arrays that live in the backend's shared memory (allocated through {@link WasmKernels.allocator}) are
 * used in place; any other Float32Array is copied into a scratch block for the call (and copied back if
 * the kernel writes it). Big GEMMs are split along the larger output dimension between the caller and
 * the workers; each part computes its block of C with the same blocking, so the bits do not depend on the
 * number of threads.
 */
import { OptionError, ShapeError } from '../../errors.ts';
import type { Allocator } from '../../memory.ts';
import type { GemmForm, Kernels } from '../types.ts';
import { WasmHeap, type WasmHeapStats } from './wasm-heap.ts';
import { compileKernelModule, type KernelExports } from './wasm-module.ts';
import { createWorkerPool, type WorkerOp, type WorkerPool } from './worker-pool.ts';

/** Options of {@link createWasmKernels}; every field has a default. */
export interface WasmKernelOptions {
  /** Threads for big GEMMs, counting the caller's (1 = no workers). Default 1. Node only above 1. */
  threads?: number;
  /** Use relaxed-SIMD fused multiply-add when the engine supports it. Default true. */
  relaxedSimd?: boolean;
  /** Use a shared memory when the engine has one (needed for threads and for tensors in place). Default true. */
  sharedMemory?: boolean;
  /** MiB that live tensors may hold in wasm memory before new ones become ordinary arrays. Default 1024. */
  tensorBudgetMiB?: number;
  /** How long a waiting thread spins before blocking, µs. Default 50. */
  spinMicros?: number;
  /** Smallest GEMM (m·n·k multiply-adds) that is split across threads; products of fewer than 4 rows never are. Default 131072. */
  parallelMinMacs?: number;
  /**
   * Smallest elementwise call (values, e.g. b·h for a cell step) that is split across threads. Default 65536:
   * measured in LSTM training, a split cell step (8192 values) waited ~70 µs for its worker, while the whole
   * backward cell takes ~17 µs on one thread.
   */
  parallelMinValues?: number;
}

/** The wasm kernels plus what the backend needs to manage them. */
export interface WasmKernels extends Kernels {
  /** Whether the module uses relaxed-SIMD FMA. */
  readonly relaxedSimd: boolean;
  /** Whether the memory is shared (tensors can live in it; threads possible). */
  readonly sharedMemory: boolean;
  /** An `allocF32` allocator placing tensors in this backend's memory; null without shared memory. */
  readonly allocator: Allocator | null;
  /** True when `arr` lives in this backend's memory (used in place, no copy). */
  owns(arr: Float32Array): boolean;
  /** Memory counters. */
  memoryStats(): WasmHeapStats;
  /** Ends the worker threads; the kernels keep working on the caller's thread only. Idempotent. */
  dispose(): void;
  /**
   * The multiply-add ceiling of this engine and core: GFLOP/s of twelve independent 4-lane multiply-add
   * chains with no memory traffic, on the calling thread, best of short runs over about `seconds`. No
   * product of this backend can run faster per thread; the benchmark prints it beside the GEMM rates.
   */
  simdPeakGflops(seconds?: number): number;
}

const defaults: Required<WasmKernelOptions> = {
  threads: 1,
  relaxedSimd: true,
  sharedMemory: true,
  tensorBudgetMiB: 1024,
  spinMicros: 50,
  parallelMinMacs: 131072,
  parallelMinValues: 65536,
};

/** Pending copy-back of one argument that did not live in wasm memory. */
interface Staged {
  arr: Float32Array;
  ptr: number;
  n: number;
  writeBack: boolean;
}

function need(what: string, arr: Float32Array, n: number): void {
  if (arr.length < n) throw new ShapeError(what, `at least ${n} elements`, `${arr.length}`);
}

/** Whether v is an integer in [0, 2^31): one comparison on the hot path. */
function isDim(v: number): boolean {
  return (v | 0) === v && v >= 0;
}

function checkDims(what: string, a: number, b = 0, c = 0): void {
  if (isDim(a) && isDim(b) && isDim(c)) return;
  const names = DIM_NAMES[what] ?? ['a', 'b', 'c'];
  [a, b, c].forEach((v, i) => {
    if (!isDim(v)) throw new ShapeError(`${what} ${names[i]}`, 'a non-negative integer', `${v}`);
  });
}

/** Argument names of each kernel's dimensions, for error messages. */
const DIM_NAMES: Record<string, string[]> = {
  gemm: ['m', 'n', 'k'],
  gemmPacked: ['m', 'n', 'k'],
  packB: ['k', 'n'],
  addBias: ['rows', 'cols'],
  sumRows: ['rows', 'cols'],
  softmaxStats: ['rows', 'c'],
  adamUpdate: ['n'],
  softmaxGradAdd: ['rows', 'c'],
  lstmForward: ['b', 'h'],
  lstmStepPacked: ['b', 'h'],
  lstmBackward: ['b', 'h'],
  gruForward: ['b', 'h'],
  gruBackward: ['b', 'h'],
  tanh: ['n'],
  sigmoid: ['n'],
};

/**
 * Splits [0, total) into at most `parts` ranges whose inner boundaries are multiples of `align`.
 * Returns the boundaries (length = ranges + 1).
 */
function split(total: number, parts: number, align: number): number[] {
  const units = Math.ceil(total / align);
  const p = Math.max(1, Math.min(parts, units));
  const bounds = [0];
  for (let i = 1; i < p; i++) bounds.push(Math.min(total, Math.round((units * i) / p) * align));
  bounds.push(total);
  return bounds;
}

/**
 * Compiles the module, creates the memory and (for threads > 1) the worker pool. Throws an OptionError
 * when the engine lacks WebAssembly SIMD, or when threads > 1 cannot be had (no shared memory or no
 * worker_threads).
 */
export async function createWasmKernels(options: WasmKernelOptions = {}): Promise<WasmKernels> {
  const o = { ...defaults, ...options };
  if (!Number.isInteger(o.threads) || o.threads < 1) {
    throw new OptionError('wasm kernels threads', 'an integer >= 1', `${o.threads}`);
  }
  const compiled = await compileKernelModule({
    relaxedSimd: o.relaxedSimd,
    shared: o.sharedMemory || o.threads > 1,
  });
  if (!compiled) throw new OptionError('wasm backend', 'an engine with WebAssembly SIMD', 'no SIMD support');
  if (o.threads > 1 && !compiled.shared) {
    throw new OptionError(
      'wasm kernels threads',
      '1 (this engine has no shared WebAssembly memory)',
      `${o.threads}`,
    );
  }
  const heap = new WasmHeap({
    shared: compiled.shared,
    tensorBudgetBytes: o.tensorBudgetMiB * 2 ** 20,
    initialBytes: 16 * 2 ** 20,
  });
  const instance = await WebAssembly.instantiate(compiled.module, { env: { memory: heap.memory } });
  const x = instance.exports as unknown as KernelExports;
  const packBytes = x.gemm_scratch_bytes();
  /** Per-thread packing scratch: [0] is the caller's, [w + 1] worker w's. */
  const packs = Array.from({ length: o.threads }, () => heap.alloc(packBytes));
  let pool: WorkerPool | null = null;
  if (o.threads > 1) {
    try {
      pool = await createWorkerPool(compiled, heap.memory, {
        workers: o.threads - 1,
        spinMicros: o.spinMicros,
      });
    } catch (e) {
      throw new OptionError(
        'wasm kernels threads',
        '1 (worker_threads unavailable here)',
        `${o.threads}: ${e}`,
      );
    }
  }
  let threads = o.threads;

  // Argument staging. Calls never nest, so one list serves every call.
  const staged: Staged[] = [];
  let stagedCount = 0;
  const stage = (arr: Float32Array, n: number, copyIn: boolean, writeBack: boolean): number => {
    if (heap.owns(arr)) return arr.byteOffset;
    const ptr = heap.alloc(n * 4);
    if (copyIn) heap.view().set(n === arr.length ? arr : arr.subarray(0, n), ptr >>> 2);
    let s = staged[stagedCount];
    if (!s) {
      s = { arr, ptr, n, writeBack };
      staged.push(s);
    } else {
      s.arr = arr;
      s.ptr = ptr;
      s.n = n;
      s.writeBack = writeBack;
    }
    stagedCount++;
    return ptr;
  };
  const inp = (arr: Float32Array, n: number): number => stage(arr, n, true, false);
  const out = (arr: Float32Array, n: number): number => stage(arr, n, false, true);
  const inout = (arr: Float32Array, n: number): number => stage(arr, n, true, true);
  const unstage = (): void => {
    if (stagedCount === 0) return;
    const mem = heap.view();
    for (let i = 0; i < stagedCount; i++) {
      const s = staged[i]!;
      if (s.writeBack) s.arr.set(mem.subarray(s.ptr >>> 2, (s.ptr >>> 2) + s.n));
      heap.free(s.ptr, s.n * 4);
      s.arr = mem; // drop the reference to the caller's array
    }
    stagedCount = 0;
  };
  const call = (body: () => void): void => {
    try {
      body();
    } finally {
      unstage();
    }
  };

  /** Runs parts[0] on this thread and parts[p] on worker p − 1, and waits for all of them. */
  const runParts = (op: WorkerOp, parts: readonly (readonly number[])[]): void => {
    for (let p = 1; p < parts.length; p++) pool!.start(p - 1, op, parts[p]!);
    try {
      (x[op] as (...args: number[]) => void)(...parts[0]!);
    } finally {
      if (parts.length > 1) pool!.wait();
    }
  };

  /**
   * Runs an elementwise export over `rows` independent rows, split across threads when there are at
   * least parallelMinValues values: args are (rows, ...lead, ...pointers), pointer i advancing
   * strides[i] floats per row. Elementwise, so the split cannot change any result.
   */
  const byRows = (
    op: WorkerOp,
    rows: number,
    values: number,
    lead: number[],
    ptrs: number[],
    strides: number[],
  ): void => {
    const ways = pool && values >= o.parallelMinValues ? threads : 1;
    const bounds = split(rows, ways, op === 'tanh_f32' || op === 'sigmoid_f32' ? 4 : 1);
    const parts: number[][] = [];
    for (let p = 0; p + 1 < bounds.length; p++) {
      const r0 = bounds[p]!;
      parts.push([bounds[p + 1]! - r0, ...lead, ...ptrs.map((ptr, i) => ptr + r0 * strides[i]! * 4)]);
    }
    runParts(op, parts);
  };

  const gemm = (
    form: GemmForm,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void => {
    checkDims('gemm', m, n, k);
    need(`gemm ${form} A`, a, m * k);
    need(`gemm ${form} B`, b, k * n);
    need(`gemm ${form} C`, c, m * n);
    if (m === 0 || n === 0) return;
    call(() => {
      const pa = inp(a, m * k);
      const pb = inp(b, k * n);
      const pc = accumulate ? inout(c, m * n) : out(c, m * n);
      const acc = accumulate ? 1 : 0;
      const rowSplit = m > n;
      // A product with fewer than 4 rows (generation, one token per row) streams the whole weight matrix
      // for a few multiply-adds per element: memory-bound, done in about the time a hand-off takes.
      const ways = pool && m >= 4 && m * n * k >= o.parallelMinMacs ? threads : 1;
      const bounds = split(rowSplit ? m : n, ways, rowSplit ? 4 : 8);
      const parts: number[][] = [];
      for (let p = 0; p + 1 < bounds.length; p++) {
        const [lo, hi] = [bounds[p]!, bounds[p + 1]!];
        const [i0, i1, j0, j1] = rowSplit ? [lo, hi, 0, n] : [0, m, lo, hi];
        if (form === 'nt') parts.push([pa, pb, pc, n, k, acc, i0, i1, j0, j1]);
        else {
          const [ars, aks] = form === 'nn' ? [4 * k, 4] : [4, 4 * m];
          parts.push([pa, ars, aks, pb, n, pc, n, k, acc, i0, i1, j0, j1, packs[p]!]);
        }
      }
      runParts(form === 'nt' ? 'gemm_nt' : 'gemm_nn_tn', parts);
    });
  };

  const packedSize = (k: number, n: number): number => k * (Math.ceil(n / 8) * 8);

  const packB = (trans: boolean, k: number, n: number, b: Float32Array, outArr: Float32Array): void => {
    checkDims('packB', k, n);
    need('packB B', b, k * n);
    need('packB out', outArr, packedSize(k, n));
    if (k === 0 || n === 0) return;
    call(() => x.pack_b(inp(b, k * n), trans ? k : n, trans ? 1 : 0, k, n, out(outArr, packedSize(k, n))));
  };

  const gemmPacked = (
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    packed: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void => {
    checkDims('gemmPacked', m, n, k);
    need('gemmPacked A', a, m * k);
    need('gemmPacked packed B', packed, packedSize(k, n));
    need('gemmPacked C', c, m * n);
    if (m === 0 || n === 0) return;
    call(() => {
      const pa = inp(a, m * k);
      const pb = inp(packed, packedSize(k, n));
      const pc = accumulate ? inout(c, m * n) : out(c, m * n);
      const acc = accumulate ? 1 : 0;
      const npad = Math.ceil(n / 8) * 8;
      const rowSplit = m > n;
      const ways = pool && m >= 4 && m * n * k >= o.parallelMinMacs ? threads : 1;
      if (ways === 1) {
        // One part (every generation-sized product): no bounds, no argument lists, no spread call.
        x.gemm_packed(pa, 4 * k, 4, pb, npad, pc, n, k, acc, 0, m, 0, n, packs[0]!);
        return;
      }
      const bounds = split(rowSplit ? m : n, ways, rowSplit ? 4 : 8);
      const parts: number[][] = [];
      for (let p = 0; p + 1 < bounds.length; p++) {
        const [lo, hi] = [bounds[p]!, bounds[p + 1]!];
        const [i0, i1, j0, j1] = rowSplit ? [lo, hi, 0, n] : [0, m, lo, hi];
        parts.push([pa, 4 * k, 4, pb, npad, pc, n, k, acc, i0, i1, j0, j1, packs[p]!]);
      }
      runParts('gemm_packed', parts);
    });
  };

  const simdPeakGflops = (seconds = 0.2): number => {
    const iters = 100_000; // 9.6 MFLOP, a few milliseconds: short enough to catch the core at its best
    x.simd_peak(iters, 1e-7);
    let best = 0;
    const end = performance.now() + seconds * 1000;
    do {
      const t0 = performance.now();
      x.simd_peak(iters, 1e-7);
      const dt = (performance.now() - t0) / 1000;
      if (dt > 0) best = Math.max(best, (96 * iters) / dt / 1e9);
    } while (performance.now() < end);
    return best;
  };

  const self: WasmKernels = {
    name: pool ? 'wasm-threads' : 'wasm',
    simdPeakGflops,
    get threads() {
      return threads;
    },
    relaxedSimd: compiled.relaxedSimd,
    sharedMemory: compiled.shared,
    allocator: compiled.shared ? heap.allocTensor : null,
    owns: (arr) => heap.owns(arr),
    memoryStats: () => heap.stats(),
    dispose() {
      pool?.dispose();
      pool = null;
      threads = 1;
    },
    gemm,
    packedSize,
    packB,
    gemmPacked,
    addBias(rows, cols, y, bias) {
      checkDims('addBias', rows, cols);
      need('addBias y', y, rows * cols);
      need('addBias bias', bias, cols);
      call(() => x.add_bias(rows, cols, inout(y, rows * cols), inp(bias, cols)));
    },
    adamUpdate(n, p, g, m, v, step, bc2, beta1, beta2, eps, l2) {
      checkDims('adamUpdate', n);
      need('adamUpdate p', p, n);
      need('adamUpdate g', g, n);
      need('adamUpdate m', m, n);
      need('adamUpdate v', v, n);
      call(() =>
        x.adam_update(
          n,
          inout(p, n),
          inp(g, n),
          inout(m, n),
          inout(v, n),
          step,
          bc2,
          beta1,
          1 - beta1,
          beta2,
          1 - beta2,
          eps,
          l2,
        ),
      );
    },
    softmaxStats(rows, c, xs, mx, se, sx) {
      checkDims('softmaxStats', rows, c);
      need('softmaxStats x', xs, rows * c);
      need('softmaxStats max', mx, rows);
      need('softmaxStats sumExp', se, rows);
      need('softmaxStats sumX', sx, rows);
      call(() => x.softmax_stats(rows, c, inp(xs, rows * c), out(mx, rows), out(se, rows), out(sx, rows)));
    },
    softmaxGradAdd(rows, c, xs, lse, scale, base, g) {
      checkDims('softmaxGradAdd', rows, c);
      need('softmaxGradAdd x', xs, rows * c);
      need('softmaxGradAdd lse', lse, rows);
      need('softmaxGradAdd scale', scale, rows);
      need('softmaxGradAdd g', g, rows * c);
      call(() =>
        x.softmax_grad_add(
          rows,
          c,
          inp(xs, rows * c),
          inp(lse, rows),
          inp(scale, rows),
          base,
          inout(g, rows * c),
        ),
      );
    },
    sumRows(rows, cols, xs, outArr) {
      checkDims('sumRows', rows, cols);
      need('sumRows x', xs, rows * cols);
      need('sumRows out', outArr, cols);
      call(() => x.sum_rows(rows, cols, inp(xs, rows * cols), inout(outArr, cols)));
    },
    lstmForward(b, h, gates, cPrev, c, tanhC, hOut) {
      checkDims('lstmForward', b, h);
      const n = b * h;
      need('lstmForward gates', gates, 4 * n);
      need('lstmForward cPrev', cPrev, n);
      need('lstmForward c', c, n);
      need('lstmForward tanhC', tanhC, n);
      need('lstmForward h', hOut, n);
      call(() =>
        byRows(
          'lstm_forward',
          b,
          n,
          [h],
          [inout(gates, 4 * n), inp(cPrev, n), out(c, n), out(tanhC, n), out(hOut, n)],
          [4 * h, h, h, h, h],
        ),
      );
    },
    lstmStepPacked(b, h, hPrev, packed, gates, cPrev, c, tanhC, hOut) {
      checkDims('lstmStepPacked', b, h);
      const n = b * h;
      need('lstmStepPacked hPrev', hPrev, n);
      need('lstmStepPacked packed', packed, packedSize(h, 4 * h));
      need('lstmStepPacked gates', gates, 4 * n);
      need('lstmStepPacked cPrev', cPrev, n);
      need('lstmStepPacked c', c, n);
      need('lstmStepPacked tanhC', tanhC, n);
      need('lstmStepPacked h', hOut, n);
      if (n === 0) return;
      if (h % 8 !== 0) {
        // Unit ranges must start on a packed panel (8 columns): otherwise the plain two-call step.
        gemmPacked(b, 4 * h, h, hPrev, packed, gates, true);
        self.lstmForward(b, h, gates, cPrev, c, tanhC, hOut);
        return;
      }
      call(() => {
        const ph = inp(hPrev, n);
        const pp = inp(packed, packedSize(h, 4 * h));
        const pg = inout(gates, 4 * n);
        const pcp = inp(cPrev, n);
        const pc = out(c, n);
        const pt = out(tanhC, n);
        const po = out(hOut, n);
        // Split by hidden units, in multiples of 8 (a panel), when the step is big enough to share.
        const ways = pool && 4 * n * h >= o.parallelMinMacs ? threads : 1;
        if (ways === 1) {
          x.lstm_step(ph, pp, h, pg, b, 0, h, pcp, pc, pt, po, packs[0]!);
          return;
        }
        const bounds = split(h, ways, 8);
        const parts: number[][] = [];
        for (let p = 0; p + 1 < bounds.length; p++) {
          parts.push([ph, pp, h, pg, b, bounds[p]!, bounds[p + 1]!, pcp, pc, pt, po, packs[p]!]);
        }
        runParts('lstm_step', parts);
      });
    },
    lstmBackward(b, h, gates, cPrev, tanhC, dh, dc, dGates) {
      checkDims('lstmBackward', b, h);
      const n = b * h;
      need('lstmBackward gates', gates, 4 * n);
      need('lstmBackward cPrev', cPrev, n);
      need('lstmBackward tanhC', tanhC, n);
      need('lstmBackward dh', dh, n);
      need('lstmBackward dc', dc, n);
      need('lstmBackward dGates', dGates, 4 * n);
      call(() =>
        byRows(
          'lstm_backward',
          b,
          n,
          [h],
          [inp(gates, 4 * n), inp(cPrev, n), inp(tanhC, n), inp(dh, n), inout(dc, n), out(dGates, 4 * n)],
          [4 * h, h, h, h, h, 4 * h],
        ),
      );
    },
    gruForward(b, h, xg, hg, hPrev, hOut, saved) {
      checkDims('gruForward', b, h);
      const n = b * h;
      need('gruForward xg', xg, 3 * n);
      need('gruForward hg', hg, 3 * n);
      need('gruForward hPrev', hPrev, n);
      need('gruForward h', hOut, n);
      need('gruForward saved', saved, 4 * n);
      call(() =>
        byRows(
          'gru_forward',
          b,
          n,
          [h],
          [inp(xg, 3 * n), inp(hg, 3 * n), inp(hPrev, n), out(hOut, n), out(saved, 4 * n)],
          [3 * h, 3 * h, h, h, 4 * h],
        ),
      );
    },
    gruBackward(b, h, saved, hPrev, dh, dxg, dhg, dhPrev) {
      checkDims('gruBackward', b, h);
      const n = b * h;
      need('gruBackward saved', saved, 4 * n);
      need('gruBackward hPrev', hPrev, n);
      need('gruBackward dh', dh, n);
      need('gruBackward dxg', dxg, 3 * n);
      need('gruBackward dhg', dhg, 3 * n);
      need('gruBackward dhPrev', dhPrev, n);
      call(() =>
        byRows(
          'gru_backward',
          b,
          n,
          [h],
          [inp(saved, 4 * n), inp(hPrev, n), inp(dh, n), out(dxg, 3 * n), out(dhg, 3 * n), out(dhPrev, n)],
          [4 * h, h, h, 3 * h, 3 * h, h],
        ),
      );
    },
    tanh(n, xs, y) {
      checkDims('tanh', n);
      need('tanh x', xs, n);
      need('tanh y', y, n);
      call(() => byRows('tanh_f32', n, n, [], [inp(xs, n), out(y, n)], [1, 1]));
    },
    sigmoid(n, xs, y) {
      checkDims('sigmoid', n);
      need('sigmoid x', xs, n);
      need('sigmoid y', y, n);
      call(() => byRows('sigmoid_f32', n, n, [], [inp(xs, n), out(y, n)], [1, 1]));
    },
  };
  return self;
}
