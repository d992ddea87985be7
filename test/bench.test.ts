// The bench harness's pure parts: interleaving and medians, the per-round ratio logic, memory-growth
// verdicts, table formatting, the `lstm --json` line schema, argument parsing, targets and the report.
// No timings are taken here.
import {
  type BenchResults,
  type CpuProfile,
  checkTargets,
  findTokenizerScript,
  fmtNum,
  formatLstmJsonLine,
  interleavedOrder,
  lastJsonLine,
  markdownTable,
  measured,
  median,
  memoryGrowth,
  parseBenchArgs,
  parseLstmJsonLine,
  renderReport,
  roundRatios,
  roundSchedule,
  stepsFor,
  summarizeProfile,
  wasmExportNames,
} from '@recurrent/bench/harness';
import { describe, expect, it } from 'vitest';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe('interleaving', () => {
  it('rotates the order each round so every contender goes first in turn', () => {
    expect(interleavedOrder(['A', 'B'], 0)).toEqual(['A', 'B']);
    expect(interleavedOrder(['A', 'B'], 1)).toEqual(['B', 'A']);
    expect(interleavedOrder(['A', 'B'], 2)).toEqual(['A', 'B']);
    expect(interleavedOrder(['A', 'B', 'C'], 1)).toEqual(['B', 'C', 'A']);
    expect(interleavedOrder([], 3)).toEqual([]);
  });

  it('schedules every contender once per round, in rounds, skipping a capped one after its rounds', () => {
    const s = roundSchedule(['A', 'B', 'C'], 3, { C: 1 });
    expect(s).toEqual([
      [0, 'A'],
      [0, 'B'],
      [0, 'C'],
      [1, 'B'],
      [1, 'A'],
      [2, 'A'],
      [2, 'B'],
    ]);
    // Rounds never mix: all of round r comes before round r + 1.
    const rounds = s.map(([r]) => r);
    expect([...rounds].sort((a, b) => a - b)).toEqual(rounds);
  });

  it('takes ratios within each round, then the median over rounds', () => {
    // The host drifts: round 2 is twice as slow for both; same-round ratios stay 2.
    const a = [200, 100, 210];
    const b = [100, 50, 105];
    const r = roundRatios(a, b);
    expect(r.ratios).toEqual([2, 2, 2]);
    expect(r.median).toBe(2);
  });

  it('skips rounds where either side was not measured', () => {
    const r = roundRatios([10, undefined, 30, Number.NaN], [5, 5, 10, 10]);
    expect(r.ratios).toEqual([2, 3]);
    expect(r.median).toBe(2.5);
    expect(roundRatios([1], [0]).ratios).toEqual([]);
  });

  it('wraps per-round values with their median, ignoring missing rounds', () => {
    const m = measured([3, undefined, 1, 2]);
    expect(m.median).toBe(2);
    expect(m.rounds).toHaveLength(4);
  });

  it('sizes rounds from one step: at least 1, at most the cap', () => {
    expect(stepsFor(0.1, 1, 20)).toBe(10);
    expect(stepsFor(3, 1, 20)).toBe(1);
    expect(stepsFor(0.001, 1, 20)).toBe(20);
    expect(stepsFor(0, 1, 20)).toBe(1);
  });
});

describe('memoryGrowth', () => {
  const MiB = 2 ** 20;
  it('calls a flat series flat and a steady rise growth', () => {
    expect(memoryGrowth([100 * MiB, 100.2 * MiB, 99.9 * MiB, 100.1 * MiB], MiB).grew).toBe(false);
    const leak = [100, 110, 120, 130, 140, 150].map((x) => x * MiB);
    const v = memoryGrowth(leak, MiB);
    expect(v.grew).toBe(true);
    expect(v.growth).toBe(50 * MiB);
  });

  it('does not call a one-off jump that then stays flat a leak', () => {
    const cache = [100, 130, 130, 130, 130, 130].map((x) => x * MiB);
    expect(memoryGrowth(cache, MiB).grew).toBe(false);
  });

  it('needs two samples', () => {
    expect(memoryGrowth([5], 1)).toEqual({ growth: 0, grew: false });
  });
});

describe('table formatting', () => {
  it('pads columns, right-aligns numbers and marks alignment in the rule', () => {
    const t = markdownTable(
      [{ header: 'name' }, { header: 'tok/s', align: 'right' }],
      [
        ['ours', '12,345'],
        ['a|b', '7'],
      ],
    );
    expect(t.split('\n')).toEqual([
      '| name |  tok/s |',
      '| ---- | -----: |',
      '| ours | 12,345 |',
      '| a\\|b |      7 |',
    ]);
  });

  it('formats numbers with three significant digits or thousands separators', () => {
    expect(fmtNum(12345.6)).toBe('12,346');
    expect(fmtNum(78.94)).toBe('78.9');
    expect(fmtNum(4.561)).toBe('4.56');
    expect(fmtNum(0.01234)).toBe('0.0123');
    expect(fmtNum(0)).toBe('0');
    expect(fmtNum(Number.NaN)).toBe('—');
    expect(fmtNum(undefined)).toBe('—');
  });
});

describe('lstm --json line', () => {
  const line = {
    backend: 'wasm-threads',
    threads: 2,
    train_tok_s: 28123.4,
    infer_tok_s: 70111.6,
    sample_us_per_char: 61.234,
  };

  it('is one line with exactly the five documented keys, in order, rounded', () => {
    const s = formatLstmJsonLine(line);
    expect(s).not.toContain('\n');
    expect(Object.keys(JSON.parse(s))).toEqual([
      'backend',
      'threads',
      'train_tok_s',
      'infer_tok_s',
      'sample_us_per_char',
    ]);
    expect(parseLstmJsonLine(s)).toEqual({
      ...line,
      train_tok_s: 28123,
      infer_tok_s: 70112,
      sample_us_per_char: 61.2,
    });
  });

  it('rejects missing or extra keys and bad values, naming the field', () => {
    const ok = JSON.parse(formatLstmJsonLine(line)) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...ok, ...patch });
    expect(() => parseLstmJsonLine(bad({ extra: 1 }))).toThrow(/keys/);
    const { backend: _drop, ...noBackend } = ok;
    expect(() => parseLstmJsonLine(JSON.stringify(noBackend))).toThrow(/keys/);
    expect(() => parseLstmJsonLine(bad({ threads: 0 }))).toThrow(/threads/);
    expect(() => parseLstmJsonLine(bad({ train_tok_s: -5 }))).toThrow(/train_tok_s/);
    expect(() => parseLstmJsonLine(bad({ sample_us_per_char: null }))).toThrow(/sample_us_per_char/);
    expect(() => parseLstmJsonLine(bad({ backend: '' }))).toThrow(/backend/);
  });
});

describe('command line', () => {
  it('defaults to every section, full rounds, relaxed SIMD on', () => {
    expect(parseBenchArgs([])).toMatchObject({
      section: 'all',
      quick: false,
      json: false,
      relaxedSimd: true,
    });
  });

  it('takes a section and flags in any order', () => {
    expect(parseBenchArgs(['--json', 'lstm', '--rounds', '3'])).toMatchObject({
      section: 'lstm',
      json: true,
      rounds: 3,
    });
    expect(parseBenchArgs(['gemm', '--quick', '--no-relaxed-simd'])).toMatchObject({
      section: 'gemm',
      quick: true,
      relaxedSimd: false,
    });
    expect(parseBenchArgs(['--rounds=2', 'tokenizers']).rounds).toBe(2);
  });

  it('rejects unknown sections and flags, bad rounds, and --json outside lstm', () => {
    expect(() => parseBenchArgs(['conv'])).toThrow(/unknown argument "conv"/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument/);
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(/positive integer/);
    expect(() => parseBenchArgs(['gemm', '--json'])).toThrow(/only for the lstm/);
  });
});

describe('tokenizer section helpers', () => {
  it('finds the comparison script and ignores unrelated scripts', () => {
    expect(findTokenizerScript(['vendor-nmt-nfkc-charsmap.ts'])).toBeNull();
    expect(findTokenizerScript(['vendor-nmt-nfkc-charsmap.ts', 'compare-spm.ts', 'notes.md'])).toBe(
      'compare-spm.ts',
    );
  });

  it('reads the last non-empty line as JSON, or null', () => {
    expect(lastJsonLine('progress...\n{"tokens_per_char":0.31}\n\n')).toEqual({ tokens_per_char: 0.31 });
    expect(lastJsonLine('just text\n')).toBeNull();
  });
});

describe('targets and report', () => {
  const m = (xs: number[]) => measured(xs);
  const results: Omit<BenchResults, 'targets'> = {
    schema: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:05:00.000Z',
    command: 'pnpm bench',
    quick: false,
    errors: [],
    host: { cpus: 2, cpuModel: 'test cpu', node: 'v20', loadAvgStart: [1, 1, 1], loadAvgEnd: [1, 1, 1] },
    peers: [
      {
        id: 'ours-wasm2',
        label: 'recurrent wasm, 2 threads',
        short: 'ours wasm 2T',
        family: 'ours',
        available: true,
        version: 'recurrent wasm-threads',
        threads: 2,
      },
      {
        id: 'ours-wasm1',
        label: 'recurrent wasm, 1 thread',
        short: 'ours wasm 1T',
        family: 'ours',
        available: true,
        version: 'recurrent wasm',
        threads: 1,
      },
      {
        id: 'torch-2',
        label: 'PyTorch, OpenBLAS 2 threads',
        short: 'torch 2T',
        family: 'torch',
        available: false,
        version: 'torch',
        threads: 0,
        reason: 'not installed (ModuleNotFoundError)',
      },
    ],
    gemm: {
      rows: [
        {
          name: '1024³',
          form: 'nn',
          m: 1024,
          n: 1024,
          k: 1024,
          gflops: { 'ours-wasm1': m([41, 43, 42]), 'ours-wasm2': m([70, 75, 72]) },
          gflopsPerCpuSecond: { 'ours-wasm1': m([44, 44, 45]) },
          ratios: [{ a: 'ours-wasm2', b: 'ours-wasm1', median: 1.71, ratios: [1.7, 1.71, 1.74] }],
          ceiling: { 'ours-wasm1': { gflops: m([45, 46, 47]), share: m([0.91, 0.93, 0.89]) } },
        },
      ],
    },
    lstm: {
      cell: 'lstm',
      config: { input: 128, hidden: 256, batch: 32, seq: 64, optimizer: 'sgd' },
      contenders: { 'ours-wasm2': { tokensPerStep: 2048, train: m([20480, 20000]), infer: m([60000]) } },
      best: 'ours-wasm2',
      ratios: {
        train: [
          { a: 'ours-wasm2', b: 'torch-2', median: 0.65, ratios: [0.6, 0.7] },
          { a: 'ours-wasm2', b: 'tfjs-wasm', median: 45, ratios: [45] },
        ],
        infer: [{ a: 'ours-wasm2', b: 'torch-2', median: 0.8, ratios: [0.8] }],
      },
      cpuRatios: { train: [], infer: [] },
      memory: {},
    },
    sample: {
      config: { vocab: 100, embed: 128, hidden: 256 },
      usPerChar: { 'ours-wasm1': m([60, 62]), 'ours-wasm2': m([55, 58]) },
      cpuUsPerChar: { 'ours-wasm2': m([150, 150]) },
      ratios: [],
    },
  };

  it('checks each target against its threshold and direction', () => {
    const t = checkTargets(results);
    const find = (re: RegExp) => t.find((x) => re.test(x.target))!;
    expect(find(/LSTM train, ours 2 threads/)).toMatchObject({ value: 0.65, met: false });
    expect(find(/LSTM inference/)).toMatchObject({ value: 0.8, met: true });
    expect(find(/TF.js wasm/)).toMatchObject({ value: 45, met: true });
    expect(find(/GFLOP\/s, ours 1 thread/)).toMatchObject({ value: 42, met: true });
    expect(find(/2 threads \/ 1 thread/)).toMatchObject({ value: 1.71, met: true });
    expect(find(/sampling/)).toMatchObject({
      value: 56.5,
      direction: 'atMost',
      met: false,
      perCpuSecond: 150,
    });
    expect(find(/GFLOP\/s, ours 1 thread/).perCpuSecond).toBe(44);
    expect(find(/GFLOP\/s, ours 1 thread/).target).toContain("this core's wasm FMA ceiling: 46.0");
  });

  it('renders peers (unavailable ones with the reason), tables and brain-free rows', () => {
    const md = renderReport({ ...results, targets: checkTargets(results) });
    expect(md).toContain(
      '**torch 2T** = PyTorch, OpenBLAS 2 threads: not installed / not available (not installed (ModuleNotFoundError))',
    );
    expect(md).toMatch(/\| 1024³ +\| nn +\| 1024×1024×1024 +\| +42\.0 +\| +72\.0 +\| +1\.71× +\|/);
    expect(md).toMatch(/\| ours wasm 2T \(ours, fastest\) +\| +2 \| +20,240 \(20,000–20,480\) \|/);
    expect(md).toContain('| sampling µs/char, ours best');
    expect(md).toMatch(/GFLOP per CPU-second[\s\S]*\| 1024³ +\| +44\.0 +\| +— +\|/);
    expect(md).toMatch(/multiply-add ceiling[\s\S]*\| 1024³ +\| +46\.0 +\| +91 % +\|/);
    expect(md).toMatch(
      /\| LSTM train, ours 2 threads \/ PyTorch 2-core +\| +0\.650 \| +\| +≥ 0\.700 \| NO +\|/,
    );
  });
});

describe('profile summary', () => {
  it('maps wasm function indices to export names, counting imported functions', () => {
    // (module (import "env" "g" (func)) (func) (export "f" (func 1)))
    const bytes = new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      0x01,
      0x00,
      0x00,
      0x00, // magic, version
      0x01,
      0x04,
      0x01,
      0x60,
      0x00,
      0x00, // type section: () -> ()
      0x02,
      0x09,
      0x01,
      0x03,
      0x65,
      0x6e,
      0x76,
      0x01,
      0x67,
      0x00,
      0x00, // import env.g (func type 0)
      0x03,
      0x02,
      0x01,
      0x00, // function section: one function of type 0
      0x07,
      0x05,
      0x01,
      0x01,
      0x66,
      0x00,
      0x01, // export "f" = func 1
      0x0a,
      0x04,
      0x01,
      0x02,
      0x00,
      0x0b, // code: empty body
    ]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect([...wasmExportNames(bytes)]).toEqual([[1, 'f']]);
  });

  it('sums self time per function, per category, and wasm time per entry point and caller', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 6] },
        {
          id: 2,
          callFrame: frame('stepForward', 'file:///x/packages/core/src/layers/lstm.ts'),
          children: [3],
        },
        {
          id: 3,
          callFrame: frame('gemm', 'file:///x/packages/core/src/kernels/wasm/wasm-kernels.ts'),
          children: [4],
        },
        { id: 4, callFrame: frame('wasm-function[5]', 'wasm://wasm/abc'), children: [5] },
        { id: 5, callFrame: frame('wasm-function[0]', 'wasm://wasm/abc'), children: [] },
        { id: 6, callFrame: frame('(garbage collector)', ''), children: [] },
      ],
      samples: [5, 5, 4, 6, 2],
      timeDeltas: [1000, 1000, 1000, 1000, 1000],
    };
    const s = summarizeProfile(profile, new Map([[5, 'gemm_nt']]));
    expect(s.totalMs).toBe(5);
    expect(s.entries[0]).toMatchObject({ name: 'wasm-function[0]', selfMs: 2, share: 0.4 });
    expect(s.categories.find((c) => c.name === 'wasm')?.selfMs).toBe(3);
    expect(s.categories.find((c) => c.name === 'GC')?.selfMs).toBe(1);
    expect(s.wasmCallers).toEqual([expect.objectContaining({ name: 'gemm_nt ← stepForward', selfMs: 3 })]);
  });
});
