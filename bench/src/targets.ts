/**
 * The performance targets, checked against one run's results.
 */
import type { BenchResults, Ratio, TargetCheck } from './results.ts';

function ratio(list: readonly Ratio[] | undefined, a: string | null, b: string): number | null {
  const r = list?.find((x) => x.a === a && x.b === b);
  return r && Number.isFinite(r.median) ? r.median : null;
}

function finite(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

function withCpu(t: TargetCheck, perCpuSecond: number | null): TargetCheck {
  return perCpuSecond === null ? t : { ...t, perCpuSecond };
}

function check(target: string, value: number | null, threshold: number, atMost = false): TargetCheck {
  return {
    target,
    value,
    threshold,
    direction: atMost ? 'atMost' : 'atLeast',
    met: value === null ? null : atMost ? value <= threshold : value >= threshold,
  };
}

/** Targets: LSTM train ≥ 0.7× and inference ≥ 0.6× PyTorch's best 2-core setting, ≥ 40× TF.js wasm; GEMM
 * ≥ 40 GFLOP/s on one core and ≥ 1.7× that on two; sampling ≤ 50 µs per character. */
export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const out: TargetCheck[] = [];
  const lstm = r.lstm;
  if (lstm) {
    out.push(
      check(
        'LSTM train, ours 2 threads / PyTorch 2-core',
        ratio(lstm.ratios.train, 'ours-wasm2', 'torch-2'),
        0.7,
      ),
    );
    out.push(
      check(
        `LSTM inference, ours best (${lstm.best}) / PyTorch 2-core`,
        ratio(lstm.ratios.infer, lstm.best, 'torch-2'),
        0.6,
      ),
    );
    out.push(
      check(
        `LSTM train, ours best (${lstm.best}) / TF.js wasm`,
        ratio(lstm.ratios.train, lstm.best, 'tfjs-wasm'),
        40,
      ),
    );
  }
  const rows = r.gemm?.rows ?? [];
  const big =
    rows.find((x) => x.name === '1024³') ?? rows.find((x) => x.form === 'nn' && x.m === x.n && x.n === x.k);
  if (big) {
    const one = finite(big.gflops['ours-wasm1']?.median);
    const perCpu = finite(big.gflopsPerCpuSecond?.['ours-wasm1']?.median);
    const ceiling = finite(big.ceiling?.['ours-wasm1']?.gflops.median);
    const ofCeiling = ceiling === null ? '' : ` (this core's wasm FMA ceiling: ${ceiling.toFixed(1)})`;
    out.push(withCpu(check(`GEMM ${big.name} GFLOP/s, ours 1 thread${ofCeiling}`, one, 40), perCpu));
    out.push(
      check(
        `GEMM ${big.name}, ours 2 threads / 1 thread`,
        ratio(big.ratios, 'ours-wasm2', 'ours-wasm1'),
        1.7,
      ),
    );
  }
  if (r.sample) {
    const s = r.sample;
    const ours = ['ours-wasm1', 'ours-wasm2'].filter((id) => finite(s.usPerChar[id]?.median) !== null);
    const best = ours.length
      ? ours.reduce((a, b) => (s.usPerChar[a]!.median <= s.usPerChar[b]!.median ? a : b))
      : null;
    out.push(
      withCpu(
        check(`sampling µs/char, ours best (${best})`, best ? s.usPerChar[best]!.median : null, 50, true),
        best ? finite(s.cpuUsPerChar?.[best]?.median) : null,
      ),
    );
  }
  return out;
}
