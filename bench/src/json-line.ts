/**
 * The one-line JSON summary of `pnpm bench lstm --json`, for scripts and CI dashboards.
 */

/** Our fastest backend's LSTM numbers (input 128, hidden 256, batch 32, sequence 64). */
export interface LstmJsonLine {
  /** Backend name, e.g. `wasm-threads`. */
  backend: string;
  /** Threads it used. */
  threads: number;
  /** Training tokens per second (forward + backward + optimizer step). */
  train_tok_s: number;
  /** Inference tokens per second (forward only, no tape). */
  infer_tok_s: number;
  /** Batch-1 char-LM sampling, microseconds per character. */
  sample_us_per_char: number;
}

const KEYS = ['backend', 'threads', 'train_tok_s', 'infer_tok_s', 'sample_us_per_char'] as const;

/** Serialises in the documented key order, numbers rounded (tokens/s to integers, µs to 0.1). */
export function formatLstmJsonLine(v: LstmJsonLine): string {
  const line: LstmJsonLine = {
    backend: v.backend,
    threads: v.threads,
    train_tok_s: Math.round(v.train_tok_s),
    infer_tok_s: Math.round(v.infer_tok_s),
    sample_us_per_char: Math.round(v.sample_us_per_char * 10) / 10,
  };
  return JSON.stringify(line);
}

/**
 * Parses and validates one line (exactly the five keys; a non-empty backend, a positive integer thread
 * count, positive finite rates). Throws an Error naming the first bad field.
 */
export function parseLstmJsonLine(line: string): LstmJsonLine {
  const v = JSON.parse(line) as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error('lstm json: expected an object');
  const keys = Object.keys(v).sort();
  const want = [...KEYS].sort();
  if (keys.join() !== want.join())
    throw new Error(`lstm json: expected keys ${want.join(', ')}, got ${keys.join(', ')}`);
  if (typeof v.backend !== 'string' || v.backend === '')
    throw new Error('lstm json: backend must be a non-empty string');
  if (!Number.isInteger(v.threads) || (v.threads as number) < 1) {
    throw new Error(`lstm json: threads must be a positive integer, got ${String(v.threads)}`);
  }
  for (const k of ['train_tok_s', 'infer_tok_s', 'sample_us_per_char'] as const) {
    const x = v[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
      throw new Error(`lstm json: ${k} must be a positive finite number, got ${String(x)}`);
    }
  }
  return v as unknown as LstmJsonLine;
}
