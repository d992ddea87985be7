/**
 * Command line of `pnpm bench [section] [--quick] [--json] [--rounds N] [--no-relaxed-simd] [--verbose]`.
 */

/** The sections one run can be limited to; `all` runs every one. */
export const sections = ['all', 'gemm', 'lstm', 'gru', 'sample', 'tokenizers', 'profile'] as const;
/** One of {@link sections}. */
export type Section = (typeof sections)[number];

/** The parsed command line. */
export interface BenchArgs {
  section: Section;
  /** Short rounds and fewer shapes: a smoke run, not a measurement. */
  quick: boolean;
  /** `lstm --json`: print one JSON line for our fastest backend, nothing else on stdout. */
  json: boolean;
  /** Override the number of interleaved rounds. */
  rounds?: number;
  /** Optimizer of the LSTM/GRU training step (default sgd). */
  optimizer: 'sgd' | 'adam';
  /** Give our wasm backends V8's relaxed-SIMD flag (default on; Node 22+ has it without a flag). */
  relaxedSimd: boolean;
  /** Forward contenders' own output to stderr. */
  verbose: boolean;
  help: boolean;
  /** `profile` only: our backend and cell to profile, and how many steps. */
  profile: { backend: 'js' | 'wasm' | 'wasm-threads'; cell: 'lstm' | 'gru' | 'sample'; steps: number };
}

/** The help text (also appended to argument errors). */
export const usage = `usage: pnpm bench [${sections.join('|')}] [--quick] [--json] [--rounds N] [--optimizer sgd|adam]
  (default section: all = gemm, lstm, gru, sample, tokenizers)
  profile [--backend js|wasm|wasm-threads] [--cell lstm|gru|sample] [--steps N]
                     our training + inference under node --cpu-prof: where the time goes
  --quick            short rounds, fewer shapes (smoke run; numbers are not comparable)
  --json             with "lstm": print one JSON line {backend, threads, train_tok_s, infer_tok_s,
                     sample_us_per_char} for our fastest backend (use \`pnpm -s bench lstm --json\`)
  --rounds N         interleaved rounds per measurement
  --optimizer sgd|adam  optimizer of the training step (default sgd)
  --no-relaxed-simd  run our wasm backends without --experimental-wasm-relaxed-simd
  --verbose          show the contenders' own output`;

/** Parses argv (after the script name). Throws an Error with the usage on anything unknown. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = {
    section: 'all',
    quick: false,
    json: false,
    relaxedSimd: true,
    optimizer: 'sgd',
    verbose: false,
    help: false,
    profile: { backend: 'wasm', cell: 'lstm', steps: 30 },
  };
  const value = (name: string, i: number): string => {
    const v = argv[i];
    if (v === undefined) throw new Error(`${name}: missing value\n${usage}`);
    return v;
  };
  let sectionSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--quick') a.quick = true;
    else if (arg === '--json') a.json = true;
    else if (arg === '--verbose') a.verbose = true;
    else if (arg === '--no-relaxed-simd') a.relaxedSimd = false;
    else if (arg === '--help' || arg === '-h') a.help = true;
    else if (arg === '--optimizer') {
      const v = value(arg, ++i);
      if (v !== 'sgd' && v !== 'adam')
        throw new Error(`--optimizer: expected sgd or adam, got ${v}\n${usage}`);
      a.optimizer = v;
    } else if (arg === '--backend') {
      const v = value(arg, ++i);
      if (v !== 'js' && v !== 'wasm' && v !== 'wasm-threads')
        throw new Error(`--backend: expected js, wasm or wasm-threads, got ${v}\n${usage}`);
      a.profile.backend = v;
    } else if (arg === '--cell') {
      const v = value(arg, ++i);
      if (v !== 'lstm' && v !== 'gru' && v !== 'sample') {
        throw new Error(`--cell: expected lstm, gru or sample, got ${v}\n${usage}`);
      }
      a.profile.cell = v;
    } else if (arg === '--steps') {
      const n = Number(value(arg, ++i));
      if (!Number.isInteger(n) || n < 1) throw new Error(`--steps: expected a positive integer\n${usage}`);
      a.profile.steps = n;
    } else if (arg === '--rounds' || arg.startsWith('--rounds=')) {
      const v = arg.includes('=') ? arg.slice('--rounds='.length) : argv[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`--rounds: expected a positive integer, got ${String(v)}\n${usage}`);
      a.rounds = n;
    } else if (!arg.startsWith('-') && !sectionSeen && (sections as readonly string[]).includes(arg)) {
      a.section = arg as Section;
      sectionSeen = true;
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)}\n${usage}`);
    }
  }
  if (a.json && a.section !== 'lstm') throw new Error(`--json is only for the lstm section\n${usage}`);
  return a;
}
