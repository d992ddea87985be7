/**
 * The contenders the bench knows and how each is started. Every contender is its own process, so
 * libraries never share a heap or a thread pool and each one's memory is its own.
 */
import { fileURLToPath } from 'node:url';
import type { ContenderSpec } from './contender.ts';

/** Contender ids. `ours-*` are our backends; `torch-N` is PyTorch with OpenBLAS on N threads. */
export type ContenderId =
  | 'ours-js'
  | 'ours-wasm1'
  | 'ours-wasm1-simd128'
  | 'ours-wasm2'
  | 'torch-1'
  | 'torch-2'
  | 'tfjs-wasm'
  | 'tfjs-cpu'
  | 'brain';

/** Options that change how contenders are started. */
export interface ContenderOptions {
  /** Give our wasm backends V8's relaxed-SIMD flag (Node 20 needs `--experimental-wasm-relaxed-simd`). */
  relaxedSimd: boolean;
  /** The Python that has torch. */
  python: string;
}

const child = (name: string) => fileURLToPath(new URL(`./children/${name}`, import.meta.url));
const torchScript = fileURLToPath(new URL('../torch_bench.py', import.meta.url));

/** Node arguments for a TypeScript child: tsx's loader, GC access for memory samples, extra flags. */
function nodeArgs(file: string, flags: string[], args: string[]): string[] {
  return ['--import', import.meta.resolve('tsx'), '--expose-gc', ...flags, file, ...args];
}

/** How to start contender `id`. */
export function contenderSpec(id: ContenderId, o: ContenderOptions): ContenderSpec {
  const node = process.execPath;
  const relaxed = o.relaxedSimd ? ['--experimental-wasm-relaxed-simd'] : [];
  const ours = (label: string, short: string, args: string[], flags = relaxed): ContenderSpec => ({
    id,
    label,
    short,
    family: 'ours',
    command: node,
    args: nodeArgs(child('ours.ts'), flags, args),
  });
  const torch = (threads: 1 | 2): ContenderSpec => ({
    id,
    label: `PyTorch, OpenBLAS ${threads} thread${threads > 1 ? 's' : ''}`,
    short: `torch ${threads}T`,
    family: 'torch',
    command: o.python,
    args: [torchScript, '--threads', '1'],
    // Fair setting (shared/PERFORMANCE.md): BLAS threads = cores, torch's own pool 1 (OMP 2 oversubscribes).
    env: { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: '1', MKL_NUM_THREADS: String(threads) },
  });
  switch (id) {
    case 'ours-js':
      return ours('recurrent js', 'ours js', ['--backend', 'js'], []);
    case 'ours-wasm1':
      return ours('recurrent wasm, 1 thread', 'ours wasm 1T', ['--backend', 'wasm']);
    case 'ours-wasm1-simd128':
      return ours(
        'recurrent wasm, 1 thread, no relaxed SIMD',
        'ours wasm 1T no-FMA',
        // Without V8's flag and with relaxedSimd off: the core would otherwise turn the flag on itself.
        ['--backend', 'wasm', '--relaxed-simd', 'off'],
        [],
      );
    case 'ours-wasm2':
      return ours('recurrent wasm, 2 threads', 'ours wasm 2T', [
        '--backend',
        'wasm-threads',
        '--threads',
        '2',
      ]);
    case 'torch-1':
      return torch(1);
    case 'torch-2':
      return torch(2);
    case 'tfjs-wasm':
    case 'tfjs-cpu':
      return {
        id,
        label: `TensorFlow.js ${id === 'tfjs-wasm' ? 'wasm' : 'cpu'}`,
        short: `TF.js ${id === 'tfjs-wasm' ? 'wasm' : 'cpu'}`,
        family: 'tfjs',
        command: node,
        args: nodeArgs(child('tfjs.ts'), [], ['--backend', id === 'tfjs-wasm' ? 'wasm' : 'cpu']),
      };
    case 'brain':
      return {
        id,
        label: 'brain.js',
        short: 'brain.js',
        family: 'brain',
        command: node,
        args: nodeArgs(child('brain.ts'), [], []),
      };
  }
}
