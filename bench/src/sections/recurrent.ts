/**
 * LSTM / GRU training and inference tokens/s. Two groups of interleaved rounds keep the important ratio
 * tight: the fast group (our wasm backends and PyTorch on 1 and 2 threads, rounds of a few seconds)
 * gives the ours/PyTorch ratios; the slow group (our wasm backends again, our plain-JS backend,
 * TensorFlow.js, brain.js) gives the ratios against the JS peers. Our training memory is sampled after a
 * full GC at the end of every fast round to see whether it grows with steps.
 */
import type { ContenderId } from '../contenders.ts';
import type { Plan } from '../plan.ts';
import type { CellKind, MemorySnapshot, RunReply } from '../protocol.ts';
import type { MemoryResult, RecurrentContender, RecurrentResult } from '../results.ts';
import { log, type Session } from '../session.ts';
import { measured, median, memoryGrowth, setRound, stepsFor } from '../stats.ts';
import { ratiosOf } from './gemm.ts';

const FAST: ContenderId[] = ['ours-wasm2', 'ours-wasm1', 'torch-2', 'torch-1'];
// TF.js's cpu backend is left out: one LSTM inference batch took 23 s on the loaded host, a training step
// had not finished after 3.4 CPU-minutes, a GRU inference warm-up after 2.3; it is in the GEMM table.
const SLOW: ContenderId[] = ['ours-wasm2', 'ours-wasm1', 'ours-js', 'tfjs-wasm', 'brain'];
const OURS_FAST = ['ours-wasm2', 'ours-wasm1'];

/** Contenders of a recurrent section. */
export function recurrentContenders(): ContenderId[] {
  return [...new Set([...FAST, ...SLOW])];
}

type Task = 'train' | 'infer';

/** Sets up `task` on every contender and measures one step (after a warm-up) to size the rounds. */
async function prepare(session: Session, ids: string[], cell: CellKind, task: Task, plan: Plan) {
  const steps: Record<string, number> = {};
  for (const id of ids) {
    try {
      await session.request(id, { op: 'setup', task, cell, config: plan.recurrent });
      const first = await session.request<RunReply>(id, { op: 'run', task, cell, steps: 1 });
      let est = first.seconds[0]!;
      if (est < 0.5)
        est = median((await session.request<RunReply>(id, { op: 'run', task, cell, steps: 2 })).seconds);
      steps[id] = stepsFor(est, plan.roundSeconds, plan.maxStepsPerRound);
    } catch (e) {
      log(`  ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return steps;
}

/**
 * Measures `cell` on the session's contenders. `slowGroup: false` skips the JS-peer rounds (used by
 * `lstm --json`, which needs only our own backends).
 */
export async function runRecurrent(
  session: Session,
  plan: Plan,
  cell: CellKind,
  options: { slowGroup?: boolean } = {},
): Promise<RecurrentResult> {
  const fast = session.available(FAST);
  const slow = options.slowGroup === false ? [] : session.available(SLOW);
  const contenders: Record<string, RecurrentContender> = {};
  const memory: Record<string, MemoryResult> = {};
  type PerRound = Record<string, (number | undefined)[]>;
  // Per task and group: wall-clock and per-CPU-second rates, per contender per round.
  const fastValues: Record<Task, PerRound> = { train: {}, infer: {} };
  const slowValues: Record<Task, PerRound> = { train: {}, infer: {} };
  const fastCpu: Record<Task, PerRound> = { train: {}, infer: {} };
  const slowCpu: Record<Task, PerRound> = { train: {}, infer: {} };

  for (const task of ['train', 'infer'] as const) {
    const ids = [...new Set([...fast, ...slow])];
    log(`${cell} ${task}: warming up ${ids.join(', ')}`);
    const steps = await prepare(session, ids, cell, task, plan);
    const tokens: Record<string, number> = {};
    const peaks: Record<string, MemorySnapshot> = {};
    let cpu = fastCpu[task];
    const measure = async (id: string, round: number) => {
      const r = await session.request<RunReply>(id, { op: 'run', task, cell, steps: steps[id] ?? 1 });
      tokens[id] = r.tokens;
      peaks[id] = r.peak;
      if (r.cpuSeconds?.length) setRound(cpu, id, round, r.tokens / median(r.cpuSeconds));
      return r.tokens / median(r.seconds);
    };

    // Memory of our training step: post-GC samples after warm-up and after every fast round.
    const samples: Record<string, MemorySnapshot[]> = {};
    const stepsDone: Record<string, number> = {};
    const sampleMemory = async () => {
      if (task !== 'train') return;
      for (const id of fast.filter((i) => OURS_FAST.includes(i) && steps[i] !== undefined)) {
        const m = await session.request<MemorySnapshot>(id, { op: 'memory', gc: true });
        samples[id] = [...(samples[id] ?? []), m];
      }
    };
    await sampleMemory();

    const fastIds = fast.filter((id) => steps[id] !== undefined);
    log(`${cell} ${task}: ${plan.fastRounds} rounds of ${fastIds.join(', ')}`);
    fastValues[task] = await session.rounds(fastIds, plan.fastRounds, measure, {
      afterRound: async () => {
        for (const id of fastIds) stepsDone[id] = (stepsDone[id] ?? 0) + (steps[id] ?? 0);
        await sampleMemory();
      },
    });
    cpu = slowCpu[task];
    const slowIds = slow.filter((id) => steps[id] !== undefined);
    if (slowIds.length) log(`${cell} ${task}: ${plan.slowRounds} rounds of ${slowIds.join(', ')}`);
    slowValues[task] = await session.rounds(slowIds, plan.slowRounds, measure);

    for (const id of ids) {
      const v = fastValues[task][id] ?? slowValues[task][id];
      if (!v || tokens[id] === undefined) continue;
      const c = contenders[id] ?? { tokensPerStep: tokens[id] };
      contenders[id] = c;
      c[task] = measured(v);
      const perCpu = fastCpu[task][id] ?? slowCpu[task][id];
      if (perCpu) c[task === 'train' ? 'trainPerCpuSecond' : 'inferPerCpuSecond'] = measured(perCpu);
      c.peakRss = Math.max(c.peakRss ?? 0, peaks[id]?.rss ?? 0);
      if (id === 'brain') {
        c.extrapolated = `batch size 1: one sequence of ${plan.recurrent.seq} tokens per step; ms per batch = ${plan.recurrent.batch} × the time of one sequence`;
      }
    }
    for (const [id, s] of Object.entries(samples)) {
      const heap = s.map((m) => m.heapUsed ?? 0);
      const rss = s.map((m) => m.rss);
      const wasm = s.map((m) => m.wasmTensors ?? 0);
      memory[id] = {
        peak: peaks[id] ?? s[s.length - 1]!,
        heapSamples: heap,
        rssSamples: rss,
        wasmTensorSamples: wasm,
        steps: stepsDone[id] ?? 0,
        heap: memoryGrowth(heap, 2 ** 20),
        rss: memoryGrowth(rss, 16 * 2 ** 20),
        wasmTensors: memoryGrowth(wasm, 2 ** 20),
      };
    }
    const summary = Object.entries(contenders)
      .filter(([, c]) => c[task])
      .map(([id, c]) => `${id} ${Math.round(c[task]!.median)}`);
    log(`  ${task} tok/s: ${summary.join(', ')}`);
  }

  const oursFast = OURS_FAST.filter((id) => contenders[id]?.train);
  const best = oursFast.length
    ? oursFast.reduce((a, b) => (contenders[a]!.train!.median >= contenders[b]!.train!.median ? a : b))
    : null;
  const fastPairs: [string, string][] = [
    ['ours-wasm2', 'torch-2'],
    ['ours-wasm1', 'torch-1'],
    ['ours-wasm1', 'torch-2'],
    ['ours-wasm2', 'ours-wasm1'],
    ['torch-2', 'torch-1'],
  ];
  const peers = ['tfjs-wasm', 'brain', 'ours-js'];
  const slowPairs: [string, string][] = best ? peers.map((p) => [best, p]) : [];
  const ratios = {
    train: [...ratiosOf(fastValues.train, fastPairs), ...ratiosOf(slowValues.train, slowPairs)],
    infer: [...ratiosOf(fastValues.infer, fastPairs), ...ratiosOf(slowValues.infer, slowPairs)],
  };
  // Single-thread efficiency per CPU-second: steadier than wall clock on a loaded host.
  const cpuFastPairs: [string, string][] = [['ours-wasm1', 'torch-1']];
  const cpuSlowPairs: [string, string][] = peers.map((p) => ['ours-wasm1', p]);
  const cpuRatios = {
    train: [...ratiosOf(fastCpu.train, cpuFastPairs), ...ratiosOf(slowCpu.train, cpuSlowPairs)],
    infer: [...ratiosOf(fastCpu.infer, cpuFastPairs), ...ratiosOf(slowCpu.infer, cpuSlowPairs)],
  };
  return { cell, config: plan.recurrent, contenders, best, ratios, cpuRatios, memory };
}
