/**
 * `pnpm fuzz`: feeds every loader (safetensors, model files, checkpoints, SentencePiece models, corpus
 * files) seeded mutations of valid inputs, 100,000 per loader by default, in worker threads (one job per
 * core). Passing means: each input loads or fails with one of our typed errors; no other exception, and no
 * input slower than the cap. A worker that stops making progress is ended and its input reported as a hang.
 *
 *   pnpm fuzz [--count 100000] [--seed 1] [--target model-file,checkpoint] [--from 0] [--cap-ms 2000]
 *             [--jobs N] [--json results.json]
 *
 * Any input is reproducible alone: `pnpm fuzz --target T --from I --count 1`. Exit status 1 on any failure.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FuzzStats } from './fuzz-target.ts';
import { fuzzTargets } from './targets.ts';
import type { FuzzJob } from './worker.ts';

interface Args {
  count: number;
  seed: number;
  from: number;
  capMs: number;
  jobs: number;
  targets: string[];
  json: string | null;
}

function parseArgs(argv: string[]): Args {
  const all = fuzzTargets().map((t) => t.name);
  const args: Args = {
    count: 100_000,
    seed: 1,
    from: 0,
    capMs: 2000,
    jobs: Math.max(1, availableParallelism()),
    targets: all,
    json: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const int = (): number => {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0)
        throw new Error(`${flag}: expected a non-negative integer, got ${value}`);
      return n;
    };
    if (flag === '--count') args.count = int();
    else if (flag === '--seed') args.seed = int();
    else if (flag === '--from') args.from = int();
    else if (flag === '--cap-ms') args.capMs = int();
    else if (flag === '--jobs') args.jobs = Math.max(1, int());
    else if (flag === '--json') args.json = value;
    else if (flag === '--target') {
      args.targets = value.split(',');
      for (const t of args.targets)
        if (!all.includes(t)) throw new Error(`--target: expected one of ${all.join(', ')}, got ${t}`);
    } else throw new Error(`unknown flag ${flag} (see test/fuzz/run.ts)`);
  }
  return args;
}

const HANG_MS = 30_000;
// The worker runs TypeScript too: a bootstrap registers tsx's loader in it, then imports worker.ts.
const BOOT = `(async () => {
  const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
  register();
  await import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)});
})();`;
const CHUNK = 25_000;

interface Chunk {
  target: string;
  from: number;
  count: number;
}

/**
 * Runs one chunk in a worker. A stalled worker is ended, its input recorded as a hang, and the chunk resumed
 * after the last progress snapshot with that input left out.
 */
async function runChunk(chunk: Chunk, args: Args): Promise<FuzzStats> {
  const merged: FuzzStats = {
    target: chunk.target,
    tried: 0,
    loaded: 0,
    typed: {},
    failures: [],
    crashes: 0,
    hangs: 0,
    slowestMs: 0,
    ms: 0,
  };
  let from = chunk.from;
  const end = chunk.from + chunk.count;
  const skip: number[] = [];
  for (;;) {
    const progress = new SharedArrayBuffer(4);
    const view = new Int32Array(progress);
    Atomics.store(view, 0, from);
    const job: FuzzJob = {
      target: chunk.target,
      seed: args.seed,
      from,
      count: end - from,
      capMs: args.capMs,
      skip,
      progress,
    };
    const worker = new Worker(BOOT, { eval: true, workerData: job });
    let snapshot: { stats: FuzzStats; next: number } | null = null;
    const result = await new Promise<{ stats: FuzzStats } | { hungAt: number }>((resolve, reject) => {
      let last = -1;
      let since = performance.now();
      const timer = setInterval(() => {
        const now = Atomics.load(view, 0);
        if (now !== last) {
          last = now;
          since = performance.now();
        } else if (performance.now() - since > HANG_MS) {
          clearInterval(timer);
          void worker.terminate();
          resolve({ hungAt: now });
        }
      }, 500);
      worker.on('message', (m: { stats: FuzzStats } | { snapshot: FuzzStats; next: number }) => {
        if ('snapshot' in m) {
          snapshot = { stats: m.snapshot, next: m.next };
          return;
        }
        clearInterval(timer);
        resolve(m);
      });
      worker.once('error', (e) => {
        clearInterval(timer);
        reject(e);
      });
    });
    if ('stats' in result) {
      merge(merged, result.stats);
      return merged;
    }
    const done = snapshot as { stats: FuzzStats; next: number } | null;
    if (done !== null) merge(merged, done.stats);
    merged.hangs++;
    merged.tried++;
    if (merged.failures.length < 20) {
      merged.failures.push({
        index: result.hungAt,
        kind: 'hang',
        error: `no progress for ${HANG_MS / 1000} s`,
        head: '',
        bytes: 0,
      });
    }
    skip.push(result.hungAt);
    from = done?.next ?? from;
  }
}

function merge(into: FuzzStats, s: FuzzStats): void {
  into.tried += s.tried;
  into.loaded += s.loaded;
  for (const [k, v] of Object.entries(s.typed)) into.typed[k] = (into.typed[k] ?? 0) + v;
  into.failures.push(...s.failures.slice(0, Math.max(0, 20 - into.failures.length)));
  into.crashes += s.crashes;
  into.hangs += s.hangs;
  into.slowestMs = Math.max(into.slowestMs, s.slowestMs);
  into.ms += s.ms;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const chunks: Chunk[] = [];
  for (const target of args.targets) {
    for (let from = args.from; from < args.from + args.count; from += CHUNK) {
      chunks.push({ target, from, count: Math.min(CHUNK, args.from + args.count - from) });
    }
  }
  console.log(
    `fuzzing ${args.targets.length} loaders x ${fmt(args.count)} inputs (seed ${args.seed}, cap ${args.capMs} ms/input, ${args.jobs} workers)`,
  );
  const t0 = performance.now();
  const results = new Map<string, FuzzStats>();
  const queue = [...chunks];
  const workers = Array.from({ length: Math.min(args.jobs, queue.length) }, async () => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      const s = await runChunk(c, args);
      const into = results.get(c.target);
      if (into === undefined) results.set(c.target, s);
      else merge(into, s);
    }
  });
  await Promise.all(workers);
  const wall = (performance.now() - t0) / 1000;

  const rows = args.targets.map((t) => results.get(t)!);
  const header = ['loader', 'inputs', 'loaded', 'typed errors', 'crashes', 'hangs', 'slowest', 'time'];
  const table = rows.map((s) => [
    s.target,
    fmt(s.tried),
    fmt(s.loaded),
    Object.entries(s.typed)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', '),
    fmt(s.crashes),
    fmt(s.hangs),
    `${s.slowestMs.toFixed(0)} ms`,
    `${(s.ms / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of table) console.log(line(r));
  const tried = rows.reduce((n, s) => n + s.tried, 0);
  const crashes = rows.reduce((n, s) => n + s.crashes, 0);
  const hangs = rows.reduce((n, s) => n + s.hangs, 0);
  console.log(`total: ${fmt(tried)} inputs, ${crashes} crashes, ${hangs} hangs, ${wall.toFixed(1)} s wall`);
  for (const s of rows) {
    for (const f of s.failures) {
      console.log(`  ${s.target} #${f.index} ${f.kind}: ${f.error} (${f.bytes} bytes, ${f.head}...)`);
      console.log(
        `    reproduce: pnpm fuzz --target ${s.target} --seed ${args.seed} --from ${f.index} --count 1`,
      );
    }
  }
  if (args.json !== null) {
    writeFileSync(
      args.json,
      `${JSON.stringify({ args: { ...args, json: undefined }, wallSeconds: wall, node: process.version, results: rows }, null, 2)}\n`,
    );
  }
  return crashes + hangs > 0 ? 1 : 0;
}

process.exitCode = await main();
