/**
 * GEMM GFLOP/s of each backend and peer, shape by shape, in interleaved rounds.
 */
import type { ContenderId } from '../contenders.ts';
import type { Plan } from '../plan.ts';
import type { GemmReply, SimdPeakReply } from '../protocol.ts';
import type { GemmResult, GemmRow, Ratio } from '../results.ts';
import { log, type Session } from '../session.ts';
import { measured, roundRatios, setRound } from '../stats.ts';

/** Contenders of the GEMM section (brain.js has no GEMM). */
export function gemmContenders(plan: Plan): ContenderId[] {
  return [
    'ours-wasm2',
    'ours-wasm1',
    'ours-wasm1-simd128',
    'ours-js',
    'torch-2',
    'torch-1',
    'tfjs-wasm',
    ...(plan.tfjsCpu ? (['tfjs-cpu'] as const) : []),
  ];
}

/** Pairs whose per-round ratios the table shows. */
const pairs: [string, string][] = [
  ['ours-wasm2', 'ours-wasm1'],
  ['ours-wasm1', 'torch-1'],
  ['ours-wasm2', 'torch-2'],
  ['ours-wasm1', 'tfjs-wasm'],
  ['ours-wasm1', 'ours-wasm1-simd128'],
];

/** Same-round ratios `values[a] / values[b]` for each wanted pair both sides have. */
export function ratiosOf(values: Record<string, (number | undefined)[]>, want: [string, string][]): Ratio[] {
  const out: Ratio[] = [];
  for (const [a, b] of want) {
    const va = values[a];
    const vb = values[b];
    if (!va || !vb) continue;
    const r = roundRatios(va, vb);
    if (r.ratios.length > 0) out.push({ a, b, median: r.median, ratios: r.ratios });
  }
  return out;
}

/** Our one-thread wasm contenders, whose SIMD multiply-add ceiling is measured beside each product. */
const CEILING_IDS = new Set(['ours-wasm1', 'ours-wasm1-simd128']);

/** Measures every shape of the plan on every available contender, in interleaved rounds. */
export async function runGemm(session: Session, plan: Plan): Promise<GemmResult> {
  const rows: GemmRow[] = [];
  for (const shape of plan.gemmShapes) {
    const flops = 2 * shape.m * shape.n * shape.k;
    // TF.js's cpu backend needs seconds per 1024³ call; it adds nothing there.
    const ids = session.available().filter((id) => !(id === 'tfjs-cpu' && flops > 2 * 512 ** 3));
    log(`gemm ${shape.name} [${shape.form} m=${shape.m} n=${shape.n} k=${shape.k}]`);
    const cpu: Record<string, (number | undefined)[]> = {};
    const peak: Record<string, (number | undefined)[]> = {};
    const share: Record<string, (number | undefined)[]> = {};
    const values = await session.rounds(
      ids,
      plan.gemmRounds,
      async (id, round) => {
        const r = await session.request<GemmReply>(id, {
          op: 'gemm',
          ...shape,
          minSeconds: plan.gemmSeconds,
        });
        if (r.cpuSeconds) setRound(cpu, id, round, (flops * r.calls) / r.cpuSeconds / 1e9);
        const rate = (flops * r.calls) / r.seconds / 1e9;
        if (CEILING_IDS.has(id)) {
          // The ceiling right after the product, so both see the same phase of a host whose clock wanders.
          const p = await session.request<SimdPeakReply>(id, { op: 'simdPeak', seconds: 0.05 });
          setRound(peak, id, round, p.gflops);
          setRound(share, id, round, rate / p.gflops);
        }
        return rate;
      },
      // The plain-JS GEMMs are 50-100x off the pace and take seconds per call: fewer rounds.
      { maxRounds: { 'ours-js': 2, 'tfjs-cpu': 1 } },
    );
    const gflops = Object.fromEntries(Object.entries(values).map(([id, v]) => [id, measured(v)]));
    const gflopsPerCpuSecond = Object.fromEntries(Object.entries(cpu).map(([id, v]) => [id, measured(v)]));
    log(
      `  ${Object.entries(gflops)
        .map(([id, m]) => `${id} ${m.median.toFixed(1)}`)
        .join(', ')}`,
    );
    const ceiling = Object.fromEntries(
      Object.keys(peak).map((id) => [id, { gflops: measured(peak[id]!), share: measured(share[id]!) }]),
    );
    rows.push({ ...shape, gflops, gflopsPerCpuSecond, ratios: ratiosOf(values, pairs), ceiling });
  }
  return { rows };
}
