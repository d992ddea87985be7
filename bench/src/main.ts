/**
 * `pnpm bench`: one run measuring recurrent's backends against PyTorch, TensorFlow.js and brain.js.
 * Progress goes to stderr; the report to stdout and to bench/results/ (JSON + markdown, written
 * atomically). See cli-args.ts for the command line and shared/PERFORMANCE.md for why rounds interleave.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@recurrent/core';
import { type BenchArgs, parseBenchArgs, type Section, usage } from './cli-args.ts';
import type { ContenderId, ContenderOptions } from './contenders.ts';
import { formatLstmJsonLine } from './json-line.ts';
import { makePlan, type Plan } from './plan.ts';
import { renderReport } from './report.ts';
import type { BenchResults } from './results.ts';
import { gemmContenders, runGemm } from './sections/gemm.ts';
import { runProfile } from './sections/profile.ts';
import { recurrentContenders, runRecurrent } from './sections/recurrent.ts';
import { runSample, sampleContenders } from './sections/sample.ts';
import { runTokenizers } from './sections/tokenizers.ts';
import { log, type PeerInfo, Session } from './session.ts';
import { checkTargets } from './targets.ts';

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const PYTHON = '/usr/bin/python3';

async function withSession<T>(
  ids: ContenderId[],
  o: ContenderOptions & { settleMs: number; verbose: boolean },
  peers: Map<string, PeerInfo>,
  body: (s: Session) => Promise<T>,
): Promise<T> {
  const session = await Session.start(ids, o);
  for (const p of session.peers()) if (!peers.has(p.id) || p.available) peers.set(p.id, p);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

/** `lstm --json`: our wasm backends only; the fastest one's train/infer/sample numbers on one line. */
async function jsonLine(args: BenchArgs, plan: Plan): Promise<void> {
  const o = { relaxedSimd: args.relaxedSimd, python: PYTHON, settleMs: plan.settleMs, verbose: args.verbose };
  const peers = new Map<string, PeerInfo>();
  const ids: ContenderId[] = ['ours-wasm2', 'ours-wasm1'];
  const fastPlan = { ...plan, fastRounds: args.rounds ?? (args.quick ? 1 : 3) };
  const { lstm, sample } = await withSession(ids, o, peers, async (s) => ({
    lstm: await runRecurrent(s, fastPlan, 'lstm', { slowGroup: false }),
    sample: await runSample(s, plan),
  }));
  const best = lstm.best;
  const c = best ? lstm.contenders[best] : undefined;
  const us = best ? sample.usPerChar[best]?.median : undefined;
  if (!best || !c?.train || !c.infer || us === undefined)
    throw new Error('lstm --json: our backends produced no numbers');
  const info = peers.get(best)!;
  console.log(
    formatLstmJsonLine({
      backend: info.version.replace(/^recurrent /, ''),
      threads: info.threads,
      train_tok_s: c.train.median,
      infer_tok_s: c.infer.median,
      sample_us_per_char: us,
    }),
  );
}

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
  if (args.help) {
    console.log(usage);
    return;
  }
  if (args.section === 'profile') {
    console.log(runProfile(args.profile));
    return;
  }
  const plan = makePlan(args.quick, args.rounds, args.optimizer);
  if (args.json) {
    await jsonLine(args, plan);
    return;
  }
  const o = { relaxedSimd: args.relaxedSimd, python: PYTHON, settleMs: plan.settleMs, verbose: args.verbose };
  const want = (s: Section) => args.section === 'all' || args.section === s;

  const peers = new Map<string, PeerInfo>();
  const startedAt = new Date().toISOString();
  const loadAvgStart = loadavg();
  const partial: Omit<BenchResults, 'targets' | 'finishedAt' | 'peers' | 'host'> = {
    schema: 1,
    startedAt,
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
    quick: args.quick,
    errors: [],
  };
  const attempt = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      const msg = `${name}: ${e instanceof Error ? e.message : String(e)}`;
      log(`section failed: ${msg}`);
      partial.errors.push(msg);
    }
  };
  if (want('gemm')) {
    await attempt('gemm', async () => {
      partial.gemm = await withSession(gemmContenders(plan), o, peers, (s) => runGemm(s, plan));
    });
  }
  for (const cell of ['lstm', 'gru'] as const) {
    if (!want(cell)) continue;
    await attempt(cell, async () => {
      partial[cell] = await withSession(recurrentContenders(), o, peers, (s) => runRecurrent(s, plan, cell));
    });
  }
  if (want('sample')) {
    await attempt('sample', async () => {
      partial.sample = await withSession(sampleContenders(), o, peers, (s) => runSample(s, plan));
    });
  }
  if (want('tokenizers')) {
    await attempt('tokenizers', async () => {
      partial.tokenizers = await runTokenizers(args.quick);
    });
  }
  const cpu = cpus();
  const body: Omit<BenchResults, 'targets'> = {
    ...partial,
    finishedAt: new Date().toISOString(),
    host: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      node: process.version,
      loadAvgStart,
      loadAvgEnd: loadavg(),
    },
    peers: [...peers.values()],
  };
  const results: BenchResults = { ...body, targets: checkTargets(body) };
  const report = renderReport(results);
  const base =
    args.section === 'all'
      ? args.quick
        ? 'latest-quick'
        : 'latest'
      : `${args.section}${args.quick ? '-quick' : ''}`;
  mkdirSync(resultsDir, { recursive: true });
  const enc = new TextEncoder();
  await writeFileAtomic(`${resultsDir}${base}.json`, enc.encode(`${JSON.stringify(results, null, 2)}\n`));
  await writeFileAtomic(`${resultsDir}${base}.md`, enc.encode(report));
  console.log(report);
  log(`wrote bench/results/${base}.json and ${base}.md`);
  if (partial.errors.length) process.exitCode = 1;
}

await main();
