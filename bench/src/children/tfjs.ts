/**
 * TensorFlow.js contender: `--backend wasm|cpu`. Training uses the Layers API as its users do
 * (`tf.layers.lstm`/`gru` with returnSequences, `trainOnBatch` with MSE and SGD/Adam); sampling uses the
 * op-level `tf.basicLSTMCell` (TF.js's fastest per-step path). Its threaded wasm build does not start under
 * Node (worker from a blob: URL), so the wasm backend runs on one thread.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import type * as TF from '@tensorflow/tfjs';
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

const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' } } });
const backendName = values.backend ?? 'wasm';

// tfjs prints a hint about tfjs-node to the console on load; it goes to stdout, which the parent ignores.
const tf = require('@tensorflow/tfjs') as typeof TF;
if (backendName === 'wasm') require('@tensorflow/tfjs-backend-wasm');
if (!(await tf.setBackend(backendName))) throw new Error(`tf.setBackend(${backendName}) failed`);
await tf.ready();

function tensorOf(shape: number[], seed: number): TF.Tensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fillPattern(data, seed);
  return tf.tensor(data, shape);
}

function memory(gc: boolean): MemorySnapshot {
  const m = nodeMemory(gc);
  m.wasmTensors = tf.memory().numBytes;
  return m;
}
let peak = memory(false);

let gemmState: { a: TF.Tensor2D; b: TF.Tensor2D; key: string; ta: boolean; tb: boolean } | null = null;

async function gemm(req: Extract<Request, { op: 'gemm' }>): Promise<GemmReply> {
  const { form, m, n, k, minSeconds } = req;
  const key = `${form}/${m}/${n}/${k}`;
  if (gemmState?.key !== key) {
    gemmState?.a.dispose();
    gemmState?.b.dispose();
    const ta = form === 'tn';
    const tb = form === 'nt';
    gemmState = {
      a: tensorOf(ta ? [k, m] : [m, k], 3) as TF.Tensor2D,
      b: tensorOf(tb ? [n, k] : [k, n], 4) as TF.Tensor2D,
      key,
      ta,
      tb,
    };
    const c = tf.matMul(gemmState.a, gemmState.b, ta, tb);
    c.dataSync();
    c.dispose();
  }
  const g = gemmState;
  return timeRepeated(() => {
    const c = tf.matMul(g.a, g.b, g.ta, g.tb);
    c.dataSync(); // wait for the result, as a consumer must
    c.dispose();
  }, minSeconds);
}

interface Workload {
  model: TF.LayersModel;
  x: TF.Tensor;
  y: TF.Tensor;
  train: boolean;
  tokens: number;
}
const workloads = new Map<string, Workload>();

function setup(task: 'train' | 'infer', cell: CellKind, c: RecurrentConfig): void {
  const layerOpts = { units: c.hidden, returnSequences: true, inputShape: [c.seq, c.input] };
  const model = tf.sequential({
    layers: [cell === 'lstm' ? tf.layers.lstm(layerOpts) : tf.layers.gru(layerOpts)],
  });
  if (task === 'train') {
    const optimizer = c.optimizer === 'adam' ? tf.train.adam(1e-3) : tf.train.sgd(0.01);
    model.compile({ optimizer, loss: 'meanSquaredError' });
  }
  workloads.get(`${task}/${cell}`)?.model.dispose();
  workloads.set(`${task}/${cell}`, {
    model,
    x: tensorOf([c.batch, c.seq, c.input], 1),
    y: tensorOf([c.batch, c.seq, c.hidden], 2),
    train: task === 'train',
    tokens: c.batch * c.seq,
  });
}

async function run(task: 'train' | 'infer', cell: CellKind, steps: number): Promise<RunReply> {
  const w = workloads.get(`${task}/${cell}`);
  if (!w) throw new Error(`run ${task}/${cell} before setup`);
  const seconds: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < steps; s++) {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    if (w.train) {
      await w.model.trainOnBatch(w.x, w.y);
    } else {
      const out = w.model.predict(w.x) as TF.Tensor;
      out.dataSync();
      out.dispose();
    }
    seconds.push((performance.now() - t0) / 1000);
    cpu.push(cpuSeconds() - c0);
    peak = maxMemory(peak, memory(false));
  }
  return { seconds, cpuSeconds: cpu, tokens: w.tokens, memory: memory(false), peak };
}

interface Sampler {
  emb: TF.Tensor2D;
  kernel: TF.Tensor2D;
  bias: TF.Tensor1D;
  forget: TF.Scalar;
  wOut: TF.Tensor2D;
  bOut: TF.Tensor1D;
  h: TF.Tensor2D;
  c: TF.Tensor2D;
  id: number;
  seed: number;
}
let sampler: Sampler | null = null;

function sample(chars: number): SampleReply {
  const s = sampler;
  if (!s) throw new Error('sample before sampleSetup');
  const c0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < chars; i++) {
    const [next, c, h] = tf.tidy(() => {
      const x = tf.gather(s.emb, [s.id]) as TF.Tensor2D; // [1, E]
      const [c2, h2] = tf.basicLSTMCell(s.forget, s.kernel, s.bias, x, s.c, s.h); // [1, H] each
      const logits = tf.add(tf.matMul(h2, s.wOut), s.bOut) as TF.Tensor2D; // [1, V]
      return [tf.multinomial(logits, 1, s.seed++), c2, h2] as const;
    });
    s.id = next.dataSync()[0]!;
    next.dispose();
    s.c.dispose();
    s.h.dispose();
    s.c = c as TF.Tensor2D;
    s.h = h as TF.Tensor2D;
  }
  return { chars, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds() - c0 };
}

await serve({
  info: () => ({
    available: true,
    version: `@tensorflow/tfjs ${tf.version.tfjs} (${backendName})`,
    threads: 1,
    notes: backendName === 'wasm' ? 'wasm backend, SIMD, single-threaded under Node' : 'pure-JS cpu backend',
  }),
  gemm,
  setup: (r) => setup(r.task, r.cell, r.config),
  run: (r) => run(r.task, r.cell, r.steps),
  sampleSetup: ({ config: c }) => {
    const u = (shape: number[], seed: number) => tf.mul(tensorOf(shape, seed), 0.1);
    sampler = {
      emb: u([c.vocab, c.embed], 5) as TF.Tensor2D,
      kernel: u([c.embed + c.hidden, 4 * c.hidden], 6) as TF.Tensor2D,
      bias: u([4 * c.hidden], 7) as TF.Tensor1D,
      forget: tf.scalar(1),
      wOut: u([c.hidden, c.vocab], 8) as TF.Tensor2D,
      bOut: u([c.vocab], 9) as TF.Tensor1D,
      h: tf.zeros([1, c.hidden]),
      c: tf.zeros([1, c.hidden]),
      id: 0,
      seed: 1,
    };
  },
  sample: (r) => sample(r.chars),
  memory: (r) => memory(r.gc),
});
