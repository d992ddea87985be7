/**
 * brain.js contender (1.6.1, pure JavaScript). brain.js trains one sequence at a time (no batches):
 * `recurrent.LSTMTimeStep`/`GRUTimeStep` with inputSize I, one hidden layer of H and an output layer of I
 * (it always has one; our layer and PyTorch's have none, so brain.js does slightly more work).
 * A "step" here is one sequence of T tokens; the parent extrapolates a batch as B sequences, and says so.
 * Sampling uses `recurrent.LSTM` with a character data formatter, its documented text-generation path.
 */
import { createRequire } from 'node:module';
import type {
  CellKind,
  MemorySnapshot,
  RecurrentConfig,
  RunReply,
  SampleConfig,
  SampleReply,
} from '../protocol.ts';
import { cpuSeconds, fillPattern, maxMemory, nodeMemory, serve } from './child-server.ts';

interface TimeStepNet {
  train(data: number[][][], options: Record<string, unknown>): { error: number; iterations: number };
  run(input: number[][]): unknown;
}
interface TextNet {
  train(data: string[], options: Record<string, unknown>): unknown;
  run(input: string, isSampleI: boolean, temperature?: number): string;
}
interface Brain {
  recurrent: Record<string, new (options: Record<string, unknown>) => unknown>;
}

const require = createRequire(import.meta.url);
const brain = require('brain.js') as Brain;
const version = (require('brain.js/package.json') as { version: string }).version;

function sequence(c: RecurrentConfig, seed: number): number[][] {
  const flat = new Array<number>(c.seq * c.input);
  fillPattern(flat, seed);
  return Array.from({ length: c.seq }, (_, t) => flat.slice(t * c.input, (t + 1) * c.input));
}

let peak: MemorySnapshot = nodeMemory(false);
const nets = new Map<string, { net: TimeStepNet; seq: number[][]; train: boolean; tokens: number }>();

function setup(task: 'train' | 'infer', cell: CellKind, c: RecurrentConfig): void {
  const Net = brain.recurrent[cell === 'lstm' ? 'LSTMTimeStep' : 'GRUTimeStep']!;
  const net = new Net({ inputSize: c.input, hiddenLayers: [c.hidden], outputSize: c.input }) as TimeStepNet;
  // Training predicts step t+1 from step t, so T + 1 arrays make T trained tokens, like the others.
  const seq = sequence({ ...c, seq: task === 'train' ? c.seq + 1 : c.seq }, 1);
  // The first train call sizes and initialises the net (not timed).
  net.train([seq], { iterations: 1, errorThresh: -1, log: false });
  nets.set(`${task}/${cell}`, { net, seq, train: task === 'train', tokens: c.seq });
}

function run(task: 'train' | 'infer', cell: CellKind, steps: number): RunReply {
  const w = nets.get(`${task}/${cell}`);
  if (!w) throw new Error(`run ${task}/${cell} before setup`);
  const seconds: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < steps; s++) {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    if (w.train) w.net.train([w.seq], { iterations: 1, errorThresh: -1, log: false });
    else w.net.run(w.seq);
    seconds.push((performance.now() - t0) / 1000);
    cpu.push(cpuSeconds() - c0);
    peak = maxMemory(peak, nodeMemory(false));
  }
  return { seconds, cpuSeconds: cpu, tokens: w.tokens, memory: nodeMemory(false), peak };
}

let textNet: TextNet | null = null;

function sampleSetup(c: SampleConfig): void {
  // A training text with `vocab` distinct characters sizes the net: brain.js sets its input (embedding)
  // width and output width to the character count.
  let text = '';
  for (let i = 0; i < c.vocab - 2; i++) text += String.fromCharCode(32 + (i % 95));
  const Net = brain.recurrent.LSTM!;
  textNet = new Net({ hiddenLayers: [c.hidden], maxPredictionLength: 200 }) as TextNet;
  textNet.train([text], { iterations: 1, errorThresh: -1, log: false });
}

function sample(chars: number): SampleReply {
  const net = textNet;
  if (!net) throw new Error('sample before sampleSetup');
  let done = 0;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  while (done < chars) {
    // Each run samples until the end token or maxPredictionLength; +1 counts the step that ended it.
    done += net.run('', true).length + 1;
  }
  return { chars: done, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds() - c0 };
}

await serve({
  info: () => ({
    available: true,
    version: `brain.js ${version}`,
    threads: 1,
    notes: 'batch size 1 (one sequence per train call); an extra output layer; its own RMSprop-style update',
  }),
  setup: (r) => setup(r.task, r.cell, r.config),
  run: (r) => run(r.task, r.cell, r.steps),
  sampleSetup: (r) => sampleSetup(r.config),
  sample: (r) => sample(r.chars),
  memory: (r) => nodeMemory(r.gc),
});
