/**
 * The shape of bench/results/latest.json. Rates are per round (interleaved), with medians; ratios are
 * medians of per-round ratios, never ratios of medians from different moments.
 */
import type { MemorySnapshot, RecurrentConfig, SampleConfig } from './protocol.ts';
import type { PeerInfo } from './session.ts';
import type { GrowthVerdict, Measured } from './stats.ts';

/** A ratio of two contenders' rates from the same rounds. */
export interface Ratio {
  /** `a / b` (> 1: `a` faster). */
  a: string;
  b: string;
  median: number;
  ratios: number[];
}

/** One GEMM shape: every contender's GFLOP/s per round and the ratios the table shows. */
export interface GemmRow {
  name: string;
  form: 'nn' | 'nt' | 'tn';
  m: number;
  n: number;
  k: number;
  /** GFLOP/s (2·m·n·k per call) per contender. */
  gflops: Record<string, Measured>;
  /** GFLOP per CPU-second (all threads): what a loaded host cannot distort much, but no parallel speedup. */
  gflopsPerCpuSecond: Record<string, Measured>;
  ratios: Ratio[];
  /**
   * Our one-thread wasm contenders: the engine's multiply-add ceiling (twelve independent FMA chains, no
   * memory) measured right after each round's product, and the product's share of it in that round.
   */
  ceiling?: Record<string, { gflops: Measured; share: Measured }>;
}

/** The GEMM section. */
export interface GemmResult {
  rows: GemmRow[];
}

/** Training-step memory of one of our backends. */
export interface MemoryResult {
  /** Highest values after any step (no GC forced). */
  peak: MemorySnapshot;
  /** Post-GC samples: after warm-up, then after each round of training steps. */
  heapSamples: number[];
  rssSamples: number[];
  wasmTensorSamples: number[];
  steps: number;
  heap: GrowthVerdict;
  rss: GrowthVerdict;
  wasmTensors: GrowthVerdict;
}

/** One contender's LSTM/GRU rates. */
export interface RecurrentContender {
  /** Tokens per second per round. */
  train?: Measured;
  infer?: Measured;
  /** Tokens per CPU-second of the whole process (all threads). */
  trainPerCpuSecond?: Measured;
  inferPerCpuSecond?: Measured;
  /** Tokens one measured step processes. */
  tokensPerStep: number;
  /** Set when the per-batch time is extrapolated (brain.js: one sequence at a time). */
  extrapolated?: string;
  /** Highest RSS seen in the contender's process. */
  peakRss?: number;
}

/** The LSTM or GRU section. */
export interface RecurrentResult {
  cell: 'lstm' | 'gru';
  config: RecurrentConfig;
  /** Per contender: which round group measured it (`fast`: vs PyTorch; `slow`: with the JS peers). */
  contenders: Record<string, RecurrentContender>;
  /** Our backend with the highest median training rate in the fast group. */
  best: string | null;
  ratios: { train: Ratio[]; infer: Ratio[] };
  /** Same-round ratios of tokens per CPU-second for single-thread pairs (ours 1T vs torch 1T, JS peers). */
  cpuRatios: { train: Ratio[]; infer: Ratio[] };
  memory: Record<string, MemoryResult>;
}

/** The sampling section. */
export interface SampleResult {
  config: SampleConfig;
  /** Microseconds per character per round (lower is better). */
  usPerChar: Record<string, Measured>;
  /** CPU microseconds (all threads) per character. */
  cpuUsPerChar: Record<string, Measured>;
  /** Rate ratios (chars/s) ours vs others. */
  ratios: Ratio[];
}

/** The tokenizer section: what the tokenizers package's comparison script reported. */
export interface TokenizerResult {
  available: boolean;
  script?: string;
  /** What the script reported (parsed JSON when it printed one, else its output). */
  report?: unknown;
  reason?: string;
}

/** One of the targets and whether this run met it. */
export interface TargetCheck {
  target: string;
  value: number | null;
  threshold: number;
  /** `atLeast`: value ≥ threshold is met (rates, ratios); `atMost`: value ≤ threshold (latencies). */
  direction: 'atLeast' | 'atMost';
  met: boolean | null;
  /** The same quantity per CPU-second of the process, where that is meaningful (single-thread rates). */
  perCpuSecond?: number;
}

/** Everything one run measured: bench/results/latest.json. */
export interface BenchResults {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  command: string;
  quick: boolean;
  host: { cpus: number; cpuModel: string; node: string; loadAvgStart: number[]; loadAvgEnd: number[] };
  peers: PeerInfo[];
  gemm?: GemmResult;
  lstm?: RecurrentResult;
  gru?: RecurrentResult;
  sample?: SampleResult;
  tokenizers?: TokenizerResult;
  targets: TargetCheck[];
  /** Sections that failed, with the error (the others still ran). */
  errors: string[];
}
