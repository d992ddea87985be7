/**
 * The line protocol between the bench (parent) and each contender process (our backends, PyTorch,
 * TensorFlow.js, brain.js). The parent writes one JSON request per line to the child's stdin; the child
 * answers each with one line `@@bench <json>` on stdout (other stdout lines are the libraries' chatter and
 * are ignored). A child measures only when asked, so contenders never run at the same time.
 */

/** The marker that starts every answer line. */
export const REPLY_MARKER = '@@bench ';

/** Which recurrent cell a workload uses. */
export type CellKind = 'lstm' | 'gru';

/** The recurrent workload shape (the config: input 128, hidden 256, batch 32, sequence 64). */
export interface RecurrentConfig {
  input: number;
  hidden: number;
  batch: number;
  seq: number;
  /** Optimizer of a training step. */
  optimizer: 'sgd' | 'adam';
}

/** The char-LM used for batch-1 sampling: embedding -> 1-layer LSTM -> linear over the vocabulary. */
export interface SampleConfig {
  vocab: number;
  embed: number;
  hidden: number;
}

/** Memory of the child process, bytes (what `process.memoryUsage()` or `getrusage` can tell). */
export interface MemorySnapshot {
  rss: number;
  heapUsed?: number;
  external?: number;
  /** Our wasm backend: bytes of the WebAssembly.Memory and of live tensor blocks in it. */
  wasmMemory?: number;
  wasmTensors?: number;
}

/** A request; `op` selects the handler. */
export type Request =
  | { op: 'info' }
  | { op: 'gemm'; form: 'nn' | 'nt' | 'tn'; m: number; n: number; k: number; minSeconds: number }
  | { op: 'setup'; task: 'train' | 'infer'; cell: CellKind; config: RecurrentConfig }
  | { op: 'run'; task: 'train' | 'infer'; cell: CellKind; steps: number }
  | { op: 'sampleSetup'; config: SampleConfig }
  | { op: 'sample'; chars: number }
  | { op: 'memory'; gc: boolean }
  /** Our wasm backends: the engine's multiply-add ceiling (`simdPeakGflops`), measured for `seconds`. */
  | { op: 'simdPeak'; seconds: number }
  | { op: 'quit' };

/** What a contender says about itself. */
export interface InfoReply {
  /** False when the library cannot run here (e.g. `import torch` failed); `reason` says why. */
  available: boolean;
  reason?: string;
  /** Library and version, e.g. `torch 1.13.1 + OpenBLAS`. */
  version: string;
  /** Threads the arithmetic uses. */
  threads: number;
  /** Anything a reader needs to interpret the numbers (flags, settings). */
  notes?: string;
}

/** The wasm multiply-add ceiling on the contender's main thread, GFLOP/s. */
export interface SimdPeakReply {
  gflops: number;
}

/** Timing of `calls` repetitions of one GEMM (after one untimed warm-up call per shape). */
export interface GemmReply {
  calls: number;
  seconds: number;
  /** CPU seconds of the whole process (all threads) over the same calls. */
  cpuSeconds?: number;
}

/** Timing of `steps` steps (a training step or a forward pass over one batch), seconds each. */
export interface RunReply {
  seconds: number[];
  /** CPU seconds of the whole process (all threads) per step. */
  cpuSeconds?: number[];
  /** Tokens one step processes (batch × sequence; brain.js: one sequence). */
  tokens: number;
  /** Memory right after the last step (no GC forced). */
  memory: MemorySnapshot;
  /** Highest memory seen after any step so far in this process. */
  peak: MemorySnapshot;
}

/** Timing of sampling `chars` characters one at a time. */
export interface SampleReply {
  chars: number;
  seconds: number;
  /** CPU seconds of the whole process over the same characters. */
  cpuSeconds?: number;
}

/** Any reply: a result or an error message. */
export type Reply<T = unknown> = { ok: true; result: T } | { ok: false; error: string };
