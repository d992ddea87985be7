/**
 * What one run measures: workload shapes, rounds and time per round, for a full run and for `--quick`.
 */
import type { RecurrentConfig, SampleConfig } from './protocol.ts';

/** One GEMM shape: `form` as in the Kernels interface (`nt` = A·Bᵀ, `tn` = Aᵀ·B). */
export interface GemmShape {
  name: string;
  form: 'nn' | 'nt' | 'tn';
  m: number;
  n: number;
  k: number;
}

/** The LSTM/GRU config: input 128, hidden 256, batch 32, sequence 64. */
export const recurrentConfig: RecurrentConfig = {
  input: 128,
  hidden: 256,
  batch: 32,
  seq: 64,
  optimizer: 'sgd',
};

/** Char-LM for sampling: ~100 characters, embedding 128, one LSTM layer of 256. */
export const sampleConfig: SampleConfig = { vocab: 100, embed: 128, hidden: 256 };

const H = recurrentConfig.hidden;
const rows = recurrentConfig.batch * recurrentConfig.seq;

/** Square GEMMs plus the shapes an LSTM training step runs (H = 256, B = 32, T = 64). */
export const gemmShapes: GemmShape[] = [
  { name: '256³', form: 'nn', m: 256, n: 256, k: 256 },
  { name: '512³', form: 'nn', m: 512, n: 512, k: 512 },
  { name: '1024³', form: 'nn', m: 1024, n: 1024, k: 1024 },
  // per step: gates += h·W_hhᵀ  [B, H] · [4H, H]ᵀ
  { name: 'LSTM step h·W_hhᵀ', form: 'nt', m: 32, n: 4 * H, k: H },
  // per step (backward): dh = dGates·W_hh  [B, 4H] · [4H, H]
  { name: 'LSTM step dGates·W_hh', form: 'nn', m: 32, n: H, k: 4 * H },
  // once: input projection X·W_ihᵀ  [B·T, I] · [4H, I]ᵀ
  { name: 'LSTM X·W_ihᵀ', form: 'nt', m: rows, n: 4 * H, k: recurrentConfig.input },
  // once (backward): dW_hh = dGatesᵀ·H_prev  [B·T, 4H]ᵀ · [B·T, H]
  { name: 'LSTM dGatesᵀ·H', form: 'tn', m: 4 * H, n: H, k: rows },
];

/** Rounds and per-round time budgets. */
export interface Plan {
  quick: boolean;
  gemmShapes: GemmShape[];
  gemmRounds: number;
  /** Seconds of repeated calls per GEMM measurement. */
  gemmSeconds: number;
  /** Rounds of the ours-vs-PyTorch group (fast contenders). */
  fastRounds: number;
  /** Rounds of the group with the slow JS peers (TF.js, brain.js, our plain-JS backend). */
  slowRounds: number;
  /** Target seconds of steps per contender per round. */
  roundSeconds: number;
  maxStepsPerRound: number;
  sampleRounds: number;
  sampleSeconds: number;
  /** Include TensorFlow.js's pure-JS cpu backend (slow: seconds per training batch). */
  tfjsCpu: boolean;
  /** Pause after each PyTorch measurement, ms (OpenBLAS threads spin before sleeping). */
  settleMs: number;
  /** The recurrent workload (the config; the optimizer can be switched). */
  recurrent: RecurrentConfig;
}

/** The plan for a full run or a `--quick` smoke run (every contender once, short rounds). */
export function makePlan(
  quick: boolean,
  rounds?: number,
  optimizer: RecurrentConfig['optimizer'] = 'sgd',
): Plan {
  const recurrent = { ...recurrentConfig, optimizer };
  return quick
    ? {
        quick,
        gemmShapes: gemmShapes.filter((s) => s.name === '256³' || s.name === 'LSTM step h·W_hhᵀ'),
        gemmRounds: rounds ?? 2,
        gemmSeconds: 0.05,
        fastRounds: rounds ?? 2,
        slowRounds: 1,
        roundSeconds: 0.15,
        maxStepsPerRound: 3,
        sampleRounds: rounds ?? 2,
        sampleSeconds: 0.05,
        tfjsCpu: false,
        settleMs: 50,
        recurrent,
      }
    : {
        quick,
        gemmShapes,
        gemmRounds: rounds ?? 5,
        gemmSeconds: 0.25,
        fastRounds: rounds ?? 7,
        slowRounds: Math.min(rounds ?? 3, 3),
        roundSeconds: 0.8,
        maxStepsPerRound: 20,
        sampleRounds: rounds ?? 5,
        sampleSeconds: 0.25,
        tfjsCpu: true,
        settleMs: 150,
        recurrent,
      };
}
