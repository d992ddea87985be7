/**
 * Contender process for our own kernels: `--backend js|wasm|wasm-threads --threads N [--relaxed-simd off]`.
 * Runs the GEMM, LSTM/GRU training and inference, and char-LM sampling workloads through the public API
 * of @recurrent/core exactly as a user would (layers on a tape, an optimizer step).
 */
import { parseArgs } from 'node:util';
import {
  Adam,
  allocF32,
  GRU,
  initBackend,
  type Kernels,
  LSTM,
  mse,
  type Optimizer,
  type RecurrentLayer,
  type RecurrentState,
  Rng,
  SGD,
  Tape,
  Tensor,
} from '@recurrent/core';
import { LanguageModel, languageModelStepper } from '@recurrent/language-model';
import { type StepModel, sampleCategorical } from '@recurrent/samplers';
import type {
  CellKind,
  GemmReply,
  MemorySnapshot,
  RecurrentConfig,
  Request,
  RunReply,
  SampleReply,
} from '../protocol.ts';
import { cpuSeconds, fillPattern, maxMemory, nodeMemory, serve, timeRepeated } from './child-server.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string', default: '1' },
    'relaxed-simd': { type: 'string', default: 'on' },
  },
});
const backend = values.backend as 'js' | 'wasm' | 'wasm-threads';
const k: Kernels = await initBackend({
  backend,
  threads: Number(values.threads),
  relaxedSimd: values['relaxed-simd'] !== 'off',
});

/** Wasm counters when the active kernels have them (duck-typed: the wasm backend's `memoryStats`). */
function memory(gc: boolean): MemorySnapshot {
  const m = nodeMemory(gc);
  const stats = (k as { memoryStats?: () => { memoryBytes: number; tensorBytes: number } }).memoryStats?.();
  if (stats) {
    m.wasmMemory = stats.memoryBytes;
    m.wasmTensors = stats.tensorBytes;
  }
  return m;
}

let peak: MemorySnapshot = memory(false);

/** Tensor whose storage comes from the active allocator (wasm memory on the wasm backends). */
function tensorOf(shape: number[], seed: number): Tensor {
  const t = Tensor.zeros(shape);
  fillPattern(t.data, seed);
  return t;
}

interface Workload {
  layer: RecurrentLayer;
  x: Tensor;
  target: Tensor;
  opt: Optimizer | null;
  tokens: number;
}
const workloads = new Map<string, Workload>();

function setup(task: 'train' | 'infer', cell: CellKind, c: RecurrentConfig): void {
  const rng = new Rng(1234);
  const opts = { inputSize: c.input, hiddenSize: c.hidden, rng };
  const layer = cell === 'lstm' ? new LSTM(opts) : new GRU(opts);
  layer.train(task === 'train');
  const params = [...layer.parameters()];
  const opt =
    task === 'train'
      ? c.optimizer === 'adam'
        ? new Adam(params, { lr: 1e-3 })
        : new SGD(params, { lr: 0.01 })
      : null;
  workloads.set(`${task}/${cell}`, {
    layer,
    x: tensorOf([c.batch, c.seq, c.input], 1),
    target: tensorOf([c.batch, c.seq, c.hidden], 2),
    opt,
    tokens: c.batch * c.seq,
  });
}

const noGrad = Tape.noGrad();

function runSteps(task: 'train' | 'infer', cell: CellKind, steps: number): RunReply {
  const w = workloads.get(`${task}/${cell}`);
  if (!w) throw new Error(`run ${task}/${cell} before setup`);
  const seconds: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < steps; s++) {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    if (w.opt) {
      const tape = new Tape();
      const { output } = w.layer.forward(tape, w.x); // [B, T, H]
      const loss = mse(tape, output, w.target); // []
      w.opt.zeroGrad();
      tape.backward(loss);
      w.opt.step();
    } else {
      w.layer.forward(noGrad, w.x);
    }
    seconds.push((performance.now() - t0) / 1000);
    cpu.push(cpuSeconds() - c0);
    peak = maxMemory(peak, memory(false));
  }
  return { seconds, cpuSeconds: cpu, tokens: w.tokens, memory: memory(false), peak };
}

let gemmBuffers: { a: Float32Array; b: Float32Array; c: Float32Array; key: string } | null = null;

async function gemm(req: Extract<Request, { op: 'gemm' }>): Promise<GemmReply> {
  const { form, m, n, k: kk, minSeconds } = req;
  const key = `${form}/${m}/${n}/${kk}`;
  if (gemmBuffers?.key !== key) {
    gemmBuffers = { a: allocF32(m * kk), b: allocF32(kk * n), c: allocF32(m * n), key };
    fillPattern(gemmBuffers.a, 3);
    fillPattern(gemmBuffers.b, 4);
    k.gemm(form, m, n, kk, gemmBuffers.a, gemmBuffers.b, gemmBuffers.c, false); // warm-up
  }
  const { a, b, c } = gemmBuffers;
  return timeRepeated(() => k.gemm(form, m, n, kk, a, b, c, false), minSeconds);
}

let sampler: { step: StepModel<RecurrentState>; rng: Rng; state: RecurrentState; id: number } | null = null;

/** Batch-1 generation as `recurrent generate` runs it: the language model's stepper, one draw a character. */
function sample(chars: number): SampleReply {
  const s = sampler;
  if (!s) throw new Error('sample before sampleSetup');
  const ids = new Int32Array(1);
  const c0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < chars; i++) {
    ids[0] = s.id;
    const r = s.step.step(ids, s.state);
    s.state = r.state;
    s.id = sampleCategorical(r.logits, s.rng);
  }
  return { chars, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds() - c0 };
}

await serve({
  info: () => ({
    available: true,
    version: `recurrent ${k.name}`,
    threads: k.threads,
    notes: `kernels ${k.name}, ${k.threads} thread(s)${(k as { relaxedSimd?: boolean }).relaxedSimd ? ', relaxed-SIMD FMA' : ''}`,
  }),
  gemm,
  setup: (r) => setup(r.task, r.cell, r.config),
  run: (r) => runSteps(r.task, r.cell, r.steps),
  sampleSetup: ({ config: c }) => {
    const rng = new Rng(99);
    const model = new LanguageModel(
      { vocabSize: c.vocab, embeddingDim: c.embed, hiddenSize: c.hidden },
      { rng },
    );
    model.train(false);
    const step = languageModelStepper(model);
    sampler = { step, rng, state: step.initialState(1), id: 0 };
  },
  sample: (r) => sample(r.chars),
  simdPeak: (r) => {
    const probe = (k as { simdPeakGflops?: (s: number) => number }).simdPeakGflops;
    if (!probe) throw new Error(`backend ${k.name} has no SIMD ceiling probe`);
    return { gflops: probe(r.seconds) };
  },
  memory: (r) => memory(r.gc),
});
