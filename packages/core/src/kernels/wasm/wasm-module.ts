/**
 * Picks and compiles the variant of the kernels module this engine can run: relaxed SIMD (FMA) where
 * `WebAssembly.validate` accepts it, plain SIMD otherwise; a shared-memory import where shared memory
 * exists (Node; browsers only when cross-origin isolated), an ordinary one otherwise.
 */
import { wasmBinaries } from './kernels-wasm.ts';

/** Which variant was compiled. */
export interface KernelModule {
  readonly module: WebAssembly.Module;
  /** The module uses relaxed-SIMD fused multiply-add. */
  readonly relaxedSimd: boolean;
  /** The module imports a shared memory (so threads and in-place tensors are possible). */
  readonly shared: boolean;
}

/** The exports of an instance (pointers are byte addresses; booleans are 0/1). */
export interface KernelExports {
  gemm_scratch_bytes(): number;
  gemm_nn_tn(
    a: number,
    ars: number,
    aks: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    k: number,
    acc: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    pack: number,
  ): void;
  gemm_nt(
    a: number,
    b: number,
    c: number,
    ldc: number,
    k: number,
    acc: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
  ): void;
  gemm_packed(
    a: number,
    ars: number,
    aks: number,
    bp: number,
    npad: number,
    c: number,
    ldc: number,
    k: number,
    acc: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    pack: number,
  ): void;
  pack_b(b: number, ldb: number, trans: number, k: number, n: number, dst: number): void;
  packed_size(k: number, n: number): number;
  lstm_forward(
    b: number,
    h: number,
    gates: number,
    cPrev: number,
    c: number,
    tanhC: number,
    hOut: number,
  ): void;
  lstm_step(
    hp: number,
    bp: number,
    h: number,
    gates: number,
    m: number,
    u0: number,
    u1: number,
    cPrev: number,
    c: number,
    tanhC: number,
    hOut: number,
    pack: number,
  ): void;
  lstm_backward(
    b: number,
    h: number,
    gates: number,
    cPrev: number,
    tanhC: number,
    dh: number,
    dc: number,
    dGates: number,
  ): void;
  gru_forward(b: number, h: number, xg: number, hg: number, hPrev: number, hOut: number, saved: number): void;
  gru_backward(
    b: number,
    h: number,
    saved: number,
    hPrev: number,
    dh: number,
    dxg: number,
    dhg: number,
    dhPrev: number,
  ): void;
  add_bias(rows: number, cols: number, y: number, bias: number): void;
  sum_rows(rows: number, cols: number, x: number, out: number): void;
  adam_update(
    n: number,
    p: number,
    g: number,
    m: number,
    v: number,
    step: number,
    bc2: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    eps: number,
    l2: number,
  ): void;
  softmax_stats(rows: number, c: number, x: number, mx: number, se: number, sx: number): void;
  softmax_grad_add(rows: number, c: number, x: number, lse: number, f: number, base: number, g: number): void;
  tanh_f32(n: number, x: number, y: number): void;
  simd_peak(iters: number, seed: number): number;
  sigmoid_f32(n: number, x: number, y: number): void;
}

const decoded = new Map<keyof typeof wasmBinaries, Uint8Array<ArrayBuffer>>();

function bytesOf(variant: keyof typeof wasmBinaries): Uint8Array<ArrayBuffer> {
  let b = decoded.get(variant);
  if (!b) {
    const s = atob(wasmBinaries[variant]);
    b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    decoded.set(variant, b);
  }
  return b;
}

function validates(variant: keyof typeof wasmBinaries): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytesOf(variant));
  } catch {
    return false;
  }
}

/** Whether this engine can create a shared WebAssembly.Memory (Node; isolated browser pages). */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof WebAssembly !== 'object') return false;
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Whether the plain-SIMD module validates here (the minimum the wasm backend needs). */
export function wasmSimdSupported(): boolean {
  return validates('simd');
}

/** Whether relaxed SIMD validates here (Node 20 needs `--experimental-wasm-relaxed-simd`; Node 22+ has it). */
export function relaxedSimdSupported(): boolean {
  return validates('relaxed');
}

let flagTried = false;

/**
 * Node 20 ships relaxed SIMD (standardised; on by default from V8 11.4 / Node 22) behind
 * `--experimental-wasm-relaxed-simd`. Turning the flag on from inside the process, before the first
 * compile, gives every Node 20 user the FMA kernels (~20% faster GEMM) without a command-line flag. In a
 * browser, or when the flag is refused, nothing happens and validation decides as before.
 */
async function enableRelaxedSimdFlag(): Promise<void> {
  if (flagTried) return;
  flagTried = true;
  if (typeof process === 'undefined' || !process.versions?.node || validates('relaxed')) return;
  try {
    const v8: typeof import('node:v8') = await import(/* @vite-ignore */ `node:${'v8'}`);
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // not Node, or the flag is gone: plain SIMD it is
  }
}

/**
 * Compiles the best variant allowed by `want` (relaxed SIMD only if asked and supported; shared only if
 * asked and supported). Returns null when the engine lacks WebAssembly SIMD.
 */
export async function compileKernelModule(want: {
  relaxedSimd: boolean;
  shared: boolean;
}): Promise<KernelModule | null> {
  const shared = want.shared && sharedMemorySupported();
  if (want.relaxedSimd) await enableRelaxedSimdFlag();
  const relaxedSimd = want.relaxedSimd && validates(shared ? 'relaxedShared' : 'relaxed');
  const variant = relaxedSimd ? (shared ? 'relaxedShared' : 'relaxed') : shared ? 'simdShared' : 'simd';
  if (!validates(variant)) return null;
  const module = await WebAssembly.compile(bytesOf(variant));
  return { module, relaxedSimd, shared };
}
