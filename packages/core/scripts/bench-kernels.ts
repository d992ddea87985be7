/**
 * Quick GEMM / cell micro-benchmark of the wasm kernels (not the cross-framework benchmark, which lives
 * in bench/). Prints GFLOP/s for square products and the LSTM shapes (batch 32, input 128, hidden 256,
 * 64 steps), for 1 and 2 threads, best of several rounds.
 *
 *   pnpm --filter @recurrent/core exec tsx scripts/bench-kernels.ts [--relaxed] [--quick] [--js]
 *
 * `--relaxed` turns on V8's relaxed-SIMD flag first (Node 20 has it behind a flag); `--js` adds the
 * reference kernels for comparison.
 */
import { setFlagsFromString } from 'node:v8';
import { referenceKernels } from '../src/kernels/reference.ts';
import type { GemmForm, Kernels } from '../src/kernels/types.ts';
import { createWasmKernels, type WasmKernels } from '../src/kernels/wasm/wasm-kernels.ts';
import { Rng } from '../src/rng.ts';

const args = new Set(process.argv.slice(2));
if (args.has('--relaxed')) setFlagsFromString('--experimental-wasm-relaxed-simd');
const quick = args.has('--quick');

const rng = new Rng(1);
function filled(k: WasmKernels, n: number): Float32Array {
  const a = k.allocator ? k.allocator(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(-1, 1);
  return a;
}

/**
 * Best seconds per call over `rounds` rounds of enough calls to take ~`target` s, by wall clock and by
 * process CPU time (the latter is steadier on a busy machine, but counts every thread: for one thread it
 * is the time the kernel really ran; for two it is their sum).
 */
function time(fn: () => void, target: number, rounds: number): { wall: number; cpu: number } {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = (performance.now() - t0) / 1000;
    if (dt > target / 4 || reps > 1e6) {
      reps = Math.max(1, Math.ceil((reps * target) / Math.max(dt, 1e-9)));
      break;
    }
    reps *= 4;
  }
  let wall = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    wall = Math.min(wall, (performance.now() - t0) / 1000 / reps);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6 / reps);
  }
  return { wall, cpu };
}

const shapes: [label: string, form: GemmForm, m: number, n: number, k: number][] = [
  ['256^3', 'nn', 256, 256, 256],
  ['512^3', 'nn', 512, 512, 512],
  ['1024^3', 'nn', 1024, 1024, 1024],
  ['256^3', 'nt', 256, 256, 256],
  ['1024^3', 'nt', 1024, 1024, 1024],
  ['256^3', 'tn', 256, 256, 256],
  ['1024^3', 'tn', 1024, 1024, 1024],
  ['lstm step h·W_hhᵀ', 'nt', 32, 1024, 256],
  ['lstm input x·W_ihᵀ', 'nt', 2048, 1024, 128],
  ['lstm dh = dG·W_hh', 'nn', 32, 256, 1024],
  ['lstm dW_hh = dGᵀ·H', 'tn', 1024, 256, 2048],
  ['lstm dW_ih = dGᵀ·X', 'tn', 1024, 128, 2048],
  ['sampling 1×W_hhᵀ', 'nt', 1, 1024, 256],
];

const target = quick ? 0.05 : 0.2;
const rounds = quick ? 3 : 7;
const backends: [string, Kernels & Partial<WasmKernels>][] = [];
const w1 = await createWasmKernels({ threads: 1 });
const w2 = await createWasmKernels({ threads: 2 });
backends.push(['wasm 1t', w1], ['wasm 2t', w2]);
if (args.has('--js')) backends.push(['js', referenceKernels]);
console.log(`relaxed SIMD: ${w1.relaxedSimd}`);
console.log(
  ['shape', 'form', ...backends.map(([n]) => `${n} wall`), 'wasm 1t cpu-time', '2t/1t wall'].join('\t'),
);
for (const [label, form, m, n, k] of shapes) {
  const row: string[] = [label, form];
  const gf: number[] = [];
  let cpu1 = 0;
  for (const [name, kern] of backends) {
    const mem = kern.allocator ? (kern as WasmKernels) : w1;
    const a = filled(mem, m * k);
    const b = filled(mem, k * n);
    const c = filled(mem, m * n);
    if (kern === referenceKernels && m * n * k > 2 ** 28) {
      row.push('-');
      gf.push(0);
      continue;
    }
    const t = time(() => kern.gemm(form, m, n, k, a, b, c, false), target, rounds);
    const g = (2 * m * n * k) / t.wall / 1e9;
    if (name === 'wasm 1t') cpu1 = (2 * m * n * k) / t.cpu / 1e9;
    gf.push(g);
    row.push(g.toFixed(1));
  }
  row.push(cpu1.toFixed(1), ((gf[1] ?? 0) / (gf[0] ?? 1)).toFixed(2));
  console.log(row.join('\t'));
}

// Fused cell kernels: one LSTM step's gate math, batch 32, hidden 256 (µs per call).
{
  const b = 32;
  const h = 256;
  const cells: [string, Kernels, WasmKernels][] = [
    ['wasm', w1, w1],
    ['js', referenceKernels, w1],
  ];
  for (const [name, kern, mem] of cells) {
    const gates = filled(mem, 4 * b * h);
    const save = gates.slice();
    const cPrev = filled(mem, b * h);
    const c = filled(mem, b * h);
    const tc = filled(mem, b * h);
    const ho = filled(mem, b * h);
    const dh = filled(mem, b * h);
    const dc = filled(mem, b * h);
    const dg = filled(mem, 4 * b * h);
    const f = time(
      () => {
        gates.set(save);
        kern.lstmForward(b, h, gates, cPrev, c, tc, ho);
      },
      target,
      rounds,
    ).cpu;
    const bw = time(() => kern.lstmBackward(b, h, gates, cPrev, tc, dh, dc, dg), target, rounds).cpu;
    console.log(
      `lstm cell ${name}: forward ${(f * 1e6).toFixed(1)} µs, backward ${(bw * 1e6).toFixed(1)} µs`,
    );
  }
}
w1.dispose();
w2.dispose();
